from django.urls import path

from reviewers import views

app_name = "reviewers"

urlpatterns = [
    path("reviewers/<slug:slug>/", views.ReviewerProfileView.as_view(), name="profile"),
]
