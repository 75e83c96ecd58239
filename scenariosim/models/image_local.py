"""`local` images: a street scene composed with Pillow from the prompt's attributes.

Offline, fast and deterministic per seed. Every attribute that is true is drawn and every
attribute that is false is not, so the labels are exact by construction; the renderer
returns a layout record (where each person, sign, flag, photo and fire was drawn) that
tests and researchers can check against the pixels. Colour rules the labels rely on:

- night: the sky (top rows) is dark navy; by day it is light blue;
- fire: flames are the only bright orange/yellow pixels (R >= 230, 80 <= G <= 215, B <= 90);
- police: uniforms are the only pixels of `POLICE_BLUE`;
- flag: Atropia's flag stripes are the only pixels of `FLAG_TEAL`;
- crowd: the number of people drawn decides group_20 (> 20) and group_100 (> 100).

The prompt's violence score is not drawn; it is passed through as requested.

With visual references, the picture takes after them without changing what it shows:
clothes take the references' palette colours (never a colour the rules above reserve), the
crowd's size within its label's band leans towards how big the references' crowds are,
and the number of placards follows how often the references show signs.
"""

import random
import textwrap
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.models.image_backend import (
    GeneratedImage,
    ImageRequest,
    ReferenceHint,
    attribute_frequencies,
)
from scenariosim.models.registry import ModelSpec, register_image_backend
from scenariosim.settings import Settings

RENDERER_VERSION = "scene-1"

Colour = tuple[int, int, int]

POLICE_BLUE: Colour = (24, 40, 96)
POLICE_VISOR: Colour = (150, 170, 190)
SHIELD: Colour = (188, 198, 208)
FLAG_TEAL: Colour = (0, 128, 128)
FLAG_WHITE: Colour = (245, 245, 245)
FLAG_CRIMSON: Colour = (170, 20, 50)
SIGN_BOARD: Colour = (250, 248, 238)
SIGN_BORDER: Colour = (60, 60, 60)
INK: Colour = (20, 20, 20)
STICK: Colour = (120, 80, 40)
FLAMES: tuple[Colour, ...] = ((255, 140, 0), (255, 200, 40), (240, 90, 20))
SMOKE: Colour = (110, 110, 112)
TYRE: Colour = (30, 30, 30)
SHOUT: Colour = (200, 30, 30)
MOUTH: Colour = (60, 20, 20)
SKIN: tuple[Colour, ...] = (
    (241, 194, 160),
    (224, 172, 105),
    (198, 134, 66),
    (141, 85, 36),
    (90, 56, 37),
)
CLOTHES: tuple[Colour, ...] = (
    (200, 60, 60),
    (60, 120, 70),
    (120, 120, 125),
    (230, 230, 225),
    (90, 60, 110),
    (160, 110, 70),
    (40, 40, 45),
    (70, 100, 160),
    (150, 40, 90),
    (100, 140, 150),
)
LEGS: Colour = (50, 50, 60)
DAY_SKY: tuple[Colour, Colour] = ((150, 195, 235), (205, 228, 245))
NIGHT_SKY: tuple[Colour, Colour] = ((10, 12, 32), (30, 34, 66))
DAY_GROUND: Colour = (150, 150, 145)
NIGHT_GROUND: Colour = (45, 45, 52)
DAY_BUILDINGS: tuple[Colour, ...] = ((175, 165, 150), (160, 160, 170), (190, 180, 165))
NIGHT_BUILDINGS: tuple[Colour, ...] = ((40, 42, 55), (48, 46, 58), (35, 38, 50))
DAY_WINDOW: Colour = (90, 110, 130)
NIGHT_WINDOW: Colour = (250, 215, 120)
MOON: Colour = (235, 235, 215)

HORIZON = 0.5  # of the height: sky above, street below
HELD_BAND = (0.12, 0.46)  # where signs, flags and photos are held up
PERSON_HEIGHT = 0.33  # of the image height, front row


def _font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled font: the same glyphs on every machine."""
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def crowd_size(labels: dict[str, bool], rng: random.Random, lean: float | None = None) -> int:
    """People to draw (police and children included) so the group labels hold exactly.

    `lean` (0-1) puts the size low or high in the label's band; None draws it uniformly.
    """
    if labels.get("group_100"):
        lo, hi = 110, 150
    elif labels.get("group_20"):
        lo, hi = 25, 80
    else:
        lo, hi = 5, 15
    if lean is None:
        return rng.randint(lo, hi)
    centre = lo + (hi - lo) * lean
    return max(lo, min(hi, round(centre) + rng.randint(-3, 3)))


def _reserved(colour: Colour) -> bool:
    """Colours the label rules own: flames, police blue, the flag's stripes, the shout marks."""
    r, g, b = colour
    if r >= 230 and 80 <= g <= 215 and b <= 90:
        return True
    owned = (POLICE_BLUE, FLAG_TEAL, FLAG_CRIMSON, SHOUT, SIGN_BOARD, *FLAMES)
    return any(sum(abs(x - y) for x, y in zip(colour, o, strict=True)) < 60 for o in owned)


def reference_clothes(references: tuple[ReferenceHint, ...]) -> tuple[Colour, ...]:
    """The references' palette colours a crowd may wear (reserved colours left out)."""
    colours: list[Colour] = []
    for ref in references:
        for hex_colour in ref.palette:
            value = hex_colour.lstrip("#")
            if len(value) != 6:
                continue
            colour = (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
            if not _reserved(colour) and colour not in colours:
                colours.append(colour)
    return tuple(colours)


@dataclass
class _Canvas:
    image: Image.Image
    draw: ImageDraw.ImageDraw
    rng: random.Random
    width: int
    height: int
    layout: dict[str, Any]


def _gradient(c: _Canvas, top: Colour, bottom: Colour, y1: int) -> None:
    for y in range(y1):
        t = y / max(1, y1 - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        c.draw.line([(0, y), (c.width, y)], fill=colour)


def _background(c: _Canvas, night: bool) -> None:
    horizon = int(c.height * HORIZON)
    _gradient(c, *(NIGHT_SKY if night else DAY_SKY), horizon)
    if night:
        for _ in range(40):
            x, y = c.rng.randrange(c.width), c.rng.randrange(int(horizon * 0.6))
            c.draw.point((x, y), fill=(220, 220, 230))
        mx = c.rng.randint(int(c.width * 0.65), int(c.width * 0.9))
        c.draw.ellipse([mx, 14, mx + 30, 44], fill=MOON)
    x = 0
    while x < c.width:
        w = c.rng.randint(50, 110)
        top = horizon - c.rng.randint(40, int(c.height * 0.3))
        colour = c.rng.choice(NIGHT_BUILDINGS if night else DAY_BUILDINGS)
        c.draw.rectangle([x, top, x + w, horizon], fill=colour)
        for wy in range(top + 8, horizon - 10, 18):
            for wx in range(x + 8, x + w - 10, 16):
                lit = night and c.rng.random() < 0.5
                window = NIGHT_WINDOW if lit else (DAY_WINDOW if not night else colour)
                c.draw.rectangle([wx, wy, wx + 6, wy + 9], fill=window)
        x += w + c.rng.randint(0, 8)
    c.draw.rectangle([0, horizon, c.width, c.height], fill=NIGHT_GROUND if night else DAY_GROUND)


def _person(
    c: _Canvas, x: int, feet: int, height: int, clothes: Colour, skin: Colour, shouting: bool
) -> list[int]:
    """A standing figure; returns its box."""
    head = max(3, height // 10)
    body_w = max(4, height // 4)
    leg_top = feet - int(height * 0.42)
    c.draw.rectangle([x - body_w // 3, leg_top, x + body_w // 3, feet], fill=LEGS)
    torso_top = feet - int(height * 0.78)
    c.draw.rectangle([x - body_w // 2, torso_top, x + body_w // 2, leg_top], fill=clothes)
    hy = torso_top - head * 2
    c.draw.ellipse([x - head, hy, x + head, hy + head * 2], fill=skin)
    if shouting:
        c.draw.ellipse(
            [x - head // 2, hy + head, x + head // 2, hy + head + max(2, head // 2) * 2],
            fill=MOUTH,
        )
        for dx in (head + 3, head + 8):
            c.draw.rectangle([x + dx, hy - 2, x + dx + 1, hy + head], fill=SHOUT)
            c.draw.rectangle([x + dx, hy + head + 3, x + dx + 1, hy + head + 4], fill=SHOUT)
    return [x - body_w // 2, hy, x + body_w // 2, feet]


def _crowd(
    c: _Canvas,
    labels: dict[str, bool],
    total: int,
    police_side: str,
    clothes_palette: tuple[Colour, ...] = CLOTHES,
) -> None:
    rng = c.rng
    n_police = rng.randint(3, 6) if labels["police"] else 0
    n_children = rng.randint(2, 4) if labels["children"] else 0
    n_adults = max(1, total - n_police - n_children)
    rows = max(1, min(6, round(n_adults / 22) + 1))
    front = int(c.height * PERSON_HEIGHT)
    horizon = int(c.height * HORIZON)
    # Leave the police side free in the front rows so the officers stand clear.
    police_x = (
        (int(c.width * 0.72), c.width - 10) if police_side == "right" else (10, int(c.width * 0.28))
    )
    people: list[dict[str, Any]] = []
    for row in range(rows):
        depth = (row + 1) / rows  # 1 = front
        feet = int(horizon + (c.height - 8 - horizon) * (0.25 + 0.75 * depth))
        height = int(front * (0.45 + 0.55 * depth))
        in_row = n_adults // rows + (1 if row < n_adults % rows else 0)
        lo, hi = 12, c.width - 12
        if n_police and depth > 0.5:
            lo, hi = (12, police_x[0] - 20) if police_side == "right" else (police_x[1] + 20, hi)
        # Shouters stand in the front row, where their open mouths can be seen.
        shouters = min(in_row, 4) if labels["shouting"] and row == rows - 1 else 0
        for k in range(in_row):
            x = int(lo + (hi - lo) * (k + 0.5) / in_row + rng.randint(-4, 4))
            clothes, skin = rng.choice(clothes_palette), rng.choice(SKIN)
            box = _person(c, x, feet + rng.randint(-3, 3), height, clothes, skin, k < shouters)
            people.append({"kind": "adult", "box": box, "shouting": k < shouters})
    feet = c.height - 10
    lo, hi = (
        (12, police_x[0] - 20)
        if n_police and police_side == "right"
        else ((police_x[1] + 20, c.width - 12) if n_police else (12, c.width - 12))
    )
    for k in range(n_children):
        x = int(lo + (hi - lo) * (k + 0.5) / n_children)
        box = _person(
            c, x, feet, int(front * 0.55), rng.choice(clothes_palette), rng.choice(SKIN), False
        )
        people.append({"kind": "child", "box": box, "shouting": False})
    for k in range(n_police):
        x = int(police_x[0] + (police_x[1] - police_x[0]) * (k + 0.5) / n_police)
        box = _officer(c, x, c.height - 12 - (k % 2) * 6, front)
        people.append({"kind": "police", "box": box, "shouting": False})
    c.layout["people"] = people


def _officer(c: _Canvas, x: int, feet: int, height: int) -> list[int]:
    box = _person(c, x, feet, height, POLICE_BLUE, c.rng.choice(SKIN), False)
    head = max(3, height // 10)
    hy = box[1]
    c.draw.chord([x - head - 1, hy - 2, x + head + 1, hy + head * 2], 180, 360, fill=POLICE_BLUE)
    c.draw.rectangle([x - head + 1, hy + head // 2, x + head - 1, hy + head], fill=POLICE_VISOR)
    w = height // 4
    top = feet - int(height * 0.72)
    c.draw.rectangle([x - w, top, x, feet - int(height * 0.2)], fill=SHIELD)
    return box


def _fire(c: _Canvas, side: str) -> None:
    w, h = c.width, c.height
    x0 = int(w * 0.04) if side == "left" else int(w * 0.74)
    x1 = x0 + int(w * 0.22)
    base = h - 14
    for k in range(4):
        tx = x0 + 10 + k * (x1 - x0 - 20) // 4
        c.draw.ellipse([tx, base - 18, tx + 26, base], fill=TYRE)
    flame_top = int(h * 0.6)
    c.draw.ellipse([x0 + 5, int(h * 0.5), x1 - 5, flame_top + 10], fill=SMOKE)
    for k, colour in enumerate(FLAMES):
        inset = k * 12
        peaks = [(x0 + inset, base - 10)]
        steps = 6
        for s in range(1, steps):
            px = x0 + inset + (x1 - x0 - 2 * inset) * s // steps
            top = flame_top + k * 18 + c.rng.randint(0, 20)
            peaks.append((px, top if s % 2 else top + 25))
        peaks.append((x1 - inset, base - 10))
        c.draw.polygon(peaks, fill=colour)
    c.layout["fire"] = [{"box": [x0, flame_top, x1, base]}]


def _slots(c: _Canvas, items: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """Left x and width of each held item, in disjoint slots across the image."""
    n_slots = 6
    slot = c.width // n_slots
    used: set[int] = set()
    placed = []
    for kind, span in items:
        starts = [s for s in range(n_slots - span + 1) if not set(range(s, s + span)) & used]
        if not starts:
            continue
        start = c.rng.choice(starts)
        used |= set(range(start, start + span))
        placed.append((kind, start * slot, span * slot))
    return placed


def wrap_sign(text: str, box_w: int, box_h: int) -> tuple[int, list[str]]:
    """The largest font size (and lines) at which `text` fits inside the board."""
    text = " ".join(text.split())
    for size in range(30, 9, -2):
        font = _font(size)
        chars = max(4, int(box_w / (size * 0.55)))
        lines = textwrap.wrap(text, width=chars) or [""]
        widths = [font.getbbox(line)[2] for line in lines]
        height = len(lines) * int(size * 1.2)
        if max(widths) <= box_w and height <= box_h:
            return size, lines
    return 10, textwrap.wrap(text, width=max(4, box_w // 6))[:3]


def _sign(c: _Canvas, x: int, w: int, text: str, hero: bool) -> dict[str, Any]:
    band_top, band_bottom = (int(c.height * f) for f in HELD_BAND)
    bw = w - 14
    bh = int((band_bottom - band_top) * (0.7 if hero else 0.5))
    x0 = x + 7
    y0 = band_top + c.rng.randint(0, band_bottom - band_top - bh)
    cx = x0 + bw // 2
    c.draw.rectangle([cx - 2, y0 + bh, cx + 2, int(c.height * 0.62)], fill=STICK)
    c.draw.rectangle([x0, y0, x0 + bw, y0 + bh], fill=SIGN_BOARD, outline=SIGN_BORDER, width=2)
    margin = 6
    size, lines = wrap_sign(text, bw - 2 * margin, bh - 2 * margin)
    font = _font(size)
    line_h = int(size * 1.2)
    ty = y0 + (bh - line_h * len(lines)) // 2
    drawn = []
    for line in lines:
        lw = font.getbbox(line)[2]
        tx = x0 + (bw - lw) // 2
        c.draw.text((tx, ty), line, font=font, fill=INK)
        drawn.append({"text": line, "xy": [tx, ty], "size": size})
        ty += line_h
    return {"box": [x0, y0, x0 + bw, y0 + bh], "lines": drawn, "text": " ".join(text.split())}


def _flag(c: _Canvas, x: int, w: int) -> dict[str, Any]:
    band_top = int(c.height * HELD_BAND[0])
    px = x + 10
    fw, fh = min(w - 20, 80), 48
    y0 = band_top + c.rng.randint(0, 30)
    c.draw.rectangle([px - 2, y0, px + 1, int(c.height * 0.62)], fill=STICK)
    stripe = fh // 3
    for k, colour in enumerate((FLAG_TEAL, FLAG_WHITE, FLAG_CRIMSON)):
        c.draw.rectangle([px + 2, y0 + k * stripe, px + 2 + fw, y0 + (k + 1) * stripe], fill=colour)
    return {"box": [px + 2, y0, px + 2 + fw, y0 + 3 * stripe]}


def _photo(c: _Canvas, x: int, w: int) -> dict[str, Any]:
    band_top = int(c.height * HELD_BAND[0])
    fw, fh = min(w - 30, 60), 76
    x0, y0 = x + (w - fw) // 2, band_top + c.rng.randint(10, 40)
    c.draw.rectangle([x0 + fw // 2 - 2, y0 + fh, x0 + fw // 2 + 2, int(c.height * 0.6)], fill=STICK)
    c.draw.rectangle([x0, y0, x0 + fw, y0 + fh], fill=(70, 45, 25))
    c.draw.rectangle([x0 + 5, y0 + 5, x0 + fw - 5, y0 + fh - 5], fill=(215, 215, 210))
    cx = x0 + fw // 2
    c.draw.ellipse([cx - 10, y0 + 14, cx + 10, y0 + 38], fill=(95, 95, 100))
    c.draw.pieslice([cx - 20, y0 + 40, cx + 20, y0 + fh + 20], 180, 360, fill=(95, 95, 100))
    return {"box": [x0, y0, x0 + fw, y0 + fh]}


def render_scene(request: ImageRequest) -> GeneratedImage:
    """Draw the request's scene; the labels returned describe exactly what was drawn."""
    wanted = {k: bool(request.labels.get(k, False)) for k in IMAGE_ATTRIBUTES}
    rng = random.Random(request.seed)
    image = Image.new("RGB", (request.width, request.height))
    c = _Canvas(image, ImageDraw.Draw(image), rng, request.width, request.height, {})
    c.layout.update(width=request.width, height=request.height, night=wanted["night"])
    _background(c, wanted["night"])
    fire_side = rng.choice(("left", "right"))
    police_side = "right" if fire_side == "left" else "left"
    freq = attribute_frequencies(request.references)
    lean = None
    if freq is not None:
        # Within the band: how often the references show the next size up.
        lean = (
            freq["group_100"]
            if wanted["group_20"] and not wanted["group_100"]
            else freq["group_20"]
        )
    clothes = reference_clothes(request.references)
    palette = clothes + CLOTHES if clothes else CLOTHES
    _crowd(c, wanted, crowd_size(wanted, rng, lean), police_side, palette)
    if wanted["fire"]:
        _fire(c, fire_side)
    items: list[tuple[str, int]] = []
    if wanted["sign"]:
        items.append(("hero_sign", 2))
        extra = 1 if freq is None else round(2 * freq["sign"])
        items += [("sign", 1)] * (extra if wanted["group_20"] else 0)
    items += [("flag", 1)] * (1 if wanted["flag"] else 0)
    items += [("photo", 1)] * (1 if wanted["photo"] else 0)
    signs, flags, photos = [], [], []
    for kind, x, w in _slots(c, items):
        if kind in ("hero_sign", "sign"):
            signs.append(_sign(c, x, w, request.sign_text, hero=kind == "hero_sign"))
        elif kind == "flag":
            flags.append(_flag(c, x, w))
        else:
            photos.append(_photo(c, x, w))
    c.layout.update(signs=signs, flags=flags, photos=photos)
    c.layout.setdefault("fire", [])
    people = c.layout["people"]
    drawn = {
        "sign": bool(signs),
        "photo": bool(photos),
        "fire": bool(c.layout["fire"]),
        "police": any(p["kind"] == "police" for p in people),
        "children": any(p["kind"] == "child" for p in people),
        "group_20": len(people) > 20,
        "group_100": len(people) > 100,
        "flag": bool(flags),
        "night": wanted["night"],
        "shouting": any(p["shouting"] for p in people),
    }
    c.layout["counts"] = {"people": len(people)}
    if request.references:
        c.layout["references"] = {
            "ids": [r.id for r in request.references],
            "clothes_from_palette": [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in clothes],
            "attribute_frequencies": freq,
            "crowd_lean": lean,
        }
    notes = [
        f"{k}: asked {wanted[k]}, drawn {drawn[k]}"
        for k in IMAGE_ATTRIBUTES
        if drawn[k] != wanted[k]
    ]
    return GeneratedImage(
        image=image,
        labels=drawn,
        labels_exact=True,
        backend=f"local:{RENDERER_VERSION}",
        layout=c.layout,
        notes=notes,
    )


class LocalSceneRenderer:
    """The default image backend: `render_scene` behind the backend interface."""

    spec = f"local:{RENDERER_VERSION}"

    def generate(self, request: ImageRequest) -> GeneratedImage:
        return render_scene(request)


@register_image_backend("local")
def make_local_image_backend(spec: ModelSpec, settings: Settings) -> LocalSceneRenderer:
    return LocalSceneRenderer()
