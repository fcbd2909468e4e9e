"""How an uploaded image is stored: without the metadata a camera or phone writes into it
(GPS position, camera make, time, comments; the orientation it records is applied first),
and under the file extension of the format it really is, whatever it was called.

Cleaning an image that has no such metadata changes nothing, so cleaning is idempotent and
a stored image exported and imported again keeps its bytes and its name.
"""

import io
from pathlib import PurePath

from PIL import Image, ImageOps

EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# Image.info keys that carry metadata about the photo rather than how to show it.
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")


def _has_metadata(image) -> bool:
    if any(key in image.info for key in METADATA_KEYS) or image.getexif():
        return True
    return bool(getattr(image, "text", None))  # PNG text chunks


def stored_image(data: bytes, name: str) -> tuple[bytes, str]:
    """The bytes and file name to store for an uploaded image already checked by
    images.checks.validate_image_upload."""
    with Image.open(io.BytesIO(data)) as image:
        image_format = image.format
        extension = EXTENSIONS[image_format]
        filename = PurePath(name).stem + extension
        if not _has_metadata(image):
            return data, filename
        options = {}
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]  # colours, not metadata
        if image_format == "GIF":
            frames = {"save_all": True, "loop": image.info.get("loop", 0)}
            if "duration" in image.info:
                frames["duration"] = image.info["duration"]
            if "transparency" in image.info:
                options["transparency"] = image.info["transparency"]
            buffer = io.BytesIO()
            image.save(buffer, format="GIF", **frames, **options)
            return buffer.getvalue(), filename
        upright = ImageOps.exif_transpose(image)
        upright.info = {}  # encoders write what info holds (a JPEG comment, for one)
        if image_format == "JPEG":
            options |= {"quality": 92, "optimize": True}
            if upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
        elif image_format == "WEBP":
            options |= {"quality": 90}
        elif image_format == "PNG":
            options |= {"optimize": True}
            if "transparency" in image.info:
                options["transparency"] = image.info["transparency"]
        buffer = io.BytesIO()
        upright.save(buffer, format=image_format, **options)
    return buffer.getvalue(), filename
