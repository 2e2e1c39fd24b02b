"""Normalised identity and its keyed hash: exact-match duplicate checks and name search
without storing or logging a searchable name."""

import hashlib
import hmac
import unicodedata
from datetime import date

from django.conf import settings


def normalise_name(value: str) -> str:
    """Lower case, accents removed, punctuation and extra spaces dropped: "Van der Berg-É"
    and "van der berg e" are the same name."""
    decomposed = unicodedata.normalize("NFKD", value)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in letters.casefold())
    return " ".join(cleaned.split())


def _keyed(text: str, purpose: str) -> str:
    key = hashlib.sha256(f"casus.identity.{purpose}:{settings.CASUS_INDEX_KEY}".encode()).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def identity_key(
    *, cell_id: int, family_name: str, given_names: str, birth_date: date | None
) -> str:
    """The keyed hash of a person's normalised identity within one cell."""
    parts = [
        str(cell_id),
        normalise_name(family_name),
        normalise_name(given_names),
        birth_date.isoformat() if birth_date else "",
    ]
    return _keyed("|".join(parts), "identity")


def name_key(*, cell_id: int, family_name: str, given_names: str) -> str:
    """The keyed hash of a normalised name (no birth date), for name search."""
    return _keyed(f"{cell_id}|{normalise_name(family_name)}|{normalise_name(given_names)}", "name")


def subject_keys(
    *, cell_id: int, family_name: str, given_names: str, birth_date: date | None
) -> dict[str, str]:
    """Both keyed hashes a signal or case stores for its subject: ``identity_key`` (duplicate
    check) and ``name_key`` (name search)."""
    return {
        "identity_key": identity_key(
            cell_id=cell_id,
            family_name=family_name,
            given_names=given_names,
            birth_date=birth_date,
        ),
        "name_key": name_key(cell_id=cell_id, family_name=family_name, given_names=given_names),
    }


def search_token(*, cell_id: int, text: str) -> str:
    """The token a name search is logged by (never the name itself)."""
    return _keyed(f"{cell_id}|{normalise_name(text)}", "search")[:32]


def pseudonym(*, identity_key: str) -> str:
    """A stable stand-in for a person in pseudonymised exports (the keyed hash, shortened).

    The same person in the same cell always gets the same one; it cannot be turned back into
    the name without the index key and a guess of the full identity.
    """
    return f"P-{identity_key[:10].upper()}"
