import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import (
    FAQ,
    Article,
    ArticleStatus,
    Category,
    Citation,
    PublishedVersion,
    Source,
    SourceType,
    VersionKind,
)
from articles.versions import create_published_version, refresh_content_fingerprint
from reviewers.models import Reviewer


def image_file(name="hero.jpg", size=(800, 450), image_format="JPEG", color=(70, 130, 180)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    content_type = f"image/{image_format.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("password")


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    name = factory.Sequence(lambda n: f"Dr Alex Reviewer {n}")
    slug = factory.Sequence(lambda n: f"alex-reviewer-{n}")
    credentials = "MD, FACP"
    specialty = "Internal medicine"
    bio = "Alex reviews articles on internal medicine."


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "Articles about this topic."


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Health Agency {n}")
    slug = factory.Sequence(lambda n: f"health-agency-{n}")
    source_type = SourceType.GOVERNMENT_AUTHORITY
    trust_label = "Governmental authority"
    url = "https://www.example.gov/"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published, reviewed article; use status=ArticleStatus.DRAFT for a draft."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Understanding condition {n}")
    slug = factory.Sequence(lambda n: f"understanding-condition-{n}")
    category = factory.SubFactory(CategoryFactory)
    summary = "A short, plain summary of the condition."
    body = "## Overview\n\nMost people recover within a few weeks."
    author = "Sam Writer"
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    reviewer = factory.SubFactory(ReviewerFactory)
    last_reviewed_on = datetime.date(2026, 1, 3)
    next_review_due = datetime.date(2027, 1, 3)

    class Params:
        draft = factory.Trait(
            status=ArticleStatus.DRAFT,
            published_at=None,
            reviewer=None,
            last_reviewed_on=None,
            next_review_due=None,
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def live_version(self, create, extracted, **kwargs):
        """A published article gets its live version, as the review workflow would make it."""
        if create and self.status == ArticleStatus.PUBLISHED and self.live_version_id is None:
            republish(self, published_at=self.published_at)


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    article = factory.SubFactory(ArticleFactory)
    key = factory.Sequence(lambda n: f"source-{n}")
    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Guidance document {n}")
    url = factory.Sequence(lambda n: f"https://www.example.gov/guidance/{n}")
    year = 2023
    order = factory.Sequence(lambda n: n)


class FAQFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQ

    article = factory.SubFactory(ArticleFactory)
    question = factory.Sequence(lambda n: f"Question number {n}?")
    answer = "A short **answer**."
    order = factory.Sequence(lambda n: n)


class ReviewRequestFactory(factory.django.DjangoModelFactory):
    """An open review of a published article, due in two weeks; the reviewer has no
    account unless one is given (see reviewer_with_account)."""

    class Meta:
        model = "editorial.ReviewRequest"

    article = factory.SubFactory(ArticleFactory)
    reviewer = factory.SubFactory(ReviewerFactory)
    requested_by = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    note = "Please check the dosage advice."


def republish(article, *, published_at=None, change_summary="First published"):
    """Freeze the article's current content as its live version (after adding citations,
    FAQs or edits in a test), keeping its reviewer and review dates."""
    refresh_content_fingerprint(article=article)
    due = article.next_review_due
    version = create_published_version(
        article=article,
        reviewer=article.reviewer,
        reviewed_on=article.last_reviewed_on,
        kind=VersionKind.PUBLISHED,
        change_summary=change_summary,
        published_at=published_at,
    )
    article.refresh_from_db()
    if due and due != article.next_review_due:  # the factory's date, as if an editor set it
        Article.objects.filter(pk=article.pk).update(
            next_review_due=due, next_review_due_override=due
        )
        article.refresh_from_db()
    return version


def delete_all_articles():
    """Empty the database of articles and their history, which nothing in the site may
    delete (articles/models/records.py): on PostgreSQL by TRUNCATE, which the triggers
    guarding each row do not see; elsewhere past the models' refusal."""
    from django.db import connection

    from articles.models import ArticleEvent
    from editorial.models import ReviewRequest, SignOff

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending on the tables
            cursor.execute(
                "TRUNCATE articles_article, articles_publishedversion, articles_articleevent, "
                "reviewers_signoff CASCADE"
            )
        return
    Article.objects.update(live_version=None)
    for model in (SignOff, ArticleEvent):
        model.objects.all()._raw_delete(connection.alias)
    ReviewRequest.objects.all().delete()
    PublishedVersion.tags.through.objects.all().delete()
    PublishedVersion.objects.all()._raw_delete(connection.alias)
    Article.objects.all().delete()


def role_user(role: str, **kwargs):
    """A staff account in one of the groups the roles migration creates: "Writer",
    "Medical reviewer" or "Editor" (the real group, not hand-picked permissions)."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def reviewer_with_account(**kwargs):
    """A reviewer profile linked (Reviewer.user) to a "Medical reviewer" staff account."""
    return ReviewerFactory(user=role_user("Medical reviewer"), **kwargs)


def cited_article(*, published=True, citation_key="guidance", **kwargs):
    """An article that passes the pre-review checks: its body cites one source. Published
    (the default), its live version includes the citation; published=False: a draft."""
    kwargs.setdefault("body", f"## Overview\n\nMost people recover in weeks.[^{citation_key}]")
    review = {
        name: kwargs.pop(name)
        for name in ("reviewer", "last_reviewed_on", "next_review_due", "published_at")
        if name in kwargs
    }
    article = ArticleFactory(draft=True, **kwargs)
    CitationFactory(article=article, key=citation_key)
    if not published:
        for name, value in review.items():
            setattr(article, name, value)
        if review:
            article.save()
        return article
    article.reviewer = review.get("reviewer") or ReviewerFactory()
    article.last_reviewed_on = review.get("last_reviewed_on", datetime.date(2026, 1, 3))
    article.next_review_due = review.get("next_review_due", datetime.date(2027, 1, 3))
    republish(
        article,
        published_at=review.get("published_at", timezone.now() - datetime.timedelta(days=30)),
    )
    return article
