"""The reviewer admin: pages load, photos are checked, and reviewers are easy to find."""

import warnings

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import UnorderedObjectListWarning
from django.urls import reverse

from reviewers.models import Reviewer
from tests.factories import ArticleFactory, ReviewerFactory, UserFactory, image_file

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:reviewers_reviewer_changelist")
ADD_URL = reverse("admin:reviewers_reviewer_add")


def reviewer_post(**overrides):
    data = {
        "name": "Dr Jane Lee",
        "slug": "jane-lee",
        "credentials": "MD, FACP",
        "specialty": "Rheumatology",
        "bio": "Jane is a consultant rheumatologist.",
        "user": "",
        "is_active": "on",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def form_errors(response):
    return response.context["adminform"].form.errors


def test_changelist_add_and_change_pages_load(admin_client):
    reviewer = ReviewerFactory(name="Dr Jane Lee", credentials="MD")

    changelist = admin_client.get(CHANGELIST_URL)
    add = admin_client.get(ADD_URL)
    change = admin_client.get(reverse("admin:reviewers_reviewer_change", args=[reviewer.pk]))

    assert (changelist.status_code, add.status_code, change.status_code) == (200, 200, 200)
    assert "Dr Jane Lee" in changelist.content.decode()
    assert change.context["original"] == reviewer
    assert "No photo" in change.content.decode()


def test_change_page_previews_the_photo(admin_client):
    reviewer = ReviewerFactory(photo=image_file("jane.jpg", size=(400, 400)))

    response = admin_client.get(reverse("admin:reviewers_reviewer_change", args=[reviewer.pk]))

    assert f'<img src="{reviewer.photo.url}" alt=""' in response.content.decode()


def test_changelist_counts_reviewed_articles(admin_client):
    busy = ReviewerFactory(name="Busy")
    ReviewerFactory(name="Idle")
    ArticleFactory.create_batch(2, reviewer=busy)

    response = admin_client.get(CHANGELIST_URL)

    counts = {r.name: r._article_count for r in response.context["cl"].result_list}
    assert counts == {"Busy": 2, "Idle": 0}


def test_add_reviewer_with_photo(admin_client):
    user = UserFactory(username="jlee")
    photo = image_file("jane.png", size=(400, 400), image_format="PNG")

    response = admin_client.post(ADD_URL, reviewer_post(user=str(user.pk), photo=photo))

    assert response.status_code == 302, form_errors(response)
    reviewer = Reviewer.objects.get(slug="jane-lee")
    assert reviewer.user == user
    assert reviewer.name_with_credentials == "Dr Jane Lee, MD, FACP"
    assert reviewer.photo.name.startswith("reviewers/jane")
    assert (reviewer.photo_width, reviewer.photo_height) == (400, 400)


def test_photo_that_is_not_an_image_is_refused(admin_client):
    not_a_photo = SimpleUploadedFile("jane.jpg", b"%PDF-1.4 a CV", content_type="image/jpeg")

    response = admin_client.post(ADD_URL, reviewer_post(photo=not_a_photo))

    assert response.status_code == 200
    (message,) = form_errors(response)["photo"]
    assert message == "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF file."
    assert not Reviewer.objects.exists()


@pytest.mark.parametrize(("name", "image_format"), [("jane.bmp", "BMP"), ("jane.tif", "TIFF")])
def test_photo_in_an_unsupported_format_is_refused_with_what_to_upload(
    admin_client, name, image_format
):
    photo = image_file(name, size=(400, 400), image_format=image_format)

    response = admin_client.post(ADD_URL, reviewer_post(photo=photo))

    assert response.status_code == 200
    assert form_errors(response)["photo"] == [
        f"{image_format} images are not supported. Upload a JPEG, PNG, WebP or GIF file."
    ]
    assert not Reviewer.objects.exists()


def test_photo_with_too_many_pixels_is_refused(admin_client, monkeypatch):
    from images import checks as images

    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)

    response = admin_client.post(
        ADD_URL, reviewer_post(photo=image_file("jane.jpg", size=(101, 100)))
    )

    assert response.status_code == 200
    (message,) = form_errors(response)["photo"]
    assert message.startswith("This image is 101×100 pixels")
    assert message.endswith("Resize it and upload again.")
    assert not Reviewer.objects.exists()


def test_name_is_required(admin_client):
    response = admin_client.post(ADD_URL, reviewer_post(name=""))

    assert "name" in form_errors(response)
    assert not Reviewer.objects.exists()


def test_search_by_name_credentials_and_specialty(admin_client):
    ReviewerFactory(name="Dr Jane Lee", credentials="D.Ac., L.Ac.", specialty="Acupuncture")
    ReviewerFactory(name="Dr Sam Okafor", credentials="MD", specialty="Cardiology")

    def found(query):
        response = admin_client.get(CHANGELIST_URL, {"q": query})
        return [r.name for r in response.context["cl"].result_list]

    assert found("okafor") == ["Dr Sam Okafor"]
    assert found("L.Ac.") == ["Dr Jane Lee"]
    assert found("cardio") == ["Dr Sam Okafor"]


def test_active_filter(admin_client):
    ReviewerFactory(name="Active")
    ReviewerFactory(name="Retired", is_active=False)

    response = admin_client.get(CHANGELIST_URL, {"is_active__exact": "0"})

    assert [r.name for r in response.context["cl"].result_list] == ["Retired"]


def test_user_autocomplete_finds_accounts(admin_client):
    UserFactory(username="jlee")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "jle", "app_label": "reviewers", "model_name": "reviewer", "field_name": "user"},
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["jlee"]


def test_reviewer_autocomplete_on_the_article_form_is_alphabetical(admin_client):
    for name in ("Zeta", "Alpha", "Mu"):
        ReviewerFactory(name=name, credentials="")

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "",
                "app_label": "articles",
                "model_name": "article",
                "field_name": "reviewer",
            },
        )

    assert [r["text"] for r in response.json()["results"]] == ["Alpha", "Mu", "Zeta"]
