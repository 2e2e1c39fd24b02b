"""core.notices: one notice per key and person, an e-mail in each person's language."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from casus.core.models import Notification
from casus.core.notices import notify
from tests.conftest import World

pytestmark = pytest.mark.django_db

SUBJECT = gettext_lazy("[Casus] A retention purge awaits your approval")
BODY = gettext_lazy(
    "The retention periods of your cell's charter have ended for some records.\n\n"
    "Open %(url)s to read the dry-run report and approve or reject the purge.\n"
)


def test_notify_writes_once_and_mails_each_person_in_their_language(
    world: World, mailoutbox, settings
) -> None:
    settings.CASUS_BASE_URL = "https://casus.example.be/"
    world.chair.language = "nl"
    world.coordinator.language = "en"
    people = [world.chair, world.coordinator, world.chair]
    for _ in range(2):
        notify(
            users=people,
            cell_id=world.cell_a.pk,
            kind="purge_proposed",
            url="/retention/runs/7/",
            key="purge_proposed:7",
            subject=SUBJECT,
            body=BODY,
            what="purge proposal",
        )
    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {
        f"purge_proposed:7:{world.chair.pk}",
        f"purge_proposed:7:{world.coordinator.pk}",
    }
    by_person = {mail.to[0]: mail for mail in mailoutbox[:2]}
    with translation.override("nl"):
        dutch = str(SUBJECT)
    with translation.override("en"):
        english = str(SUBJECT)
    assert dutch != english
    assert by_person[world.chair.email].subject == dutch
    assert by_person[world.coordinator.email].subject == english
    for mail in mailoutbox:
        assert "https://casus.example.be/retention/runs/7/" in mail.body
