"""Notice e-mails: sent plainly, and a failing mailbox is logged and skipped, never raised."""

import logging

import pytest

from casus.core import mail
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_notice_is_sent(world: World, mailoutbox) -> None:
    assert mail.mail_person(user=world.dpo, subject="S", body="B", what="test") is True
    (sent,) = mailoutbox
    assert (sent.to, sent.subject, sent.body) == ([world.dpo.email], "S", "B")


def test_a_failing_mailbox_is_logged_by_user_id_and_skipped(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(**kwargs: object) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mail, "send_mail", refuse)
    with caplog.at_level(logging.ERROR, logger="casus.core.mail"):
        assert mail.mail_person(user=world.dpo, subject="S", body="B", what="test") is False
    assert f"test e-mail to user {world.dpo.pk} failed" in caplog.text
    assert world.dpo.email not in caplog.text
