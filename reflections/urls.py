from django.urls import path

from . import views
from .views.export import thread_export

app_name = "reflections"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pairs/", views.pair_list, name="pair-list"),
    path("pairs/invite/", views.pair_invite, name="pair-invite"),
    path("pairs/<int:pk>/respond/", views.pair_respond, name="pair-respond"),
    path("pairs/<int:pk>/end/", views.pair_end, name="pair-end"),
    path("threads/<int:pk>/", views.thread_detail, name="thread-detail"),
    path("threads/<int:pk>/print/", thread_export, name="thread-export"),
    path("entries/", views.entry_list, name="entry-list"),
    path("entries/new/", views.entry_create, name="entry-create"),
    path("entries/preview/", views.entry_preview, name="entry-preview"),
    path("entries/<int:pk>/", views.entry_detail, name="entry-detail"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry-edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry-delete"),
    path("entries/<int:pk>/share/", views.entry_share, name="entry-share"),
    path("entries/<int:pk>/unshare/", views.entry_unshare, name="entry-unshare"),
    path("entries/<int:pk>/history/", views.entry_revisions, name="entry-revisions"),
    path("entries/<int:pk>/notes/", views.annotation_create, name="annotation-create"),
    path("drafts/save/", views.draft_save, name="draft-save"),
    path("drafts/<int:pk>/delete/", views.draft_delete, name="draft-delete"),
    path("notes/<int:pk>/edit/", views.annotation_edit, name="annotation-edit"),
    path("notes/<int:pk>/delete/", views.annotation_delete, name="annotation-delete"),
    path("notes/<int:pk>/resolve/", views.annotation_resolve, name="annotation-resolve"),
    path("notes/<int:pk>/replies/", views.reply_create, name="reply-create"),
    path("replies/<int:pk>/edit/", views.reply_edit, name="reply-edit"),
    path("replies/<int:pk>/delete/", views.reply_delete, name="reply-delete"),
]
