from django import template
from django.urls import reverse
from django.utils import timezone

from reviewers.models import ReviewRequest

register = template.Library()


@register.inclusion_tag("admin/reviewers/includes/my_queue.html", takes_context=True)
def review_queue(context):
    """The signed-in reviewer's open reviews, shown first on the admin home page."""
    request = context["request"]
    user = request.user
    profile = getattr(user, "reviewer_profile", None)
    reviews = []
    if profile is not None and user.has_perm("reviewers.sign_off"):
        reviews = list(
            ReviewRequest.objects.open()
            .filter(reviewer=profile)
            .select_related("article")
            .order_by("due_on", "created_at")
        )
    calendar_url = None
    if profile is not None and profile.calendar_token:
        calendar_url = request.build_absolute_uri(
            reverse("reviewers:calendar", args=[profile.calendar_token])
        )
    return {
        "profile": profile,
        "calendar_url": calendar_url,
        "reviews": reviews,
        "today": timezone.localdate(),
        "can_see_dashboard": user.has_perm("reviewers.view_reviewrequest"),
    }
