"""Reading one reference picture safely: hash, size, a clean thumbnail, dominant colours.

Untrusted files are opened under Pillow's decompression-bomb limit
(`PIL.Image.MAX_IMAGE_PIXELS`) with its warning turned into a refusal, so a picture
claiming more pixels than the limit is never decoded. What is stored is a re-encoded,
downscaled JPEG made from the pixels alone: EXIF (GPS, camera, owner), XMP, ICC and text
chunks are not copied. The EXIF orientation is applied first so the thumbnail stands up.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from scenariosim.knowledge.references.catalogue import Swatch

THUMBNAIL_MAX = 512  # longest side of a stored thumbnail, pixels
THUMBNAIL_QUALITY = 85
MAX_FILE_BYTES = 64 * 1024 * 1024  # a larger file is refused before it is read
PALETTE_COLOURS = 5


class ImageProblem(Exception):
    """The file cannot be used as a reference picture; the message says why."""


@dataclass(frozen=True)
class ImageFacts:
    sha256: str
    width: int
    height: int
    thumbnail: bytes  # JPEG, metadata-free
    palette: list[Swatch]


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent areas must not turn black in a JPEG."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def dominant_palette(image: Image.Image, colours: int = PALETTE_COLOURS) -> list[Swatch]:
    """The picture's main colours (median cut on a 96-pixel copy), largest share first."""
    small = image.convert("RGB").copy()
    small.thumbnail((96, 96), Image.Resampling.BILINEAR)
    quantized = small.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    counts = quantized.getcolors() or []
    lookup = quantized.getpalette() or []
    total = sum(count for count, _ in counts) or 1
    swatches = []
    for count, index in sorted(counts, key=lambda c: (-c[0], c[1])):
        r, g, b = lookup[index * 3 : index * 3 + 3]
        swatches.append(Swatch(colour=f"#{r:02x}{g:02x}{b:02x}", share=round(count / total, 3)))
    return swatches


def encode_thumbnail(image: Image.Image) -> bytes:
    """A downscaled JPEG of the pixels only (no EXIF, XMP, ICC or comments)."""
    thumb = _flatten(image)
    thumb.thumbnail((THUMBNAIL_MAX, THUMBNAIL_MAX), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", thumb.size)
    clean.paste(thumb)
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return buffer.getvalue()


def read_image(path: Path) -> ImageFacts:
    """Hash, size, thumbnail and palette of one file; `ImageProblem` if it is not usable."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ImageProblem(f"cannot be read ({e.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise ImageProblem(f"{size / 1e6:.0f} MB is over the {MAX_FILE_BYTES // 2**20} MiB limit")
    data = path.read_bytes()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(
            f"refused: more pixels than Pillow's decompression-bomb limit "
            f"({Image.MAX_IMAGE_PIXELS:,}); downscale it before adding"
        ) from None
    except UnidentifiedImageError:
        raise ImageProblem("not an image Pillow can read") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise ImageProblem(f"corrupt or truncated image ({e})") from None
    return ImageFacts(
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        thumbnail=encode_thumbnail(image),
        palette=dominant_palette(image),
    )
