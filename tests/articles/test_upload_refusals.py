"""Uploads the admin refuses (issue 6): a file that is not an image, a decompression bomb and
an oversize file each get a message saying what is wrong, and leave nothing behind: no
original, no renditions, no temporary file."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.hero_images import refresh_hero_renditions
from articles.models import Article
from images import checks as images
from tests.articles.test_images import png_header_claiming
from tests.editorial.test_article_admin import ADD_URL, article_post, form_errors
from tests.factories import ArticleFactory, image_file

pytestmark = pytest.mark.django_db


def not_an_image():
    return SimpleUploadedFile("hero.jpg", b"%PDF-1.4 a document", content_type="image/jpeg")


def decompression_bomb():
    """20000×20000 pixels (400 megapixels) claimed by a header of a few dozen bytes."""
    upload = png_header_claiming(20_000, 20_000)
    assert upload.size < 100
    return upload


def oversize():
    """A real JPEG, padded past the upload limit (decoders ignore the padding)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (70, 130, 180)).save(buffer, format="JPEG")
    content = buffer.getvalue()
    content += b"\0" * (images.MAX_UPLOAD_BYTES + 2 * 1024 * 1024 - len(content))
    return SimpleUploadedFile("hero.jpg", content, content_type="image/jpeg")


REFUSALS = [
    (
        not_an_image,
        "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF file.",
    ),
    (
        decompression_bomb,
        "This image has too many pixels to process safely. Use an image under 40 megapixels.",
    ),
    (
        oversize,
        "This image is 12.0\xa0MB; the limit is 10.0\xa0MB. Export it smaller and upload again.",
    ),
]
IDS = ["not-an-image", "decompression-bomb", "oversize"]


def files_under(folder) -> list[Path]:
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture(autouse=True)
def upload_temp_dir(settings, tmp_path):
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE are spooled here while the request runs."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.mark.parametrize(("make_file", "message"), REFUSALS, ids=IDS)
def test_adding_an_article_with_a_bad_upload_is_refused_and_stores_nothing(
    admin_client, settings, upload_temp_dir, make_file, message
):
    data = article_post(hero_image=make_file(), hero_alt="A person stretching")

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert form_errors(response)["hero_image"] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Article.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(upload_temp_dir) == []


@pytest.mark.parametrize(("make_file", "message"), REFUSALS, ids=IDS)
def test_replacing_an_image_with_a_bad_upload_keeps_the_old_one_and_adds_nothing(
    admin_client, settings, upload_temp_dir, make_file, message
):
    article = ArticleFactory(
        slug="back-pain", hero_image=image_file(size=(900, 500)), hero_alt="A stretch"
    )
    refresh_hero_renditions(article=article)
    before = files_under(settings.MEDIA_ROOT)
    assert len(before) == 1 + 6  # the original and its renditions
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_post(
        hero_image=make_file(),
        hero_alt="A stretch",
        seen_edit_version=str(article.edit_version),
    )

    response = admin_client.post(change_url, data)

    assert response.status_code == 200
    assert form_errors(response)["hero_image"] == [message]
    stored = Article.objects.get(pk=article.pk)
    assert stored.hero_image.name == article.hero_image.name
    assert stored.hero_renditions == article.hero_renditions
    assert files_under(settings.MEDIA_ROOT) == before
    assert files_under(upload_temp_dir) == []


def test_the_size_is_checked_before_the_file_is_read(monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("an oversize file was opened")

    monkeypatch.setattr(images.Image, "open", must_not_open)
    field = images.ImageUploadField()

    with pytest.raises(ValidationError) as raised:
        field.clean(oversize())

    assert raised.value.code == "image_too_large"


def test_a_good_upload_still_passes_the_admin_field():
    upload = image_file(size=(1200, 675))

    cleaned = images.ImageUploadField().clean(upload)

    assert cleaned.image.size == (1200, 675)
