"""The document and its undo commands, without Qt."""
import subprocess
import sys
from pathlib import Path

import numpy as np

from net.hints import Hint, Stroke

from colorizer_gui.commands import AddHints, EditHint, RemoveHints, SetHintReach, SetHints
from colorizer_gui.document import Document, Photo

REPO = Path(__file__).resolve().parent.parent
RED, BLUE = (200, 20, 20), (20, 20, 200)


def make_doc(hints=()) -> Document:
    rgb = np.zeros((100, 150, 3), np.uint8)
    doc = Document()
    doc.load(Photo(rgb, Path("p.png"), False, np.full((100, 150), 40.0, np.float32), "0" * 64),
             list(hints))
    return doc


def test_document_and_commands_import_without_qt():
    code = ("import sys, colorizer_gui.document, colorizer_gui.commands; "
            "bad = [m for m in sys.modules if m.startswith('PySide6')]; print(bad); sys.exit(bool(bad))")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_loaded_document_is_clean_and_edits_make_it_dirty_until_saved():
    doc = make_doc([Hint(10, 10, 3, RED)])
    assert not doc.dirty and not doc.has_unsaved_hints and doc.size == (100, 150)
    doc.history.push(AddHints(doc, [Hint(20, 20, 3, BLUE)]))
    assert doc.dirty and doc.has_unsaved_hints
    doc.mark_saved(Path("s.colorize.json"))
    assert not doc.dirty and doc.session_path == Path("s.colorize.json")
    doc.history.undo()
    assert doc.dirty                      # back before the save: differs from the file
    doc.history.redo()
    assert not doc.dirty
    doc.history.push(SetHints(doc, []))
    assert doc.dirty and not doc.has_unsaved_hints   # nothing to lose: no question needed


def test_edits_that_put_back_the_saved_hints_leave_the_document_clean():
    doc = make_doc([Hint(10, 10, 3, RED)])
    doc.history.push(AddHints(doc, [Hint(20, 20, 3, BLUE)]))
    assert doc.dirty
    doc.history.push(RemoveHints(doc, [1]))              # deleted again, not undone
    assert not doc.dirty and doc.history.can_undo()
    doc.history.push(SetHintReach(doc, "photo" if doc.hint_reach != "photo" else "region"))
    assert doc.dirty                                     # the reach is saved too
    doc.history.undo()
    doc.history.push(EditHint(doc, 0, Hint(30, 10, 3, RED)))
    doc.history.push(EditHint(doc, 0, Hint(10, 10, 3, RED)))   # moved away and back
    assert not doc.dirty


def test_an_empty_document_has_nothing_unsaved():
    doc = Document()
    doc.history.push(SetHintReach(doc, "photo" if doc.hint_reach != "photo" else "region"))
    assert not doc.dirty                          # no photo: no "*" in the empty window's title


def test_restored_hints_count_as_unsaved():
    doc = Document()
    doc.load(make_doc().photo, [Hint(1, 1, 1, RED)], unsaved=True)
    assert doc.has_unsaved_hints


def test_a_stroke_gesture_is_one_step_from_click_to_release():
    doc = make_doc()
    doc.history.push(AddHints(doc, [Hint(10, 10, 4, RED)], gesture=7))
    s = Stroke(((10, 10), (30, 10)), 4, RED)
    doc.history.push(EditHint(doc, 0, s, gesture=7, text="Paint stroke"))
    doc.history.push(EditHint(doc, 0, s.extended(30, 40), gesture=7, text="Paint stroke"))
    assert doc.history.count() == 1 and doc.history.undo_text() == "Paint stroke"
    assert doc.hints == [s.extended(30, 40)]
    doc.history.undo()
    assert doc.hints == []
    doc.history.redo()
    assert doc.hints == [s.extended(30, 40)]


def test_commands_do_not_merge_across_the_saved_state():
    doc = make_doc([Hint(10, 10, 4, RED)])
    doc.history.push(EditHint(doc, 0, Hint(11, 10, 4, RED), gesture=1))
    doc.mark_saved(Path("s.colorize.json"))
    doc.history.push(EditHint(doc, 0, Hint(12, 10, 4, RED), gesture=1))
    assert doc.history.count() == 2
    doc.history.undo()
    assert not doc.dirty and doc.hints[0].x == 11


def test_an_eraser_drag_is_one_step_and_undo_restores_order():
    hints = [Hint(10 * i + 5, 50, 3, RED if i % 2 else BLUE) for i in range(8)]
    doc = make_doc(hints)
    assert doc.erased(5, 90, 3) is None                  # touches nothing: no step at all
    doc.history.push(SetHints(doc, doc.erased(20, 50, 2), "Erase hints", gesture=3))
    assert doc.hints == [hints[0]] + hints[3:]
    doc.history.push(SetHints(doc, doc.erased(5, 50, 2), "Erase hints", gesture=3))
    doc.history.push(SetHints(doc, doc.erased(55, 50, 2), "Erase hints", gesture=3))
    assert doc.hints == [hints[3], hints[4], hints[6], hints[7]]
    assert doc.history.count() == 1
    doc.history.undo()
    assert doc.hints == hints
    doc.history.redo()
    assert doc.hints == [hints[3], hints[4], hints[6], hints[7]]


def test_the_eraser_cuts_a_stroke_and_its_pieces_keep_their_place():
    """Erasing across the middle of a long stroke leaves its two ends (a user fixing a stroke
    that strayed), in the stroke's place in the order, so what painted over it still does."""
    under, over = Hint(70, 20, 4, BLUE), Hint(130, 50, 4, BLUE)
    s = Stroke(((10, 50), (70, 50), (140, 50)), 5, RED)
    doc = make_doc([under, s, over])
    hints = doc.erased(70, 50, 10)
    assert hints[0] == under and hints[-1] == over and len(hints) == 4
    left, right = hints[1], hints[2]
    assert (left.radius, left.rgb, right.radius, right.rgb) == (5, RED, 5, RED)
    assert left.points == ((10, 50), (55, 50)) and right.points == ((85, 50), (140, 50))
    assert doc.erased(100, 90, 10) is None              # beside it: nothing changes


def test_hit_testing_finds_strokes_along_their_length_and_the_topmost_hint():
    s = Stroke(((10, 50), (140, 50)), 5, RED)
    doc = make_doc([s, Hint(70, 50, 8, BLUE)])
    assert doc.hint_at(30, 53) == 0 and doc.hint_at(70, 52) == 1 and doc.hint_at(30, 60) is None
    assert doc.hints_touching(30, 62, 8) == [0]
    assert doc.lightness_at(3, 4) == 40.0 and doc.lightness_at(500, 4) is None
    assert doc.original_rgb_at(3, 4) is None          # a gray photo has no colour to sample


def test_listeners_hear_every_change_with_its_kind():
    doc = make_doc()
    heard = []
    doc.subscribe(heard.append)
    doc.history.push(AddHints(doc, [Hint(1, 1, 1, RED)]))
    doc.history.undo()
    doc.load(doc.photo)
    assert heard == ["hints", "history", "hints", "history", "history", "image"]
