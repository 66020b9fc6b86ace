"""Input on the photo views that the window, not the view's scene, has to answer: files
dropped on them, and Space held while dragging in the view the keyboard is not in."""
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from .test_gui import WAIT, click, photo, wait_idle, win  # noqa: F401 (fixtures)


def drop_on(view, path) -> bool:
    """Drags ``path`` over the view's middle and drops it; whether the drop was taken."""
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(view.viewport().width() / 2, view.viewport().height() / 2)
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(pos.toPoint(), action, md, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    drop = QDropEvent(pos, action, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    return enter.isAccepted() and drop.isAccepted()


def test_a_photo_dropped_on_either_view_opens(qtbot, win, tmp_path, gray_photo):
    from PIL import Image
    for i, view in enumerate(win.views.views):
        p = tmp_path / f"dropped{i}.png"
        Image.fromarray(gray_photo).resize((120 + 10 * i, 90)).save(p)
        assert drop_on(view, p), view.objectName()
        qtbot.waitUntil(lambda p=p: win.doc.path == p and win.doc.rgb is not None, timeout=WAIT)
        assert win.doc.rgb.shape[:2] == (90, 120 + 10 * i)
        wait_idle(qtbot, win)


def focused(qtbot, win, widget):
    """The window active and ``widget`` holding the keyboard, as after a user's click."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=WAIT)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT)


def at(view, xy):
    return view.mapFromScene(QPointF(*xy))


def test_space_held_over_one_view_pans_the_other_and_is_released_in_both(qtbot, win):
    """Real (spontaneous) input: a click on the other view moves the keyboard there first."""
    gray, result = win.views.views
    gray.zoom_by(4.0, QPointF(gray.viewport().width() / 2, gray.viewport().height() / 2))
    focused(qtbot, win, gray)
    QTest.keyPress(gray, Qt.Key.Key_Space)
    before = (result.horizontalScrollBar().value(), len(win.doc.hints))
    vp = result.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(result, (150, 100)))
    for x in range(145, 95, -5):
        QTest.mouseMove(vp, at(result, (x, 100)))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(result, (100, 100)))
    assert len(win.doc.hints) == before[1], "a Space drag painted instead of panning"
    assert result.horizontalScrollBar().value() != before[0]
    QTest.keyRelease(QApplication.focusWidget(), Qt.Key.Key_Space)
    for view in (gray, result):                         # both left pan mode: clicks paint again
        click(view, (60 + 40 * (view is result), 60))
    assert len(win.doc.hints) == before[1] + 2


def test_space_is_forgotten_when_the_keyboard_leaves_the_views(qtbot, win):
    gray, _ = win.views.views
    focused(qtbot, win, gray)
    QTest.keyPress(gray, Qt.Key.Key_Space)
    focused(qtbot, win, win.panel.hint_list)             # Space is released over the list
    QTest.keyRelease(win.panel.hint_list, Qt.Key.Key_Space)
    n = len(win.doc.hints)
    click(gray, (80, 80))
    assert len(win.doc.hints) == n + 1
