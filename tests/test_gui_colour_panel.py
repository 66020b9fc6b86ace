"""The colour panel keeps telling the truth after an edit (session 25's walkthrough): the
suggested "model's prediction" follows the result, and the hint list shows each hint's
colour as it is painted, selected or not."""
from PySide6.QtWidgets import QApplication

from .test_gui import click, photo, wait_idle, win  # noqa: F401


def test_the_models_suggested_colour_follows_a_recoloured_hint(qtbot, win):
    """Recolouring the selected hint from green to blue left the first suggestion ("model's
    prediction") at the old result's green, rgb(0, 126, 0), while the result there was blue."""
    row = win.panel.suggest_row
    win.tool.set_color((20, 160, 20))
    click(win.gray_view, (100, 100))
    wait_idle(qtbot, win)
    green = win.controller.result_rgb_at(100, 100)
    assert row.colors[0] == green
    click(win.gray_view, (100, 100))                      # selects the hint
    assert win.tool.selected == 0
    win.pick_color((30, 60, 220))                         # recolours it
    wait_idle(qtbot, win)
    blue = win.controller.result_rgb_at(100, 100)
    assert blue[2] > blue[1] and blue != green            # the result there is blue now
    assert row.colors[0] == blue                          # and so is the suggestion
    assert row.title.text() == "Suggested for hint no. 1"


def test_a_colour_suggested_for_a_hint_recolours_that_hint(qtbot, win):
    """After Esc the row still said "Suggested for hint no. 2", yet a click there only set the
    brush, and hint 2 kept its colour (a walkthrough)."""
    from PySide6.QtWidgets import QToolButton
    from PySide6.QtCore import Qt
    row = win.panel.suggest_row
    for at in ((60, 60), (200, 150)):
        click(win.gray_view, at)
    wait_idle(qtbot, win)
    win.tool.select(None)                                 # Esc
    assert row.title.text() == "Suggested for hint no. 2" and "Click one" in row.toolTip()
    first = win.doc.hints[0]
    chip = row.findChildren(QToolButton)[1]
    chosen = row.colors[1]
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert win.doc.hints[1].rgb == chosen and win.doc.hints[0] == first
    assert win.tool.selected == 1 and win.tool.color == chosen     # selected: Esc lets go again
    # the message said "Esc deselects it: a colour then only sets the brush", not true of these
    assert win.statusBar().currentMessage() == "Recoloured hint 2 with a colour suggested for it"
    win.doc.history.undo()
    assert win.doc.hints[1].rgb != chosen
    # suggestions for a sampled point are for no hint: a click only sets the brush
    click(win.result_view, (120, 40), mods=Qt.KeyboardModifier.AltModifier)
    win.tool.select(None)
    before = list(win.doc.hints)
    assert row.title.text() == "Suggested at the sampled point" and "Click one" not in row.toolTip()
    qtbot.mouseClick(row.findChildren(QToolButton)[0], Qt.MouseButton.LeftButton)
    assert win.doc.hints == before and win.tool.color == row.colors[0]
    wait_idle(qtbot, win)


def test_a_selected_hint_shows_its_own_colour_in_the_list(qtbot, win):
    """The selected row's swatch was tinted by the selection's highlight: an orange hint
    (246, 180, 42) showed as khaki (186, 168, 88), a blue one nearly vanished."""
    from PySide6.QtGui import QIcon
    for rgb, at in (((246, 180, 42), (60, 60)), ((30, 60, 220), (180, 120))):
        win.tool.set_color(rgb)
        click(win.gray_view, at)
    click(win.gray_view, (60, 60))                        # selects hint 1
    items = win.panel.hint_list.list
    assert items.currentRow() == 0
    for row, rgb in ((0, (246, 180, 42)), (1, (30, 60, 220))):
        icon = items.item(row).icon()
        for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected):
            img = icon.pixmap(14, 14, mode).toImage()
            shown = img.pixelColor(img.width() // 2, img.height() // 2)
            assert (shown.red(), shown.green(), shown.blue()) == rgb, (row, mode)
    wait_idle(qtbot, win)


def test_the_whole_panel_fits_a_laptop_sized_window_without_scrolling(qtbot, win):
    """At 1400x820 the panel needed a scroll bar and cut the hint list's Delete button off
    (a walkthrough); the hint count now sits beside Delete and the gamut warning reserves two
    lines, not three."""
    win.resize(1280, 700)
    QApplication.processEvents()
    area = win.dock.widget()
    assert not area.verticalScrollBar().isVisible()
    assert area.viewport().height() >= win.panel.minimumSizeHint().height()
    btn = win.panel.hint_list.delete_btn
    top_left = btn.mapTo(area.viewport(), btn.rect().topLeft())
    assert 0 <= top_left.y() and top_left.y() + btn.height() <= area.viewport().height()


def test_the_eraser_is_not_warned_that_its_colour_cannot_exist(win):
    panel = win.panel
    win.pick_color((0, 0, 255))
    panel.set_lightness(96)                    # a deep blue cannot exist on near white
    assert "cannot exist under the cursor" in panel.gamut_label.text()
    win.tool.set_mode("erase")                 # the eraser lays no colour there
    panel.set_lightness(96)                    # (the cursor over that spot again)
    assert panel.gamut_label.text() == ""
    win.tool.set_mode("paint")
    panel.set_lightness(96)
    assert "cannot exist under the cursor" in panel.gamut_label.text()


def test_tab_goes_from_the_photo_views_into_the_panel_s_controls(qtbot, win):
    """A walkthrough: Tab from the photo seemed to go nowhere (the scroll area around the panel
    took the focus, with nothing to show for it)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    win.activateWindow()
    win.gray_view.setFocus()
    QApplication.processEvents()
    for _ in range(2):                                    # the other view, then the panel
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        QApplication.processEvents()
    assert QApplication.focusWidget() is win.panel.paint_btn


def test_the_hint_list_taking_the_keyboard_selects_no_hint(qtbot, win):
    """The list had the keyboard (a click on its empty space), a dialog opened and closed: Qt gave
    the list the keyboard back and made its first row current, which selected hint no. 1 by
    itself, and the next colour chosen recoloured it (a walkthrough, session 29)."""
    from PySide6.QtCore import Qt
    click(win.gray_view, (60, 60))
    click(win.gray_view, (180, 120))
    win.tool.select(None)
    lst = win.panel.hint_list.list
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    lst.setFocus(Qt.FocusReason.ActiveWindowFocusReason)      # what a closed dialog does
    qtbot.waitUntil(lst.hasFocus)
    assert win.tool.selected is None and lst.currentRow() == -1
    before = list(win.doc.hints)
    win.pick_color((30, 60, 220))                              # only the brush
    assert win.doc.hints == before and win.tool.color == (30, 60, 220)
    lst.setCurrentRow(1)                                       # a hint chosen in the list
    assert win.tool.selected == 1
    wait_idle(qtbot, win)


def test_the_choice_on_is_plain_to_see_and_every_choice_reads_whole(qtbot, win):
    """Paint | Eraser and Whole photo | Own region: the one on was only slightly darker than the
    other (a walkthrough); filled with the highlight, whole words, as the user switches."""
    import numpy as np

    def mean_rgb(button):
        img = button.grab().toImage()
        px = [img.pixelColor(x, y) for x in range(2, img.width() - 2, 3)
              for y in range(2, img.height() - 2, 3)]
        return np.array([[c.red(), c.green(), c.blue()] for c in px]).mean(0)

    panel = win.panel
    for on, off in ((panel.paint_btn, panel.erase_btn),
                    (panel.region_reach_btn, panel.photo_reach_btn)):
        on.click()
        assert on.isChecked() and not off.isChecked()
        assert np.abs(mean_rgb(on) - mean_rgb(off)).sum() > 120     # (the style alone: 50)
        off.click()
        assert np.abs(mean_rgb(off) - mean_rgb(on)).sum() > 120
        for b in (on, off):
            assert b.width() >= b.fontMetrics().horizontalAdvance(b.text()), b.text()
    wait_idle(qtbot, win)


def test_the_colour_plane_says_whose_lightness_it_shows(qtbot, win):
    """A walkthrough read "L = 25" on the plane with the cursor off the photo and could not
    tell what it was: the plane names the spot (or the photo's median) after the number."""
    picker, seen = win.panel.ab_picker, []
    win.panel.set_lightness(None)                            # the cursor off the photo
    seen.append(picker.lightness_text())
    assert seen[-1].endswith(" (photo median)"), seen
    win.panel.set_lightness(40.0)                            # over the photo
    seen.append(picker.lightness_text())
    assert seen[-1] == "L = 40 (under cursor)"
    click(win.gray_view, (100, 100))
    win.tool.select(0)
    seen.append(picker.lightness_text())
    assert seen[-1].endswith(" (at hint)")
    for text in seen:                                        # each fits the plane at its smallest
        assert picker.fontMetrics().horizontalAdvance(text) <= picker.minimumWidth() - 8, text
    wait_idle(qtbot, win)
