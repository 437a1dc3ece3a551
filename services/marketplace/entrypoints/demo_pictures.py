"""Simple product pictures for the demo catalogue, drawn with Pillow when the demo data is loaded: a jar of
honey or jam, a loaf, a mug, a painted pot, a tote bag, an apron, a woven rug, a laptop, a basket, soaps, a
cutting board. Flat shapes on a soft background with a table edge: plain, but each says what is sold, and
none is anyone else's photograph."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 900
Colour = tuple[int, int, int]


def _canvas(top: Colour, bottom: Colour, table: Colour) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), top)
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        share = y / HEIGHT
        draw.line(
            [(0, y), (WIDTH, y)], fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        )
    draw.rectangle([0, 700, WIDTH, HEIGHT], fill=table)
    draw.line([(0, 700), (WIDTH, 700)], fill=tuple(max(c - 40, 0) for c in table), width=6)
    return image, draw


def _shadow(draw: ImageDraw.ImageDraw, left: int, right: int, y: int = 712) -> None:
    draw.ellipse([left, y - 18, right, y + 18], fill=(120, 95, 70))


def _jar(draw: ImageDraw.ImageDraw, x: int, fill: Colour, lid: Colour, scale: float = 1.0) -> None:
    w, h = int(220 * scale), int(300 * scale)
    top = 700 - h
    _shadow(draw, x - w // 2 - 10, x + w // 2 + 10)
    draw.rounded_rectangle([x - w // 2, top, x + w // 2, 700], radius=int(40 * scale), fill=fill, outline=(90, 60, 20),
                           width=4)  # fmt: skip
    draw.rectangle([x - w // 2 + 18, top - int(48 * scale), x + w // 2 - 18, top + 6], fill=lid, outline=(60, 40, 20),
                   width=3)  # fmt: skip
    draw.rectangle([x - w // 2 + 22, top + h // 3, x + w // 2 - 22, top + int(h * 0.68)], fill=(245, 236, 210))
    draw.line([(x - w // 2 + 40, top + h // 3 + 40), (x + w // 2 - 40, top + h // 3 + 40)], fill=lid, width=8)
    draw.rounded_rectangle([x - w // 2 + 16, top + 20, x - w // 2 + 36, top + h - 30], radius=8, fill=(255, 255, 255))


def honey_jars() -> Image.Image:
    image, draw = _canvas((252, 236, 200), (236, 206, 150), (176, 124, 78))
    for x, scale in ((360, 0.85), (600, 1.05), (840, 0.85)):
        _jar(draw, x, (222, 148, 24), (150, 40, 30), scale)
    return image


def jam_jars() -> Image.Image:
    image, draw = _canvas((246, 232, 238), (228, 196, 206), (168, 120, 90))
    for x, fill in ((360, (150, 20, 50)), (600, (200, 90, 20)), (840, (110, 30, 90))):
        _jar(draw, x, fill, (236, 220, 190), 0.9)
    return image


def loaves() -> Image.Image:
    image, draw = _canvas((250, 240, 220), (232, 210, 176), (140, 100, 64))
    for left, top, right, colour in ((170, 480, 640, (176, 110, 50)), (560, 430, 1040, (150, 88, 40))):
        _shadow(draw, left, right)
        draw.ellipse([left, top, right, 730], fill=colour, outline=(100, 55, 20), width=5)
        for n in range(3):
            cx = left + (right - left) * (n + 1) // 4
            draw.arc([cx - 50, top + 40, cx + 50, top + 150], 200, 340, fill=(230, 190, 130), width=9)
    return image


def mugs_and_pot() -> Image.Image:
    image, draw = _canvas((232, 238, 242), (206, 216, 224), (150, 110, 80))
    # a painted pot in the Troyan manner: brown glaze with drips of cream, green and blue
    _shadow(draw, 480, 760)
    draw.polygon([(520, 330), (720, 330), (790, 470), (740, 700), (500, 700), (450, 470)], fill=(120, 62, 30),
                 outline=(70, 35, 15))  # fmt: skip
    for n, colour in enumerate([(236, 222, 180), (60, 130, 80), (40, 80, 160)] * 3):
        x = 490 + n * 30
        draw.ellipse([x, 420 + (n % 3) * 60, x + 26, 470 + (n % 3) * 60], fill=colour)
    for x, colour in ((280, (40, 90, 150)), (960, (60, 130, 80))):  # two mugs
        _shadow(draw, x - 110, x + 110)
        draw.rounded_rectangle([x - 90, 500, x + 90, 700], radius=24, fill=colour, outline=(30, 40, 50), width=4)
        draw.ellipse([x + 70, 540, x + 160, 650], outline=colour, width=22)
        draw.ellipse([x - 90, 488, x + 90, 520], fill=(230, 230, 220), outline=(30, 40, 50), width=3)
    return image


def tote_bags() -> Image.Image:
    image, draw = _canvas((236, 240, 232), (214, 222, 206), (120, 96, 72))
    for left, colour, pattern in ((210, (214, 200, 170), (150, 40, 40)), (640, (60, 90, 120), (236, 200, 90))):
        right = left + 360
        _shadow(draw, left, right)
        draw.arc([left + 70, 220, right - 70, 480], 180, 360, fill=(90, 70, 50), width=18)
        draw.rectangle([left, 340, right, 700], fill=colour, outline=(70, 60, 50), width=4)
        for n in range(4):
            y = 400 + n * 70
            draw.polygon(
                [(left + 180, y), (left + 220, y + 30), (left + 180, y + 60), (left + 140, y + 30)], fill=pattern
            )
    return image


def aprons() -> Image.Image:
    image, draw = _canvas((240, 236, 230), (220, 214, 206), (130, 100, 80))
    for cx, colour in ((380, (30, 90, 70)), (820, (170, 60, 40))):
        draw.arc([cx - 90, 60, cx + 90, 260], 180, 360, fill=(60, 50, 40), width=10)
        outline = [(cx - 90, 160), (cx + 90, 160), (cx + 110, 330), (cx + 190, 360), (cx + 170, 700), (cx - 170, 700),
                   (cx - 190, 360), (cx - 110, 330)]  # fmt: skip
        draw.polygon(outline, fill=colour, outline=(40, 40, 40))
        draw.rectangle([cx - 100, 470, cx + 100, 590], outline=(240, 230, 210), width=6)
        draw.line([(cx - 190, 360), (cx - 300, 420)], fill=(60, 50, 40), width=10)
        draw.line([(cx + 190, 360), (cx + 300, 420)], fill=(60, 50, 40), width=10)
    return image


def rug() -> Image.Image:
    image, draw = _canvas((238, 232, 222), (220, 210, 196), (150, 112, 80))
    left, top, right, bottom = 200, 180, 1000, 720
    draw.rectangle([left, top, right, bottom], fill=(170, 30, 40), outline=(60, 20, 20), width=6)
    draw.rectangle([left + 40, top + 40, right - 40, bottom - 40], outline=(240, 220, 170), width=12)
    for n in range(5):
        cx = left + 140 + n * 130
        for cy, colour in ((330, (30, 60, 120)), (450, (240, 200, 80)), (570, (30, 110, 70))):
            draw.polygon([(cx, cy - 50), (cx + 50, cy), (cx, cy + 50), (cx - 50, cy)], fill=colour)
    for x in range(left + 10, right, 24):
        draw.line([(x, bottom), (x, bottom + 40)], fill=(230, 215, 180), width=5)
        draw.line([(x, top), (x, top - 40)], fill=(230, 215, 180), width=5)
    return image


def laptop() -> Image.Image:
    image, draw = _canvas((228, 236, 244), (200, 214, 228), (110, 110, 120))
    _shadow(draw, 250, 950)
    draw.rounded_rectangle([340, 250, 860, 590], radius=18, fill=(40, 44, 52), outline=(20, 20, 24), width=6)
    draw.rectangle([370, 280, 830, 560], fill=(36, 110, 170))
    for n in range(5):
        draw.rectangle([400, 310 + n * 45, 400 + 300 - n * 40, 330 + n * 45], fill=(220, 236, 248))
    draw.polygon([(300, 600), (900, 600), (960, 700), (240, 700)], fill=(170, 176, 186), outline=(90, 94, 100))
    draw.rectangle([540, 660, 660, 690], fill=(140, 146, 156))
    draw.ellipse([880, 380, 1000, 500], fill=(240, 180, 40), outline=(120, 80, 10), width=5)  # a repair tag
    draw.line([(940, 410), (940, 470)], fill=(120, 80, 10), width=10)
    return image


def basket() -> Image.Image:
    image, draw = _canvas((244, 238, 220), (226, 214, 186), (130, 96, 66))
    _shadow(draw, 300, 900)
    draw.arc([380, 160, 820, 620], 180, 360, fill=(150, 100, 50), width=26)
    draw.polygon([(300, 420), (900, 420), (820, 700), (380, 700)], fill=(196, 146, 80), outline=(110, 70, 30))
    for y in range(440, 700, 36):
        draw.line([(300 + (y - 420) // 3, y), (900 - (y - 420) // 3, y)], fill=(140, 94, 44), width=8)
    for x in range(330, 880, 50):
        draw.line([(x, 420), (x + (600 - x) // 6, 700)], fill=(160, 110, 56), width=6)
    return image


def soaps() -> Image.Image:
    image, draw = _canvas((246, 236, 240), (232, 214, 224), (180, 150, 130))
    for n, colour in enumerate([(232, 160, 180), (240, 220, 160), (180, 210, 170), (200, 180, 220)]):
        left = 220 + n * 200
        _shadow(draw, left - 10, left + 180)
        draw.rounded_rectangle([left, 560, left + 170, 700], radius=26, fill=colour, outline=(120, 90, 100), width=3)
        draw.ellipse([left + 55, 600, left + 115, 660], outline=(255, 255, 255), width=5)
    draw.ellipse([520, 300, 680, 460], fill=(220, 60, 100))  # a rose
    draw.ellipse([560, 340, 640, 420], fill=(240, 110, 140))
    draw.line([(600, 460), (600, 550)], fill=(40, 110, 50), width=10)
    return image


def cutting_boards() -> Image.Image:
    image, draw = _canvas((242, 236, 226), (224, 212, 196), (120, 90, 60))
    for left, colour in ((240, (196, 150, 96)), (640, (160, 112, 64))):
        _shadow(draw, left, left + 320)
        draw.rounded_rectangle([left, 220, left + 320, 700], radius=60, fill=colour, outline=(100, 66, 30), width=5)
        draw.ellipse([left + 130, 260, left + 190, 320], fill=(242, 236, 226))
        for n in range(5):
            y = 380 + n * 60
            draw.arc([left + 40, y, left + 280, y + 50], 190, 350, fill=tuple(c - 30 for c in colour), width=4)
    return image


PICTURES: dict[str, Callable[[], Image.Image]] = {
    "honey": honey_jars,
    "jam": jam_jars,
    "bread": loaves,
    "ceramics": mugs_and_pot,
    "bags": tote_bags,
    "aprons": aprons,
    "rug": rug,
    "laptop": laptop,
    "basket": basket,
    "soap": soaps,
    "boards": cutting_boards,
}


def picture(motif: str, *, encoding: str = "JPEG") -> bytes:
    """The motif drawn, encoded as a camera would send it (JPEG unless told otherwise)."""
    out = io.BytesIO()
    PICTURES[motif]().save(out, format=encoding, quality=88)
    return out.getvalue()
