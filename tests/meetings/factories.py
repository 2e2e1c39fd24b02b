"""factory_boy factories for meetings, and helpers that publish and start them directly."""

import datetime

import factory
from django.utils import timezone

from casus.access.models import Table, TableKind
from casus.meetings.models import AgendaItem, ItemKind, Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    table = factory.LazyAttribute(
        lambda o: Table.objects.get_or_create(
            cell=o.cell, kind=TableKind.OPERATIONAL, defaults={"name": "Operational table"}
        )[0]
    )
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    place = "Town hall, room 2"
    chaired_by = factory.LazyAttribute(lambda o: o.created_by)
    secretary = factory.LazyAttribute(lambda o: o.created_by)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    kind = ItemKind.REVIEW
    position = factory.Sequence(lambda n: n)
