from django.urls import path

from editorial import views

app_name = "editorial"

urlpatterns = [
    path("reviewers/calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
]
