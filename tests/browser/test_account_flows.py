"""Accounts end to end, as a person does them in Chromium, with axe on every page visited."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Invitation, Membership, Role, User
from tests.browser.conftest import assert_no_axe_violations, check_page, login_with_form, logout
from tests.conftest import PASSWORD

NEW_PASSWORD = "quiet-harbour-5390"


def last_link(to, pattern):
    """The first link matching `pattern` in the newest mail sent to `to`."""
    sent = [message for message in mail.outbox if to in message.to]
    assert sent, f"no mail to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    match = re.search(rf"https?://\S+{pattern}\S*/", sent[-1].body)
    assert match, f"no {pattern} link in:\n{sent[-1].body}"
    return match.group(0)


def totp_code(secret):
    """RFC 6238 with allauth's own helpers: the code an authenticator app shows now.

    allauth accepts only the current 30-second window, so near its end wait for the next one
    rather than send a code that expires on the way.
    """
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_up(page, *, name, email, time_zone="Europe/Berlin"):
    """Fill the sign-up form as a person does; leaves the page on "verify your email"."""
    check_page(page, "signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_label("Time zone").select_option(time_zone)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("verify your email", re.I))
    check_page(page, "verification-sent")


def confirm_email(page, email):
    """Open the confirmation link from the mail and press Confirm (links never confirm on GET)."""
    page.goto(last_link(email, "/accounts/confirm-email/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("confirm", re.I))
    check_page(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()


def expect_dashboard(page, name):
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"This week, {name}")
    check_page(page, "dashboard")


# --- (a) Sign up, verify, sign out, sign in ----------------------------------------------------


def test_a_new_person_signs_up_verifies_signs_out_and_in(page):
    page.goto("/")
    # Anonymous people are sent to sign in; from there they find the sign-up page.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    check_page(page, "login")
    page.get_by_role("link", name="sign up").click()

    sign_up(page, name="Noor Haddad", email="noor.haddad@riverside.example.org")
    user = User.objects.get(email="noor.haddad@riverside.example.org")
    assert (user.display_name, user.time_zone) == ("Noor Haddad", "Europe/Berlin")
    # Not signed in before the address is verified.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    confirm_email(page, "noor.haddad@riverside.example.org")
    expect_dashboard(page, "Noor Haddad")
    assert user.emailaddress_set.get().verified

    logout(page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    check_page(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    login_with_form(page, "noor.haddad@riverside.example.org", NEW_PASSWORD)
    expect_dashboard(page, "Noor Haddad")


def test_a_wrong_password_is_refused_with_a_message_next_to_the_form(page, author):
    login_with_form(page, author.email, "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("form")).to_contain_text("not correct")
    check_page(page, "login-error")


def test_sign_up_errors_are_shown_and_typed_text_is_kept(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Noor Haddad")
    page.get_by_label("Email").fill("noor.haddad@riverside.example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill("something-else-entirely")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_label("Your name")).to_have_value("Noor Haddad")
    expect(page.locator("form")).to_contain_text("same password")
    check_page(page, "signup-error")
    assert not User.objects.filter(email="noor.haddad@riverside.example.org").exists()


# --- (b) Invitations ---------------------------------------------------------------------------


def invite(page, team, email, role_label):
    page.goto("/teams/")
    check_page(page, "teams")
    page.get_by_role("link", name=re.compile("Members and invitations")).first.click()
    expect(page).to_have_url(re.compile(rf"/teams/{team.pk}/members/$"))
    check_page(page, "team-members")
    invite_form = page.locator("section", has=page.get_by_role("heading", name="Invite someone"))
    invite_form.get_by_label("Email").fill(email)
    invite_form.get_by_label("Role").select_option(label=role_label)
    invite_form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"An invitation is on its way to {email}")
    check_page(page, "team-members-invited")
    return last_link(email, "/invitations/")


def test_b_a_supervisor_invites_a_new_peer_who_signs_up_and_joins(
    page, new_person_context, login, team, supervisor
):
    login(page, supervisor)
    link = invite(page, team, "kofi.mensah@riverside.example.org", "Peer worker")

    # The invitee, on their own computer, has no account yet.
    invitee = new_person_context().new_page()
    invitee.goto(link)
    expect(invitee).to_have_url(re.compile(r"/accounts/login/\?next=(/|%2F)invitations"))
    check_page(invitee)
    invitee.get_by_role("link", name="sign up").click()
    expect(invitee).to_have_url(re.compile(r"/accounts/signup/\?next=(/|%2F)invitations"))
    sign_up(invitee, name="Kofi Mensah", email="kofi.mensah@riverside.example.org")
    confirm_email(invitee, "kofi.mensah@riverside.example.org")

    # Verifying the address signs them in and brings them back to the invitation.
    expect(invitee).to_have_url(re.compile(r"/invitations/"))
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Riverside Peer Respite")
    check_page(invitee, "invitation")
    invitee.get_by_role("button", name="Accept and join").click()

    expect_dashboard(invitee, "Kofi Mensah")
    expect(invitee.get_by_role("status")).to_contain_text("Welcome to Riverside Peer Respite")
    expect(invitee.get_by_role("main")).to_contain_text("Riverside Peer Respite — Peer worker")
    kofi = User.objects.get(email="kofi.mensah@riverside.example.org")
    assert Membership.objects.filter(team=team, user=kofi, role=Role.PEER).exists()
    assert Invitation.objects.get(email=kofi.email).accepted_by == kofi

    # The supervisor sees the new member on the members page.
    page.reload()
    expect(page.get_by_role("table")).to_contain_text("Kofi Mensah")
    expect(page.get_by_role("main")).to_contain_text("No invitations waiting.")


def test_b_an_invited_person_with_an_account_signs_in_and_joins(
    page, new_person_context, login, team, supervisor, stranger
):
    login(page, supervisor)
    link = invite(page, team, stranger.email, "Trainee")

    invitee = new_person_context().new_page()
    invitee.goto(link)
    expect(invitee).to_have_url(re.compile(r"/accounts/login/\?next=(/|%2F)invitations"))
    invitee.get_by_label("Email").fill(stranger.email)
    invitee.get_by_label("Password").fill(PASSWORD)
    invitee.get_by_role("button", name="Sign in").click()
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Riverside Peer Respite")
    invitee.get_by_role("button", name="Accept and join").click()
    expect_dashboard(invitee, stranger.display_name)
    expect(invitee.get_by_role("main")).to_contain_text("Riverside Peer Respite — Trainee")


def test_b_an_invitation_opened_by_someone_signed_in_with_another_email_is_refused(
    page, new_person_context, login, team, supervisor, stranger
):
    login(page, supervisor)
    link = invite(page, team, "kofi.mensah@riverside.example.org", "Peer worker")

    other = login(new_person_context().new_page(), stranger)
    other.goto(link)
    expect(other.get_by_role("main")).to_contain_text(
        f"This invitation is for kofi.mensah@riverside.example.org, but you are signed in as {stranger.email}"
    )
    expect(other.get_by_role("button", name="Accept and join")).to_have_count(0)
    check_page(other, "invitation-other-email")
    assert not Membership.objects.filter(user=stranger).exists()
    assert Invitation.objects.get().accepted is None


# --- (c) Two-factor authentication -------------------------------------------------------------


def sign_in_with_code(page, email, code):
    login_with_form(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    check_page(page, "mfa-authenticate")
    page.get_by_label(re.compile("code", re.I)).fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_c_a_person_turns_on_totp_and_signs_in_with_a_code_then_a_recovery_code(page, author):
    login_with_form(page, author.email, PASSWORD)
    page.goto("/accounts/2fa/")
    check_page(page, "mfa-index")
    page.get_by_role("link", name="Activate").click()
    # Turning on 2FA asks for the password again, even right after signing in.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    check_page(page, "reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    check_page(page, "mfa-totp-activate")

    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    # Recovery codes are generated with the app and shown once, right away.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    check_page(page, "mfa-recovery-codes")
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10
    assert Authenticator.objects.filter(user=author, type=Authenticator.Type.TOTP).exists()

    page.goto("/accounts/2fa/")
    expect(page.get_by_role("main")).to_contain_text("Authentication using an authenticator app is active.")
    check_page(page, "mfa-index-active")

    # A password alone no longer signs in: the app's code does.
    logout(page)
    sign_in_with_code(page, author.email, totp_code(secret))
    expect_dashboard(page, author.display_name)

    # Without the phone, one recovery code signs in once.
    logout(page)
    sign_in_with_code(page, author.email, codes[0])
    expect_dashboard(page, author.display_name)
    page.goto("/accounts/2fa/")
    expect(page.get_by_role("main")).to_contain_text("There are 9 out of 10 recovery codes available.")

    logout(page)
    sign_in_with_code(page, author.email, codes[0])
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.locator("form.form")).to_contain_text(re.compile("incorrect", re.I))
    check_page(page, "mfa-authenticate-error")


# --- (d) Sessions ------------------------------------------------------------------------------


def test_d_signing_out_other_sessions_ends_them(page, new_person_context, author):
    laptop = login_with_form(page, author.email, PASSWORD)
    phone = login_with_form(new_person_context().new_page(), author.email, PASSWORD)
    expect_dashboard(phone, author.display_name)
    assert UserSession.objects.filter(user=author).count() == 2

    laptop.goto("/accounts/sessions/")
    check_page(laptop, "sessions")
    sessions = laptop.locator(".session-list > li")
    expect(sessions).to_have_count(2)
    expect(sessions.filter(has_text="This browser")).to_have_count(1)
    laptop.get_by_role("button", name="Sign out other sessions").click()
    expect(laptop.get_by_role("status")).to_contain_text(re.compile("signed out", re.I))
    expect(sessions).to_have_count(1)
    expect(laptop.get_by_role("main")).to_contain_text("This is the only browser where you are signed in.")
    check_page(laptop, "sessions-after")
    assert UserSession.objects.filter(user=author).count() == 1

    phone.goto("/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    laptop.goto("/")
    expect_dashboard(laptop, author.display_name)


# --- Every main page, on a desktop and on a phone ----------------------------------------------

SIGNED_IN_PAGES = [
    ("/", "dashboard"),
    ("/teams/", "teams"),
    ("/teams/{team}/members/", "team-members"),
    ("/account/profile/", "profile"),
    ("/accounts/email/", "email"),
    ("/accounts/password/change/", "password-change"),
    ("/accounts/2fa/", "mfa-index"),
    ("/accounts/sessions/", "sessions"),
]
ANONYMOUS_PAGES = [
    ("/accounts/login/", "login"),
    ("/accounts/signup/", "signup"),
    ("/accounts/password/reset/", "password-reset"),
]


PAGE_FIXTURES = {"desktop": "page", "phone": "phone_page", "dark": "dark_page"}


@pytest.mark.parametrize("variant", PAGE_FIXTURES)
def test_main_pages_pass_axe(request, variant, login, team, supervisor):
    page = request.getfixturevalue(PAGE_FIXTURES[variant])
    for path, name in ANONYMOUS_PAGES:
        page.goto(path)
        check_page(page, f"{variant}-{name}")
    login(page, supervisor)
    for path, name in SIGNED_IN_PAGES:
        response = page.goto(path.format(team=team.pk))
        assert response.ok, f"{path}: {response.status}"
        check_page(page, f"{variant}-{name}")
        if variant == "phone":
            # Nothing wider than a phone: no sideways scrolling of the whole page. (Measured against
            # the set width: a mobile browser zooms out to fit, hiding overflow from innerWidth.)
            overflow = page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"


# --- The harness itself ------------------------------------------------------------------------


def test_the_axe_check_reports_violations(page):
    """Guards against an axe setup that silently checks nothing."""
    page.set_content(
        '<html><head><title>t</title></head><body><main><input type="text"></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception, match=r"label \(critical\)"):
        assert_no_axe_violations(page)
