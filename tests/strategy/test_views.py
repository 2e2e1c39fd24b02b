"""The strategy pages: who opens them, what they show, and forms under hostile input."""

from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from casus.strategy import services
from casus.strategy.forms import AnswerForm, FindingForm, PriorityForm, ProgressNoteForm
from casus.strategy.models import Answer, DiagnosisDocument, Objective, Priority, SelfEvaluation
from casus.strategy.questionnaire import MODULES
from tests.conftest import World, ready_client

from .conftest import YEAR

pytestmark = pytest.mark.django_db

FIRST = MODULES[0].statements[0].key


def test_members_cannot_read_the_plan_or_the_diagnosis(world: World, objective: Objective) -> None:
    client = ready_client(world.partner1)
    for url in (
        reverse("strategy:home"),
        reverse("strategy:priority_new"),
        reverse("strategy:objective", args=[objective.pk]),
        reverse("strategy:objective_edit", args=[objective.pk]),
        reverse("strategy:evaluation_compare"),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("strategy:note_add", args=[objective.pk]), {"text": "x"}).status_code
        == 404
    )
    assert not objective.notes.exists()
    # They do reach the self-evaluation.
    assert client.get(reverse("strategy:evaluations")).status_code == 200


def test_the_overview_shows_the_year_asked_for(
    world: World, objective: Objective, django_assert_max_num_queries: Any
) -> None:
    services.progress_note_add(actor=world.chair, objective=objective, text="Half done.")
    services.priority_create(actor=world.chair, cell=world.cell_a, year=YEAR + 1, title="Later")
    client = ready_client(world.strategic)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("strategy:home"), {"year": YEAR}).content.decode()
    assert "Train the teachers" in page and "Half done." in page and "School A" in page
    assert "Later" not in page
    for year in ("abc", "99999999999999999999", "1", "<script>"):
        assert client.get(reverse("strategy:home"), {"year": year}).status_code == 200


def test_a_stale_edit_shows_both_versions_and_loses_nothing(
    world: World, priority: Priority
) -> None:
    services.priority_update(
        actor=world.chair, priority=priority, year=YEAR, title="Saved first", description="",
        order=1, version=1,
    )  # fmt: skip
    client = ready_client(world.coordinator)
    response = client.post(
        reverse("strategy:priority_edit", args=[priority.pk]),
        {"year": YEAR, "title": "My own words", "description": "", "order": 1, "version": 1},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this meanwhile" in page
    assert "My own words" in page and "Saved first" in page
    assert 'name="version" value="2"' in page  # saving again now overwrites knowingly
    priority.refresh_from_db()
    assert priority.title == "Saved first"


def test_objective_pages_and_a_status_change_by_note(world: World, objective: Objective) -> None:
    client = ready_client(world.information_officer)
    assert client.get(reverse("strategy:objective", args=[objective.pk])).status_code == 200
    response = client.post(
        reverse("strategy:note_add", args=[objective.pk]),
        {"text": "Started.", "status": "in_progress", "version": 1},
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.status == "in_progress"
    # Again from the old version: refused with a message, the typed note kept.
    response = client.post(
        reverse("strategy:note_add", args=[objective.pk]),
        {"text": "Finished!", "status": "done", "version": 1},
    )
    assert response.status_code == 400
    assert "Finished!" in response.content.decode()
    objective.refresh_from_db()
    assert objective.status == "in_progress"


def test_answering_through_the_page(world: World) -> None:
    evaluation = services.evaluation_open(actor=world.chair, cell=world.cell_a, year=YEAR)
    client = ready_client(world.partner1)
    url = reverse("strategy:evaluation_answer", args=[evaluation.pk])
    assert client.get(url).status_code == 200
    # A comment without an answer: a clear error, nothing saved.
    response = client.post(url, {f"{FIRST}__comment": "Why?"})
    assert response.status_code == 400
    assert "to add a comment" in response.content.decode()
    assert not Answer.objects.exists()
    assert client.post(url, {FIRST: "dk", f"{FIRST}__comment": "New here."}).status_code == 302
    answer = Answer.objects.get()
    assert (answer.respondent, answer.score, answer.comment) == (world.partner1, None, "New here.")
    # The page shows the member their own answer, not the results.
    page = client.get(url).content.decode()
    assert "New here." in page
    results = reverse("strategy:evaluation_results", args=[evaluation.pk])
    assert client.get(results).status_code == 404
    services.evaluation_close(actor=world.chair, evaluation=evaluation)
    page = client.get(url).content.decode()
    assert "closed" in page and "New here." in page and "<textarea" not in page
    assert client.post(url, {FIRST: "5"}).status_code == 400
    assert Answer.objects.get().score is None


def test_open_and_close_through_the_pages(world: World) -> None:
    client = ready_client(world.strategic)
    response = client.post(reverse("strategy:evaluation_open"), {"year": YEAR}, follow=True)
    assert response.status_code == 200
    evaluation = SelfEvaluation.objects.get()
    response = client.post(reverse("strategy:evaluation_open"), {"year": YEAR}, follow=True)
    assert "already exists" in response.content.decode()
    response = client.post(reverse("strategy:evaluation_open"), {"year": "x"}, follow=True)
    assert "Give the year as a number" in response.content.decode()
    for user in (world.chair, world.coordinator, world.partner2):
        services.evaluation_answer(
            actor=user, evaluation=evaluation, replies={FIRST: (4, f"From {user.pk}")}
        )
    results = reverse("strategy:evaluation_results", args=[evaluation.pk])
    assert "shown once the self-evaluation is closed" in client.get(results).content.decode()
    response = client.post(reverse("strategy:evaluation_close", args=[evaluation.pk]))
    assert response.status_code == 302
    page = client.get(results).content.decode()
    assert "4.00" in page and f"From {world.partner2.pk}" in page
    assert "Partner Two" not in page  # comments without names
    page = client.get(reverse("strategy:evaluation_compare")).content.decode()
    assert "<svg" in page and str(YEAR) in page and "style=" not in page


@given(
    data=st.dictionaries(
        st.sampled_from([m.statements[0].key for m in MODULES] + [f"{FIRST}__comment", "x"]),
        st.one_of(st.text(max_size=50), st.sampled_from(["1", "5", "dk", "0", "6", ""])),
    )
)
def test_the_answer_form_never_breaks(data: dict[str, str]) -> None:
    form = AnswerForm(data)
    if form.is_valid():
        for key, reply in form.replies().items():
            assert reply is None or reply[0] is None or 1 <= reply[0] <= 5, key


@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "year": st.one_of(st.integers().map(str), st.text(max_size=8)),
            "title": st.text(max_size=300),
            "order": st.one_of(st.integers().map(str), st.text(max_size=5)),
            "description": st.text(max_size=50),
            "theme": st.text(max_size=200),
            "text": st.text(max_size=50),
            "status": st.text(max_size=12),
            "version": st.one_of(st.integers().map(str), st.text(max_size=5)),
        },
    )
)
def test_plan_forms_accept_only_their_shapes(data: dict[str, str]) -> None:
    form = PriorityForm(data)
    if form.is_valid():
        assert 2000 <= form.cleaned_data["year"] <= 2100
        assert 0 <= form.cleaned_data["order"] <= 999
        assert 0 < len(form.cleaned_data["title"]) <= 200
        assert "\x00" not in form.cleaned_data["title"]
    note = ProgressNoteForm(data)
    if note.is_valid():
        assert note.cleaned_data["status"] in ("", "planned", "in_progress", "done", "dropped")
        assert note.cleaned_data["text"].strip() or note.cleaned_data["status"]
    finding = FindingForm(data, documents=DiagnosisDocument.objects.none())
    if finding.is_valid():
        assert finding.cleaned_data["document"] is None
