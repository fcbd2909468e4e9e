"""Stored images carry no camera metadata (GPS position, camera make) and are named after the
format they really are; pages name renditions, never the uploaded original."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from articles.hero_images import refresh_hero_renditions
from articles.models import Article
from contentfiles.importer import import_content
from images.renditions import refresh_photo_renditions
from images.uploads import stored_image
from reviewers.models import Reviewer
from tests.admin_forms import change_form_data
from tests.factories import ArticleFactory, ReviewerFactory, image_file

pytestmark = pytest.mark.django_db

GPS = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}


def photo_with_gps(size=(600, 400), orientation=6) -> bytes:
    """A JPEG as a phone writes it: GPS position, camera make and a rotation to apply."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = image.getexif()
    exif[0x010F] = "Acme Phone"  # Make
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to show
    exif[0x8825] = GPS  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"holiday")
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (10, 200, 10)).save(buffer, format="GIF")
    return buffer.getvalue()


def assert_clean(storage_file, *, size):
    with storage_file.open("rb") as stored:
        data = stored.read()
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), "EXIF kept"
        assert "comment" not in image.info
        assert image.size == size  # the orientation was applied
    assert b"Acme Phone" not in data
    assert b"holiday" not in data


def test_cleaning_removes_metadata_applies_orientation_and_is_idempotent():
    data, name = stored_image(photo_with_gps(), "IMG_0001.JPG")

    assert name == "IMG_0001.jpg"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (400, 600)
        assert not image.getexif()
    assert stored_image(data, name) == (data, name)


def test_the_file_is_named_after_the_format_it_is(tmp_path):
    assert stored_image(gif_bytes(), "cv.pdf")[1] == "cv.gif"
    assert stored_image(gif_bytes() + b"<html><script>alert(1)</script>", "x.html")[1] == "x.gif"
    clean = image_file("photo.png", image_format="PNG").read()
    assert stored_image(clean, "photo.xbm") == (clean, "photo.png")


def test_a_reviewer_photo_uploaded_in_the_admin_is_stored_clean(admin_client):
    reviewer = ReviewerFactory()
    url = reverse("admin:reviewers_reviewer_change", args=[reviewer.pk])
    data = change_form_data(admin_client.get(url))
    data = {k: v for k, v in data.items() if v is not None}
    data["photo"] = SimpleUploadedFile("me.jpeg", photo_with_gps(), content_type="image/jpeg")

    assert admin_client.post(url, data).status_code == 302

    reviewer.refresh_from_db()
    assert reviewer.photo.name.endswith(".jpg")
    assert (reviewer.photo_width, reviewer.photo_height) == (400, 600)
    assert_clean(reviewer.photo, size=(400, 600))


def test_an_image_uploaded_under_another_extension_is_stored_under_its_own(admin_client):
    reviewer = ReviewerFactory()
    url = reverse("admin:reviewers_reviewer_change", args=[reviewer.pk])
    data = change_form_data(admin_client.get(url))
    data = {k: v for k, v in data.items() if v is not None}
    data["photo"] = SimpleUploadedFile("portrait.pdf", gif_bytes(), content_type="image/gif")

    assert admin_client.post(url, data).status_code == 302

    assert Path(Reviewer.objects.get(pk=reviewer.pk).photo.name).suffix == ".gif"


def test_imported_images_are_stored_clean_and_under_their_formats_extension(tmp_path):
    folder = tmp_path / "content"
    (folder / "reviewers").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "images" / "jane.html").write_bytes(gif_bytes() + b"<html></html>")
    (folder / "images" / "sam.jpg").write_bytes(photo_with_gps())
    for slug, photo in [("jane", "jane.html"), ("sam", "sam.jpg")]:
        (folder / "reviewers" / f"{slug}.md").write_text(
            f"---\nname: Dr {slug.title()}\nphoto: images/{photo}\n---\nA reviewer.\n"
        )

    import_content(directory=folder)

    jane, sam = Reviewer.objects.get(slug="jane"), Reviewer.objects.get(slug="sam")
    assert Path(jane.photo.name).suffix == ".gif"
    assert_clean(sam.photo, size=(400, 600))
    import_content(directory=folder)  # the same folder again changes nothing
    assert Reviewer.objects.get(slug="sam").photo.name == sam.photo.name


def test_shared_images_are_renditions_not_the_uploaded_original(client):
    article = ArticleFactory(slug="sun", hero_image=image_file(size=(1600, 900)), hero_alt="Sun")
    refresh_hero_renditions(article=article)
    from tests.factories import republish

    republish(article)
    reviewer = Article.objects.get(pk=article.pk).reviewer
    reviewer.photo = image_file("face.jpg", size=(400, 400))
    reviewer.save()
    refresh_photo_renditions(reviewer=reviewer)

    page = client.get("/articles/sun/").content.decode()
    profile = client.get(reviewer.get_absolute_url()).content.decode()

    for html in (page, profile):
        for tag in re.findall(
            r'<meta (?:property|name)="(?:og|twitter):image" content="([^"]+)"', html
        ):
            assert "/media/renditions/" in tag, tag
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
        )
        images = re.findall(r'"image":\s*(?:\{[^}]*"url":\s*)?"([^"]+)"', json.dumps(data))
        assert images and all("/media/renditions/" in url for url in images), images
    assert "/media/articles/hero/" not in page
    assert "/media/reviewers/" not in profile


def test_images_stored_before_are_cleaned_in_place_by_a_command(settings):
    article = ArticleFactory(
        hero_image=SimpleUploadedFile("old.jpg", photo_with_gps()), hero_alt="x"
    )
    name = article.hero_image.name
    with article.hero_image.open("rb") as stored:
        assert b"Acme Phone" in stored.read()  # stored as it came, before this release
    out = io.StringIO()

    call_command("strip_image_metadata", stdout=out)
    call_command("strip_image_metadata", stdout=out)  # again: nothing left to do

    article = Article.objects.get(pk=article.pk)
    assert article.hero_image.name == name
    assert (article.hero_width, article.hero_height) == (400, 600)
    assert_clean(article.hero_image, size=(400, 600))
    assert out.getvalue().splitlines() == [
        f"{name}: metadata removed",
        "1 stored image cleaned.",
        "0 stored images cleaned.",
    ]
