"""Retention pages: who opens them, re-authentication before the chair's decision, no
content on any of them."""

from typing import Any

import pytest
from django.urls import reverse

from casus.cases.models import Case
from casus.retention import services
from casus.retention.models import PurgeRun, RunStatus
from tests.conftest import World, mark_reauthenticated, ready_client

pytestmark = pytest.mark.django_db


def test_retention_pages_open_for_chair_coordinator_and_dpo(
    world: World, cell_a_due: dict[str, Any]
) -> None:
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    allowed = {world.chair, world.coordinator, world.dpo}
    for user in (
        world.chair,
        world.coordinator,
        world.dpo,
        world.information_officer,
        world.partner1,
        world.strategic,
        world.cell_admin,
    ):
        client = ready_client(user)
        for url in (
            reverse("retention:runs"),
            reverse("retention:run", args=[run.pk]),
            reverse("retention:log"),
        ):
            response = client.get(url)
            assert response.status_code == (200 if user in allowed else 404), (user, url)
            if response.status_code == 200:
                body = response.content.decode()
                # References and rules only: never the subject's name.
                assert cell_a_due["case"].subject_family_name not in body
    # Cell B's coordinator does not open cell A's run.
    assert (
        ready_client(world.member_b).get(reverse("retention:run", args=[run.pk])).status_code == 404
    )


def test_the_report_lists_references_rules_and_dates(
    world: World, cell_a_due: dict[str, Any]
) -> None:
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    body = ready_client(world.dpo).get(reverse("retention:run", args=[run.pk])).content.decode()
    assert cell_a_due["case"].reference in body
    assert cell_a_due["signal"].reference in body
    assert "Closed case: retention period ended" in body
    assert "Approve or reject" not in body
    chair_page = ready_client(world.chair).get(reverse("retention:run", args=[run.pk]))
    assert "Approve or reject" in chair_page.content.decode()


def test_the_coordinator_prepares_a_dry_run(world: World, cell_a_due: dict[str, Any]) -> None:
    response = ready_client(world.coordinator).post(reverse("retention:prepare"))
    run = PurgeRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("retention:run", args=[run.pk])
    assert ready_client(world.chair).post(reverse("retention:prepare")).status_code == 404
    assert PurgeRun.objects.count() == 1


def test_a_prepare_without_charter_says_why(world: World) -> None:
    response = ready_client(world.coordinator).post(reverse("retention:prepare"), follow=True)
    assert "no active charter" in response.content.decode()
    assert not PurgeRun.objects.exists()


def test_the_chair_decides_after_re_authenticating(
    world: World, cell_a_due: dict[str, Any]
) -> None:
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    url = reverse("retention:decide", args=[run.pk])
    # Anyone else: 404 before any re-authentication prompt.
    for user in (world.coordinator, world.dpo, world.member_b):
        assert ready_client(user).get(url).status_code == 404
    client = ready_client(world.chair)
    response = client.get(url)
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    mark_reauthenticated(client, world.chair)
    assert client.get(url).status_code == 200
    # Rejecting needs a note; the form says so and nothing changes.
    response = client.post(url, {"decision": "reject", "note": ""})
    assert response.status_code == 400
    assert "Write why the purge is rejected." in response.content.decode()
    response = client.post(url, {"decision": "approve", "note": ""})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    # Deciding twice: a clear message, no change.
    response = client.post(url, {"decision": "reject", "note": "Changed my mind."})
    assert response.status_code == 400
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert Case.objects.filter(pk=cell_a_due["case"].pk).exists()


@pytest.mark.parametrize("value", ["", "x" * 5000, "\x00", "approve'--", ["a", "b"]])
def test_hostile_decisions_are_refused_cleanly(
    world: World, cell_a_due: dict[str, Any], value: Any
) -> None:
    run = services.purge_run_prepare(actor=world.coordinator, cell=world.cell_a)
    client = mark_reauthenticated(ready_client(world.chair), world.chair)
    response = client.post(
        reverse("retention:decide", args=[run.pk]), {"decision": value, "note": value}
    )
    assert response.status_code == 400
    run.refresh_from_db()
    assert run.status == RunStatus.PROPOSED
