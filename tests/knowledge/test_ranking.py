"""Ranking acceptance: with the demo fiches loaded, the obviously relevant fiche comes first.

Runs on the backend of the test run: SQLite FTS5 by default, PostgreSQL full-text search when
DATABASE_URL points at PostgreSQL — the same queries must give the same first answer.
"""

import pytest

from casus.demo.knowledge import load
from casus.knowledge.selectors import FicheFilters, fiche_search
from tests.factories import UserFactory

from .factories import editor

pytestmark = pytest.mark.django_db

NL = {
    "radicalisering op school": "Weerbare klassen: radicalisering bespreekbaar maken op school",
    "online radicalisering jongeren": "Online radicalisering herkennen: vorming voor jeugdwerkers",
    "overlegplatform casusoverleg": (
        "Overlegplatform LIVC-R Scheldestad: drie tafels, één casusoverleg"
    ),
    "doorverwijzing OCMW": "Doorverwijsprotocol tussen OCMW en LIVC",
    "uitstappen extremisme": "Exitprogramma Nieuwe Koers: uitstappen uit gewelddadig extremisme",
    "ouders zorgen hulplijn": "Hulplijn voor ouders die zich zorgen maken",
    "polarisatie sportclub": "Polarisatie in sportclubs voorkomen",
    "zelfevaluatie": "Jaarlijkse zelfevaluatie van de LIVC",
}
FR = {
    "plateforme de concertation": "Plateforme de concertation CSIL-R de Mosanville",
    "radicalisation en prison": "Accompagnement à la sortie de prison",
    "prévention primaire sport": "Prévenir la polarisation dans les clubs sportifs",
    "prevention primaire ecole": "Prévention primaire à l'école: éducation aux médias",
    "dialogue mosquée commune": "Dialogue entre les mosquées et la commune",
    "policier de référence écoles": "Un point de contact police pour les écoles",
    "auto-evaluation": "Auto-évaluation annuelle de la CSIL",
    "orientation CPAS": "Protocole d'orientation entre le CPAS et la CSIL",
}


def test_the_relevant_fiche_ranks_first() -> None:
    load(editor())
    reader = UserFactory()
    assert len(NL) >= 6 and len(FR) >= 6
    wrong = {}
    for query, expected in [*NL.items(), *FR.items()]:
        found = fiche_search(actor=reader, query=query, filters=FicheFilters())
        titles = [fiche.title for fiche in found]
        if not titles or titles[0] != expected:
            wrong[query] = titles[:3]
    assert wrong == {}
