"""factory_boy factories for signals and cases, and a helper that lets an organisation in.

They write rows directly, for test set-up; the services under test write through the real
code path.
"""

import datetime

import factory
from django.utils import timezone

from casus.access.models import Organisation, User
from casus.cases.identity import identity_key, name_key
from casus.cases.models import (
    Case,
    CaseStatus,
    JournalEntry,
    Participation,
    Signal,
    SignalStatus,
    Visibility,
)
from casus.cases.services.common import grant_organisation


def _identity(o: object) -> str:
    return identity_key(
        cell_id=o.cell.pk,  # type: ignore[attr-defined]
        family_name=o.subject_family_name,  # type: ignore[attr-defined]
        given_names=o.subject_given_names,  # type: ignore[attr-defined]
        birth_date=o.subject_birth_date,  # type: ignore[attr-defined]
    )


def _name(o: object) -> str:
    return name_key(
        cell_id=o.cell.pk,  # type: ignore[attr-defined]
        family_name=o.subject_family_name,  # type: ignore[attr-defined]
        given_names=o.subject_given_names,  # type: ignore[attr-defined]
    )


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signal

    reference = factory.Sequence(lambda n: f"S-2026-{n + 1:04d}")
    status = SignalStatus.RECEIVED
    subject_family_name = factory.Sequence(lambda n: f"Family{n}")
    subject_given_names = "Sam"
    subject_birth_date = datetime.date(2008, 5, 17)
    identity_key = factory.LazyAttribute(_identity)
    name_key = factory.LazyAttribute(_name)
    observed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    observed_behaviour = "Shares propaganda videos in class."
    concern = "Talks about leaving to fight."
    entered_by = factory.LazyAttribute(lambda o: o.reported_by)
    source_organisation = factory.LazyAttribute(
        lambda o: (
            o.reported_by.memberships.get(cell=o.cell, ended_at__isnull=True).organisation
            if o.reported_by
            else None
        )
    )


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    number = factory.Sequence(lambda n: n + 1)
    status = CaseStatus.IN_DISCUSSION
    subject_family_name = factory.Sequence(lambda n: f"Subject{n}")
    subject_given_names = "Alex"
    subject_birth_date = datetime.date(2007, 2, 3)
    identity_key = factory.LazyAttribute(_identity)
    name_key = factory.LazyAttribute(_name)
    summary = "Coordinator's summary."


def participate(case: Case, organisation: Organisation, by: User) -> Participation:
    """Add ``organisation`` to ``case`` the way the service does (participation + grant)."""
    participation = Participation.objects.create(
        case=case, organisation=organisation, reason="Knows the person.", added_by=by
    )
    grant_organisation(case=case, organisation=organisation, source=participation)
    return participation


class JournalEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JournalEntry

    visibility = Visibility.ALL
    text = factory.Sequence(lambda n: f"Journal note {n}.")
    organisation = factory.LazyAttribute(
        lambda o: o.author.memberships.get(cell=o.case.cell, ended_at__isnull=True).organisation
    )
