"""Reviewer: how readers see the name, which reviewers are active, and the photo rules."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from reviewers.models import Reviewer
from tests.factories import ReviewerFactory, UserFactory, image_file

pytestmark = pytest.mark.django_db


def test_name_with_credentials_shows_post_nominals_verbatim():
    reviewer = ReviewerFactory(name="Dr Jane Lee", credentials="D.Ac., M.S., L.Ac., Dipl. Ac., CYT")

    assert reviewer.name_with_credentials == "Dr Jane Lee, D.Ac., M.S., L.Ac., Dipl. Ac., CYT"
    assert str(reviewer) == "Dr Jane Lee, D.Ac., M.S., L.Ac., Dipl. Ac., CYT"


def test_name_with_credentials_is_just_the_name_without_credentials():
    reviewer = ReviewerFactory(name="Sam Okafor", credentials="")

    assert reviewer.name_with_credentials == "Sam Okafor"
    assert str(reviewer) == "Sam Okafor"


def test_active_excludes_inactive_reviewers():
    active = ReviewerFactory()
    ReviewerFactory(is_active=False)

    assert list(Reviewer.objects.active()) == [active]


def test_reviewers_are_ordered_by_name():
    ReviewerFactory(name="Zoe")
    ReviewerFactory(name="Adam")

    assert [r.name for r in Reviewer.objects.all()] == ["Adam", "Zoe"]


def test_empty_name_is_refused_by_the_database():
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        ReviewerFactory(name="")

    assert "reviewer_name_not_empty" in str(excinfo.value)


def test_slug_is_unique():
    ReviewerFactory(slug="jane-lee")

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewerFactory(slug="jane-lee")


def test_profile_url_uses_the_slug():
    assert ReviewerFactory(slug="jane-lee").get_absolute_url() == "/reviewers/jane-lee/"


def test_deleting_the_user_keeps_the_reviewer():
    user = UserFactory()
    reviewer = ReviewerFactory(user=user)

    user.delete()

    reviewer.refresh_from_db()
    assert reviewer.user is None


def test_photo_is_stored_with_its_dimensions():
    reviewer = ReviewerFactory(photo=image_file("jane.png", size=(400, 400), image_format="PNG"))

    reviewer.refresh_from_db()
    assert reviewer.photo.name.startswith("reviewers/jane")
    assert (reviewer.photo_width, reviewer.photo_height) == (400, 400)


def test_photo_that_is_not_an_image_fails_full_clean_with_what_to_do():
    reviewer = ReviewerFactory.build(
        photo=SimpleUploadedFile("cv.pdf", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    )

    with pytest.raises(ValidationError) as excinfo:
        reviewer.full_clean()

    assert excinfo.value.message_dict["photo"] == [
        "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF file."
    ]


def test_photo_in_a_format_browsers_may_not_show_fails_full_clean():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40)).save(buffer, format="TIFF")
    reviewer = ReviewerFactory.build(photo=SimpleUploadedFile("jane.tif", buffer.getvalue()))

    with pytest.raises(ValidationError) as excinfo:
        reviewer.full_clean()

    assert excinfo.value.message_dict["photo"] == [
        "TIFF images are not supported. Upload a JPEG, PNG, WebP or GIF file."
    ]
