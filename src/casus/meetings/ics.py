"""The iCalendar file sent with a meeting invitation: when, where, a link — no case content."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Meeting, MeetingStatus


def meeting_uid(meeting: Meeting) -> str:
    """Stable per meeting, so that calendars update the same event on a new invitation."""
    host = urlsplit(settings.CASUS_BASE_URL).hostname or "casus.invalid"
    return f"casus-meeting-{meeting.pk}@{host}"


def meeting_ics(meeting: Meeting) -> bytes:
    """One VEVENT: the table's name, start and end, the place and the meeting page's link.

    Agenda items, case references and names never go in: the file ends up in calendars
    outside Casus.
    """
    url = settings.CASUS_BASE_URL.rstrip("/") + reverse("meetings:detail", args=[meeting.pk])
    calendar = Calendar()
    calendar.add("prodid", "-//Casus//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("summary", _("Casus meeting: %(table)s") % {"table": meeting.table.name})
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting.version)
    if meeting.place:
        event.add("location", meeting.place)
    elif meeting.video_link:
        event.add("location", meeting.video_link)
    event.add("url", url)
    event.add("description", _("The agenda is in Casus: %(url)s") % {"url": url})
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
