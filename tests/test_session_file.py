import json

import pytest

from net.hints import Hint
from net.session_file import (Session, SessionError, check_hints_fit, load_session, parse_session,
                              save_session)

GOOD = {"format": "colorizer-session", "version": 1, "image": "photo.jpg", "model": "default",
        "hints": [{"x": 120.5, "y": 80.0, "radius": 12.0, "rgb": [200, 30, 30]}]}


def test_round_trip_with_relative_image_path(tmp_path):
    img = tmp_path / "pics" / "photo.jpg"
    img.parent.mkdir()
    img.write_bytes(b"x")
    s = Session(image=str(img), hints=[Hint(1.5, 2.5, 3.0, (1, 2, 3))], image_sha256="a" * 64)
    path = tmp_path / "pics" / "photo.colorize.json"
    save_session(path, s)
    data = json.loads(path.read_text())
    assert data["image"] == "photo.jpg"                     # stored relative to the session
    back = load_session(path)
    assert back.hints == s.hints and back.image_path(path) == img.resolve()


def test_the_model_file_and_its_identity_round_trip(tmp_path):
    s = Session(image="photo.jpg", model="local", model_path="/home/me/models/local.safetensors",
                model_sha256="b" * 64)
    save_session(tmp_path / "s.colorize.json", s)
    back = load_session(tmp_path / "s.colorize.json")
    assert (back.model, back.model_path, back.model_sha256) == (s.model, s.model_path, "b" * 64)
    old = parse_session(GOOD)                               # sessions saved before: by name
    assert (old.model_path, old.model_sha256) == (None, None)


def test_unknown_keys_are_ignored():
    s = parse_session(GOOD | {"future": {"x": 1}})
    assert s.hints[0].rgb == (200, 30, 30)


@pytest.mark.parametrize("change, words", [
    ({"format": "other"}, "not a colorizer session"),
    ({"version": 99}, "unsupported session version"),
    ({"image": ""}, "no image"),
    ({"hints": "nope"}, "hints must be a list"),
    ({"hints": [{"x": 1, "y": 1, "radius": -2, "rgb": [1, 2, 3]}]}, "hint 1 radius must be positive"),
    ({"hints": [{"x": 1, "y": 1, "rgb": [1, 2, 3]}]}, "^hint 1 is missing radius"),
    ({"hints": [{"x": 1, "y": 1, "radius": 2, "rgb": [1, 2, 300]}]}, "hint 1 rgb"),
    ({"image_sha256": "abc"}, "SHA-256"),
    ({"model_path": 3}, "model_path must be a file path"),
    ({"model_path": " "}, "model_path must be a file path"),
    ({"model_sha256": "abc"}, "model_sha256 is not a SHA-256"),
])
def test_malformed_sessions_name_the_problem(change, words):
    with pytest.raises(SessionError, match=words):
        parse_session(GOOD | change)


def test_nan_radius_in_file_is_refused(tmp_path):
    p = tmp_path / "s.colorize.json"
    p.write_text(json.dumps(GOOD).replace("12.0", "NaN"))
    with pytest.raises(SessionError, match="finite"):
        load_session(p)


@pytest.mark.parametrize("content, words", [(b"{not json", "not valid JSON"),
                                            (b"\xff\xfe\x00", "not a text file"),
                                            (b"[1, 2]", "JSON object"),
                                            (b"[" * 100000, "not valid JSON")])
def test_unreadable_files(tmp_path, content, words):
    p = tmp_path / "s.colorize.json"
    p.write_bytes(content)
    with pytest.raises(SessionError, match=words):
        load_session(p)


def test_a_json_error_says_what_and_where_in_plain_words(tmp_path):
    p = tmp_path / "s.colorize.json"
    p.write_text('{\n "format": "colorizer-session",\n "image": "a.png')   # a file cut short
    with pytest.raises(SessionError) as e:
        load_session(p)
    assert "Unterminated string starting at line 3)" in str(e.value)   # not "at at line 3"
    p.write_text('{\n "format": ,\n}')
    with pytest.raises(SessionError, match=r"\(Expecting value at line 2\)"):
        load_session(p)


def test_a_file_of_another_kind_is_named_as_such(tmp_path):
    p = tmp_path / "s.colorize.json"
    p.write_text('{"hints": []}')
    with pytest.raises(SessionError) as e:
        load_session(p)
    assert 'no "format": "colorizer-session" entry' in str(e.value) and "None" not in str(e.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SessionError, match="does not exist"):
        load_session(tmp_path / "nope.colorize.json")
    with pytest.raises(SessionError, match="folder"):
        load_session(tmp_path)


def test_hints_outside_the_image_are_refused():
    check_hints_fit([Hint(10, 10, 2, (1, 1, 1))], (20, 20))
    with pytest.raises(SessionError, match=r"hint no\. 2 lies at x 25, y 3, outside the 20x20 photo"):
        check_hints_fit([Hint(10, 10, 2, (1, 1, 1)), Hint(25, 3, 2, (1, 1, 1))], (20, 20))
