"""The demo's strategic table: two years of priorities and plan with notes, a local diagnosis
with findings, last year's self-evaluation closed and this year's open with some answers.

Written through the services, so every row has its audit event. Idempotent: nothing is added
to a cell that already has priorities.
"""

from collections.abc import Mapping
from datetime import date

from django.utils import timezone

from casus.access.models import Cell, Membership, Organisation, User
from casus.strategy import services
from casus.strategy.models import Priority, SelfEvaluation
from casus.strategy.questionnaire import MODULES

#: Scores per respondent for last year's evaluation, one per statement in questionnaire order
#: (cycled); None is "don't know".
_LAST_YEAR_SCORES: dict[str, tuple[int | None, ...]] = {
    "chair": (4, 4, 3, 4, 5),
    "coordinator": (4, 3, 3, 5, 4),
    "information_officer": (3, 4, None, 4, 3),
    "strategic": (4, 5, 4, 3, 4),
}
_THIS_YEAR_SCORES: dict[str, tuple[int | None, ...]] = {
    "coordinator": (5, 4, 4, 5, 4),
    "information_officer": (4, 4, 3, 4, None),
    "strategic": (4, 5, 4, 4, 4),
}
_MEMBER_SCORES: tuple[tuple[int | None, ...], ...] = ((3, 4, 4, None, 3), (4, 3, 4, 4, 5))


def _organisation(cell: Cell, user: User) -> Organisation:
    membership = Membership.objects.current().filter(cell=cell, user=user).first()
    if membership is None:
        return Organisation.objects.filter(cell=cell, is_active=True).order_by("pk").first()  # type: ignore[return-value]
    return membership.organisation


def _answers(
    scores: tuple[int | None, ...], comment: str = ""
) -> dict[str, tuple[int | None, str]]:
    replies: dict[str, tuple[int | None, str]] = {}
    keys = [statement.key for module in MODULES for statement in module.statements]
    for index, key in enumerate(keys):
        replies[key] = (scores[index % len(scores)], comment if index == 0 else "")
    return replies


def load(cell: Cell, people: Mapping[str, User]) -> bool:
    """Add the demo's strategic table to ``cell`` once; return whether anything was added.

    ``people`` maps the demo's person keys to users: "chair", "coordinator",
    "information_officer", "strategic", and the members' keys starting with "member_".
    """
    if (
        Priority.objects.filter(cell=cell).exists()
        or SelfEvaluation.objects.filter(cell=cell).exists()
    ):
        return False
    coordinator, strategic = people["coordinator"], people["strategic"]
    members = [user for key, user in sorted(people.items()) if key.startswith("member_")]
    this_year = timezone.localdate().year
    last_year = this_year - 1
    prevention = _organisation(cell, coordinator)
    youth = _organisation(cell, strategic)
    school = _organisation(cell, members[0]) if members else prevention
    # Last year: two priorities, three objectives, their course.
    online = services.priority_create(
        actor=strategic, cell=cell, year=last_year, order=1,
        title="Polarisatie online bij jongeren",
        description="Jongeren die online in extreme groepen terechtkomen vroeger opmerken.",
    )  # fmt: skip
    network = services.priority_create(
        actor=strategic, cell=cell, year=last_year, order=2,
        title="Een sterk netwerk van eerstelijnspartners",
        description="Scholen, jeugdwerk en OCMW weten wanneer en hoe ze de cel aanspreken.",
    )  # fmt: skip
    training = services.objective_create(
        actor=coordinator, cell=cell, year=last_year, priority=online,
        title="Vorming 'online radicalisering herkennen' voor leerkrachten",
        owner_organisation=school, owner_person=members[0] if members else None,
        target_date=date(last_year, 6, 30),
    )  # fmt: skip
    services.progress_note_add(
        actor=coordinator, objective=training, text="Twee scholen ingeschreven.",
        status="in_progress", version=training.version,
    )  # fmt: skip
    training.refresh_from_db()
    services.progress_note_add(
        actor=coordinator, objective=training, text="Drie sessies gegeven, 45 leerkrachten.",
        status="done", version=training.version,
    )  # fmt: skip
    referral = services.objective_create(
        actor=coordinator, cell=cell, year=last_year, priority=network,
        title="Verwijzingsfiche voor partners opstellen", owner_organisation=prevention,
        owner_person=coordinator, target_date=date(last_year, 9, 30),
    )  # fmt: skip
    services.progress_note_add(
        actor=coordinator, objective=referral, text="Fiche goedgekeurd door de strategische tafel.",
        status="done", version=referral.version,
    )  # fmt: skip
    services.objective_create(
        actor=strategic, cell=cell, year=last_year, priority=network,
        title="Jaarlijkse netwerkdag met de eerstelijn", owner_organisation=youth,
    )  # fmt: skip
    # This year.
    continued = services.priority_create(
        actor=strategic, cell=cell, year=this_year, order=1,
        title="Online polarisatie: van signaal naar aanpak",
    )  # fmt: skip
    services.priority_create(
        actor=strategic, cell=cell, year=this_year, order=2,
        title="Ouders betrekken",
        description="Ouders weten waar ze terechtkunnen met zorgen over hun kind.",
    )  # fmt: skip
    coach = services.objective_create(
        actor=coordinator, cell=cell, year=this_year, priority=continued,
        title="Online jeugdwerker inzetten", owner_organisation=youth, owner_person=strategic,
        target_date=date(this_year, 12, 31),
    )  # fmt: skip
    services.progress_note_add(
        actor=strategic, objective=coach, text="Vacature gepubliceerd.", status="in_progress",
        version=coach.version,
    )  # fmt: skip
    # The local diagnosis.
    scan = services.document_create(
        actor=coordinator, cell=cell, title="Lokale scan polarisatie en radicalisering",
        dated_on=date(last_year, 3, 15), source="Preventiedienst, met de politiezone",
        summary="Bevraging van 14 partners en analyse van de meldingen van de voorbije 3 jaar.",
    )  # fmt: skip
    services.finding_create(
        actor=coordinator, cell=cell, year=last_year, theme="Online",
        text="De meeste zorgen gaan over jongeren die online in contact komen met extreme "
        "inhoud; signalen komen vooral van scholen.",
        document=scan,
    )  # fmt: skip
    services.finding_create(
        actor=coordinator, cell=cell, year=last_year, theme="Netwerk",
        text="Partners kennen de cel, maar weten niet altijd wat ze mogen delen.",
        document=scan,
    )  # fmt: skip
    # Last year's self-evaluation, closed; this year's, open with some answers.
    last = services.evaluation_open(actor=strategic, cell=cell, year=last_year)
    for key, scores in _LAST_YEAR_SCORES.items():
        services.evaluation_answer(actor=people[key], evaluation=last, replies=_answers(scores))
    services.evaluation_close(actor=strategic, evaluation=last)
    current = services.evaluation_open(actor=strategic, cell=cell, year=this_year)
    for key, scores in _THIS_YEAR_SCORES.items():
        services.evaluation_answer(
            actor=people[key],
            evaluation=current,
            replies=_answers(scores, "Duidelijker dan vorig jaar."),
        )
    for user, scores in zip(members, _MEMBER_SCORES, strict=False):
        services.evaluation_answer(actor=user, evaluation=current, replies=_answers(scores))
    return True
