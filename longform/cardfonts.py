"""The font files that draw the social cards, found without loading Pillow.

An edit hashes every essay's card inputs, fonts included (another font installed draws other
cards), and finding the files through Pillow meant importing it (17 ms of CPU) and a walk of
the font folders for each of nine names. One walk, in the folders and the order Pillow's
ImageFont.truetype looks in, finds them all; cardtext draws with these very files.
"""

from __future__ import annotations

import functools
import os
import sys

# Fonts by file name, first choice first: the fonts the SVG cards were drawn with on Debian,
# then DejaVu (its sans has Arabic and Hebrew), then Noto CJK. Pillow's own font is the last
# resort (cardtext), so a card is drawn on any machine.
CJK_BOLD, CJK = ("NotoSerifCJK-Bold.ttc", "NotoSansCJK-Bold.ttc"), ("NotoSansCJK-Regular.ttc",)
FONTS = {
    "serif-bold": ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf",
                   *CJK_BOLD),
    "serif-italic": ("LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf",
                     "DejaVuSans-Oblique.ttf", "DejaVuSans.ttf", *CJK),
    "sans-bold": ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", *CJK_BOLD),
    "sans": ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", *CJK),
}


@functools.cache
def font_files() -> dict[str, str]:
    """File name → path of each font of FONTS this machine has, the first found where Pillow
    would look first."""
    wanted = {name for names in FONTS.values() for name in names}
    found: dict[str, str] = {}
    for folder in font_folders():
        for root, _, files in os.walk(folder):
            for name in wanted.intersection(files) - found.keys():
                found[name] = os.path.join(root, name)
    return found


def installed_fonts() -> tuple[str, ...]:
    """The files of FONTS this machine has, in FONTS' order: what else a card's look hangs on."""
    names = dict.fromkeys(name for role in FONTS.values() for name in role)
    return tuple(font_files()[name] for name in names if name in font_files())


def font_folders() -> list[str]:
    """Where Pillow's ImageFont.truetype looks for a font given by file name, in its order."""
    if sys.platform == "win32":
        return [os.path.join(os.environ["WINDIR"], "fonts")] if os.environ.get("WINDIR") else []
    if sys.platform == "darwin":
        return ["/Library/Fonts", "/System/Library/Fonts", os.path.expanduser("~/Library/Fonts")]
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [os.path.join(folder, "fonts") for folder in [data_home, *data_dirs.split(":")]]
