"""The shapes of the API's answers. The OpenAPI description is generated from these, and
every answer is validated against them before it is sent (api/views.py)."""

import datetime

from pydantic import BaseModel, Field


class Schema(BaseModel):
    """Plain pydantic models: answers are built as dicts (api/payloads.py), so ninja's
    Schema, which reads Django objects attribute by attribute, would only slow them down."""


class Error(Schema):
    error: str = Field(description="What is wrong and how to put it right.")


class Rendition(Schema):
    url: str = Field(description="Absolute URL of this copy of the image.")
    width: int
    height: int
    format: str = Field(description="webp, jpeg or png.")


class Image(Schema):
    url: str = Field(description="The original image (use a rendition where you can).")
    width: int | None
    height: int | None
    alt: str = Field(description="Alt text: show it to readers who cannot see the picture.")
    credit: str = Field(description="Show it with the image when not empty.")
    renditions: list[Rendition]


class CategoryRef(Schema):
    id: int
    slug: str
    name: str
    url: str


class Category(CategoryRef):
    description: str
    article_count: int = Field(description="Published articles in this topic.")


class Tag(Schema):
    slug: str
    name: str
    url: str


class Reviewer(Schema):
    id: int
    slug: str
    name: str
    credentials: str = Field(description="Post-nominals as the reviewer uses them, verbatim.")
    name_with_credentials: str
    specialty: str
    url: str = Field(description="The reviewer's public profile page.")
    photo: Image | None


class ReviewerDetail(Reviewer):
    bio: str


class Source(Schema):
    id: int
    slug: str
    name: str
    source_type: str
    source_type_label: str
    trust_label: str = Field(description="What readers are told about the source.")
    url: str


class Citation(Schema):
    number: int = Field(description="Its number in the article's Sources list.")
    key: str
    title: str
    url: str
    authors: str
    year: int | None
    doi: str
    pmid: str
    accessed_on: datetime.date | None
    source_name: str
    source_url: str
    source_type: str
    trust_label: str


class FAQ(Schema):
    question: str
    answer_html: str
    answer_text: str


class Translation(Schema):
    id: int
    language: str
    title: str
    url: str
    api_url: str


class ArticleSummary(Schema):
    id: int
    slug: str
    title: str
    summary: str
    url: str = Field(description="The article's canonical page: link readers to it.")
    api_url: str
    language: str = Field(description="The language it is written in (BCP 47), e.g. en, es.")
    translation_of: int | None = Field(
        description="For a translation: the id of the article it translates."
    )
    translation_out_of_date: bool = Field(
        description="A translation whose source has since published newer content."
    )
    category: CategoryRef
    tags: list[Tag]
    author: str
    reviewer: Reviewer
    first_published_at: datetime.datetime
    version_published_at: datetime.datetime = Field(
        description="When the content shown was published (or last confirmed by a re-review)."
    )
    updated_at: datetime.datetime = Field(
        description="The latest change to anything this article's answer shows."
    )
    last_reviewed_on: datetime.date = Field(description="“Page last reviewed”.")
    next_review_due: datetime.date | None = Field(description="“Next review due”.")
    being_reviewed: bool = Field(
        description="Overdue for review: the page tells readers it is being reviewed."
    )
    is_sample: bool = Field(description="Demo content, not real guidance.")
    hero_image: Image | None


class Article(ArticleSummary):
    body_html: str = Field(
        description="Sanitised HTML; citation markers are buttons with a hidden panel."
    )
    body_text: str = Field(description="The body as plain text, one line per block.")
    outline: list[list[str]] = Field(description="[anchor, heading] of each section.")
    citations: list[Citation]
    faqs: list[FAQ]
    translations: list[Translation] = Field(
        description="The same article published in other languages (its source and the "
        "source's other translations, for a translation)."
    )
    version: int = Field(description="The number of the published version shown.")


class ArticleAnswer(Schema):
    attribution: str = Field(description="Show this wherever you show the content.")
    data: Article


class ArticlePage(Schema):
    attribution: str
    data: list[ArticleSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")
    next: str | None = Field(description="The next page's full URL; null on the last page.")


class CategoryList(Schema):
    attribution: str
    data: list[Category]


class ReviewerList(Schema):
    attribution: str
    data: list[ReviewerDetail]


class SourceList(Schema):
    attribution: str
    data: list[Source]
