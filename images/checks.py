"""Checks for uploaded images: a real picture, in a format browsers show, of sane size."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image

from images.uploads import stored_image

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
    """An image form field that runs validate_image_upload before Django's own check, and
    hands on the image as it is stored (images.uploads.stored_image).

    Django's ImageField answers a file over the size limit, a decompression bomb and a
    file that is not an image alike with "Upload a valid image"; this one says which.
    """

    def to_python(self, data):
        if data:
            validate_image_upload(data)
        checked = super().to_python(data)
        if checked is None:
            return None
        checked.seek(0)
        original = checked.read()
        content, filename = stored_image(original, checked.name)
        checked.seek(0)
        if content == original and filename == checked.name:
            return checked
        stored = SimpleUploadedFile(filename, content, content_type=checked.content_type)
        stored.image = Image.open(stored)
        stored.seek(0)
        return stored
