from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("review/", views.review_home, name="review-home"),
    path("review/teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path(
        "threads/<int:pair_id>/weeks/<str:week>/notes/", views.review_note_create, name="review-note-create"
    ),
    path("threads/<int:pair_id>/weeks/<str:week>/reviewed/", views.week_reviewed, name="week-reviewed"),
    path("review-notes/<int:note_id>/replies/", views.review_reply_create, name="review-reply-create"),
    path("review-notes/<int:note_id>/delete/", views.review_note_delete, name="review-note-delete"),
]
