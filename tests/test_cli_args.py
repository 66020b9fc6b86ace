"""The command lines' arguments, help texts and messages: checked before any work is done."""
import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer_gui.cli import colorize_parser, main as colorizer_main

REPO = Path(__file__).resolve().parent.parent


def usage_error(capsys, run) -> str:
    """The message of an argparse-style error (exit code 2)."""
    with pytest.raises(SystemExit) as e:
        run()
    assert e.value.code == 2
    return capsys.readouterr().err


def option_help(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each option's (or positional's) help text as --help prints it."""
    fmt = parser._get_formatter()
    return {(a.option_strings or [a.dest])[-1]: fmt._expand_help(a) if a.help else ""
            for a in parser._actions if not isinstance(a, (argparse._HelpAction,
                                                            argparse._VersionAction))}


# -- colorizer colorize ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0", "-5", "101", "150"])
def test_quality_outside_1_to_100_is_refused(capsys, value):
    err = usage_error(capsys, lambda: colorize_parser().parse_args(["in.jpg", f"--quality={value}"]))
    assert "--quality" in err and "1" in err and "100" in err


def test_quality_accepts_its_range_and_says_it_is_for_jpeg_and_webp():
    assert colorize_parser().parse_args(["in.jpg", "--quality", "1"]).quality == 1
    assert colorize_parser().parse_args(["in.jpg", "--quality", "100"]).quality == 100
    assert colorize_parser().parse_args(["in.jpg"]).quality == 95
    text = option_help(colorize_parser())["--quality"]
    assert "JPEG" in text and "WebP" in text and "95" in text


def test_format_that_disagrees_with_the_out_extension_is_an_error(capsys, tmp_path):
    err = usage_error(capsys, lambda: colorizer_main(
        ["colorize", str(tmp_path / "in.jpg"), "-o", str(tmp_path / "out.png"), "--format", "jpg"]))
    assert "out.png" in err and "jpg" in err
    assert not (tmp_path / "out.png").exists()


def test_format_that_agrees_with_the_out_extension_is_accepted():
    from colorizer_gui.cli import check_format
    p = colorize_parser()
    for out, fmt in (("a.jpeg", "jpg"), ("a.JPG", "jpg"), ("a.tiff", "tif"), ("a.png", None)):
        check_format(p, p.parse_args(["in.png", "-o", out] + (["--format", fmt] if fmt else [])))


def test_format_still_names_outputs_without_out(tmp_path):
    from colorizer_gui.cli import output_path
    args = colorize_parser().parse_args(["in.png", "--out-dir", str(tmp_path)])
    assert output_path(Path("x/in.png"), args) == tmp_path / "in_colorized.png"
    args = colorize_parser().parse_args(["in.png", "--format", "webp", "--suffix", "_c"])
    assert output_path(Path("x/in.png"), args) == Path("x/in_c.webp")


def test_colorize_has_no_progress_and_help_for_every_option():
    assert colorize_parser().parse_args(["in.jpg", "--no-progress"]).no_progress
    texts = option_help(colorize_parser())
    assert all(texts.values()), [k for k, v in texts.items() if not v]
    assert "long side" in texts["--working-size"] and "256" in texts["--working-size"]


def test_batch_errors_are_not_mixed_into_a_progress_bar_when_stderr_is_no_terminal(tmp_path):
    bad = []
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_text("not an image")
        bad.append(str(tmp_path / name))
    r = subprocess.run([sys.executable, "-m", "colorizer_gui", "colorize", *bad, "--out-dir",
                        str(tmp_path / "out"), "--device", "cpu"], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "\r" not in r.stderr and "%|" not in r.stderr, r.stderr
    lines = r.stderr.splitlines()
    assert [x for x in lines if "a.jpg" in x][0].startswith("colorizer: ")
    assert lines[-1] == "0 of 2 photos colorized"


# -- colorizer (the app) ----------------------------------------------------------------------
def test_a_mistyped_command_is_named_and_the_command_suggested(capsys):
    err = usage_error(capsys, lambda: colorizer_main(["colorise", "x.jpg"]))
    assert "'colorise' is not a command" in err and "colorize" in err.replace("colorise", "")
    assert "unrecognized arguments" not in err
    err = usage_error(capsys, lambda: colorizer_main(["--no-restore", "frobnicate"]))
    assert "'frobnicate' is not a command" in err and "colorize" in err


def test_an_unknown_option_is_named_before_the_word_after_it_is_taken_for_a_command(capsys):
    err = usage_error(capsys, lambda: colorizer_main(["--modle", "local", "photo.jpg"]))
    assert "unknown option --modle" in err and "did you mean --model?" in err
    assert "is not a command" not in err and "'local'" not in err
    from colorizer_gui.app import parse_app_args
    err = usage_error(capsys, lambda: parse_app_args(["--modle=local", "x.jpg"]))
    assert "unknown option --modle " in err and "--modle=local" not in err
    err = usage_error(capsys, lambda: parse_app_args(["--devise", "cpu", "--no-restore", "-q"]))
    assert "unknown options --devise (did you mean --device?), -q" in err
    assert "'cpu'" not in err


def test_the_app_still_opens_photos_and_sessions(tmp_path):
    from colorizer_gui.app import parse_app_args
    assert parse_app_args(["photo.jpg"]).image == "photo.jpg"       # a missing photo: the app says so
    assert parse_app_args(["session.colorize.json"]).image == "session.colorize.json"
    plain = tmp_path / "scan"                                        # an existing file, no extension
    plain.write_bytes(b"")
    assert parse_app_args([str(plain), "--no-restore"]).image == str(plain)
    args = parse_app_args(["--model", "seed", "--device", "cpu", "old/photo.png"])
    assert (args.image, args.model, args.device) == ("old/photo.png", "seed", "cpu")
    assert parse_app_args([]).image is None


def test_app_help_lists_its_options_the_session_and_the_command(capsys):
    assert colorizer_main(["-h"]) == 0
    out = capsys.readouterr().out
    for word in ("--model", "--device", "--no-restore", "--version", ".colorize.json", "colorize IN"):
        assert word in out, word


# -- the pixel limit ----------------------------------------------------------------------------
def test_the_pixel_limit_names_its_environment_variable(tmp_path, monkeypatch):
    from net import ImageError, load_image
    p = tmp_path / "big.png"
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(p)
    monkeypatch.setenv("COLORIZER_MAX_PIXELS", "100")
    with pytest.raises(ImageError, match="above the limit") as e:
        load_image(p)
    assert "COLORIZER_MAX_PIXELS" in str(e.value) and "30x20" in str(e.value)


# -- colorizer-train --------------------------------------------------------------------------
@pytest.fixture
def no_photo_reading(monkeypatch):
    """Fails a test that reaches the (slow) reading of the training photos."""
    import training.loop

    def refuse(args):
        raise AssertionError("the photos were read before the arguments were checked")
    monkeypatch.setattr(training.loop, "load_sources", refuse)


def train_main(argv):
    from training.train import main
    return main(argv)


def train_error(capsys, run) -> str:
    """colorizer-train's one-line refusal (exit code 2), as every error of a run says it."""
    assert run() == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("colorizer-train: error: "), err
    return err


@pytest.mark.parametrize("stage", ["hnet", "affinity"])
def test_a_stage_that_needs_init_says_so_before_reading_photos(stage, capsys, tmp_path, photo_dir,
                                                                no_photo_reading):
    err = train_error(capsys, lambda: train_main([stage, "--data", str(photo_dir), "--out",
                                                  str(tmp_path / "o")]))
    assert f"the {stage} stage needs --init WEIGHTS" in err


def test_a_new_model_without_vgg_says_so_before_reading_photos(capsys, tmp_path, photo_dir,
                                                               no_photo_reading):
    err = train_error(capsys, lambda: train_main(["local", "--data", str(photo_dir), "--out",
                                                  str(tmp_path / "o")]))
    assert "needs --vgg" in err


@pytest.mark.parametrize("stage,option", [("hnet", "--init"), ("local", "--vgg"),
                                          ("local", "--warm-start")])
@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_weights_path_that_is_no_file_is_named_before_reading_photos(stage, option, kind, capsys,
                                                                      tmp_path, photo_dir, vgg_file,
                                                                      no_photo_reading):
    bad = tmp_path / "wieghts.safetensors"
    if kind == "folder":
        bad.mkdir()
    given = {"--vgg": str(vgg_file), option: str(bad)} if stage == "local" else {option: str(bad)}
    argv = [stage, "--data", str(photo_dir), "--out", str(tmp_path / "o")]
    for opt, path in given.items():
        argv += [opt, path]
    err = train_error(capsys, lambda: train_main(argv))
    assert f"{option} {bad}: " in err
    assert ("is a folder" if kind == "folder" else "not found") in err


def test_a_stage_and_the_early_check_say_the_same_thing_once(capsys, tmp_path, photo_dir,
                                                                no_photo_reading):
    from net.weights import WeightsError
    from training.stages import stage_classes
    for stage in ("hnet", "affinity"):
        err = train_error(capsys, lambda: train_main([stage, "--data", str(photo_dir), "--out",
                                                      str(tmp_path / "o")]))
        args = build_args([stage, "--data", str(photo_dir), "--out", str(tmp_path / "o")])
        with pytest.raises(WeightsError) as e:
            stage_classes()[stage](args).new_model()
        assert f"error: {e.value}\n" in err
    texts = {p.name: p.read_text() for p in (REPO / "training").glob("*.py")}
    for wording in ("stage needs --init WEIGHTS", "needs --vgg (torchvision"):
        assert sum(t.count(wording) for t in texts.values()) == 1, wording


def build_args(argv):
    from training.train import build_parser
    return build_parser().parse_args(argv)


def test_resuming_needs_no_init(capsys, tmp_path, photo_dir, no_photo_reading):
    assert train_main(["hnet", "--data", str(photo_dir), "--out", str(tmp_path / "o"),
                       "--resume"]) == 2
    err = capsys.readouterr().err
    assert "checkpoint" in err and "--init" not in err


def test_data_share_that_is_no_number_is_named(capsys, tmp_path, photo_dir, vgg_file,
                                               no_photo_reading):
    err = train_error(capsys, lambda: train_main(
        ["local", "--data", str(photo_dir), f"{photo_dir}:abc", "--out", str(tmp_path / "o"),
         "--vgg", str(vgg_file)]))
    assert 'share "abc"' in err and "not a number" in err and "does not exist" not in err


def test_a_missing_second_data_folder_is_found_before_reading_the_first(capsys, tmp_path,
                                                                        photo_dir, vgg_file,
                                                                        no_photo_reading):
    err = train_error(capsys, lambda: train_main(
        ["local", "--data", str(photo_dir), str(tmp_path / "nope"), "--out", str(tmp_path / "o"),
         "--vgg", str(vgg_file)]))
    assert "nope does not exist" in err


def test_source_parsing_keeps_weights_and_folders_with_colons(tmp_path):
    from training.data import DataError, Source
    d = tmp_path / "photos"
    d.mkdir()
    assert Source.parse(str(d)) == Source(str(d), 1.0)
    assert Source.parse(f"{d}:2.5") == Source(str(d), 2.5)
    colon = tmp_path / "a:b"
    colon.mkdir()
    assert Source.parse(str(colon)) == Source(str(colon), 1.0)
    assert Source.parse(f"{colon}:3") == Source(str(colon), 3.0)
    missing = str(tmp_path / "nope:abc")                 # no folder "nope": reported as missing later
    assert Source.parse(missing) == Source(missing, 1.0)
    with pytest.raises(DataError, match='share "abc" .* is not a number'):
        Source.parse(f"{d}:abc")
    for bad in ("0", "-1", "nan", "inf"):
        with pytest.raises(DataError, match=f'share "{bad}"'):
            Source.parse(f"{d}:{bad}")


def test_every_train_option_has_help_with_its_default():
    from training.train import build_parser
    p = build_parser()
    texts = option_help(p)
    assert all(texts.values()), [k for k, v in texts.items() if not v]
    for a in p._actions:
        name = (a.option_strings or [a.dest])[-1]
        if a.default not in (None, False, [], argparse.SUPPRESS):
            assert "default" in texts[name] and str(a.default) in texts[name], name


def test_every_eval_option_has_help():
    from training.evaluate import build_parser
    texts = option_help(build_parser())
    assert all(texts.values()), [k for k, v in texts.items() if not v]


def train_help(capsys, *argv) -> str:
    from training.train import main as train_main
    with pytest.raises(SystemExit) as e:
        train_main(list(argv))
    assert e.value.code == 0
    return capsys.readouterr().out


def test_train_help_of_one_stage_lists_that_stage_only(capsys):
    """colorizer-train hnet --help listed every stage's options, the automatic systems' and a
    new model's shape among them (a retraining walkthrough, session 28)."""
    full = train_help(capsys, "--help")
    hnet = train_help(capsys, "hnet", "--out", "RUN", "--help")
    zhang = train_help(capsys, "zhang", "--help")
    for flag in ("--auto-width", "--no-semantic", "--train PARTS", "--held-out"):
        assert flag in full
    assert "--train PARTS" in hnet and "--held-out" in hnet and "--init" in hnet
    assert "--auto-width" not in hnet and "--no-semantic" not in hnet and "--width" not in hnet
    assert "--auto-width" in zhang and "--train PARTS" not in zhang and "--hue-turn" not in zhang
    rtnet = train_help(capsys, "rtnet", "--help")        # its seed model takes hints too
    assert "--hue-turn" in rtnet and "--width" in rtnet and "--no-semantic" not in rtnet
    for text in (hnet, zhang):
        assert "--data" in text and "--steps" in text and "--threads" in text   # every stage's
    # each names its own stage in the description, in plain words (no reST markup)
    assert "* hnet: HNet alone" in hnet and "* rtnet" not in hnet and "``" not in full
    assert "* autoencoder, koala, zhang, pix2pix" in zhang
    assert "STAGE --help lists the options of that stage only" in full


def test_the_help_is_of_the_stage_named_not_of_an_options_value():
    from training.train_options import help_stage
    assert help_stage(["--out", "local", "hnet", "--help"]) == "hnet"    # (a run folder "local")
    assert help_stage(["--data", "a", "b", "-h", "zhang"]) == "zhang"
    assert help_stage(["--out=local", "rtnet", "-h"]) == "rtnet"
    assert help_stage(["--resume", "local", "-h"]) == "local"          # (a flag takes no value)
    assert help_stage(["--help"]) is None and help_stage(["hnet", "--out", "x"]) is None


def test_every_train_option_is_parsed_whatever_the_help_shows():
    from training.train import build_parser
    argv = ["zhang", "--out", "RUN", "--data", "d", "--train", "hnet", "--no-semantic",
            "--auto-width", "16"]
    for stage in (None, "hnet", "zhang"):
        a = build_parser(stage).parse_args(argv)
        assert (a.no_semantic, a.auto_width, a.out) == (True, 16, "RUN")
