"""Photos uploaded to delivery pages: checked by what the file holds (not its name), shrunk
to a width that reads well on any screen, and written again without EXIF data, so a phone's
note of where the photo was taken never reaches the public page. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # more than any phone takes; refuses "decompression bombs"
WIDTH = 1200
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIXES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class PhotoRefused(Exception):
    """A file that is not taken: `code` is "too_big" or "not_a_photo"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Photo:
    data: bytes
    media_type: str
    width: int
    height: int


def prepare(raw: bytes) -> Photo:
    """The photo as it will be served, or PhotoRefused."""
    if len(raw) > MAX_BYTES:
        raise PhotoRefused("too_big")
    try:
        with Image.open(BytesIO(raw)) as opened:
            kind = opened.format or ""
            if kind not in MEDIA_TYPES or opened.width * opened.height > MAX_PIXELS:
                raise PhotoRefused("not_a_photo")
            # Turned the way the camera meant, then shrunk; saved below without its EXIF.
            image = ImageOps.exif_transpose(opened) or opened
            image.thumbnail((WIDTH, WIDTH * 4))
            if kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = BytesIO()
            options = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 80}}
            image.save(out, kind, **options.get(kind, {"optimize": True}))
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise PhotoRefused("not_a_photo") from None
    return Photo(out.getvalue(), MEDIA_TYPES[kind], image.width, image.height)
