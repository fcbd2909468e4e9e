"""validate_image_upload: a real picture, in a format browsers show, of sane size."""

import io
import struct
import warnings
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, features

from images import checks as images
from images.checks import validate_image_upload
from tests.factories import ArticleFactory, image_file


def png_header_claiming(width, height):
    """A PNG whose header claims the given size; no pixel data is ever decoded."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    content = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")
    return SimpleUploadedFile("huge.png", content, content_type="image/png")


def refusal(file):
    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(file)
    error = excinfo.value
    return error.code, error.message % error.params if error.params else error.message


@pytest.mark.parametrize(
    ("name", "image_format"),
    [
        ("photo.jpg", "JPEG"),
        ("photo.png", "PNG"),
        pytest.param(
            "photo.webp",
            "WEBP",
            marks=pytest.mark.skipif(not features.check("webp"), reason="no WebP in Pillow"),
        ),
        ("photo.gif", "GIF"),
    ],
)
def test_accepts_formats_browsers_show(name, image_format):
    assert validate_image_upload(image_file(name, image_format=image_format)) is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Just some text, not a picture.",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"\x89PNG\r\n\x1a\n",  # a PNG signature and nothing else
    ],
    ids=["empty", "text", "pdf", "svg", "truncated-png"],
)
def test_refuses_files_that_are_not_images_and_says_what_to_upload(content):
    code, message = refusal(SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg"))

    assert code == "not_an_image"
    assert message == (
        "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF file."
    )


@pytest.mark.parametrize(("name", "image_format"), [("scan.bmp", "BMP"), ("scan.tif", "TIFF")])
def test_refuses_formats_browsers_may_not_show_and_names_the_format(name, image_format):
    code, message = refusal(image_file(name, size=(40, 40), image_format=image_format))

    assert code == "image_format"
    assert message == (
        f"{image_format} images are not supported. Upload a JPEG, PNG, WebP or GIF file."
    )


def test_refuses_a_file_over_the_upload_limit_before_reading_it():
    content = b"\0" * (images.MAX_UPLOAD_BYTES + 1)

    code, message = refusal(SimpleUploadedFile("huge.jpg", content, content_type="image/jpeg"))

    assert code == "image_too_large"
    assert "the limit is 10.0\xa0MB" in message
    assert message.endswith("Export it smaller and upload again.")


def test_upload_limit_boundary(monkeypatch):
    upload = image_file()
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", upload.size)
    assert validate_image_upload(upload) is None

    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", upload.size - 1)
    code, _ = refusal(upload)
    assert code == "image_too_large"


def test_refuses_an_image_with_more_pixels_than_the_limit_and_says_how_big_it_is():
    code, message = refusal(png_header_claiming(8000, 6000))  # 48 MP, limit is 40 MP

    assert code == "image_too_many_pixels"
    assert message == (
        "This image is 8000×6000 pixels; the limit is 40 megapixels. Resize it and upload again."
    )


def test_refuses_a_decompression_bomb_without_decoding_it():
    # Far past Pillow's own bomb limit: Image.open raises DecompressionBombError.
    code, message = refusal(png_header_claiming(50_000, 50_000))

    assert code == "image_too_many_pixels"
    assert "40 megapixels" in message


def test_refuses_a_decompression_bomb_when_pillow_warnings_are_errors():
    with pytest.warns(Image.DecompressionBombWarning):
        Image.open(png_header_claiming(10_000, 10_000))  # 100 MP: over Pillow's warning limit

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        code, message = refusal(png_header_claiming(10_000, 10_000))

    assert code == "image_too_many_pixels"
    assert "too many pixels to process safely" in message


def test_pixel_limit_boundary(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 20 * 20)

    assert validate_image_upload(image_file(size=(20, 20), image_format="PNG")) is None
    code, message = refusal(image_file(size=(21, 20), image_format="PNG"))
    assert code == "image_too_many_pixels"
    assert "21×20 pixels" in message


def test_leaves_the_file_position_where_it_was():
    upload = image_file()
    upload.seek(7)

    validate_image_upload(upload)

    assert upload.tell() == 7


@pytest.mark.django_db
def test_stored_images_are_not_checked_again_when_limits_tighten(monkeypatch):
    article = ArticleFactory(hero_image=image_file(size=(80, 60)), hero_alt="A walk in a park.")
    article.refresh_from_db()
    monkeypatch.setattr(images, "MAX_PIXELS", 10)

    assert validate_image_upload(article.hero_image) is None
    article.full_clean()


@pytest.mark.django_db
def test_model_validation_runs_the_image_check_on_new_uploads():
    article = ArticleFactory()
    article.hero_image = image_file("scan.bmp", image_format="BMP")
    article.hero_alt = "A scan."

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert excinfo.value.message_dict["hero_image"] == [
        "BMP images are not supported. Upload a JPEG, PNG, WebP or GIF file."
    ]


def test_small_png_fixture_is_really_a_png():
    # Guards the helper above: without a valid CRC, Pillow would refuse it as "not an image".
    with Image.open(io.BytesIO(png_header_claiming(3, 2).read())) as image:
        assert (image.format, image.size) == ("PNG", (3, 2))
