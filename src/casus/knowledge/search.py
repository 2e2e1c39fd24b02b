"""Full-text search of practice fiches: PostgreSQL in production, SQLite FTS5 for the demo.

Both backends see the same text: folded to lower case without accents (``fold``), then
analysed in the fiche's own language. PostgreSQL stems and drops stop words with its
``dutch``/``french``/``german``/``english`` configurations into a stored, GIN-indexed tsvector
(weights A title, B summary and themes, C body, institution and municipality) and reads the
query with ``websearch_to_tsquery``. SQLite gets the same treatment in Python — the Snowball
stemmers of ``snowballstemmer`` and the Snowball stop lists PostgreSQL ships — over an FTS5
table with bm25 column weights; the query is parsed here with the same websearch syntax
(words, "phrases", OR, -word) and only ever reaches FTS5 as quoted tokens, so no input can be
an FTS5 syntax error. See ADR 0029.
"""

import functools
import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from .models import Language, PracticeFiche

#: The text-search configuration (and Snowball stemmer) of each fiche language.
CONFIGS: dict[str, str] = {
    Language.DUTCH: "dutch",
    Language.FRENCH: "french",
    Language.GERMAN: "german",
    Language.ENGLISH: "english",
}
FTS_TABLE = "knowledge_fiche_fts"
#: bm25 weights of the FTS5 columns: lang (a filter, never scored), A, B, C.
FTS_WEIGHTS = (0.0, 10.0, 4.0, 1.0)
#: A query is cut to this many characters and words: enough for any real question.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 24

#: Runs of letters and digits: what FTS5's unicode61 tokenizer keeps as one token.
_TOKEN = re.compile(r"[^\W_]+")
#: websearch syntax: a "quoted phrase" (closed or not) or a run of anything but spaces.
_QUERY_ITEM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def clean(text: str) -> str:
    """``text`` without control characters (NUL and friends become spaces)."""
    return "".join(
        " " if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") else char for char in text
    )


def fold(text: str) -> str:
    """Lower-case ``text`` without accents or control characters (ß becomes ss)."""
    decomposed = unicodedata.normalize("NFKD", clean(text).casefold())
    stripped = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def variants(text: str) -> list[str]:
    """``text`` as written (lower case) and, if different, without accents.

    Stemmers know their language's accents ("radicalisées" and "radicalisation" share a
    stem), so text is stemmed as written; the accent-free variant lets a query typed without
    accents ("prevention") find it too. Index and query both use both variants.
    """
    written = unicodedata.normalize("NFC", clean(text).casefold())
    folded = fold(text)
    return [written] if folded == written else [written, folded]


@functools.cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(CONFIGS[language])


@functools.cache
def _stop_words(language: str) -> frozenset[str]:
    text = resources.files("casus.knowledge").joinpath(f"stopwords/{CONFIGS[language]}.txt")
    return frozenset(fold(line.strip()) for line in text.read_text("utf-8").splitlines())


def analyse(text: str, language: str) -> list[str]:
    """The stems of ``text`` as written, stop words left out (as PostgreSQL does)."""
    stop = _stop_words(language)
    words = [word for word in _TOKEN.findall(text.casefold()) if fold(word) not in stop]
    return list(_stemmer(language).stemWords(words))


def _weighted_texts(fiche: PracticeFiche, themes: list[str]) -> tuple[str, str, str]:
    """The A, B and C texts of a fiche."""
    return (
        fiche.title,
        "\n".join([fiche.summary, *themes]),
        "\n".join([fiche.body, fiche.institution, fiche.municipality]),
    )


def index(fiche: PracticeFiche) -> None:
    """Write ``fiche``'s search entry; call it in the transaction that changed the fiche."""
    themes = list(fiche.themes.values_list("name", flat=True))
    a, b, c = _weighted_texts(fiche, themes)
    if connection.vendor == "postgresql":
        config = CONFIGS[fiche.language]
        parts = [
            SearchVector(Value(variant), config=config, weight=weight)
            for text, weight in ((a, "A"), (b, "B"), (c, "C"))
            for variant in variants(text)
        ]
        vector = functools.reduce(operator.add, parts)
        PracticeFiche.objects.filter(pk=fiche.pk).update(search_vector=vector)
        return
    if connection.vendor == "sqlite":
        # FTS5 folds accents itself (remove_diacritics 2): the stems of both variants, one
        # after the other, so phrases stay adjacent within each.
        columns = [
            "\n".join(" ".join(analyse(v, fiche.language)) for v in variants(text))
            for text in (a, b, c)
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [fiche.pk])  # noqa: S608  # nosec B608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, lang, a, b, c) "  # noqa: S608  # nosec B608
                "VALUES (%s, %s, %s, %s, %s)",
                [fiche.pk, fiche.language, *columns],
            )


def clean_query(query: str) -> str:
    """The query as it is searched: at most MAX_QUERY_LENGTH characters and MAX_QUERY_WORDS
    words, without control characters."""
    return " ".join(clean(query)[:MAX_QUERY_LENGTH].split()[:MAX_QUERY_WORDS])


def matching(fiches: QuerySet[PracticeFiche], query: str) -> QuerySet[PracticeFiche]:
    """``fiches`` that match ``query``, annotated with ``rank`` (higher is better).

    ``query`` is cleaned already (``clean_query``) and not empty.
    """
    expression = fts_expression(query)
    if expression is None:
        # Only stop words or excluded words: nothing to look for (PostgreSQL would list
        # "everything but"; FTS5 cannot, and both backends answer alike).
        return fiches.none().annotate(rank=Value(0.0))
    if connection.vendor == "postgresql":
        return _matching_postgresql(fiches, query)
    return _matching_sqlite(fiches, expression)


# --- PostgreSQL ---------------------------------------------------------------------------


def _matching_postgresql(fiches: QuerySet[PracticeFiche], query: str) -> QuerySet[PracticeFiche]:
    # Each fiche is matched with the query analysed in its own language...
    own_config = Case(
        *(When(language=code, then=Value(config)) for code, config in CONFIGS.items()),
        default=Value("simple"),
    )
    own = _or(SearchQuery(v, config=own_config, search_type="websearch") for v in variants(query))
    # ... after a filter the GIN index can answer: the query in any of the four languages.
    any_language = _or(
        SearchQuery(v, config=c, search_type="websearch")
        for c in CONFIGS.values()
        for v in variants(query)
    )
    return (
        fiches.filter(search_vector=any_language)
        .filter(search_vector=own)
        .annotate(rank=SearchRank(F("search_vector"), own))
    )


def _or(queries: Iterable[SearchQuery]) -> SearchQuery:
    return functools.reduce(operator.or_, queries)


# --- SQLite -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    text: str
    negated: bool = False


def _parse(query: str) -> list[list[_Item]]:
    """websearch syntax as clauses (AND) of alternatives (OR); -word excludes, "x y" is a phrase.

    As in ``websearch_to_tsquery``, OR binds tighter than the implicit AND.
    """
    clauses: list[list[_Item]] = []
    pending_or = False
    for match in _QUERY_ITEM.finditer(query):
        minus, phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            pending_or = bool(clauses)
            continue
        if word is not None:
            item = _Item(word.lstrip("-"), negated=word.startswith("-"))
        else:
            item = _Item(phrase, negated=bool(minus))
        if pending_or and not item.negated and not any(i.negated for i in clauses[-1]):
            clauses[-1].append(item)
        else:
            clauses.append([item])
        pending_or = False
    return clauses


def _phrase(text: str, language: str) -> str | None:
    """FTS5 strings (a token, or a phrase of tokens) of both variants of ``text``, OR-ed;
    None if only stop words remain."""
    # Stems are letters and digits only: wrapped in quotes, no input is FTS5 syntax.
    phrases = {
        '"' + " ".join(stems) + '"' for v in variants(text) if (stems := analyse(v, language))
    }
    return " OR ".join(sorted(phrases)) if phrases else None


def _language_expression(clauses: list[list[_Item]], language: str) -> str | None:
    wanted: list[str] = []
    excluded: list[str] = []
    for clause in clauses:
        alternatives = [p for p in (_phrase(i.text, language) for i in clause) if p]
        if not alternatives:
            continue
        group = "(" + " OR ".join(alternatives) + ")"
        (excluded if clause[0].negated else wanted).append(group)
    if not wanted:  # FTS5 cannot list "everything but": as if nothing matched
        return None
    expression = " AND ".join(wanted)
    for group in excluded:
        expression = f"({expression}) NOT {group}"
    return f"(lang : {language} AND {{a b c}} : ({expression}))"


def fts_expression(query: str) -> str | None:
    """The FTS5 MATCH expression of ``query``: each language's analysis for its own fiches."""
    clauses = _parse(query)
    branches = [_language_expression(clauses, language) for language in CONFIGS]
    present = [branch for branch in branches if branch]
    return " OR ".join(present) if present else None


def _matching_sqlite(fiches: QuerySet[PracticeFiche], expression: str) -> QuerySet[PracticeFiche]:
    table = PracticeFiche._meta.db_table
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    # Constants and one parameter: the expression is never part of the SQL text.
    rank = RawSQL(  # noqa: S611  # nosec B611
        f"SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "  # noqa: S608  # nosec B608
        f'WHERE {FTS_TABLE} MATCH %s AND rowid = "{table}"."id"',
        (expression,),
    )
    matches = RawSQL(  # noqa: S611  # nosec B611
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608  # nosec B608
        (expression,),
    )
    return fiches.filter(pk__in=matches).annotate(rank=rank)
