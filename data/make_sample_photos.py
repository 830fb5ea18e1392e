"""Draw the demo clinic's sample hair photos: illustrations, never real people.

The "Proceso Capilar" asks each prospect for 5 photos (front, top, crown, left, right).
This script draws a stylised head for each view, with the hair region, the skin showing
through where hair is thinning, and a label naming the view. Three prospects are drawn with
different hair loss: the default set in ``data/photos/`` and two variants in sub-folders.

Run it from anywhere with Pillow installed (the project's venv has it)::

    python data/make_sample_photos.py

The output is deterministic for a given Pillow version (fixed random seeds), JPEG without
metadata, about 30 KB an image.
"""

import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

PHOTOS_DIR = Path(__file__).resolve().parent / "photos"
SIZE = 800  # final image side, in pixels
SCALE = 2  # drawn at twice the size, then scaled down: smooth edges
JPEG_QUALITY = 80

BACKGROUND = (232, 238, 243)
SHIRT = (86, 118, 148)
LABEL_BAND = (37, 62, 84)
LABEL_TEXT = (255, 255, 255)
NOTE_TEXT = (90, 104, 116)

# view file name -> (Spanish title, English subtitle)
VIEWS = {
    "front": ("Frente", "front view"),
    "top": ("Coronilla superior", "top view"),
    "crown": ("Nuca / coronilla posterior", "crown / back view"),
    "left": ("Lateral izquierdo", "left side"),
    "right": ("Lateral derecho", "right side"),
}


@dataclass(frozen=True)
class Prospect:
    """A made-up prospect: how far the hairline receded and how thin the crown is (0..1)."""

    folder: str  # sub-folder of photos/, "" for the default set
    label: str
    skin: tuple
    hair: tuple
    recession: float
    crown_loss: float
    density: float  # strands drawn per unit of hair area, 1.0 = full head of hair
    seed: int


PROSPECTS = (
    Prospect(
        "", "Prospecto demo A · pérdida moderada", (224, 182, 150), (70, 48, 34), 0.5, 0.55, 0.8, 1
    ),
    Prospect(
        "early_loss",
        "Prospecto demo B · pérdida inicial",
        (198, 150, 112),
        (38, 30, 26),
        0.2,
        0.2,
        1.0,
        2,
    ),
    Prospect(
        "advanced_loss",
        "Prospecto demo C · pérdida avanzada",
        (236, 200, 172),
        (120, 112, 104),
        0.9,
        0.9,
        0.55,
        3,
    ),
)


def s(value):
    """Scale a coordinate of the 800 px design grid to the drawing canvas."""
    return round(value * SCALE)


def box(x0, y0, x1, y1):
    return [s(x0), s(y0), s(x1), s(y1)]


def shade(color, factor):
    return tuple(max(0, min(255, round(channel * factor))) for channel in color)


def new_mask():
    return Image.new("L", (s(SIZE), s(SIZE)), 0)


def ellipse_mask(x0, y0, x1, y1, blur=0):
    mask = new_mask()
    ImageDraw.Draw(mask).ellipse(box(x0, y0, x1, y1), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(s(blur))) if blur else mask


def polygon_mask(points):
    mask = new_mask()
    ImageDraw.Draw(mask).polygon([(s(x), s(y)) for x, y in points], fill=255)
    return mask


def below_curve_mask(curve, x0, x1):
    """Everything under the curve ``y = curve(x)`` between x0 and x1."""
    points = [(x, curve(x)) for x in range(x0, x1 + 1, 4)]
    return polygon_mask([*points, (x1, SIZE), (x0, SIZE)])


def paint(image, mask, color):
    image.paste(Image.new("RGB", image.size, color), (0, 0), mask)


def temple_bump(x, center, half_width):
    """1 at the temples (a third of the way in from each side), 0 at the middle and edges."""
    offset = abs(x - center) / half_width
    return max(0.0, 1 - abs(offset - 0.62) / 0.38)


# ---------------------------------------------------------------------------------------------
# One function per view: draw the skin, return (hair mask, loss mask, whorl point)
# ---------------------------------------------------------------------------------------------


def draw_front(image, prospect):
    draw = ImageDraw.Draw(image)
    draw.ellipse(box(140, 640, 660, 980), fill=SHIRT)
    draw.rectangle(box(345, 520, 455, 690), fill=shade(prospect.skin, 0.9))
    for x in (250, 510):
        draw.ellipse(box(x, 360, x + 40, 470), fill=shade(prospect.skin, 0.95))
    draw.ellipse(box(265, 180, 535, 590), fill=prospect.skin)
    features = shade(prospect.skin, 0.55)
    for x in (330, 420):
        draw.ellipse(box(x, 385, x + 50, 405), fill=(250, 250, 250))
        draw.ellipse(box(x + 17, 387, x + 33, 403), fill=(70, 60, 50))
        draw.line(box(x - 5, 365, x + 55, 360), fill=shade(prospect.hair, 1.1), width=s(7))
    draw.line([(s(400), s(410)), (s(388), s(470)), (s(410), s(472))], fill=features, width=s(4))
    draw.arc(box(355, 480, 445, 530), 20, 160, fill=shade(prospect.skin, 0.6), width=s(5))

    recession = 40 + 90 * prospect.recession

    def hairline(x):
        return 255 + 15 * prospect.recession + recession * temple_bump(x, 400, 135)

    face = ellipse_mask(265, 180, 535, 590)
    forehead = ImageChops.multiply(face, below_curve_mask(hairline, 250, 550))
    hair = ellipse_mask(252, 160, 548, 470)
    hair = ImageChops.subtract(hair, forehead)
    hair = ImageChops.multiply(hair, polygon_mask([(0, 0), (SIZE, 0), (SIZE, 430), (0, 430)]))
    loss = ellipse_mask(320, 150, 480, 300, blur=30)
    return hair, loss, (400, -200)


def draw_top(image, prospect):
    draw = ImageDraw.Draw(image)
    draw.ellipse(box(60, 430, 740, 1000), fill=SHIRT)
    for x in (215, 545):
        draw.ellipse(box(x, 420, x + 40, 520), fill=shade(prospect.skin, 0.95))
    draw.ellipse(box(235, 165, 565, 665), fill=prospect.skin)
    draw.ellipse(box(380, 650, 420, 690), fill=shade(prospect.skin, 0.92))  # tip of the nose

    def hairline(x):
        return 560 - 20 * prospect.recession - 120 * prospect.recession * temple_bump(x, 400, 165)

    head = ellipse_mask(235, 165, 565, 665)
    hair = ImageChops.subtract(head, below_curve_mask(hairline, 230, 570))
    loss = ImageChops.lighter(
        ellipse_mask(330, 230, 470, 380, blur=25),  # vertex / crown
        ImageChops.multiply(ellipse_mask(320, 380, 480, 560, blur=30), _fade(0.8)),  # mid-scalp
    )
    return hair, loss, (400, 300)


def draw_crown(image, prospect):
    draw = ImageDraw.Draw(image)
    draw.ellipse(box(120, 600, 680, 1000), fill=SHIRT)
    draw.rectangle(box(330, 500, 470, 680), fill=shade(prospect.skin, 0.9))
    for x in (235, 525):
        draw.ellipse(box(x, 360, x + 40, 470), fill=shade(prospect.skin, 0.92))
    draw.ellipse(box(255, 150, 545, 590), fill=prospect.skin)

    def nape(x):
        return 520 - 35 * (abs(x - 400) / 145) ** 2

    hair = ImageChops.subtract(ellipse_mask(255, 150, 545, 590), below_curve_mask(nape, 250, 550))
    loss = ellipse_mask(325, 200, 475, 350, blur=22)
    return hair, loss, (400, 270)


def draw_side(image, prospect):
    """Left side of the head: the face looks to the left of the picture."""
    draw = ImageDraw.Draw(image)
    skin = prospect.skin
    draw.ellipse(box(170, 640, 700, 1000), fill=SHIRT)
    draw.polygon(
        [(s(x), s(y)) for x, y in ((390, 520), (500, 520), (520, 690), (370, 690))],
        fill=shade(skin, 0.9),
    )
    profile = [
        (330, 260),
        (300, 330),
        (292, 390),
        (262, 450),
        (290, 462),
        (284, 500),
        (300, 520),
        (292, 540),
        (310, 580),
        (380, 600),
        (440, 560),
        (480, 520),
    ]
    draw.polygon([(s(x), s(y)) for x, y in profile], fill=skin)
    draw.ellipse(box(300, 160, 580, 560), fill=skin)
    draw.ellipse(box(440, 360, 490, 460), fill=shade(skin, 0.88))  # ear
    draw.arc(box(450, 375, 480, 445), 270, 90, fill=shade(skin, 0.65), width=s(4))
    draw.ellipse(box(318, 382, 336, 392), fill=(70, 60, 50))  # eye
    draw.line(box(310, 365, 345, 360), fill=shade(prospect.hair, 1.1), width=s(6))

    # the face is everything in front of the hairline, which recedes at the temple
    front = 318 + 80 * prospect.recession
    temple = (352 + 80 * prospect.recession, 262 + 45 * prospect.recession)
    face_side = [(0, 0), (front, 0), (front, 205), temple, (446, 330), (440, 430), (440, SIZE)]
    hair = ellipse_mask(290, 150, 590, 540)
    hair = ImageChops.subtract(hair, polygon_mask([*face_side, (0, SIZE)]))
    hair = ImageChops.subtract(
        hair, polygon_mask([(440, 505), (SIZE, 480), (SIZE, SIZE), (440, SIZE)])
    )
    hair = ImageChops.subtract(hair, ellipse_mask(432, 350, 498, 470))  # the ear stays visible
    loss = ellipse_mask(330, 140, 520, 300, blur=30)
    return hair, loss, (500, 180)


def _fade(level):
    return Image.new("L", (s(SIZE), s(SIZE)), round(255 * level))


# ---------------------------------------------------------------------------------------------
# Hair, labels, files
# ---------------------------------------------------------------------------------------------


def paint_hair(image, prospect, hair, loss, whorl, rng):
    """Cover the hair region with hair where it is dense, let the skin show where it is thin,
    and draw strands flowing away from the whorl."""
    loss = ImageChops.multiply(loss, _fade(prospect.crown_loss))
    coverage = ImageChops.multiply(hair, ImageChops.invert(loss))
    coverage = coverage.point(lambda value: round(value * (0.35 + 0.65 * prospect.density)))
    paint(image, coverage, prospect.hair)

    draw = ImageDraw.Draw(image)
    left, top, right, bottom = hair.getbbox() or (0, 0, 0, 0)
    strands = round(9 * prospect.density * (right - left) * (bottom - top) / SCALE**2 / 100)
    for _index in range(strands):
        x, y = rng.randrange(left, right), rng.randrange(top, bottom)
        presence = hair.getpixel((x, y)) / 255 * (1 - loss.getpixel((x, y)) / 255)
        if rng.random() > presence:
            continue
        angle = math.atan2(y - s(whorl[1]), x - s(whorl[0])) + 0.5 + rng.uniform(-0.3, 0.3)
        length = s(rng.uniform(9, 16))
        end = (x + length * math.cos(angle), y + length * math.sin(angle))
        color = shade(prospect.hair, rng.choice((0.7, 0.85, 1.25, 1.45)))
        draw.line([(x, y), end], fill=color, width=SCALE)


def font(size):
    """DejaVu Sans when installed (it has the Spanish accents), else Pillow's own font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def add_labels(image, prospect, view):
    title, subtitle = VIEWS[view]
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, SIZE, 84], fill=LABEL_BAND)
    draw.text((28, 10), title, font=font(32), fill=LABEL_TEXT)
    draw.text((30, 52), f"Proceso Capilar · {subtitle}", font=font(18), fill=LABEL_TEXT)
    note = f"{prospect.label} · ilustración de muestra, no es una persona real"
    draw.rectangle([0, SIZE - 40, SIZE, SIZE], fill=BACKGROUND)
    draw.text(
        (SIZE / 2, SIZE - 20),
        note,
        font=font(17),
        fill=NOTE_TEXT,
        anchor="mm",
    )


DRAWERS = {
    "front": draw_front,
    "top": draw_top,
    "crown": draw_crown,
    "left": draw_side,
    "right": draw_side,
}


def make_photo(prospect, view):
    rng = random.Random(f"{prospect.seed}-{view}")
    canvas = Image.new("RGB", (s(SIZE), s(SIZE)), BACKGROUND)
    hair, loss, whorl = DRAWERS[view](canvas, prospect)
    paint_hair(canvas, prospect, hair, loss, whorl, rng)
    if view == "right":
        canvas = canvas.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    image = canvas.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    add_labels(image, prospect, view)
    return image


def main():
    for prospect in PROSPECTS:
        folder = PHOTOS_DIR / prospect.folder
        folder.mkdir(parents=True, exist_ok=True)
        for view in VIEWS:
            path = folder / f"{view}.jpg"
            make_photo(prospect, view).save(path, "JPEG", quality=JPEG_QUALITY, optimize=True)
            print(f"{path.relative_to(PHOTOS_DIR.parent)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
