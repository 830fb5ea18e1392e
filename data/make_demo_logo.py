"""Draw the logo of the demo clinic, data/hmr_logo.png, and its emblem alone for the browser's
tab, data/hmr_favicon.png (load_demo.py sets them on the company and its website).

Run once with the project's Python (Pillow), the PNG is committed:
    .venv/bin/python data/make_demo_logo.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
OUTPUT = HERE / "hmr_logo.png"
FAVICON = HERE / "hmr_favicon.png"
FAVICON_SIZE = 256
SCALE = 4  # drawn large, then downscaled: smooth edges without an anti-aliasing library
WIDTH, HEIGHT = 720, 220
TEAL = (18, 94, 110, 255)
GOLD = (201, 154, 72, 255)
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")


def load_font(names, size):
    for folder in FONT_DIRS:
        for name in names:
            path = Path(folder) / name
            if path.exists():
                return ImageFont.truetype(str(path), size * SCALE)
    return ImageFont.load_default(size * SCALE)


def draw_emblem(draw, left, top, size):
    """A round emblem: three strands of hair growing from the crown line."""
    s = SCALE
    box = [left * s, top * s, (left + size) * s, (top + size) * s]
    draw.ellipse(box, fill=TEAL)
    cx = (left + size / 2) * s
    base = (top + size * 0.78) * s
    for offset, height, bend in ((-0.2, 0.5, -0.12), (0, 0.58, 0.04), (0.2, 0.5, 0.14)):
        start_x = cx + offset * size * s
        points = []
        for step in range(21):
            t = step / 20
            points.append(
                (
                    start_x + bend * size * s * t * t,
                    base - height * size * s * t,
                )
            )
        draw.line(points, fill=(255, 255, 255, 255), width=int(size * 0.07 * s), joint="curve")
    draw.line(
        [(cx - size * 0.3 * s, base), (cx + size * 0.3 * s, base)],
        fill=GOLD,
        width=int(size * 0.06 * s),
    )


def main():
    image = Image.new("RGBA", (WIDTH * SCALE, HEIGHT * SCALE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw_emblem(draw, 10, 20, 180)
    title = load_font(("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"), 120)
    subtitle = load_font(("DejaVuSans.ttf", "LiberationSans-Regular.ttf"), 38)
    draw.text((215 * SCALE, 8 * SCALE), "HMR", font=title, fill=TEAL)
    draw.text((222 * SCALE, 150 * SCALE), "Clínica Capilar", font=subtitle, fill=GOLD)
    image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    image = image.crop(image.getbbox())
    image.save(OUTPUT, optimize=True)
    print(f"{OUTPUT} ({image.width} x {image.height})")

    icon = Image.new("RGBA", (FAVICON_SIZE * SCALE, FAVICON_SIZE * SCALE), (255, 255, 255, 0))
    draw_emblem(ImageDraw.Draw(icon), 0, 0, FAVICON_SIZE)
    icon = icon.resize((FAVICON_SIZE, FAVICON_SIZE), Image.Resampling.LANCZOS)
    icon.save(FAVICON, optimize=True)
    print(f"{FAVICON} ({icon.width} x {icon.height})")


if __name__ == "__main__":
    main()
