"""The signal pages: who opens which page, the POST flows, the access log, the reporter's
view that never tells whether a person is known, and bad input."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Charter
from casus.audit.models import AccessKind, AccessLog
from casus.cases.models import CaseStatus, ClosureReason, Signal, SignalStatus
from tests.conftest import World, ready_client
from tests.factories import MunicipalityFactory

from .factories import CaseFactory
from .helpers import case_for, others, proposed, received, signal_with_opinions

pytestmark = pytest.mark.django_db

#: The actors of cell A.
ALL = others("member_b")
NAME = "Zwartberg"


def client(world: World, who: str) -> Client:
    return ready_client(getattr(world, who))


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject_family_name": NAME,
        "subject_given_names": "Ilias",
        "subject_birth_date": "2007-09-30",
        "subject_municipality": world.cell_a.municipalities.get().pk,
        "observed_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "observed_behaviour": "Shares videos.",
        "concern": "Speaks of leaving.",
    }
    data.update(overrides)
    return data


def urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', html)


# --- Who opens which page ------------------------------------------------------------------

PAGES = {
    "cases:signals": {"chair", "coordinator", "information_officer", "partner1", "partner2"},
    "cases:signal_new": {"chair", "coordinator", "information_officer", "partner1", "partner2"},
    "cases:signal_outside_new": {"coordinator"},
    "cases:screening": {"coordinator", "information_officer"},
    "cases:decisions": {"chair"},
}


@pytest.mark.parametrize("url_name", sorted(PAGES))
@pytest.mark.parametrize("who", ALL)
def test_pages_by_role(world: World, charter: Charter, url_name: str, who: str) -> None:
    response = client(world, who).get(reverse(url_name))
    assert response.status_code == (200 if who in PAGES[url_name] else 404)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (SignalStatus.RECEIVED, {"coordinator", "information_officer"}),
        (SignalStatus.PROPOSED, {"coordinator", "information_officer", "chair"}),
        (SignalStatus.NOT_RETAINED, {"coordinator", "information_officer"}),
    ],
)
@pytest.mark.parametrize("who", ALL)
def test_signal_detail_by_role(world: World, status: str, allowed: set[str], who: str) -> None:
    signal = (
        proposed(world)
        if status == SignalStatus.PROPOSED
        else signal_with_opinions(world, status=status)
    )
    before = AccessLog.objects.count()
    response = client(world, who).get(reverse("cases:signal_detail", args=[signal.pk]))
    assert response.status_code == (200 if who in allowed else 404)
    if who in allowed:
        log = AccessLog.objects.get()
        assert log.kind == AccessKind.SIGNAL
        assert log.actor == getattr(world, who)
        assert log.object_type == "cases.signal"
        assert log.object_id == str(signal.pk)
        assert log.cell == world.cell_a
    else:
        assert AccessLog.objects.count() == before


def test_the_chair_keeps_seeing_what_they_decided(world: World) -> None:
    signal = proposed(world, status=SignalStatus.NOT_RETAINED, decision_note="No.")
    response = client(world, "chair").get(reverse("cases:signal_detail", args=[signal.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name",
    [
        "cases:signal_detail",
        "cases:signal_opinion",
        "cases:signal_screen",
        "cases:signal_decide",
        "cases:signal_join",
    ],
)
def test_a_member_of_another_cell_gets_404_on_every_signal_url(world: World, url_name: str) -> None:
    signal = proposed(world)
    case = case_for(signal)
    other = ready_client(world.member_b)
    url = reverse(url_name, args=[signal.pk])
    assert other.get(url).status_code in (404, 405)
    response = other.post(url, {"version": 1, "case": case.pk, "opinion": "x"})
    assert response.status_code == 404
    signal.refresh_from_db()
    assert signal.status == SignalStatus.PROPOSED


def test_nonexistent_ids_are_404(world: World) -> None:
    coordinator = client(world, "coordinator")
    assert coordinator.get(reverse("cases:signal_detail", args=[999999])).status_code == 404
    post = coordinator.post(reverse("cases:signal_join", args=[999999]), {"case": 1})
    assert post.status_code == 404
    assert coordinator.get("/signals/abc/").status_code == 404


# --- Submitting ----------------------------------------------------------------------------


def test_a_member_submits_a_signal(world: World, charter: Charter) -> None:
    partner = client(world, "partner1")
    response = partner.post(reverse("cases:signal_new"), form_data(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:signals")
    signal = Signal.objects.get()
    assert signal.reported_by == world.partner1
    assert signal.subject_birth_date == datetime.date(2007, 9, 30)
    page = partner.get(reverse("cases:signals")).content.decode()
    assert signal.reference in page
    assert "Received" in page
    assert NAME not in page


def test_the_coordinator_enters_an_outside_signal(world: World, charter: Charter) -> None:
    coordinator = client(world, "coordinator")
    response = coordinator.post(
        reverse("cases:signal_outside_new"),
        form_data(world, source_description="A neighbour", source_anonymous="on"),
    )
    signal = Signal.objects.get()
    assert response["Location"] == reverse("cases:signal_detail", args=[signal.pk])
    assert signal.reported_by is None
    assert signal.source_anonymous
    page = coordinator.get(response["Location"]).content.decode()
    assert "A neighbour" in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"observed_on": "31-02-2026"},
        {"observed_on": "not a date"},
        {"subject_birth_date": "2007-13-45"},
        {"subject_municipality": "abc"},
        {"subject_municipality": 999999},
        {"subject_family_name": ""},
        {"observed_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
    ],
)
def test_bad_input_gives_form_errors(
    world: World, charter: Charter, overrides: dict[str, object]
) -> None:
    response = client(world, "partner1").post(
        reverse("cases:signal_new"), form_data(world, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Signal.objects.exists()


def test_a_municipality_of_another_cell_is_a_form_error(world: World, charter: Charter) -> None:
    for municipality in (world.cell_b.municipalities.get(), MunicipalityFactory()):
        response = client(world, "partner1").post(
            reverse("cases:signal_new"), form_data(world, subject_municipality=municipality.pk)
        )
        assert response.status_code == 200
        assert "subject_municipality" in response.context["form"].errors
    assert not Signal.objects.exists()


def test_no_signal_without_an_active_charter(world: World) -> None:
    partner = client(world, "partner1")
    page = partner.get(reverse("cases:signal_new"))
    assert page.status_code == 200
    assert "until a charter is active" in page.content.decode()
    assert page.context["accepting"] is False
    response = partner.post(reverse("cases:signal_new"), form_data(world))
    assert response.status_code == 200
    assert "until a charter is active" in response.content.decode()
    assert not Signal.objects.exists()


# --- Screening, decision, join -------------------------------------------------------------


def test_the_whole_screening_and_decision_flow(world: World, charter: Charter) -> None:
    client(world, "partner1").post(reverse("cases:signal_new"), form_data(world))
    signal = Signal.objects.get()
    coordinator = client(world, "coordinator")
    officer = client(world, "information_officer")
    queue = coordinator.get(reverse("cases:screening")).content.decode()
    assert signal.reference in queue
    detail_url = reverse("cases:signal_detail", args=[signal.pk])

    response = coordinator.post(
        reverse("cases:signal_opinion", args=[signal.pk]), {"opinion": "Within.", "version": 1}
    )
    assert response["Location"] == detail_url
    # Concluding with one opinion is refused with a message.
    response = coordinator.post(
        reverse("cases:signal_screen", args=[signal.pk]),
        {"outcome": "proposed", "summary": "S.", "referral": "", "version": 2},
    )
    assert response.status_code == 200
    assert "both opinions" in response.content.decode()
    response = officer.post(
        reverse("cases:signal_opinion", args=[signal.pk]), {"opinion": "Agree.", "version": 2}
    )
    assert response.status_code == 302
    response = officer.post(
        reverse("cases:signal_screen", args=[signal.pk]),
        {"outcome": "proposed", "summary": "Signs of radicalisation.", "version": 3},
    )
    assert response["Location"] == reverse("cases:screening")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.PROPOSED

    chair = client(world, "chair")
    decisions = chair.get(reverse("cases:decisions")).content.decode()
    assert "Signs of radicalisation." in decisions
    assert "Within." in decisions and "Agree." in decisions
    assert "No match" in decisions
    response = chair.post(
        reverse("cases:signal_decide", args=[signal.pk]),
        {"decision": "retain", "note": "", "version": 4},
    )
    signal.refresh_from_db()
    assert signal.status == SignalStatus.RETAINED
    assert signal.case is not None
    assert response["Location"] == reverse("cases:detail", args=[signal.case.pk])
    # The reporter sees "handled on <date>".
    mine = client(world, "partner1").get(reverse("cases:signals")).content.decode()
    assert "Handled on" in mine


def test_screening_not_retained_through_the_page(world: World) -> None:
    signal = signal_with_opinions(world)
    response = client(world, "information_officer").post(
        reverse("cases:signal_screen", args=[signal.pk]),
        {"outcome": "ordinary_care", "referral": "CAW.", "summary": "", "version": 1},
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NOT_RETAINED


def test_the_chair_does_not_retain_through_the_page(world: World) -> None:
    signal = proposed(world)
    chair = client(world, "chair")
    response = chair.post(
        reverse("cases:signal_decide", args=[signal.pk]),
        {"decision": "not_retain", "note": "", "version": 1},
    )
    assert response.status_code == 200
    assert "why the signal is not retained" in response.content.decode()
    response = chair.post(
        reverse("cases:signal_decide", args=[signal.pk]),
        {"decision": "not_retain", "note": "Regular care.", "version": 1},
    )
    assert response["Location"] == reverse("cases:decisions")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NOT_RETAINED


@pytest.mark.parametrize(
    ("url_name", "who", "data"),
    [
        ("cases:signal_opinion", "chair", {"opinion": "x"}),
        ("cases:signal_opinion", "partner1", {"opinion": "x"}),
        ("cases:signal_screen", "chair", {"outcome": "no_signs"}),
        ("cases:signal_screen", "partner2", {"outcome": "no_signs"}),
        ("cases:signal_decide", "coordinator", {"decision": "retain"}),
        ("cases:signal_decide", "information_officer", {"decision": "retain"}),
        ("cases:signal_join", "partner1", {}),
        ("cases:signal_join", "strategic", {}),
        ("cases:signal_join", "dpo", {}),
        ("cases:signal_join", "cell_admin", {}),
    ],
)
def test_posts_by_roles_that_may_not_are_404(
    world: World, url_name: str, who: str, data: dict[str, object]
) -> None:
    signal = proposed(world)
    case = case_for(signal)
    response = client(world, who).post(
        reverse(url_name, args=[signal.pk]), {"version": 1, "case": case.pk, **data}
    )
    assert response.status_code == 404
    signal.refresh_from_db()
    assert signal.status == SignalStatus.PROPOSED
    assert signal.version == 1


def test_get_on_a_post_url_is_refused(world: World) -> None:
    signal = signal_with_opinions(world)
    response = client(world, "coordinator").get(reverse("cases:signal_screen", args=[signal.pk]))
    assert response.status_code == 405


def test_the_duplicate_check_offers_joining_the_case(world: World) -> None:
    signal = received(world)
    case = case_for(signal)
    stranger = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    coordinator = client(world, "coordinator")
    page = coordinator.get(reverse("cases:signal_detail", args=[signal.pk])).content.decode()
    assert f"Join to case {case.reference}" in page
    assert stranger.reference not in page
    # Joining another person's case is refused with a message.
    response = coordinator.post(
        reverse("cases:signal_join", args=[signal.pk]), {"case": stranger.pk, "version": 1}
    )
    assert response.status_code == 200
    assert "another person" in response.content.decode()
    # A case id of another cell, or none at all, is a form error.
    foreign = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    for bad in (foreign.pk, 999999, "abc", ""):
        response = coordinator.post(
            reverse("cases:signal_join", args=[signal.pk]), {"case": bad, "version": 1}
        )
        assert response.status_code == 200
        assert response.context["errors"]
    response = coordinator.post(
        reverse("cases:signal_join", args=[signal.pk]), {"case": case.pk, "version": 1}
    )
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    signal.refresh_from_db()
    assert signal.status == SignalStatus.JOINED


def test_a_closed_case_is_reopened_by_joining(world: World) -> None:
    signal = received(world)
    case = case_for(
        signal,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.MOVED,
        closed_at=timezone.now(),
    )
    officer_page = (
        client(world, "information_officer")
        .get(reverse("cases:signal_detail", args=[signal.pk]))
        .content.decode()
    )
    assert "only the chair or the coordinator" in officer_page
    assert f"Join to case {case.reference} and reopen it" not in officer_page
    coordinator = client(world, "coordinator")
    page = coordinator.get(reverse("cases:signal_detail", args=[signal.pk])).content.decode()
    assert f"Join to case {case.reference} and reopen it" in page
    response = coordinator.post(
        reverse("cases:signal_join", args=[signal.pk]), {"case": case.pk, "version": 1}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ON_LIST
    assert case.reopen_count == 1


def test_an_edit_conflict_keeps_both_texts(world: World) -> None:
    signal = received(world)
    coordinator = client(world, "coordinator")
    url = reverse("cases:signal_opinion", args=[signal.pk])
    coordinator.post(url, {"opinion": "First thought.", "version": 1})
    # Someone else (another tab) edited meanwhile; this post still carries version 1.
    response = coordinator.post(url, {"opinion": "Second thought.", "version": 1})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this meanwhile" in page
    assert 'class="compare"' in page
    assert "Second thought." in page and "First thought." in page
    form = response.context["opinion_form"]
    assert form["version"].value() == "2"
    signal.refresh_from_db()
    assert signal.coordinator_opinion == "First thought."
    # Saving again over the version now shown works.
    response = coordinator.post(url, {"opinion": "Second thought.", "version": 2})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.coordinator_opinion == "Second thought."


# --- What each person sees -----------------------------------------------------------------


def test_the_chair_never_sees_an_anonymous_source(world: World) -> None:
    signal = proposed(
        world,
        reported_by=None,
        entered_by=world.coordinator,
        source_organisation=None,
        source_description="The neighbour at number 12",
        source_anonymous=True,
    )
    url = reverse("cases:signal_detail", args=[signal.pk])
    chair = client(world, "chair").get(url).content.decode()
    assert "The neighbour at number 12" not in chair
    assert "Anonymous source" in chair
    assert (
        "The neighbour at number 12"
        not in client(world, "chair").get(reverse("cases:decisions")).content.decode()
    )
    for who in ("coordinator", "information_officer"):
        assert "The neighbour at number 12" in client(world, who).get(url).content.decode()


def test_the_duplicate_check_is_shown_to_screeners_and_chair_only(world: World) -> None:
    signal = proposed(world)
    case = case_for(signal)
    for who in ("coordinator", "information_officer", "chair"):
        page = client(world, who).get(reverse("cases:signal_detail", args=[signal.pk]))
        assert case.reference in page.content.decode()
    assert case.reference in client(world, "chair").get(reverse("cases:decisions")).content.decode()
    assert (
        "Has a case"
        in client(world, "coordinator").get(reverse("cases:screening")).content.decode()
    )


def normalised(html: str, signals: list[Signal], world: World) -> str:
    """The page without what legitimately differs: reference, dates, the reader's name,
    per-request tokens."""
    for signal in signals:
        html = html.replace(signal.reference, "REF")
    for user in (world.partner1, world.partner2):
        html = html.replace(user.full_name, "READER")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    html = re.sub(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", "DATE", html)
    return re.sub(r"\s+", " ", html)


def main_part(html: str) -> str:
    return html.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize("handling", ["same", "natural"])
def test_the_reporter_cannot_tell_whether_a_person_is_known(
    world: World, charter: Charter, handling: str
) -> None:
    """partner1 reports a person who has a case, partner2 a person unknown to the cell: their
    pages differ only in reference, dates and their own name, before and after handling,
    whatever the handling; the signal page itself is 404 for both."""
    case = CaseFactory(
        cell=world.cell_a,
        opened_by=world.chair,
        subject_family_name="Known",
        subject_given_names="Ilias",
        subject_birth_date=datetime.date(2007, 9, 30),
    )
    reporters = {"partner1": "Known", "partner2": "Unknown"}
    clients = {who: client(world, who) for who in reporters}
    signals = []
    for who, family in reporters.items():
        clients[who].post(reverse("cases:signal_new"), form_data(world, subject_family_name=family))
        signals.append(Signal.objects.latest("pk"))
        assert signals[-1].subject_family_name == family
    known, unknown = signals
    assert known.identity_key == case.identity_key != unknown.identity_key

    def pages() -> list[str]:
        result = []
        for who, signal in zip(reporters, signals, strict=True):
            result.append(clients[who].get(reverse("cases:signals")).content.decode())
            url = reverse("cases:signal_detail", args=[signal.pk])
            assert clients[who].get(url).status_code == 404
        return result

    received = pages()
    assert "Received" in received[0]
    assert normalised(received[0], signals, world) == normalised(received[1], signals, world)

    for signal in (known, unknown):
        signal.refresh_from_db()
        signal.coordinator_opinion, signal.officer_opinion = "x", "y"
        signal.save(update_fields=["coordinator_opinion", "officer_opinion"])
    coordinator = client(world, "coordinator")
    if handling == "same":
        for signal in signals:
            coordinator.post(
                reverse("cases:signal_screen", args=[signal.pk]),
                {"outcome": "no_signs", "version": 1},
            )
    else:
        coordinator.post(
            reverse("cases:signal_join", args=[known.pk]), {"case": case.pk, "version": 1}
        )
        coordinator.post(
            reverse("cases:signal_screen", args=[unknown.pk]),
            {"outcome": "proposed", "summary": "S.", "version": 1},
        )
        client(world, "chair").post(
            reverse("cases:signal_decide", args=[unknown.pk]),
            {"decision": "retain", "version": 2},
        )
    for signal in signals:
        signal.refresh_from_db()
        assert signal.handled_at is not None
    if handling == "natural":
        assert known.status == SignalStatus.JOINED
        assert unknown.status == SignalStatus.RETAINED

    handled = pages()
    assert "Handled on" in handled[0]
    assert normalised(handled[0], signals, world) == normalised(handled[1], signals, world)
    for page in handled:
        for text in ("Known", "Ilias", "case", "Case", "oined", "etained", "screen"):
            assert text not in main_part(normalised(page, signals, world))


def test_no_name_in_any_url(world: World, charter: Charter) -> None:
    response = client(world, "partner1").post(reverse("cases:signal_new"), form_data(world))
    assert NAME not in response["Location"]
    signal = Signal.objects.get()
    signal.status, signal.screening_outcome = SignalStatus.PROPOSED, "proposed"
    signal.screening_summary, signal.coordinator_opinion, signal.officer_opinion = "S.", "x", "y"
    signal.save()
    case_for(signal)
    seen = []
    for who, url_name, args in [
        ("coordinator", "cases:screening", []),
        ("coordinator", "cases:signal_detail", [signal.pk]),
        ("chair", "cases:decisions", []),
        ("chair", "cases:signal_detail", [signal.pk]),
        ("partner1", "cases:signals", []),
    ]:
        page = client(world, who).get(reverse(url_name, args=args)).content.decode()
        if who != "partner1":
            assert NAME in page  # the name is on the page, so the check below can fail
        seen.extend(urls_in(page))
    assert seen
    assert not [url for url in seen if NAME.lower() in url.lower() or "Ilias" in url]


def test_list_pages_run_a_constant_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    coordinator = client(world, "coordinator")
    chair = client(world, "chair")

    def fill(n: int) -> None:
        for _ in range(n):
            signal = proposed(world)
            case_for(signal)
            received(world)

    def count(c: Client, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    count(coordinator, reverse("cases:screening"))  # warm up the session
    count(chair, reverse("cases:decisions"))
    fill(2)
    small = (
        count(coordinator, reverse("cases:screening")),
        count(chair, reverse("cases:decisions")),
    )
    fill(8)
    large = (
        count(coordinator, reverse("cases:screening")),
        count(chair, reverse("cases:decisions")),
    )
    assert small == large
    signal = proposed(world)
    with django_assert_max_num_queries(30):
        chair.get(reverse("cases:signal_detail", args=[signal.pk]))


@pytest.mark.parametrize(
    ("who", "url_name", "data", "form_key"),
    [
        ("coordinator", "cases:signal_opinion", {"opinion": "x", "version": "abc"}, "opinion"),
        ("coordinator", "cases:signal_opinion", {"opinion": "", "version": 1}, "opinion"),
        ("coordinator", "cases:signal_screen", {"outcome": "bogus", "version": 1}, "screen"),
        ("coordinator", "cases:signal_screen", {"outcome": "no_signs"}, "screen"),
        ("chair", "cases:signal_decide", {"decision": "maybe", "version": 1}, "decide"),
        ("chair", "cases:signal_decide", {"decision": "retain", "version": "-1"}, "decide"),
    ],
)
def test_malformed_posts_give_form_errors(
    world: World, who: str, url_name: str, data: dict[str, object], form_key: str
) -> None:
    signal = proposed(world) if url_name == "cases:signal_decide" else signal_with_opinions(world)
    response = client(world, who).post(reverse(url_name, args=[signal.pk]), data)
    assert response.status_code == 200
    assert response.context[f"{form_key}_form"].errors
    signal.refresh_from_db()
    assert signal.version == 1


@pytest.mark.parametrize(
    ("who", "url_name", "view"),
    [("coordinator", "cases:screening", "screening"), ("chair", "cases:decisions", "decisions")],
)
def test_queues_are_access_logged_by_ids(world: World, who: str, url_name: str, view: str) -> None:
    signal = proposed(world)
    assert client(world, who).get(reverse(url_name)).status_code == 200
    log = AccessLog.objects.get()
    assert log.kind == AccessKind.SIGNAL
    assert log.actor == getattr(world, who)
    assert log.data == {"view": view, "signals": [signal.pk]}


def test_the_signal_pages_ask_the_rules(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The join buttons follow ``rules.signal_join_allowed``; which signals open follows
    ``rules.signal_queryset_for`` (no rule of the pages' own)."""
    from casus.access import rules

    signal = received(world)
    case = case_for(signal)
    detail = reverse("cases:signal_detail", args=[signal.pk])
    coordinator = client(world, "coordinator")
    assert f"Join to case {case.reference}" in coordinator.get(detail).content.decode()
    monkeypatch.setattr(rules, "signal_join_allowed", lambda *args: False)
    assert f"Join to case {case.reference}" not in coordinator.get(detail).content.decode()
    monkeypatch.setattr(rules, "signal_queryset_for", lambda user, cell: Signal.objects.none())
    assert coordinator.get(detail).status_code == 404
    response = coordinator.post(
        reverse("cases:signal_join", args=[signal.pk]), {"case": case.pk, "version": 1}
    )
    assert response.status_code == 404
    signal.refresh_from_db()
    assert signal.status == SignalStatus.RECEIVED
