from django.shortcuts import get_object_or_404

from articles.views import PublishedArticleListView
from reviewers.models import Reviewer


class ReviewerProfileView(PublishedArticleListView):
    """A reviewer's public profile with the published articles they reviewed."""

    template_name = "reviewers/reviewer_detail.html"

    def get_queryset(self):
        self.reviewer = get_object_or_404(Reviewer, slug=self.kwargs["slug"])
        return self.published_articles().filter(reviewer=self.reviewer)

    def get_context_data(self, **kwargs):
        return super().get_context_data(reviewer=self.reviewer, **kwargs)
