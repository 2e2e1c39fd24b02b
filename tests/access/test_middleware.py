"""The request gates: session limits, session ends on membership/role/MFA/password changes,
mandatory MFA, the confidentiality statement and the active cell."""

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casus.access import services
from casus.access.models import (
    DocumentStatus,
    Membership,
    RequestKind,
    Role,
    StatementSignature,
    StatementText,
)
from casus.audit.models import AuditEvent
from tests.conftest import World, ready_client
from tests.factories import MembershipFactory, UserFactory, enrol_totp, sign_statement

pytestmark = pytest.mark.django_db

DASHBOARD = "/"
PASSWORD = "correct horse battery"


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    """Stop the clock now; tests move it with ``frozen.shift``."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def login_url() -> str:
    return reverse("account_login")


def assert_logged_out(response) -> None:
    assert response.status_code == 302, response
    assert response["Location"].startswith(login_url())


def assert_redirects_to(response, url: str) -> None:
    assert response.status_code == 302, response
    assert response["Location"] == url


def logged_out_events(user) -> int:
    return AuditEvent.objects.filter(action="LOGGED_OUT", actor=user).count()


# --- Session limits --------------------------------------------------------------------------


def test_session_ends_after_30_minutes_idle(world: World, frozen) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    frozen.shift(datetime.timedelta(minutes=29))
    assert client.get(DASHBOARD).status_code == 200
    frozen.shift(datetime.timedelta(minutes=31))
    assert_logged_out(client.get(DASHBOARD))
    # Really over, not a one-off bounce.
    assert_logged_out(client.get(DASHBOARD))


def test_idle_limit_holds_whatever_the_cookie_says(world: World, frozen, settings) -> None:
    """Even with a longer session cookie, the middleware itself ends an idle session."""
    settings.SESSION_COOKIE_AGE = 24 * 3600
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    frozen.shift(datetime.timedelta(minutes=31))
    assert_logged_out(client.get(DASHBOARD))
    # The middleware logged the person out (Django's own expiry would not log it).
    assert logged_out_events(world.partner1) == 1
    assert_logged_out(client.get(DASHBOARD))


def test_session_ends_after_10_hours_despite_activity(world: World, frozen) -> None:
    client = ready_client(world.partner1)
    for _ in range(30):  # every 20 minutes, up to exactly 10 hours
        frozen.shift(datetime.timedelta(minutes=20))
        assert client.get(DASHBOARD).status_code == 200
    frozen.shift(datetime.timedelta(minutes=20))
    assert_logged_out(client.get(DASHBOARD))
    assert logged_out_events(world.partner1) == 1


def test_session_limit_answers_htmx_with_hx_redirect(world: World, frozen) -> None:
    client = ready_client(world.partner1)
    for _ in range(31):
        frozen.shift(datetime.timedelta(minutes=20))
        response = client.get(DASHBOARD, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == login_url()


def test_expired_session_answers_htmx_with_hx_redirect(world: World, frozen) -> None:
    """After Django itself dropped the idle session, htmx must still navigate to the login."""
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    frozen.shift(datetime.timedelta(minutes=31))
    response = client.get(reverse("audit:events"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(login_url())
    assert "next=" in response["HX-Redirect"]


# --- Session ends when the membership, role, MFA or password changes -----------------------


def _approve(world: World, request) -> None:
    services.membership_request_decide(actor=world.chair, request=request, approve=True)


def test_session_ends_when_the_membership_ends(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    request = services.membership_request_create(
        actor=world.cell_admin,
        cell=world.cell_a,
        kind=RequestKind.END,
        membership=world.membership(world.partner1),
    )
    assert client.get(DASHBOARD).status_code == 200  # a request alone changes nothing
    _approve(world, request)
    assert_logged_out(client.get(DASHBOARD))
    # Logging in again leads nowhere: no cell left.
    world.partner1.refresh_from_db()
    client.force_login(world.partner1)
    assert_redirects_to(client.get(DASHBOARD), reverse("core:choose_cell"))


def test_session_ends_when_the_term_ends(world: World) -> None:
    today = timezone.localdate()
    Membership.objects.filter(pk=world.membership(world.partner1).pk).update(term_end=today)
    brussels = ZoneInfo(settings.TIME_ZONE)
    late = datetime.datetime.combine(today, datetime.time(23, 50), tzinfo=brussels)
    with time_machine.travel(late, tick=False) as traveller:
        client = ready_client(world.partner1)
        assert client.get(DASHBOARD).status_code == 200
        traveller.shift(datetime.timedelta(minutes=20))  # past midnight, within the idle limit
        assert_logged_out(client.get(DASHBOARD))
    assert logged_out_events(world.partner1) == 1


def test_session_ends_when_the_role_changes(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    request = services.membership_request_create(
        actor=world.cell_admin,
        cell=world.cell_a,
        kind=RequestKind.CHANGE,
        membership=world.membership(world.partner1),
        role=Role.STRATEGIC,
    )
    _approve(world, request)
    assert_logged_out(client.get(DASHBOARD))


def test_session_ends_on_a_role_change_even_without_a_new_stamp(world: World) -> None:
    """The gate compares the membership it saw with the current one (defence in depth)."""
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    Membership.objects.filter(pk=world.membership(world.partner1).pk).update(role=Role.STRATEGIC)
    assert_logged_out(client.get(DASHBOARD))
    assert logged_out_events(world.partner1) == 1


def test_session_ends_when_the_membership_is_replaced(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    old = world.membership(world.partner1)
    Membership.objects.filter(pk=old.pk).update(ended_at=timezone.now())
    MembershipFactory(user=world.partner1, cell=world.cell_a, organisation=old.organisation)
    assert_logged_out(client.get(DASHBOARD))


def test_membership_change_answers_htmx_with_hx_redirect(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    Membership.objects.filter(pk=world.membership(world.partner1).pk).update(role=Role.STRATEGIC)
    response = client.get(DASHBOARD, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == login_url()


def test_removing_an_authenticator_ends_the_other_sessions(
    world: World, django_capture_on_commit_callbacks
) -> None:
    other = ready_client(world.partner1)
    assert other.get(DASHBOARD).status_code == 200
    client = ready_client(world.partner1)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.partner1).exists()
    assert_logged_out(other.get(DASHBOARD))
    # The session that removed it stays, but must enrol a factor again before any cell page.
    assert_redirects_to(client.get(DASHBOARD), reverse("mfa_index"))


def test_mfa_reset_by_the_installation_ends_every_session(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    services.user_mfa_reset(actor=world.installation_admin, user=world.partner1)
    assert_logged_out(client.get(DASHBOARD))
    world.partner1.refresh_from_db()
    client.force_login(world.partner1)
    assert_redirects_to(client.get(DASHBOARD), reverse("mfa_index"))


def test_password_change_ends_the_other_sessions(world: World) -> None:
    other = ready_client(world.partner1)
    assert other.get(DASHBOARD).status_code == 200
    client = ready_client(world.partner1)
    new = "a different long passphrase 42"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="PASSWORD_CHANGED", actor=world.partner1).exists()
    assert_logged_out(other.get(DASHBOARD))
    assert client.get(DASHBOARD).status_code == 200  # the session that changed it goes on


def test_other_people_keep_their_sessions(world: World) -> None:
    """Ending one person's sessions leaves everyone else alone."""
    partner2 = ready_client(world.partner2)
    assert partner2.get(DASHBOARD).status_code == 200
    services.user_mfa_reset(actor=world.installation_admin, user=world.partner1)
    request = services.membership_request_create(
        actor=world.cell_admin,
        cell=world.cell_a,
        kind=RequestKind.CHANGE,
        membership=world.membership(world.coordinator),
        role=Role.MEMBER,
    )
    _approve(world, request)
    assert partner2.get(DASHBOARD).status_code == 200


# --- MFA gate ------------------------------------------------------------------------------


def _without_mfa(user) -> Client:
    for membership in Membership.objects.filter(user=user):
        sign_statement(user, membership.cell)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    ["core:dashboard", "core:statement", "core:choose_cell", "setup:home", "audit:events"],
)
def test_no_cell_page_without_mfa(world: World, url: str) -> None:
    client = _without_mfa(world.cell_admin)
    assert_redirects_to(client.get(reverse(url)), reverse("mfa_index"))


def test_installation_pages_need_mfa_too(world: World) -> None:
    client = _without_mfa(world.installation_admin)
    assert_redirects_to(client.get(reverse("installation:cells")), reverse("mfa_index"))


@pytest.mark.parametrize(
    "url", ["mfa_index", "account_change_password", "account_reauthenticate", "account_logout"]
)
def test_account_pages_open_without_mfa(world: World, url: str) -> None:
    client = _without_mfa(world.partner1)
    assert client.get(reverse(url)).status_code == 200


def test_mfa_gate_answers_htmx_with_hx_redirect(world: World) -> None:
    client = _without_mfa(world.partner1)
    response = client.get(DASHBOARD, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("mfa_index")


def test_language_can_be_switched_before_enrolling(world: World) -> None:
    """The language switch is public: the MFA gate must not swallow it during enrolment."""
    client = _without_mfa(world.partner1)
    response = client.post(
        reverse("core:set_language"), {"language": "fr", "next": reverse("mfa_index")}
    )
    assert_redirects_to(response, reverse("mfa_index"))
    world.partner1.refresh_from_db()
    assert world.partner1.language == "fr"
    assert client.get(reverse("core:healthz")).status_code == 200


def test_unknown_pages_do_not_reveal_the_gate(world: World) -> None:
    client = _without_mfa(world.partner1)
    assert client.get("/no-such-page/").status_code == 404


def test_enrolling_opens_the_gate(world: World) -> None:
    client = _without_mfa(world.partner1)
    assert_redirects_to(client.get(DASHBOARD), reverse("mfa_index"))
    enrol_totp(world.partner1)
    assert client.get(DASHBOARD).status_code == 200


# --- Statement gate ------------------------------------------------------------------------


def _unsigned(user) -> Client:
    enrol_totp(user)
    client = Client()
    client.force_login(user)
    return client


def test_no_cell_page_without_a_signed_statement(world: World) -> None:
    client = _unsigned(world.partner1)
    assert_redirects_to(client.get(DASHBOARD), reverse("core:statement"))
    assert_redirects_to(client.get(reverse("setup:members")), reverse("core:statement"))
    response = client.get(reverse("core:statement"))
    assert response.status_code == 200
    assert "I keep everything secret." in response.content.decode()


def test_statement_gate_answers_htmx_with_hx_redirect(world: World) -> None:
    client = _unsigned(world.partner1)
    response = client.get(DASHBOARD, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("core:statement")


def test_signing_opens_the_cell(world: World) -> None:
    client = _unsigned(world.partner1)
    response = client.post(
        reverse("core:statement"), {"accept": "on", "signed_name": "Somebody Else"}
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert not StatementSignature.objects.filter(user=world.partner1).exists()
    response = client.post(
        reverse("core:statement"), {"accept": "on", "signed_name": "Partner One"}
    )
    assert_redirects_to(response, reverse("core:dashboard"))
    assert client.get(DASHBOARD).status_code == 200


def test_expired_signature_closes_the_cell(world: World, frozen) -> None:
    client = _unsigned(world.partner1)
    text = StatementText.objects.get(cell=world.cell_a, status=DocumentStatus.ACTIVE)
    StatementSignature.objects.create(
        text=text,
        user=world.partner1,
        signed_name="Partner One",
        expires_at=timezone.now() + datetime.timedelta(minutes=10),
    )
    assert client.get(DASHBOARD).status_code == 200
    frozen.shift(datetime.timedelta(minutes=11))
    assert_redirects_to(client.get(DASHBOARD), reverse("core:statement"))


def test_new_statement_version_must_be_signed_again(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    draft = services.statement_draft_create(
        actor=world.cell_admin, cell=world.cell_a, text="Version two.", validity_months=12
    )
    assert client.get(DASHBOARD).status_code == 200  # a draft changes nothing
    services.statement_activate(actor=world.chair, statement=draft)
    assert_redirects_to(client.get(DASHBOARD), reverse("core:statement"))
    assert_redirects_to(client.get(reverse("setup:home")), reverse("core:statement"))
    assert "Version two." in client.get(reverse("core:statement")).content.decode()
    client.post(reverse("core:statement"), {"accept": "on", "signed_name": "Partner One"})
    signature = StatementSignature.objects.filter(user=world.partner1).first()
    assert signature is not None and signature.text == draft
    assert client.get(DASHBOARD).status_code == 200


def test_signature_in_another_cell_does_not_count(world: World) -> None:
    MembershipFactory(user=world.partner1, cell=world.cell_b, role=Role.MEMBER)
    client = ready_client(world.partner1, cell=world.cell_a)  # signs cell A only
    services.user_choose_cell(actor=world.partner1, cell=world.cell_b)
    assert_redirects_to(client.get(DASHBOARD), reverse("core:statement"))


# --- Active cell ---------------------------------------------------------------------------


@pytest.fixture
def two_cells(world: World):
    """Partner One is also the cell administrator of cell B."""
    MembershipFactory(user=world.partner1, cell=world.cell_b, role=Role.CELL_ADMIN)
    return ready_client(world.partner1)


def _choose(client: Client, cell) -> None:
    response = client.post(reverse("core:choose_cell"), {"cell": cell.pk})
    assert_redirects_to(response, reverse("core:dashboard"))


def test_person_with_two_cells_chooses(world: World, two_cells: Client) -> None:
    assert_redirects_to(two_cells.get(DASHBOARD), reverse("core:choose_cell"))
    page = two_cells.get(reverse("core:choose_cell")).content.decode()
    assert "Cell A" in page and "Cell B" in page
    _choose(two_cells, world.cell_b)
    response = two_cells.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["request"].cell == world.cell_b
    assert response.context["membership"].role == Role.CELL_ADMIN


def test_chosen_cell_scopes_the_pages(world: World, two_cells: Client) -> None:
    _choose(two_cells, world.cell_b)
    page = two_cells.get(reverse("setup:organisations"))
    assert page.status_code == 200
    organisations = list(page.context["organisations"])
    assert "School B" in {o.name for o in organisations}
    assert {o.cell_id for o in organisations} == {world.cell_b.pk}
    assert "School A" not in page.content.decode()
    _choose(two_cells, world.cell_a)
    # In cell A the same person is a partner member: no setup pages at all.
    assert two_cells.get(reverse("setup:organisations")).status_code == 404
    assert two_cells.get(DASHBOARD).context["request"].cell == world.cell_a


def test_choosing_a_cell_without_membership_is_404(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.post(reverse("core:choose_cell"), {"cell": world.cell_b.pk}).status_code == 404
    world.partner1.refresh_from_db()
    assert world.partner1.active_cell_id != world.cell_b.pk


def test_single_cell_is_chosen_automatically(world: World) -> None:
    client = ready_client(world.partner1)
    assert client.get(DASHBOARD).status_code == 200
    world.partner1.refresh_from_db()
    assert world.partner1.active_cell == world.cell_a


def test_person_without_a_cell_is_sent_to_the_choice(world: World) -> None:
    stranger = UserFactory()
    enrol_totp(stranger)
    client = Client()
    client.force_login(stranger)
    assert_redirects_to(client.get(DASHBOARD), reverse("core:choose_cell"))
    assert client.get(reverse("core:choose_cell")).status_code == 200


def test_installation_admin_without_a_cell_goes_to_the_installation(world: World) -> None:
    client = ready_client(world.installation_admin)
    assert_redirects_to(client.get(DASHBOARD), reverse("installation:cells"))
    assert client.get(reverse("installation:cells")).status_code == 200


def test_anonymous_visitors_go_to_the_login(world: World) -> None:
    assert_logged_out(Client().get(DASHBOARD))
