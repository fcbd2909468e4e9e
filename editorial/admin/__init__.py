"""The editorial admin: articles (the one ArticleAdmin), reviews and sign-offs, reviewers."""

from editorial.admin import articles, reviewers, reviews, tags, users  # noqa: F401 (registers the admins)
