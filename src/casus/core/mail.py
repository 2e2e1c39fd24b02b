"""Notices by e-mail: never case content, and one unreachable mailbox never stops the others."""

import logging

from django.conf import settings
from django.core.mail import send_mail

from casus.access.models import User

logger = logging.getLogger(__name__)


def mail_person(*, user: User, subject: str, body: str, what: str) -> bool:
    """Send one plain e-mail to ``user``; log a failing mailbox by user id and go on.

    ``what`` names the kind of notice in the log ("reminder", "break-glass"). Return whether
    the mail was handed to the mail server.
    """
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    except OSError:
        logger.exception("%s e-mail to user %s failed", what, user.pk)
        return False
    return True
