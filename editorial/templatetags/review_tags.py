from django import template
from django.urls import reverse

from editorial.models import ReviewRequest

register = template.Library()


@register.inclusion_tag("editorial/includes/my_queue.html", takes_context=True)
def review_queue(context):
    """The signed-in reviewer's open reviews, shown first on the admin home page."""
    request = context["request"]
    user = request.user
    profile = getattr(user, "reviewer_profile", None)
    reviews = []
    if profile is not None and user.has_perm("editorial.sign_off"):
        reviews = list(
            ReviewRequest.objects.open()
            .filter(reviewer=profile)
            .select_related("article")
            .order_by("due_on", "created_at")
        )
    return {
        "profile": profile,
        "calendar_link_url": (
            reverse("admin:reviewers_reviewer_calendar_link", args=[profile.pk])
            if profile
            else None
        ),
        "reviews": reviews,
        "can_see_dashboard": user.has_perm("editorial.view_reviewrequest"),
    }
