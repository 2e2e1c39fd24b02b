"""The demo's social map: partner offers and sector contact points, Dutch- and French-speaking,
across several provinces. Every organisation, person, address and number is fictitious.

``load(editor)`` writes them through the services as the knowledge editor and publishes them;
it adds only what is missing, so running it again changes nothing.
"""

from casus.access.models import User
from casus.socialmap import services
from casus.socialmap.models import (
    AgeGroup,
    ContactPoint,
    ContactSector,
    Offer,
    OfferLanguage,
    OfferSector,
    Province,
    Status,
)
from casus.socialmap.services import ContactPointValues, OfferValues

NL, FR, DE, EN, AR, TR = (
    OfferLanguage.DUTCH,
    OfferLanguage.FRENCH,
    OfferLanguage.GERMAN,
    OfferLanguage.ENGLISH,
    OfferLanguage.ARABIC,
    OfferLanguage.TURKISH,
)
CHILDREN, TEENS, YOUNG, ADULTS, PARENTS, PROS = (
    AgeGroup.CHILDREN,
    AgeGroup.ADOLESCENTS,
    AgeGroup.YOUNG_ADULTS,
    AgeGroup.ADULTS,
    AgeGroup.PARENTS,
    AgeGroup.PROFESSIONALS,
)

#: The offer the demo's not-retained signal (Femke: worries about her well-being) is referred to.
DEMO_REFERRAL = ("Jongerenteam: kortdurende begeleiding", "CGG Demoland")


def _offer(
    name: str,
    organisation: str,
    sector: str,
    description: str,
    provinces: tuple[str, ...],
    target_group: str,
    age_groups: tuple[str, ...],
    languages: tuple[str, ...],
    contact: tuple[str, str, str, str],
    municipalities: str = "",
) -> OfferValues:
    contact_name, phone, email, website = contact
    return OfferValues(
        name=name,
        organisation=organisation,
        sector=sector,
        description=description,
        provinces=provinces,
        target_group=target_group,
        age_groups=age_groups,
        languages=languages,
        municipalities=municipalities,
        contact_name=contact_name,
        phone=phone,
        email=email,
        website=website,
    )


OFFERS = [
    _offer(
        *DEMO_REFERRAL,
        OfferSector.MENTAL_HEALTH,
        "Kortdurende psychologische begeleiding voor tieners met sombere gedachten, angst of "
        "pestervaringen; aanmelding door school, CLB of ouders, wachttijd van ongeveer drie weken.",
        (Province.EAST_FLANDERS,),
        "Tieners met psychische klachten en hun ouders.",
        (TEENS, PARENTS),
        (NL, EN),
        ("Onthaal jongerenteam", "02 555 10 01", "jongeren@cgg-demoland.example.be", ""),
        "Demostad, Voorbeeldegem",
    ),
    _offer(
        "Straathoekwerk jongeren",
        "Jeugdwerking Demoland vzw",
        OfferSector.YOUTH_WORK,
        "Straathoekwerkers zoeken jongeren op waar ze samenkomen, bouwen vertrouwen op en leiden "
        "toe naar hulp, vrije tijd of werk. Laagdrempelig en zonder dossier.",
        (Province.EAST_FLANDERS, Province.WEST_FLANDERS),
        "Jongeren die de aansluiting met school of hulpverlening missen.",
        (TEENS, YOUNG),
        (NL, AR, TR),
        ("Sam De Wachter", "02 555 10 02", "straathoek@jeugdwerking.example.be", ""),
    ),
    _offer(
        "Onthaal en begeleiding bij welzijnsvragen",
        "CAW Demoland",
        OfferSector.WELFARE,
        "Gratis onthaal voor iedereen met een vraag over relaties, geld, huisvesting of geweld; "
        "begeleiding op maat of doorverwijzing.",
        (Province.EAST_FLANDERS, Province.ANTWERP),
        "Volwassenen en gezinnen met welzijnsvragen.",
        (YOUNG, ADULTS, PARENTS),
        (NL, FR, EN),
        ("", "02 555 10 03", "onthaal@caw-demoland.example.be", "https://caw-demoland.example.be"),
    ),
    _offer(
        "Ouderlijn radicalisering en polarisatie",
        "Huis van het Kind Demostad",
        OfferSector.FAMILY_SUPPORT,
        "Telefonische en persoonlijke ondersteuning voor ouders die zich zorgen maken over "
        "uitspraken of gedrag van hun kind; ook groepsavonden voor ouders.",
        (Province.EAST_FLANDERS,),
        "Ouders en opvoeders.",
        (PARENTS,),
        (NL, TR, AR),
        ("Ouderconsulent", "02 555 10 04", "ouders@huisvanhetkind.example.be", ""),
    ),
    _offer(
        "Trajectbegeleiding naar werk voor jongeren",
        "Werkwinkel Limburg (fictief)",
        OfferSector.EMPLOYMENT,
        "Individuele trajecten naar opleiding of werk, met aandacht voor jongeren die vastlopen "
        "na schooluitval.",
        (Province.LIMBURG,),
        "Werkzoekende jongeren zonder diploma.",
        (YOUNG,),
        (NL, EN),
        ("", "02 555 10 05", "jongeren@werkwinkel.example.be", "https://werkwinkel.example.be"),
    ),
    _offer(
        "Dialoogtafels levensbeschouwing",
        "Interlevensbeschouwelijk Overleg Antwerpen (fictief)",
        OfferSector.DIALOGUE,
        "Begeleide gesprekken met jongeren over geloof, identiteit en maatschappij, met imams, "
        "priesters en vrijzinnige consulenten; ook vorming voor leerkrachten.",
        (Province.ANTWERP,),
        "Jongeren met vragen over geloof en identiteit; scholen.",
        (TEENS, YOUNG, PROS),
        (NL, AR, TR),
        ("Nadia El Amrani", "02 555 10 06", "dialoog@ilo-antwerpen.example.be", ""),
    ),
    _offer(
        "Exit- en begeleidingsteam",
        "Vlaams Expertisecentrum Deradicalisering (fictief)",
        OfferSector.DISENGAGEMENT,
        "Vrijwillige begeleiding van personen die afstand willen nemen van een extremistische "
        "groep of ideologie, en advies aan de hulpverleners rond hen.",
        (Province.NATIONAL,),
        "Personen in of na een radicaliseringsproces; hun omgeving; professionals.",
        (YOUNG, ADULTS, PROS),
        (NL, FR, EN),
        ("Intake", "02 555 10 07", "exit@expertisecentrum.example.be", ""),
    ),
    _offer(
        "Mediawijsheid en online haat",
        "Digitaal Veilig vzw (fictief)",
        OfferSector.ONLINE_SAFETY,
        "Workshops over desinformatie, online haat en rekrutering via sociale media, voor "
        "klassen en jeugdwerkers; individueel advies bij zorgwekkend online gedrag.",
        (Province.NATIONAL,),
        "Leerlingen, jeugdwerkers en ouders.",
        (CHILDREN, TEENS, PARENTS, PROS),
        (NL, FR),
        ("", "02 555 10 08", "info@digitaalveilig.example.be", "https://digitaalveilig.example.be"),
    ),
    _offer(
        "Sport als hefboom",
        "Sportdienst Vlaams-Brabant (fictief)",
        OfferSector.SPORT_LEISURE,
        "Begeleide sportmomenten in de buurt met coaches die jongeren ook naar hulp kunnen "
        "toeleiden.",
        (Province.FLEMISH_BRABANT, Province.BRUSSELS),
        "Kwetsbare kinderen en jongeren.",
        (CHILDREN, TEENS),
        (NL, FR),
        ("Tom Peeters", "02 555 10 09", "sport@vlaamsbrabant-sport.example.be", ""),
    ),
    _offer(
        "Justitieel welzijnswerk",
        "Justitiehuis Demoland",
        OfferSector.JUSTICE_ASSISTANCE,
        "Begeleiding van justitiabelen en hun familie tijdens en na een straf, met aandacht voor "
        "re-integratie.",
        (Province.WEST_FLANDERS, Province.EAST_FLANDERS),
        "Justitiabelen en hun naasten.",
        (YOUNG, ADULTS, PARENTS),
        (NL,),
        ("", "02 555 10 10", "welzijn@justitiehuis-demoland.example.be", ""),
    ),
    _offer(
        "Accompagnement psychosocial des jeunes",
        "Service de santé mentale Namur-Centre (fictif)",
        OfferSector.MENTAL_HEALTH,
        "Consultations psychologiques pour adolescents et jeunes adultes, y compris en cas de "
        "repli sur soi, d'idées noires ou de ruptures familiales.",
        (Province.NAMUR,),
        "Adolescents et jeunes adultes, et leurs parents.",
        (TEENS, YOUNG, PARENTS),
        (FR,),
        ("Accueil", "02 555 20 01", "accueil@ssm-namur.example.be", ""),
    ),
    _offer(
        "AMO : aide en milieu ouvert",
        "AMO Le Passage (fictif)",
        OfferSector.YOUTH_WORK,
        "Accompagnement gratuit et confidentiel des jeunes et de leur famille, sans mandat, "
        "travail de rue et permanences dans les quartiers.",
        (Province.LIEGE,),
        "Jeunes de 0 à 22 ans et leur famille.",
        (CHILDREN, TEENS, YOUNG, PARENTS),
        (FR, AR),
        (
            "",
            "02 555 20 02",
            "contact@amo-lepassage.example.be",
            "https://amo-lepassage.example.be",
        ),
    ),
    _offer(
        "Cellule d'accompagnement des familles",
        "Centre d'aide aux familles du Hainaut (fictif)",
        OfferSector.FAMILY_SUPPORT,
        "Soutien aux parents inquiets d'un basculement de leur enfant vers des discours "
        "extrémistes ; groupes de parole et suivi individuel.",
        (Province.HAINAUT,),
        "Parents et proches.",
        (PARENTS,),
        (FR, AR, TR),
        ("Claire Dubois", "02 555 20 03", "familles@caf-hainaut.example.be", ""),
    ),
    _offer(
        "Désengagement et réinsertion",
        "Centre de ressources radicalismes (fictif)",
        OfferSector.DISENGAGEMENT,
        "Accompagnement volontaire des personnes qui souhaitent se désengager d'un groupe "
        "extrémiste, et appui aux professionnels de première ligne.",
        (Province.BRUSSELS, Province.WALLOON_BRABANT, Province.HAINAUT, Province.LIEGE),
        "Personnes concernées, proches et professionnels.",
        (YOUNG, ADULTS, PROS),
        (FR, EN, AR),
        ("Permanence", "02 555 20 04", "permanence@crr.example.be", "https://crr.example.be"),
    ),
    _offer(
        "Logement d'urgence pour jeunes",
        "Maison des jeunes du Luxembourg (fictif)",
        OfferSector.HOUSING,
        "Hébergement temporaire et accompagnement vers un logement autonome pour les jeunes en "
        "rupture familiale.",
        (Province.LUXEMBOURG,),
        "Jeunes de 18 à 25 ans sans logement.",
        (YOUNG,),
        (FR, DE),
        ("", "02 555 20 05", "logement@mj-luxembourg.example.be", ""),
    ),
    _offer(
        "Soutien scolaire et accrochage",
        "Service d'accrochage scolaire Brabant wallon (fictif)",
        OfferSector.EDUCATION,
        "Accompagnement des élèves en décrochage, médiation avec l'école et remise en projet.",
        (Province.WALLOON_BRABANT,),
        "Élèves de l'enseignement secondaire.",
        (TEENS,),
        (FR,),
        ("Julie Martin", "02 555 20 06", "sas@sas-bw.example.be", ""),
    ),
    _offer(
        "Dialogue interconvictionnel dans les écoles",
        "Plateforme Dialogue Bruxelles (fictif)",
        OfferSector.DIALOGUE,
        "Animations en classe sur le vivre-ensemble et les convictions, par des binômes de "
        "représentants de cultes et de la laïcité.",
        (Province.BRUSSELS,),
        "Élèves et enseignants.",
        (TEENS, PROS),
        (FR, NL),
        ("", "02 555 20 07", "ecoles@dialogue-bxl.example.be", "https://dialogue-bxl.example.be"),
    ),
]


def _point(
    sector: str,
    organisation: str,
    function: str,
    province: str,
    phone: str,
    email: str,
    notes: str = "",
) -> ContactPointValues:
    return ContactPointValues(
        sector=sector,
        organisation=organisation,
        function=function,
        province=province,
        phone=phone,
        email=email,
        notes=notes,
    )


CONTACT_POINTS = [
    _point(
        ContactSector.PUBLIC_TRANSPORT,
        "Spoorwegpolitie (fictief)",
        "Referentiepersoon radicalisering openbaar vervoer",
        Province.NATIONAL,
        "02 555 30 01",
        "radicalisering@spoorwegpolitie.example.be",
        "Bereikbaar op werkdagen; buiten de kantooruren via de permanentie van de lokale politie.",
    ),
    _point(
        ContactSector.HOSPITALS,
        "AZ Demoland (fictief)",
        "Liaison psychiatrie en veiligheid",
        Province.EAST_FLANDERS,
        "02 555 30 02",
        "liaison@az-demoland.example.be",
    ),
    _point(
        ContactSector.SCHOOLS,
        "Onderwijskoepel Oost-Vlaanderen (fictief)",
        "Aanspreekpunt radicalisering en polarisatie scholen",
        Province.EAST_FLANDERS,
        "02 555 30 03",
        "polarisatie@onderwijskoepel.example.be",
    ),
    _point(
        ContactSector.HOUSING_COMPANIES,
        "Sociale Huisvesting Demoland (fictief)",
        "Sociaal beheerder",
        Province.EAST_FLANDERS,
        "02 555 30 04",
        "sociaalbeheer@shd.example.be",
    ),
    _point(
        ContactSector.PRISONS,
        "Prison de Lantin (fictif)",
        "Référent radicalisme",
        Province.LIEGE,
        "02 555 30 05",
        "referent@prison-lantin.example.be",
    ),
    _point(
        ContactSector.SPORTS_CLUBS,
        "Fédération sportive bruxelloise (fictif)",
        "Personne de contact intégrité et polarisation",
        Province.BRUSSELS,
        "02 555 30 06",
        "integrite@federation-sport.example.be",
    ),
    _point(
        ContactSector.PLACES_OF_WORSHIP,
        "Coördinatie erediensten Antwerpen (fictief)",
        "Contactpersoon gebedshuizen",
        Province.ANTWERP,
        "02 555 30 07",
        "erediensten@coordinatie.example.be",
    ),
    _point(
        ContactSector.PUBLIC_TRANSPORT,
        "Société régionale de transport (fictif)",
        "Responsable sûreté",
        Province.HAINAUT,
        "02 555 30 08",
        "surete@transport-regional.example.be",
    ),
]


def load(editor: User) -> dict[str, int]:
    """Write and publish the demo offers and contact points that are missing, as ``editor``
    (a knowledge editor). Return how many of each were added."""
    added = {"offers": 0, "contact_points": 0}
    for values in OFFERS:
        if Offer.objects.filter(name=values.name, organisation=values.organisation).exists():
            continue
        offer = services.offer_create(actor=editor, values=values)
        services.offer_publish(actor=editor, offer=offer, version=offer.version)
        added["offers"] += 1
    for point_values in CONTACT_POINTS:
        if ContactPoint.objects.filter(
            organisation=point_values.organisation, function=point_values.function
        ).exists():
            continue
        point = services.contact_point_create(actor=editor, values=point_values)
        services.contact_point_publish(actor=editor, point=point, version=point.version)
        added["contact_points"] += 1
    return added


def demo_referral_offer_id() -> int | None:
    """The published offer the demo's not-retained signal is referred to (None before
    ``load``): pass it as ``referred_offer_id`` to ``signal_screen``."""
    name, organisation = DEMO_REFERRAL
    return (
        Offer.objects.filter(name=name, organisation=organisation, status=Status.PUBLISHED)
        .values_list("pk", flat=True)
        .first()
    )
