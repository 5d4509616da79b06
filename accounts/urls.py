from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("account/profile/", views.profile, name="profile"),
    path("account/export/", views.export, name="export"),
    path("account/export/<int:pk>/download/", views.export_download, name="export-download"),
    path("account/delete/", views.account_delete, name="delete"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:team_id>/members/", views.team_members, name="team-members"),
    path("teams/<int:team_id>/invitations/", views.invitation_create, name="invitation-create"),
    path(
        "teams/<int:team_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "teams/<int:team_id>/members/<int:membership_id>/role/",
        views.membership_role,
        name="membership-role",
    ),
    path(
        "teams/<int:team_id>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
