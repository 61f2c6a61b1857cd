"""The card's picture: a valid 8-bit palette PNG however its rows fall, drawn even on a
machine without any of the card's fonts."""

import io
import random
import struct
import zlib

from PIL import Image

from longform import cardimage, cardtext
from longform.cardimage import HEIGHT, WIDTH


def idat(png: bytes) -> bytes:
    """The image data of a PNG, each chunk's CRC checked on the way."""
    at, data = 8, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, body = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length:at + 12 + length])[0] == zlib.crc32(
            kind + body)
        data += body if kind == b"IDAT" else b""
        at += 12 + length
    return data


def test_bare_and_inked_rows_in_any_order_make_one_valid_png():
    rng = random.Random(7)
    rows = [bytes(WIDTH) if rng.random() < 0.6 else
            bytes(rng.choice((0, 0, 0, 3, 9)) for _ in range(WIDTH)) for _ in range(HEIGHT)]
    indices = b"".join(rows)
    png = cardimage.palette_png(b"".join(b"\0" + row for row in rows), cardimage.palette())
    # zlib reads ISA-L's stream and checks its Adler-32; each row starts with filter type 0
    assert zlib.decompress(idat(png)) == b"".join(b"\0" + row for row in rows)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and image.size == (WIDTH, HEIGHT)
    assert image.tobytes() == indices


def test_a_rectangle_pasted_over_the_edge_is_cut_off_and_leaves_the_filter_bytes_alone():
    rows = bytearray(cardimage.STRIDE * HEIGHT)
    block = bytes(range(1, 7)) * 3  # 3 rows of 6
    cardimage.pasted(rows, block, 6, WIDTH - 4, HEIGHT - 2)  # 4 columns, 2 rows on the card
    cardimage.pasted(rows, block, 6, -2, -1)  # the last 4 columns of the last 2 rows
    canvas = Image.frombytes("L", (cardimage.STRIDE, HEIGHT), bytes(rows))
    assert canvas.crop((1 + WIDTH - 4, HEIGHT - 2, 1 + WIDTH, HEIGHT)).tobytes() == \
        bytes([1, 2, 3, 4]) * 2
    assert canvas.crop((1, 0, 5, 2)).tobytes() == bytes([3, 4, 5, 6]) * 2
    assert canvas.crop((0, 0, 1, HEIGHT)).tobytes() == bytes(HEIGHT)  # filter bytes: none
    assert sum(rows) == 2 * (1 + 2 + 3 + 4) + 2 * (3 + 4 + 5 + 6)


def test_a_machine_without_the_cards_fonts_still_gets_a_card(monkeypatch):
    monkeypatch.setattr(cardtext, "FONTS", {role: ("NoSuchFont.ttf",) for role in
                                            cardtext.FONTS})
    png = cardimage.card_png("Site", "example.org", "A title", "A dek.", "")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    title_band = image.crop((72, 130, 600, 200)).getcolors(1 << 16)
    assert max(title_band)[1] == (0xfc, 0xfb, 0xf8) and len(title_band) > 3  # paper and ink
