"""Renditions: resized copies of a stored image (an article's hero image, a reviewer's
photo) that pages offer through srcset. They are made when the image is saved, by the
process that saves it, never while a page is served; the record of them is kept on the
model, so a page needs no storage call to show them."""

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, features

from images.checks import MAX_PIXELS

logger = logging.getLogger(__name__)

RENDITION_WIDTHS = (480, 800, 1200, 1600)
# A reviewer's photo shows at 48 px in bylines and 160 px on the profile: 1× and 2× of each.
PHOTO_RENDITION_WIDTHS = (96, 160, 320)
# What make_renditions may raise for a stored file it cannot read.
RENDITION_ERRORS = (OSError, ValueError, Image.DecompressionBombError)

# Pillow's name, file extension and encoder options for each format made.
_ENCODINGS = {
    "WEBP": ("webp", {"quality": 80, "method": 4}),
    "JPEG": ("jpg", {"quality": 82, "optimize": True, "progressive": True}),
    "PNG": ("png", {"optimize": True}),
}


# Sharing sites (Open Graph, Twitter cards) and search engines show images about this wide.
SHARED_WIDTH = 1200


def shared_image(image, renditions) -> tuple[str, int | None, int | None] | None:
    """The URL path, width and height of the copy of an image that pages name for sharing
    and structured data: its largest JPEG or PNG rendition up to SHARED_WIDTH, which carries
    no camera metadata; the stored image itself only while it has no renditions."""
    if not image:
        return None
    fallbacks = sorted(
        (r for r in renditions or [] if r["format"] != "webp"), key=lambda r: r["width"]
    )
    chosen = [r for r in fallbacks if r["width"] <= SHARED_WIDTH] or fallbacks[:1]
    if chosen:
        return image.storage.url(chosen[-1]["name"]), chosen[-1]["width"], chosen[-1]["height"]
    return image.url, None, None  # the caller knows the stored image's size


def rendition_widths(original_width: int, standard=RENDITION_WIDTHS) -> list[int]:
    """The standard widths narrower than the original, plus the original's own width up to
    the largest standard one: never enlarged, and the sharpest copy is never thrown away."""
    widths = {width for width in standard if width < original_width}
    widths.add(min(original_width, standard[-1]))
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


def make_renditions(
    image_field, *, widths=RENDITION_WIDTHS, written: list[str] | None = None
) -> list[dict]:
    """Resized copies of a stored image, in WebP and in a fallback every browser shows:
    PNG when the image has transparent parts, JPEG otherwise.

    Files are named ``renditions/<app>/<slug>-<sha8>-<width>.<ext>`` after the app and slug of
    the field's instance and the image's content, so making them again writes nothing; the names
    of files written are appended to ``written``. Returns one dict per file, fallback and
    WebP alike: ``{"width", "height", "format", "name"}`` (format: "webp", "jpeg" or "png").
    Metadata such as EXIF (camera, location) is not copied; the EXIF orientation is applied.
    """
    if not image_field:
        return []
    storage = image_field.storage
    with image_field.open("rb") as stored:
        data = stored.read()
    instance = image_field.instance
    digest = hashlib.sha256(data).hexdigest()[:8]
    stem = f"renditions/{instance._meta.app_label}/{instance.slug}-{digest}"
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
    for width in rendition_widths(image.width, widths):
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


def refresh_renditions(
    instance,
    field_name: str,
    *,
    record: str,
    widths,
    written: list[str] | None = None,
    in_use: frozenset[str] = frozenset(),
):
    """Make the renditions of ``instance``'s image field and record them in its field
    ``record``.

    Called after the instance is saved, by the admin and the importer: never while a page is
    served. Renditions already made are kept, so calling it again costs a read of the image.
    The renditions of a replaced or removed image are deleted once the transaction commits
    (until then the saved record still points at them). An image that cannot be read is
    logged and gets no renditions; pages then show the original. Renditions named in
    ``in_use`` (a published version still shows them) are never deleted.
    """
    image = getattr(instance, field_name)
    try:
        renditions = make_renditions(image, widths=widths, written=written)
    except RENDITION_ERRORS:
        logger.exception("Could not make renditions of %s", image.name)
        renditions = []
    previous = getattr(instance, record) or []
    if renditions != previous:
        setattr(instance, record, renditions)
        instance.save(update_fields=[record])
    keep = {rendition["name"] for rendition in renditions}
    orphans = [r["name"] for r in previous if r["name"] not in keep | in_use]
    if orphans:
        storage = image.storage

        def delete_orphans():
            for name in orphans:
                storage.delete(name)

        transaction.on_commit(delete_orphans)
    return renditions


def refresh_photo_renditions(*, reviewer, written: list[str] | None = None) -> list[dict]:
    """The reviewer's photo renditions (see refresh_renditions)."""
    return refresh_renditions(
        reviewer, "photo", record="photo_renditions", widths=PHOTO_RENDITION_WIDTHS, written=written
    )
