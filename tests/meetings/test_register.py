"""The information-exchange register: who reads, who writes, what is checked and logged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casus.audit.models import AccessLog
from casus.audit.selectors import event_values
from casus.cases.models import Case
from casus.core.exceptions import Forbidden, RuleViolation
from casus.meetings.models import Counterpart, Direction, ExchangeEntry, LegalBasis
from casus.meetings.services.register import exchange_record
from tests.cases.factories import CaseFactory
from tests.conftest import World, ready_client
from tests.helpers import one_audit_event, refused

from .test_minutes_fixtures import english, others

pytestmark = pytest.mark.django_db
__all__ = ["english"]

READERS = ("chair", "coordinator", "information_officer")


def _values(**over: object) -> dict[str, object]:
    return {
        "direction": Direction.INCOMING,
        "counterpart": Counterpart.POLICE,
        "counterpart_detail": "",
        "occurred_on": timezone.localdate(),
        "legal_basis": LegalBasis.POLICE_ACT,
        "legal_basis_detail": "",
        "reference": "PV 12/345",
        "subject": "Notice of a report",
        **over,
    }


def test_the_information_officer_records(world: World) -> None:
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    with one_audit_event(
        "EXCHANGE_RECORDED", actor=world.information_officer, cell=world.cell_a
    ) as rec:
        entry = exchange_record(
            actor=world.information_officer, cell=world.cell_a, case=case, **_values()
        )
    assert entry.reference == "PV 12/345"
    assert rec.event is not None
    assert rec.event.case_id == case.pk
    assert event_values(rec.event)["reference"] == [None, "PV 12/345"]
    assert event_values(rec.event)["case"] == [None, case.pk]


@pytest.mark.parametrize("who", others("information_officer"))
def test_only_the_information_officer_records(world: World, who: str) -> None:
    with refused(Forbidden):
        exchange_record(actor=getattr(world, who), cell=world.cell_a, **_values())


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"counterpart": "ocad"}, "counterparts"),
        ({"legal_basis": "none"}, "legal bases"),
        ({"counterpart": Counterpart.OTHER}, "Name the counterpart"),
        ({"legal_basis": LegalBasis.OTHER}, "Describe the legal basis"),
        ({"occurred_on": timezone.localdate() + datetime.timedelta(days=2)}, "future"),
    ],
)
def test_input_is_checked(world: World, over: dict, match: str) -> None:
    with refused(RuleViolation, match=match):
        exchange_record(actor=world.information_officer, cell=world.cell_a, **_values(**over))


def test_a_case_of_another_cell_is_refused(world: World) -> None:
    case = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    with refused(Forbidden):
        exchange_record(actor=world.information_officer, cell=world.cell_a, case=case, **_values())


@pytest.mark.parametrize("who", READERS)
def test_readers_see_the_list_and_it_is_logged(world: World, who: str) -> None:
    exchange_record(actor=world.information_officer, cell=world.cell_a, **_values())
    user = getattr(world, who)
    before = AccessLog.objects.filter(actor=user).count()
    response = ready_client(user).get(reverse("meetings:register"))
    assert response.status_code == 200
    assert "PV 12/345" in response.content.decode()
    assert AccessLog.objects.filter(actor=user).count() == before + 1
    can_write = reverse("meetings:register_new") in response.content.decode()
    assert can_write == (who == "information_officer")


@pytest.mark.parametrize("who", others(*READERS, "member_b"))
def test_others_get_404(world: World, who: str) -> None:
    response = ready_client(getattr(world, who)).get(reverse("meetings:register"))
    assert response.status_code == 404


def test_cell_b_sees_nothing_of_cell_a(world: World) -> None:
    # member_b is cell B's coordinator: they read cell B's register, never cell A's.
    exchange_record(actor=world.information_officer, cell=world.cell_a, **_values())
    response = ready_client(world.member_b).get(reverse("meetings:register"))
    assert response.status_code == 200
    assert "PV 12/345" not in response.content.decode()


def test_the_form_records_an_entry(world: World) -> None:
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair)
    client = ready_client(world.information_officer)
    url = reverse("meetings:register_new")
    page = client.get(url)
    assert page.status_code == 200
    assert "never copies of police or OCAD database content" in page.content.decode()
    assert case.subject_family_name not in page.content.decode()
    data = {k: str(v) for k, v in _values().items()} | {"case": str(case.pk)}
    response = client.post(url, data)
    assert response.status_code == 302
    assert ExchangeEntry.objects.get().case == case


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"direction": "x", "counterpart": "police", "legal_basis": "458ter", "occurred_on": "bad"},
        {
            "direction": "incoming",
            "counterpart": "other",
            "legal_basis": "458ter",
            "occurred_on": "2024-01-01",
        },
        {
            "direction": "incoming",
            "counterpart": "police",
            "legal_basis": "458ter",
            "occurred_on": "2024-01-01",
            "case": "999999",
        },
    ],
)
def test_bad_input_gives_the_form_with_errors(world: World, data: dict) -> None:
    response = ready_client(world.information_officer).post(reverse("meetings:register_new"), data)
    assert response.status_code == 200
    assert not ExchangeEntry.objects.exists()


def test_a_case_of_another_cell_in_the_form_is_an_error(world: World) -> None:
    other = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    data = {k: str(v) for k, v in _values().items()} | {"case": str(other.pk)}
    response = ready_client(world.information_officer).post(reverse("meetings:register_new"), data)
    assert response.status_code == 200
    assert not ExchangeEntry.objects.exists()
    assert Case.objects.filter(cell=world.cell_b).count() == 1
