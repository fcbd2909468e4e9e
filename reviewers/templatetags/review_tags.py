from django import template
from django.utils import timezone

from reviewers.models import ReviewRequest

register = template.Library()


@register.inclusion_tag("admin/reviewers/includes/my_queue.html", takes_context=True)
def review_queue(context):
    """The signed-in reviewer's open reviews, shown first on the admin home page."""
    user = context["request"].user
    profile = getattr(user, "reviewer_profile", None)
    reviews = []
    if profile is not None and user.has_perm("reviewers.sign_off"):
        reviews = list(
            ReviewRequest.objects.open()
            .filter(reviewer=profile)
            .select_related("article")
            .order_by("due_on", "created_at")
        )
    return {
        "profile": profile,
        "reviews": reviews,
        "today": timezone.localdate(),
        "can_see_dashboard": user.has_perm("reviewers.view_reviewrequest"),
    }
