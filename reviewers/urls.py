from django.urls import path

from reviewers import views

app_name = "reviewers"

urlpatterns = [
    path("reviewers/calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("reviewers/<slug:slug>/", views.ReviewerProfileView.as_view(), name="profile"),
]
