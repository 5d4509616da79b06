"""The demo people, shared by `seed_demo` and the tests' realistic fixtures."""

from allauth.account.models import EmailAddress

from .models import Membership, Role, Team, User

DEMO_PASSWORD = "co-reflect-2026"  # noqa: S105 - printed for the demo, never used in production

TEAM = {"name": "Riverside Peer Respite", "organisation": "Riverside Community Mental Health Collective"}
PEOPLE = [
    ("rosa@riverside.example.org", "Rosa Delgado", Role.SUPERVISOR, "Europe/London"),
    ("maya@riverside.example.org", "Maya Okafor", Role.PEER, "Europe/London"),
    ("sam@riverside.example.org", "Sam Lindqvist", Role.PEER, "Europe/London"),
    ("jordan@riverside.example.org", "Jordan Ellis", Role.PEER, "Europe/London"),
    ("priya@riverside.example.org", "Priya Natarajan", Role.PEER, "Europe/London"),
    ("tom@riverside.example.org", "Tom Achterberg", Role.TRAINER, "Europe/London"),
    ("leah@riverside.example.org", "Leah Brennan", Role.TRAINEE, "Europe/London"),
    ("kwame@riverside.example.org", "Kwame Mensah", Role.TRAINEE, "Europe/London"),
    ("ines@riverside.example.org", "Inês Duarte", Role.TRAINEE, "Europe/Lisbon"),
]


def ensure_person(email, name, time_zone="Europe/London", password=DEMO_PASSWORD):
    """A user with a verified primary email address, created once."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"display_name": name, "time_zone": time_zone}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_people():
    team, _ = Team.objects.get_or_create(name=TEAM["name"], defaults={"organisation": TEAM["organisation"]})
    people = {}
    for email, name, role, time_zone in PEOPLE:
        user = ensure_person(email, name, time_zone)
        Membership.objects.get_or_create(team=team, user=user, role=role)
        people[email.split("@")[0]] = user
    return team, people
