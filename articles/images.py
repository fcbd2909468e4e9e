"""Checks for uploaded images: a real picture, in a format browsers show, of sane size;
and the resized copies (renditions) pages offer through srcset."""

import hashlib
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, features

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000


def validate_image_upload(file):
    """Refuse anything that is not a JPEG, PNG, WebP or GIF within the size limits."""
    if getattr(file, "_committed", False):
        return  # already stored: it was checked when it was uploaded
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "This image is %(size)s; the limit is %(limit)s. Export it smaller and upload again.",
            code="image_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This image has too many pixels to process safely. Use an image under "
            "%(limit)s megapixels.",
            code="image_too_many_pixels",
            params={"limit": MAX_PIXELS // 1_000_000},
        ) from None
    except Exception:
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF file.",
            code="not_an_image",
        ) from None
    finally:
        if position is not None:
            file.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not supported. Upload a JPEG, PNG, WebP or GIF file.",
            code="image_format",
            params={"format": image_format or "This kind of"},
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            "This image is %(width)s×%(height)s pixels; the limit is %(limit)s megapixels. "
            "Resize it and upload again.",
            code="image_too_many_pixels",
            params={"width": width, "height": height, "limit": MAX_PIXELS // 1_000_000},
        )


class ImageUploadField(forms.ImageField):
    """An image form field that runs validate_image_upload before Django's own check.

    Django's ImageField answers a file over the size limit, a decompression bomb and a
    file that is not an image alike with "Upload a valid image"; this one says which.
    """

    def to_python(self, data):
        if data:
            validate_image_upload(data)
        return super().to_python(data)


# Renditions ------------------------------------------------------------------------------

RENDITION_WIDTHS = (480, 800, 1200, 1600)
RENDITION_FOLDER = "renditions/articles"
# What make_renditions may raise for a stored file it cannot read.
RENDITION_ERRORS = (OSError, ValueError, Image.DecompressionBombError)

# Pillow's name, file extension and encoder options for each format made.
_ENCODINGS = {
    "WEBP": ("webp", {"quality": 80, "method": 4}),
    "JPEG": ("jpg", {"quality": 82, "optimize": True, "progressive": True}),
    "PNG": ("png", {"optimize": True}),
}


def rendition_widths(original_width: int) -> list[int]:
    """The standard widths narrower than the original, plus the original's own width up to
    the largest standard one: never enlarged, and the sharpest copy is never thrown away."""
    widths = {width for width in RENDITION_WIDTHS if width < original_width}
    widths.add(min(original_width, RENDITION_WIDTHS[-1]))
    return sorted(widths)


def _has_transparency(image) -> bool:
    if not image.has_transparency_data:
        return False
    alpha = image.convert("RGBA").getchannel("A")
    return alpha.getextrema()[0] < 255


def _resize(image, width, height):
    if (width, height) == image.size:
        return image
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def make_renditions(image_field, *, written: list[str] | None = None) -> list[dict]:
    """Resized copies of a stored image, in WebP and in a fallback every browser shows:
    PNG when the image has transparent parts, JPEG otherwise.

    Files are named ``renditions/articles/<slug>-<sha8>-<width>.<ext>`` after the slug of the
    field's instance and the image's content, so making them again writes nothing; the names
    of files written are appended to ``written``. Returns one dict per file, fallback and
    WebP alike: ``{"width", "height", "format", "name"}`` (format: "webp", "jpeg" or "png").
    Metadata such as EXIF (camera, location) is not copied; the EXIF orientation is applied.
    """
    if not image_field:
        return []
    storage = image_field.storage
    with image_field.open("rb") as stored:
        data = stored.read()
    stem = f"{RENDITION_FOLDER}/{image_field.instance.slug}-{hashlib.sha256(data).hexdigest()[:8]}"
    with Image.open(io.BytesIO(data)) as opened:
        if opened.width * opened.height > MAX_PIXELS:
            raise ValueError(f"{image_field.name} has more than {MAX_PIXELS} pixels")
        icc_profile = opened.info.get("icc_profile") if opened.mode in ("RGB", "RGBA") else None
        image = ImageOps.exif_transpose(opened)
    transparent = _has_transparency(image)
    image = image.convert("RGBA" if transparent else "RGB")
    formats = ["WEBP"] if features.check("webp") else []
    formats.append("PNG" if transparent else "JPEG")

    renditions = []
    for width in rendition_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = None
        for image_format in formats:
            extension, options = _ENCODINGS[image_format]
            name = f"{stem}-{width}.{extension}"
            if not storage.exists(name):
                if resized is None:
                    resized = _resize(image, width, height)
                buffer = io.BytesIO()
                if icc_profile:
                    options = {**options, "icc_profile": icc_profile}
                resized.save(buffer, format=image_format, **options)
                saved = storage.save(name, ContentFile(buffer.getvalue()))
                if saved != name:  # made at the same moment by another process: keep theirs
                    storage.delete(saved)
                elif written is not None:
                    written.append(name)
            renditions.append(
                {"width": width, "height": height, "format": image_format.lower(), "name": name}
            )
    return renditions
