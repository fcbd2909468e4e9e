"""What a test passes to decide_review to sign the decision, as the review page does: a
confirmation of who the user is, made just now, and the statement naming the content."""

from django.utils import timezone

from articles.versions import content_snapshot, fingerprint
from editorial.models import ConfirmationMethod
from editorial.signatures import Confirmation, statement_for


def signed(review_request, user) -> dict:
    article = review_request.article
    article.refresh_from_db()
    snapshot = content_snapshot(article)
    return {
        "confirmation": Confirmation(
            user_id=getattr(user, "pk", None),
            method=ConfirmationMethod.PASSWORD,
            confirmed_at=timezone.now(),
        ),
        "statement": statement_for(
            reviewer=review_request.reviewer,
            snapshot=snapshot,
            content_fingerprint=fingerprint(snapshot),
        ),
    }


def signature_fields(client, url: str, *, secret: str = "password") -> dict:
    """The review page's hidden fields as shown, the statement affirmed and the password
    (factories' users have "password"), as a reviewer fills them in."""
    form = client.get(url).context["form"]
    return {
        "content_fingerprint": form.initial["content_fingerprint"],
        "statement": form.initial["statement"],
        "affirm": "on",
        "secret": secret,
    }
