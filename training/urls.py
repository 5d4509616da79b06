from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("training/", views.home, name="home"),
    # The trainer's side: cohorts.
    path("training/cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort-detail"),
    path("training/cohorts/<int:cohort_id>/invite/", views.trainee_invite, name="trainee-invite"),
    path(
        "training/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("training/cohorts/<int:cohort_id>/trainers/", views.trainer_add, name="trainer-add"),
    path("training/cohorts/<int:cohort_id>/days/", views.cohort_outline, name="cohort-outline"),
    path(
        "training/cohorts/<int:cohort_id>/trainees/<int:user_id>/",
        views.trainee_journal,
        name="trainee-journal",
    ),
    # The trainee's side: the journal.
    path("training/journal/<int:cohort_id>/", views.journal, name="journal"),
    path("training/journal/<int:cohort_id>/days/<int:number>/", views.day_detail, name="day"),
    path(
        "training/journal/<int:cohort_id>/days/<int:number>/write/", views.entry_create, name="entry-create"
    ),
    path("training/journal/<int:cohort_id>/summary/", views.summary, name="summary"),
    path("training/journal/<int:cohort_id>/export.md", views.export_markdown, name="export-markdown"),
    path("training/journal/<int:cohort_id>/print/", views.export_print, name="export-print"),
    path("training/entries/<int:pk>/edit/", views.entry_edit, name="entry-edit"),
    path("training/entries/<int:pk>/share/", views.entry_share, name="entry-share"),
    path("training/entries/<int:pk>/unshare/", views.entry_unshare, name="entry-unshare"),
    path("training/entries/<int:pk>/delete/", views.entry_delete, name="entry-delete"),
    # Feedback on shared entries.
    path("training/entries/<int:pk>/feedback/", views.feedback_create, name="feedback-create"),
    path("training/feedback/<int:pk>/edit/", views.feedback_edit, name="feedback-edit"),
    path("training/feedback/<int:pk>/delete/", views.feedback_delete, name="feedback-delete"),
    path("training/feedback/<int:pk>/replies/", views.reply_create, name="reply-create"),
    path("training/replies/<int:pk>/delete/", views.reply_delete, name="reply-delete"),
]
