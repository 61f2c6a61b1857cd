from PIL import ImageFont

from longform import cardfonts
from longform.cardfonts import FONTS, font_files, installed_fonts


def test_the_fonts_are_the_files_pillow_would_find_by_their_names():
    names = {name for role in FONTS.values() for name in role}
    for name in names:
        try:
            pillows = ImageFont.truetype(name, 12).path
        except OSError:
            pillows = None
        assert font_files().get(name) == pillows, name
    assert installed_fonts() == tuple(dict.fromkeys(
        font_files()[name] for role in FONTS.values() for name in role if name in font_files()))


def test_a_font_in_the_writer_s_own_folder_comes_first(tmp_path, monkeypatch):
    # Pillow looks in XDG_DATA_HOME/fonts before the system's folders, and so do we.
    own = tmp_path / "fonts" / "mine"
    own.mkdir(parents=True)
    (own / "DejaVuSans.ttf").write_bytes(b"not really a font")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    font_files.cache_clear()
    try:
        assert font_files()["DejaVuSans.ttf"] == str(own / "DejaVuSans.ttf")
        assert str(own / "DejaVuSans.ttf") in installed_fonts()  # so the cards' key changes
        assert cardfonts.font_folders()[0] == str(tmp_path / "fonts")
    finally:
        font_files.cache_clear()
