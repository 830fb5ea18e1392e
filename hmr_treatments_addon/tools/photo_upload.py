"""Checks and cleans the photographs prospects send for their assessment (S1.1, B3).

Whatever the channel (web client, portal, web form, mail gateway), a photo is judged by its
content, never by its name or declared type:

* the raw bytes are size-capped before anything is decoded;
* only real JPEG, PNG and HEIC/HEIF files are accepted (magic bytes, then Pillow restricted
  to that format, ``verify()`` and a full decode); HEIC/HEIF (the iPhone's default) is read
  by ``pillow_heif``, registered as a Pillow opener, and stored as JPEG; anything else (SVG,
  PDF, HTML, archives, GIF...) is refused;
* images whose header announces too many pixels (decompression bombs) are refused before
  their pixels are decoded;
* the image is always re-encoded: EXIF orientation applied, downscaled to ``MAX_SIDE``,
  colours converted to sRGB, and saved without any metadata (no EXIF, no GPS, no ICC, no
  text chunks, nothing appended after the image data).

Refusals are ``UserError`` in the user's language: an upload is stored whole or not at all.
"""

import base64
import binascii
import hashlib
import io
import logging
import struct
import threading
from collections import OrderedDict
from typing import NamedTuple

import pillow_heif
from PIL import Image, ImageOps

from odoo.exceptions import UserError

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without littlecms: profiles are dropped, not converted
    ImageCms = None

_logger = logging.getLogger(__name__)

# once per process: Pillow then opens HEIC/HEIF like its own formats; thumbnails, depth and
# auxiliary images are never used, so they are not even read
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest file accepted, checked on the raw bytes before any decoding."""
MAX_PIXELS = 40_000_000
"""Largest image accepted, checked on the header before the pixels are decoded."""
MAX_SIDE = 2560
"""Longest side of the stored image: larger photos are downscaled."""
JPEG_QUALITY = 90

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEIF_BRANDS = frozenset(
    (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1")
)
# formats recognised only to name them in the refusal
OTHER_SIGNATURES = (
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
)

# digests of the images this process produced itself, so that an image prepared with
# ``sanitize_photo`` and then stored is not decoded and re-encoded a second time
_SANITIZED_CACHE_SIZE = 64
_sanitized = OrderedDict()
_sanitized_lock = threading.Lock()


class SanitizedPhoto(NamedTuple):
    content: bytes
    mimetype: str
    width: int
    height: int

    @property
    def file_size(self):
        return len(self.content)


def sniff_format(raw):
    """The format of ``raw`` from its first bytes: ``"JPEG"``, ``"PNG"``, ``"HEIF"``, the
    name of another recognised format (``"PDF"``, ``"SVG"``...) or ``None``."""
    if raw.startswith(JPEG_MAGIC):
        return "JPEG"
    if raw.startswith(PNG_MAGIC):
        return "PNG"
    # ISO base media file: size (4 bytes), "ftyp", major brand (4 bytes)
    if raw[4:8] == b"ftyp":
        if raw[8:12] in HEIF_BRANDS:
            return "HEIF"
        if raw[8:12] in (b"avif", b"avis"):
            return "AVIF"
        return "MP4"
    if raw.startswith(b"RIFF") and raw[8:12] == b"WEBP":
        return "WebP"
    for signature, name in OTHER_SIGNATURES:
        if raw.startswith(signature):
            return name
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        if b"<svg" in head:
            return "SVG"
        if b"<html" in head or b"<!doctype html" in head or b"<script" in head:
            return "HTML"
        return "XML"
    return None


def sanitize_photo(env, raw):
    """Check ``raw`` (bytes) and return it as a clean :class:`SanitizedPhoto`.

    :raise UserError: with a message for the prospect when the file is refused.
    """
    raw = bytes(raw or b"")
    if not raw:
        raise UserError(env._("The photo is empty: please choose the photo again."))
    _check_file_size(env, len(raw))
    with _sanitized_lock:
        known = _sanitized.get(hashlib.sha256(raw).digest())
    if known:
        return SanitizedPhoto(raw, *known)

    image_format = sniff_format(raw)
    if image_format in ("JPEG", "PNG", "HEIF"):
        image = _open_checked(env, raw, image_format)
        # phones and browsers cannot all show HEIF: it is stored as JPEG
        output_format = "JPEG" if image_format == "HEIF" else image_format
    elif image_format:
        raise UserError(
            env._(
                "%(format)s files are not accepted: please send the photo as a JPEG, PNG or HEIC "
                "image.",
                format=image_format,
            )
        )
    else:
        raise UserError(
            env._(
                "This file is not a JPEG, PNG or HEIC image: please send the photo as a "
                "JPEG, PNG or HEIC image."
            )
        )

    try:
        content, (width, height) = _reencode(image, output_format)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        _logger.info("Photo refused, it could not be re-encoded: %s", error)
        raise _damaged(env) from error
    finally:
        image.close()
    photo = SanitizedPhoto(content, f"image/{output_format.lower()}", width, height)
    with _sanitized_lock:
        _sanitized[hashlib.sha256(content).digest()] = photo[1:]
        while len(_sanitized) > _SANITIZED_CACHE_SIZE:
            _sanitized.popitem(last=False)
    return photo


def decode_base64_photo(env, value):
    """The bytes of a photo given in base64 (as the ORM receives binary fields), with the
    size cap applied before decoding."""
    if isinstance(value, str):
        value = value.encode()
    # some clients wrap base64 in lines (base64.encodebytes); nothing else is tolerated
    value = b"".join(value.split())
    # 4 base64 characters carry 3 bytes: refuse what cannot fit before decoding it
    _check_file_size(env, len(value) * 3 // 4 - value[-2:].count(b"="))
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise UserError(
            env._("The photo could not be read: the upload is not correctly encoded.")
        ) from error


# ------------------------------------------------------------
# HELPERS
# ------------------------------------------------------------


def _check_file_size(env, size):
    if size > MAX_UPLOAD_BYTES:
        raise UserError(
            env._(
                "The photo is too large (%(size)s MB): the limit is %(limit)s MB. Please "
                "send a smaller photo.",
                size=f"{size / 1024 / 1024:.1f}",
                limit=MAX_UPLOAD_BYTES // 1024 // 1024,
            )
        )


def _check_pixels(env, width, height):
    if width <= 0 or height <= 0:
        raise _damaged(env)
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(env, width, height)


def _too_many_pixels(env, width, height):
    return UserError(
        env._(
            "The photo is too large (%(width)s x %(height)s pixels): the limit is %(limit)s "
            "megapixels. Please send a smaller photo.",
            width=width,
            height=height,
            limit=MAX_PIXELS // 1_000_000,
        )
    )


def _damaged(env):
    return UserError(
        env._("The photo is damaged or incomplete and cannot be read: please send it again.")
    )


def _open_checked(env, raw, image_format):
    """Open ``raw`` with Pillow restricted to ``image_format`` once its header announced an
    acceptable size, verify its structure and decode it whole."""
    if image_format == "JPEG":
        size, complete = _scan_jpeg(raw)
        if not size or not complete:
            raise _damaged(env)
    elif image_format == "PNG":
        size = _png_size(raw)
    else:
        size = _heif_size(env, raw)
    # before Pillow decodes anything: a decompression bomb is refused on its header
    _check_pixels(env, *size)
    try:
        with Image.open(io.BytesIO(raw), formats=(image_format,)) as probe:
            _check_pixels(env, *probe.size)
            probe.verify()
        image = Image.open(io.BytesIO(raw), formats=(image_format,))
        _check_pixels(env, *image.size)
        if image_format == "JPEG":
            # let libjpeg decode big photos directly at a reduced scale
            image.draft(image.mode, _target_size(image.size))
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(env, *size) from error
    except (OSError, ValueError, SyntaxError, struct.error, EOFError, RuntimeError) as error:
        # RuntimeError: what libheif raises for a damaged or unsupported HEIF
        _logger.info("Photo refused, it could not be decoded: %s", error)
        raise _damaged(env) from error
    return image


def _heif_size(env, raw):
    """Width and height of the primary image announced by the HEIF container: libheif
    reads the container only, the pixels are decoded later."""
    try:
        return pillow_heif.open_heif(io.BytesIO(raw)).size
    except (RuntimeError, ValueError, OSError, EOFError) as error:
        _logger.info("HEIF photo refused, its container could not be read: %s", error)
        raise _damaged(env) from error


def _png_size(raw):
    """Width and height announced by the PNG header (IHDR, the first chunk)."""
    if len(raw) < 24 or raw[12:16] != b"IHDR":
        return 0, 0
    return struct.unpack(">II", raw[16:24])


def _scan_jpeg(raw):
    """Walk the JPEG segments: return the size announced by its frame header and whether
    the end-of-image marker follows its scans.

    Odoo lets Pillow load truncated images (``ImageFile.LOAD_TRUNCATED_IMAGES``), so a photo
    cut in the middle of its upload would be stored half grey without this check. Data after
    the end marker (motion photos, maker notes) is allowed: re-encoding drops it."""
    size = None
    position = 2
    while position + 4 <= len(raw):
        if raw[position] != 0xFF:
            return size, False
        marker = raw[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image before any scan
            return size, False
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", raw[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and length >= 7:
            # start of frame: precision (1 byte), height, width (2 bytes each)
            height, width = struct.unpack(">HH", raw[position + 5 : position + 9])
            size = (width, height)
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            return size, raw.find(b"\xff\xd9", position + 2 + length) != -1
        position += 2 + length
    return size, False


def _target_size(size):
    width, height = size
    ratio = min(1.0, MAX_SIDE / max(width, height))
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def _to_srgb(image):
    """Convert the colours of an image with an embedded ICC profile (Display P3 photos of
    recent phones) to sRGB, so that dropping the profile keeps the colours right."""
    icc = image.info.get("icc_profile")
    if not icc or ImageCms is None or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError) as error:
        _logger.info("Photo colour profile ignored: %s", error)
        return image
    return converted or image


def _reencode(image, output_format):
    """The image oriented, downscaled, in sRGB and saved without any metadata: return its
    bytes and its size."""
    image = ImageOps.exif_transpose(image)
    # modes the resize and the encoders handle well
    if image.mode in ("1", "I", "I;16", "I;16B", "I;16L", "F"):
        image = image.convert("L") if image.mode == "1" else _to_8bit_gray(image)
    if "transparency" in image.info or image.mode in ("P", "PA", "LA", "La", "RGBa"):
        image = image.convert("RGBA")
    elif image.mode not in ("L", "RGB", "RGBA"):  # CMYK, YCbCr, LAB...
        image = image.convert("RGB")
    image = _to_srgb(image)
    if output_format == "JPEG" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    target = _target_size(image.size)
    if target != image.size:
        image = image.resize(target, Image.Resampling.LANCZOS)
    # no metadata at all: EXIF (GPS), ICC, XMP, comments, text chunks
    image.info = {}
    output = io.BytesIO()
    if output_format == "JPEG":
        image.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(output, format="PNG", optimize=True)
    return output.getvalue(), image.size


def _to_8bit_gray(image):
    """16-bit and float gray images (some scanners) to 8-bit gray."""
    return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
