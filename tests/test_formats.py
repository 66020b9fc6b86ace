"""File names and the export dialog's file types (net.formats)."""
from net.formats import filter_extension, filter_for, with_image_extension, write_filter


def test_a_name_without_an_image_extension_gets_one_appended_not_its_last_part_replaced():
    assert with_image_extension("Oma 12.05.1950") == "Oma 12.05.1950.png"
    assert with_image_extension("Mr. Smith", ".jpg") == "Mr. Smith.jpg"
    assert with_image_extension("/a/b.c/noext") == "/a/b.c/noext.png"
    assert with_image_extension("scan.TIF") == "scan.TIF"
    assert with_image_extension("x.jpeg", ".png") == "x.jpeg"
    assert with_image_extension("notes.gif") == "notes.gif.png"      # GIF is read, not written


def test_each_export_filter_names_its_type_and_back():
    entries = write_filter().split(";;")
    assert [filter_extension(e) for e in entries] == [".png", ".jpg", ".tif", ".bmp", ".webp"]
    assert all(filter_for(filter_extension(e)) == e for e in entries)
    assert filter_for(".JPEG") == entries[1] and filter_for(".xyz") == entries[0]
    assert filter_extension("All files (*)") is None


def test_a_quality_outside_1_to_100_is_refused_by_the_writer_itself(tmp_path):
    """The command line checks --quality; the API wrote a quality-1 JPEG for 0 (a review)."""
    import numpy as np
    import pytest
    from net.image_io import save_image
    rgb = np.zeros((8, 8, 3), np.uint8)
    for bad in (0, -5, 101, 95.0, True):
        with pytest.raises(ValueError, match="from 1 to 100"):
            save_image(tmp_path / "a.jpg", rgb, quality=bad)
    assert not list(tmp_path.iterdir())
    assert save_image(tmp_path / "a.jpg", rgb, quality=1).is_file()
