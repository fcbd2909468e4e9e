"""Responsive hero images: renditions made on upload and import, and offered by <picture>."""

import hashlib
import io
import logging
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
from images.renditions import make_renditions, rendition_widths
from tests.contentfiles.test_content_files import write_article, write_md
from tests.editorial.test_article_admin import ADD_URL, article_post, form_errors
from tests.factories import ArticleFactory
from tests.html_tree import parse_html

pytestmark = pytest.mark.django_db

NAME = re.compile(r"renditions/articles/(?P<slug>[a-z0-9-]+)-(?P<sha>[0-9a-f]{8})-(?P<width>\d+)\.")


def upload(name="hero.jpg", size=(2000, 1125), image_format="JPEG", mode="RGB", color=None,
           exif=None):  # fmt: skip
    color = color or ((70, 130, 180, 128) if mode == "RGBA" else (70, 130, 180))
    buffer = io.BytesIO()
    options = {"exif": exif} if exif else {}
    Image.new(mode, size, color).save(buffer, format=image_format, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format}")


def article_with_hero(slug="back-pain", **image):
    return ArticleFactory(slug=slug, hero_image=upload(**image), hero_alt="A person stretching.")


def media(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


def rendition_files(settings) -> set[str]:
    folder = media(settings) / "renditions"
    return {str(p.relative_to(media(settings))) for p in folder.rglob("*") if p.is_file()}


def summary(renditions):
    return [(r["format"], r["width"], r["height"]) for r in renditions]


# --- What is made. ---


def test_every_width_in_webp_and_jpeg_from_a_large_photo(settings):
    article = article_with_hero(size=(2000, 1125))

    renditions = make_renditions(article.hero_image)

    assert summary(renditions) == [
        ("webp", 480, 270), ("jpeg", 480, 270),
        ("webp", 800, 450), ("jpeg", 800, 450),
        ("webp", 1200, 675), ("jpeg", 1200, 675),
        ("webp", 1600, 900), ("jpeg", 1600, 900),
    ]  # fmt: skip
    for rendition in renditions:
        with Image.open(media(settings) / rendition["name"]) as made:
            assert made.format == rendition["format"].upper()
            assert made.size == (rendition["width"], rendition["height"])
    assert rendition_files(settings) == {r["name"] for r in renditions}


def test_names_say_which_article_and_which_image_they_come_from(settings):
    article = article_with_hero(slug="sleep-basics")
    with article.hero_image.open("rb") as stored:
        digest = hashlib.sha256(stored.read()).hexdigest()[:8]

    names = [r["name"] for r in make_renditions(article.hero_image)]

    assert names[:2] == [
        f"renditions/articles/sleep-basics-{digest}-480.webp",
        f"renditions/articles/sleep-basics-{digest}-480.jpg",
    ]
    assert all(NAME.fullmatch(name.rsplit(".", 1)[0] + ".") for name in names)


@pytest.mark.parametrize(
    ("original", "widths"),
    [
        (2400, [480, 800, 1200, 1600]),
        (1600, [480, 800, 1200, 1600]),
        (1000, [480, 800, 1000]),
        (480, [480]),
        (300, [300]),
    ],
)
def test_images_are_never_enlarged(original, widths):
    assert rendition_widths(original) == widths


def test_a_narrow_image_gets_one_rendition_at_its_own_size():
    article = article_with_hero(size=(320, 200))

    assert summary(make_renditions(article.hero_image)) == [
        ("webp", 320, 200),
        ("jpeg", 320, 200),
    ]


def test_a_png_with_transparency_keeps_a_png_fallback(settings):
    article = article_with_hero(name="logo.png", size=(900, 300), image_format="PNG", mode="RGBA")

    renditions = make_renditions(article.hero_image)

    assert summary(renditions) == [
        ("webp", 480, 160), ("png", 480, 160), ("webp", 800, 267), ("png", 800, 267),
        ("webp", 900, 300), ("png", 900, 300),
    ]  # fmt: skip
    with Image.open(media(settings) / renditions[1]["name"]) as made:
        assert made.mode == "RGBA"
        assert made.getpixel((10, 10))[3] == 128


@pytest.mark.parametrize(
    ("name", "image_format", "mode"),
    [
        ("opaque.png", "PNG", "RGBA"),  # an alpha channel with nothing transparent
        ("flat.png", "PNG", "RGB"),
        ("photo.webp", "WEBP", "RGB"),
        ("scan.gif", "GIF", "P"),
    ],
)
def test_images_without_transparency_fall_back_to_jpeg(name, image_format, mode):
    color = (70, 130, 180, 255) if mode == "RGBA" else 3 if mode == "P" else None
    article = article_with_hero(
        name=name, size=(600, 400), image_format=image_format, mode=mode, color=color
    )

    formats = {r["format"] for r in make_renditions(article.hero_image)}

    assert formats == {"webp", "jpeg"}


def test_the_camera_orientation_is_applied_and_metadata_left_out(settings):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "Camera maker"
    article = article_with_hero(size=(1600, 900), exif=exif.tobytes())

    renditions = make_renditions(article.hero_image)

    assert summary(renditions)[-2:] == [("webp", 900, 1600), ("jpeg", 900, 1600)]
    with Image.open(media(settings) / renditions[-1]["name"]) as made:
        assert not made.getexif()


def test_making_them_again_writes_nothing(settings):
    article = article_with_hero()
    first_written = []
    first = make_renditions(article.hero_image, written=first_written)
    stamps = {name: (media(settings) / name).stat().st_mtime_ns for name in first_written}

    again_written = []
    again = make_renditions(article.hero_image, written=again_written)

    assert again == first
    assert len(first_written) == 8 and again_written == []
    assert stamps == {name: (media(settings) / name).stat().st_mtime_ns for name in stamps}


# --- Recorded on the article; old ones removed. ---


def test_refresh_records_the_renditions_on_the_article():
    article = article_with_hero()

    renditions = refresh_hero_renditions(article=article)

    assert Article.objects.get(pk=article.pk).hero_renditions == renditions
    assert len(renditions) == 8


def test_replacing_the_image_removes_the_old_renditions_once_saved(
    settings, django_capture_on_commit_callbacks
):
    article = article_with_hero()
    old = {r["name"] for r in refresh_hero_renditions(article=article)}

    article.hero_image = upload(color=(200, 30, 30))
    article.save()
    with django_capture_on_commit_callbacks() as callbacks:
        new = {r["name"] for r in refresh_hero_renditions(article=article)}
        assert old <= rendition_files(settings)  # still there until the change is committed
    for callback in callbacks:
        callback()

    assert old.isdisjoint(new)
    assert rendition_files(settings) == new


def test_removing_the_image_removes_every_rendition(settings, django_capture_on_commit_callbacks):
    article = article_with_hero()
    refresh_hero_renditions(article=article)

    article.hero_image = ""
    article.hero_alt = ""
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_hero_renditions(article=article) == []

    assert Article.objects.get(pk=article.pk).hero_renditions == []
    assert rendition_files(settings) == set()


def test_renditions_of_another_article_with_a_similar_slug_are_left_alone(
    settings, django_capture_on_commit_callbacks
):
    back = article_with_hero(slug="back")
    back_pain = article_with_hero(slug="back-pain")
    kept = {r["name"] for r in refresh_hero_renditions(article=back_pain)}
    refresh_hero_renditions(article=back)

    back.hero_image = upload(color=(1, 2, 3))
    back.save()
    with django_capture_on_commit_callbacks(execute=True):
        refresh_hero_renditions(article=back)

    assert kept <= rendition_files(settings)


def test_an_unreadable_stored_image_gets_no_renditions_and_is_logged(settings, caplog):
    article = article_with_hero()
    (media(settings) / article.hero_image.name).write_bytes(b"not an image any more")

    with caplog.at_level(logging.ERROR, logger="images.renditions"):
        assert refresh_hero_renditions(article=article) == []

    assert "Could not make renditions of articles/hero/" in caplog.text


# --- Made when the admin saves, never when a page is served. ---


def test_uploading_in_the_admin_makes_the_renditions(admin_client, settings):
    data = article_post(hero_image=upload(size=(1600, 900)), hero_alt="A woman stretching")

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(slug="back-pain")
    assert [r["width"] for r in article.hero_renditions] == [480, 480, 800, 800, 1200, 1200,
                                                             1600, 1600]  # fmt: skip
    assert rendition_files(settings) == {r["name"] for r in article.hero_renditions}


def test_replacing_the_image_in_the_admin_removes_the_old_renditions(
    admin_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ADD_URL, article_post(hero_image=upload(), hero_alt="A stretch"))
    article = Article.objects.get(slug="back-pain")
    old = {r["name"] for r in article.hero_renditions}
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_post(
        hero_image=upload(size=(1000, 600), color=(9, 9, 9)),
        hero_alt="A stretch",
        seen_edit_version=str(article.edit_version),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url, data)

    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert summary(article.hero_renditions)[-1] == ("jpeg", 1000, 600)
    assert rendition_files(settings) == {r["name"] for r in article.hero_renditions}
    assert old.isdisjoint(rendition_files(settings))


def test_saving_in_the_admin_without_a_new_image_keeps_the_renditions(admin_client, settings):
    admin_client.post(ADD_URL, article_post(hero_image=upload(), hero_alt="A stretch"))
    article = Article.objects.get(slug="back-pain")
    before = article.hero_renditions
    change_url = reverse("admin:articles_article_change", args=[article.pk])

    data = article_post(
        hero_alt="A stretch",
        title="Back pain, updated",
        seen_edit_version=str(article.edit_version),
    )
    response = admin_client.post(change_url, data)

    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.title == "Back pain, updated"
    assert article.hero_renditions == before


def test_serving_a_page_makes_no_renditions(client, settings):
    article = article_with_hero()  # older data: an image without renditions

    client.get(article.get_absolute_url())
    client.get("/")

    assert rendition_files(settings) == set()
    assert Article.objects.get(pk=article.pk).hero_renditions == []


# --- What the pages offer. ---


def hero_picture(response):
    return parse_html(response.content).find("figure", class_="hero").find("picture")


def test_the_hero_offers_webp_and_a_fallback_with_dimensions_and_high_priority(client):
    article = article_with_hero(size=(2000, 1125))
    refresh_hero_renditions(article=article)

    picture = hero_picture(client.get(article.get_absolute_url()))

    source = picture.find("source")
    assert source["type"] == "image/webp"
    assert [entry.split()[1] for entry in source["srcset"].split(", ")] == [
        "480w", "800w", "1200w", "1600w",
    ]  # fmt: skip
    assert all(".webp " in entry + " " for entry in source["srcset"].split(", "))
    assert source["sizes"] == "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
    img = picture.find("img")
    assert img["src"].endswith("-800.jpg")
    assert img["srcset"].count(".jpg ") == 4
    assert img["sizes"] == source["sizes"]
    assert (img["width"], img["height"]) == ("1600", "900")
    assert img["alt"] == "A person stretching."
    assert img["fetchpriority"] == "high"
    assert "loading" not in img.attrs


def test_cards_offer_the_renditions_lazily_with_empty_alt(client):
    article = article_with_hero(size=(1200, 675))
    refresh_hero_renditions(article=article)

    page = parse_html(client.get("/").content)

    card = page.find("article", class_="card")
    source, img = card.find("source"), card.find("img")
    assert source["type"] == "image/webp" and "480w" in source["srcset"]
    assert "png" not in img["srcset"] and img["srcset"].endswith("1200w")
    assert (img["width"], img["height"]) == ("1200", "675")
    assert img["alt"] == ""
    assert img["loading"] == "lazy"
    assert img["class"] == "card__image"
    assert "fetchpriority" not in img.attrs


def test_without_renditions_the_original_image_is_shown(client):
    article = article_with_hero(size=(1200, 675))

    picture = hero_picture(client.get(article.get_absolute_url()))

    assert picture.find("source") is None
    img = picture.find("img")
    assert img["src"] == article.hero_image.url
    assert "srcset" not in img.attrs
    assert (img["width"], img["height"]) == ("1200", "675")


# --- Made by the importer and load_demo. ---


@pytest.fixture
def content_folder(tmp_path):
    root = tmp_path / "content"
    write_md(root / "categories/sleep.md", {"name": "Sleep"}, "Rest.")
    write_md(root / "sources/nhs.md", {"name": "NHS", "type": "government_authority"})
    write_md(root / "reviewers/ada-lovelace.md", {"name": "Ada Lovelace"}, "Ada.")
    image = root / "images/articles/sleep.jpg"
    image.parent.mkdir(parents=True)
    Image.new("RGB", (1000, 500), (20, 40, 60)).save(image, format="JPEG")
    write_article(root, hero_image="images/articles/sleep.jpg")
    return root


def test_import_makes_the_renditions_and_a_new_image_replaces_them(
    content_folder, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_content(directory=content_folder)
    article = Article.objects.get(slug="sleep-basics")
    first = {r["name"] for r in article.hero_renditions}
    assert summary(article.hero_renditions) == [
        ("webp", 480, 240), ("jpeg", 480, 240), ("webp", 800, 400), ("jpeg", 800, 400),
        ("webp", 1000, 500), ("jpeg", 1000, 500),
    ]  # fmt: skip
    assert rendition_files(settings) == first

    with django_capture_on_commit_callbacks(execute=True):
        import_content(directory=content_folder)  # the same folder again: nothing changes
    assert rendition_files(settings) == first

    image = content_folder / "images/articles/sleep.jpg"
    Image.new("RGB", (800, 400), (90, 10, 10)).save(image, format="JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        import_content(directory=content_folder)
    article.refresh_from_db()
    assert [r["width"] for r in article.hero_renditions] == [480, 480, 800, 800]
    assert rendition_files(settings) == {r["name"] for r in article.hero_renditions}


def test_a_failed_import_leaves_no_renditions_behind(content_folder, settings, monkeypatch):
    from contentfiles import importer as content_files

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(content_files._Writer, "_record_review", fail)

    with pytest.raises(RuntimeError):
        import_content(directory=content_folder)

    assert rendition_files(settings) == set()
    assert not Article.objects.exists()


def test_the_demo_site_uses_renditions(settings):
    call_command("load_demo", stdout=io.StringIO())

    with_image = Article.objects.exclude(hero_image="")
    assert with_image.exists()
    for article in with_image:
        assert {r["format"] for r in article.hero_renditions} == {"webp", "jpeg"}, article.slug
        assert all((media(settings) / r["name"]).is_file() for r in article.hero_renditions)


def test_editors_cannot_edit_the_renditions(admin_client):
    response = admin_client.get(ADD_URL)

    assert "hero_renditions" not in response.context["adminform"].form.fields


def test_refresh_renditions_command_fills_in_older_articles(settings):
    older = article_with_hero(slug="older")
    done = article_with_hero(slug="done")
    refresh_hero_renditions(article=done)
    ArticleFactory(slug="no-image")
    out = io.StringIO()

    call_command("refresh_renditions", stdout=out)

    assert len(Article.objects.get(pk=older.pk).hero_renditions) == 8
    assert out.getvalue().splitlines() == [
        "older: 8 renditions",
        "1 of 2 hero images given new renditions.",
    ]
