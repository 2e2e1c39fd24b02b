"""The demo's knowledge base: sixteen published practice fiches, Dutch and French.

Written for Casus (places and organisations are invented; the provinces are real), through the
knowledge services as the demo's knowledge editor. Idempotent: a fiche whose title exists is
left as it is; translation pairs are linked once.
"""

from dataclasses import dataclass
from datetime import date

from casus.access.models import User
from casus.knowledge import services
from casus.knowledge.models import Domain, FicheStatus, PracticeFiche, Province

P, S, T = "primary", "secondary", "tertiary"


@dataclass(frozen=True)
class Fiche:
    title: str
    language: str
    summary: str
    body: str
    municipality: str
    institution: str
    province: str
    domain: str
    levels: tuple[str, ...]
    themes: tuple[str, ...]
    contact: str
    published_on: date
    translation_of: str = ""  # the title of the fiche this one translates


FICHES = [
    Fiche(
        title="Overlegplatform LIVC-R Scheldestad: drie tafels, één casusoverleg",
        language="nl",
        summary="Hoe een centrumstad haar lokale integrale veiligheidscel opbouwde met een "
        "strategische, een tactische en een operationele tafel.",
        body="De burgemeester zit de cel voor; de preventiedienst coördineert en bereidt elk "
        "casusoverleg voor samen met de informatieofficier van de politiezone.\n\n"
        "Partners zoals het OCMW, het CLB, het jeugdwerk en het CAW nemen deel op uitnodiging. "
        "Een huishoudelijk reglement legt vooraf vast wie deelneemt, waarom en hoe informatie "
        "onder het gedeelde beroepsgeheim wordt besproken.\n\n"
        "Na twee jaar besluit de stad dat de vaste maandelijkse overlegmomenten het vertrouwen "
        "tussen de partners sterk verbeterden.",
        municipality="Scheldestad",
        institution="Preventiedienst Scheldestad",
        province=Province.ANTWERP,
        domain=Domain.CONSULTATION_PLATFORM,
        levels=(S, T),
        themes=("casusoverleg", "beroepsgeheim"),
        contact="Lotte Janssens, lotte.janssens@scheldestad.example.be",
        published_on=date(2025, 3, 12),
    ),
    Fiche(
        title="Weerbare klassen: radicalisering bespreekbaar maken op school",
        language="nl",
        summary="Een sensibiliseringsprogramma voor leerkrachten en leerlingen van het "
        "secundair onderwijs over polarisering en radicalisering op school.",
        body="Leerkrachten krijgen een handleiding om moeilijke gesprekken in de klas te voeren: "
        "over identiteit, onrecht, complotdenken en geweld.\n\n"
        "Leerlingen werken in kleine groepen rond stellingen; een externe begeleider helpt de "
        "school om signalen van radicaliseringsprocessen te herkennen zonder te stigmatiseren.",
        municipality="Dender-Zuid",
        institution="Scholengroep Dender-Zuid",
        province=Province.EAST_FLANDERS,
        domain=Domain.AWARENESS,
        levels=(P,),
        themes=("scholen", "jongeren", "polarisering"),
        contact="Pieter De Smet, pieter.desmet@scholengroep.example.be",
        published_on=date(2025, 9, 1),
    ),
    Fiche(
        title="Online radicalisering herkennen: vorming voor jeugdwerkers",
        language="nl",
        summary="Een vorming van twee dagen voor jeugdwerkers over hoe jongeren online in "
        "extremistische netwerken terechtkomen.",
        body="Jeugdwerkers leren hoe algoritmes, besloten groepen en memes jongeren naar "
        "extreme inhoud leiden, en hoe ze daarover met jongeren in gesprek gaan.\n\n"
        "De vorming eindigt met een doorverwijsschema: wanneer blijft een zorg in het jeugdwerk, "
        "en wanneer meldt de jeugdwerker ze aan de preventieambtenaar.",
        municipality="Maasvallei",
        institution="Jeugddienst Maasvallei",
        province=Province.LIMBURG,
        domain=Domain.TRAINING,
        levels=(P, S),
        themes=("online", "jeugdwerk", "jongeren"),
        contact="Sara Vos, sara.vos@maasvallei.example.be",
        published_on=date(2024, 11, 20),
    ),
    Fiche(
        title="Doorverwijsprotocol tussen OCMW en LIVC",
        language="nl",
        summary="Afspraken over wanneer en hoe een maatschappelijk werker van het OCMW een "
        "zorg aanmeldt bij de lokale integrale veiligheidscel.",
        body="Het protocol onderscheidt gewone hulpvragen van signalen van een "
        "radicaliseringsproces. Alleen die laatste gaan naar de LIVC; al het andere blijft "
        "in de reguliere hulpverlening.\n\n"
        "De maatschappelijk werker bespreekt de zorg eerst met de teamverantwoordelijke. "
        "Die beslist over de aanmelding en houdt de cliënt zoveel mogelijk op de hoogte.",
        municipality="Sint-Exempel",
        institution="OCMW Sint-Exempel",
        province=Province.BRUSSELS,
        domain=Domain.PROCEDURE,
        levels=(S,),
        themes=("OCMW", "doorverwijzing", "beroepsgeheim"),
        contact="Nadia Benali, nadia.benali@ocmw-cpas-exempel.example.be",
        published_on=date(2025, 1, 15),
    ),
    Fiche(
        title="Exitprogramma Nieuwe Koers: uitstappen uit gewelddadig extremisme",
        language="nl",
        summary="Individuele begeleiding van personen die afstand willen nemen van een "
        "extremistische groep.",
        body="Een vaste begeleider werkt met de persoon aan een nieuw netwerk, werk of "
        "opleiding, huisvesting en het verwerken van het verleden.\n\n"
        "Het programma werkt samen met het justitiehuis en de geestelijke gezondheidszorg. "
        "Deelname is vrijwillig; de begeleiding duurt gemiddeld achttien maanden.",
        municipality="Leiedorp",
        institution="CAW Leiestreek",
        province=Province.WEST_FLANDERS,
        domain=Domain.EXIT_AND_REINTEGRATION,
        levels=(T,),
        themes=("disengagement", "begeleiding"),
        contact="Jonas Claeys, jonas.claeys@caw-leiestreek.example.be",
        published_on=date(2024, 6, 3),
    ),
    Fiche(
        title="Hulplijn voor ouders die zich zorgen maken",
        language="nl",
        summary="Een telefonische hulplijn en gezinsondersteuning voor ouders die merken dat "
        "hun kind extreme ideeën ontwikkelt.",
        body="Ouders kunnen anoniem bellen. Een gezinscoach luistert, geeft advies en stelt "
        "indien nodig een huisbezoek voor.\n\n"
        "De hulplijn meldt zelf niets aan de LIVC: wie hulp vraagt, moet erop kunnen "
        "vertrouwen dat het gesprek vertrouwelijk blijft.",
        municipality="Scheldestad",
        institution="Huis van het Kind Scheldestad",
        province=Province.ANTWERP,
        domain=Domain.FAMILY_SUPPORT,
        levels=(S,),
        themes=("ouders", "gezinnen"),
        contact="Els Wouters, els.wouters@huisvanhetkind.example.be",
        published_on=date(2025, 5, 7),
    ),
    Fiche(
        title="Polarisatie in sportclubs voorkomen",
        language="nl",
        summary="Trainers en bestuurders van sportclubs leren spanningen tussen groepen "
        "vroeg op te merken en bespreekbaar te maken.",
        body="Sportclubs zijn ontmoetingsplaatsen: jongeren van alle achtergronden sporten er "
        "samen. Spanningen tussen groepen uiten zich er vaak eerst.\n\n"
        "De gemeente organiseert workshops voor trainers en een contactpunt bij de sportdienst. "
        "Het gaat om primaire preventie: clubs sterker maken, niet individuen opvolgen.",
        municipality="Maasvallei",
        institution="Sportdienst Maasvallei",
        province=Province.LIMBURG,
        domain=Domain.PREVENTION_PROJECT,
        levels=(P,),
        themes=("sport", "polarisatie"),
        contact="Tom Gielen, tom.gielen@maasvallei.example.be",
        published_on=date(2025, 10, 2),
    ),
    Fiche(
        title="Jaarlijkse zelfevaluatie van de LIVC",
        language="nl",
        summary="Een cel beoordeelt elk jaar haar eigen werking met een korte vragenlijst en "
        "vergelijkt de antwoorden met vorig jaar.",
        body="Alle leden vullen de vragenlijst in over structuur, visie, werkwijze, "
        "casusbeheer, informatiedeling en samenwerking.\n\n"
        "De coördinator bespreekt de resultaten op de strategische tafel; verbeterpunten "
        "komen in het jaarlijkse actieplan.",
        municipality="Demerbeek",
        institution="Stad Demerbeek",
        province=Province.FLEMISH_BRABANT,
        domain=Domain.RESEARCH,
        levels=(T,),
        themes=("zelfevaluatie", "kwaliteit"),
        contact="Hanne Peeters, hanne.peeters@demerbeek.example.be",
        published_on=date(2025, 12, 1),
    ),
    Fiche(
        title="Plateforme de concertation CSIL-R de Mosanville",
        language="fr",
        summary="La cellule de sécurité intégrale locale réunit chaque mois les services "
        "sociaux, la prévention et la police autour des situations individuelles.",
        body="Le bourgmestre préside la cellule. Le fonctionnaire de prévention prépare "
        "l'ordre du jour avec l'officier d'information de la zone de police.\n\n"
        "Un groupe intersectoriel échange les pratiques de prévention; une cellule plus "
        "restreinte traite les informations sensibles. Un règlement d'ordre intérieur fixe "
        "qui participe et à quelles conditions.",
        municipality="Mosanville",
        institution="Service de prévention de Mosanville",
        province=Province.LIEGE,
        domain=Domain.CONSULTATION_PLATFORM,
        levels=(T,),
        themes=("concertation de cas", "secret professionnel"),
        contact="Julie Lambert, julie.lambert@mosanville.example.be",
        published_on=date(2025, 2, 18),
    ),
    Fiche(
        title="Protocole d'orientation entre le CPAS et la CSIL",
        language="fr",
        summary="Quand et comment un assistant social du CPAS signale une inquiétude à la "
        "cellule de sécurité intégrale locale.",
        body="Le protocole distingue les demandes d'aide ordinaires des signes d'un processus "
        "de radicalisation. Seuls ces derniers sont orientés vers la CSIL.\n\n"
        "L'assistant social en parle d'abord à son responsable d'équipe, qui décide du "
        "signalement et en informe la personne autant que possible.",
        municipality="Saint-Exemple",
        institution="CPAS de Saint-Exemple",
        province=Province.BRUSSELS,
        domain=Domain.PROCEDURE,
        levels=(S,),
        themes=("CPAS", "orientation"),
        contact="Nadia Benali, nadia.benali@ocmw-cpas-exempel.example.be",
        published_on=date(2025, 1, 20),
        translation_of="Doorverwijsprotocol tussen OCMW en LIVC",
    ),
    Fiche(
        title="Accompagnement à la sortie de prison",
        language="fr",
        summary="Un suivi individuel des personnes condamnées pour des faits de terrorisme ou "
        "radicalisées en prison, dès avant leur libération.",
        body="Six mois avant la libération, la maison de justice, le service psychosocial de "
        "la prison et la commune de résidence se concertent sur le logement, le travail et "
        "l'entourage.\n\n"
        "Un référent unique accompagne la personne après sa sortie et fait rapport à la CSIL.",
        municipality="Hautrive",
        institution="Maison de justice de Hautrive",
        province=Province.HAINAUT,
        domain=Domain.INDIVIDUAL_FOLLOW_UP,
        levels=(T,),
        themes=("prison", "réinsertion"),
        contact="Marc Dubois, marc.dubois@justice-hautrive.example.be",
        published_on=date(2024, 9, 9),
    ),
    Fiche(
        title="Dialogue entre les mosquées et la commune",
        language="fr",
        summary="Des rencontres régulières entre les responsables des mosquées, le bourgmestre "
        "et les services communaux.",
        body="La commune et les mosquées se rencontrent quatre fois par an pour parler des "
        "jeunes, des tensions dans les quartiers et des projets communs.\n\n"
        "Ce dialogue crée la confiance nécessaire pour réagir ensemble quand un incident "
        "suscite de l'inquiétude.",
        municipality="Val-de-Meuse",
        institution="Administration communale de Val-de-Meuse",
        province=Province.NAMUR,
        domain=Domain.DIALOGUE,
        levels=(P,),
        themes=("cultes", "quartiers"),
        contact="Youssef Amrani, youssef.amrani@valdemeuse.example.be",
        published_on=date(2025, 4, 14),
    ),
    Fiche(
        title="Un point de contact police pour les écoles",
        language="fr",
        summary="Chaque école dispose d'un policier de référence qu'elle peut joindre "
        "directement pour une question ou une inquiétude.",
        body="Le policier de référence rencontre les directions d'école en début d'année. Il "
        "explique ce qu'il peut faire et ce qui relève des services d'aide.\n\n"
        "Les écoles gagnent un interlocuteur connu; la police reçoit plus tôt les signaux "
        "utiles.",
        municipality="Nivelle-la-Neuve",
        institution="Zone de police Brabant-Sud",
        province=Province.WALLOON_BRABANT,
        domain=Domain.PROCEDURE,
        levels=(S,),
        themes=("écoles", "police"),
        contact="Sophie Renard, sophie.renard@police-brabantsud.example.be",
        published_on=date(2025, 6, 23),
    ),
    Fiche(
        title="Prévenir la polarisation dans les clubs sportifs",
        language="fr",
        summary="Former les entraîneurs et les dirigeants de clubs à repérer et désamorcer les "
        "tensions entre groupes.",
        body="Les clubs de sport rassemblent des jeunes de tous horizons; les tensions entre "
        "groupes s'y expriment souvent en premier.\n\n"
        "La commune organise des ateliers pour les entraîneurs et un point de contact au "
        "service des sports. C'est de la prévention primaire: renforcer les clubs.",
        municipality="Maasvallei",
        institution="Service des sports de Maasvallei",
        province=Province.LIMBURG,
        domain=Domain.PREVENTION_PROJECT,
        levels=(P,),
        themes=("sport", "polarisation"),
        contact="Tom Gielen, tom.gielen@maasvallei.example.be",
        published_on=date(2025, 10, 6),
        translation_of="Polarisatie in sportclubs voorkomen",
    ),
    Fiche(
        title="Auto-évaluation annuelle de la CSIL",
        language="fr",
        summary="Chaque année, la cellule évalue son propre fonctionnement à l'aide d'un court "
        "questionnaire et compare les réponses à l'année précédente.",
        body="Tous les membres répondent sur la structure, la vision, la méthode de travail, "
        "la gestion des cas, le partage d'informations et la collaboration.\n\n"
        "Le coordinateur présente les résultats à la table stratégique; les points "
        "d'amélioration entrent dans le plan d'action annuel.",
        municipality="Demerbeek",
        institution="Ville de Demerbeek",
        province=Province.FLEMISH_BRABANT,
        domain=Domain.RESEARCH,
        levels=(T,),
        themes=("auto-évaluation", "qualité"),
        contact="Hanne Peeters, hanne.peeters@demerbeek.example.be",
        published_on=date(2025, 12, 3),
        translation_of="Jaarlijkse zelfevaluatie van de LIVC",
    ),
    Fiche(
        title="Prévention primaire à l'école: éducation aux médias",
        language="fr",
        summary="Des ateliers d'éducation aux médias pour apprendre aux élèves à décoder la "
        "propagande et les théories du complot en ligne.",
        body="Les élèves analysent des vidéos et des publications réelles, repèrent les "
        "techniques de manipulation et apprennent à vérifier une information.\n\n"
        "Les enseignants reçoivent un dossier pédagogique; les ateliers sont donnés par une "
        "association d'éducation permanente.",
        municipality="Ardenne-sur-Ourthe",
        institution="Athénée d'Ardenne-sur-Ourthe",
        province=Province.LUXEMBOURG,
        domain=Domain.AWARENESS,
        levels=(P,),
        themes=("écoles", "médias", "en ligne"),
        contact="Claire Thiry, claire.thiry@ardenne.example.be",
        published_on=date(2025, 3, 30),
    ),
]


def load(editor: User) -> list[PracticeFiche]:
    """Create and publish the demo fiches as ``editor`` (a knowledge editor); idempotent."""
    fiches: dict[str, PracticeFiche] = {}
    for spec in FICHES:
        fiche = PracticeFiche.objects.filter(title=spec.title).first()
        if fiche is None:
            fiche = services.fiche_create(
                actor=editor,
                title=spec.title,
                summary=spec.summary,
                body=spec.body,
                language=spec.language,
                domain=spec.domain,
                levels=list(spec.levels),
                themes=list(spec.themes),
                municipality=spec.municipality,
                institution=spec.institution,
                province=spec.province,
                contact=spec.contact,
                published_on=spec.published_on,
            )
        if fiche.status != FicheStatus.PUBLISHED:
            fiche = services.fiche_publish(actor=editor, fiche=fiche)
        fiches[spec.title] = fiche
    for spec in FICHES:
        if not spec.translation_of:
            continue
        fiche, other = fiches[spec.title], fiches[spec.translation_of]
        fiche.refresh_from_db()
        other.refresh_from_db()
        if fiche.translation_group is None or fiche.translation_group != other.translation_group:
            services.fiche_translation_link(actor=editor, fiche=fiche, other=other)
    return [fiches[spec.title] for spec in FICHES]
