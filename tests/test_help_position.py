"""Where Help > How to use opens (colorizer_gui.help_box.help_position): centred, it covered the
photos (a walkthrough); clamped "beside" a window that filled the screen, it covered the colour
panel whose controls it explains."""
from PySide6.QtCore import QPoint, QRect, QSize

from colorizer_gui.help_box import help_position

SIZE = QSize(400, 300)
# A main window with the photo on the left, the result in the middle, the colour panel right.
FRAME = QRect(0, 0, 1000, 700)
PHOTO, RESULT, PANEL = QRect(0, 20, 420, 650), QRect(420, 20, 420, 650), QRect(840, 20, 160, 650)


def where(screen: QRect, room=RESULT, avoid=PHOTO) -> QRect:
    return QRect(help_position(FRAME, SIZE, screen, room, avoid), SIZE)


def test_it_opens_beside_the_window_where_the_screen_has_room():
    assert where(QRect(0, 0, 1600, 900)).topLeft() == QPoint(1000, 0)          # on the right
    moved = QRect(500, 0, 1000, 700)                                          # no room right,
    box = QRect(help_position(moved, SIZE, QRect(0, 0, 1600, 900), None, None), SIZE)
    assert box.topLeft() == QPoint(100, 0)                                    # room left


def test_without_room_beside_it_covers_the_result_not_the_photo_nor_the_panel():
    box = where(QRect(0, 0, 1000, 800))
    assert QRect(0, 0, 1000, 800).contains(box)
    assert not box.intersects(PHOTO) and not box.intersects(PANEL)
    assert RESULT.contains(box)


def test_with_the_result_alone_it_covers_as_little_of_it_as_it_can():
    alone = QRect(0, 20, 840, 650)          # side by side off: the result is painted on
    box = where(QRect(0, 0, 1000, 800), room=None, avoid=alone)
    assert box.topLeft() == QPoint(600, 400)                    # the window's bottom right
    cut = box.intersected(alone)
    assert cut.width() * cut.height() == 240 * 270              # less than at the bottom left


def test_it_stays_on_the_screen():
    box = where(QRect(0, 0, 700, 500), room=None, avoid=None)
    assert QRect(0, 0, 700, 500).contains(box)
