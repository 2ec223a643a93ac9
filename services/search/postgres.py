"""The PostgreSQL full-text backend (SEARCH_BACKEND=postgres), for several app servers sharing one database.

Documents live in `search_document` with a generated, weighted tsvector column (GIN index); typos are
matched against the `search_word` vocabulary with pg_trgm (candidates) and fuzzystrmatch (edit
distance). A search reads a bounded candidate set (exact matches first); within it everything is
exact, beyond it total and facet counts are estimated from a block sample (see PostgresBackend._query).
The same analysed words as the Whoosh backend go in.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from sqlalchemy import MetaData, Table, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from models.search import SearchDocument, SearchWord
from services import clock
from services.cooperatives import last_closed_financial_year, status_rules
from services.search.analysis import max_typos, query_identifier, tokens
from services.search.base import FACETS, Hit, SearchQuery, SearchResult, SearchUnavailable, rebuild_without_replay
from services.search.forgiving import SUGGESTIONS, fuzzy_allowed, is_last, plan, suggest, transpositions, unit_words

if TYPE_CHECKING:
    import psycopg

# ts_rank weights for D (legal-form words), C (other text), B (identifiers), A (distinctive name words).
RANK_WEIGHTS = "{0.05, 0.2, 0.6, 1.0}"
# The facets that depend on the day, computed at query time (same rules as whoosh_index._derive): a
# cooperative's activity status from its status year, a permit "expired" once its end date passed.
DERIVED = {
    "status": (
        "CASE WHEN kind = 'cooperative' THEN CASE "
        "WHEN status_year IS NULL OR :closed_year - status_year >= :at_risk_after THEN 'at_risk' "
        "WHEN :closed_year - status_year >= :dormant_after THEN 'dormant' ELSE 'active' END "
        "ELSE status END"
    ),
    "permit": "CASE WHEN permit = 'valid' AND permit_until < :today THEN 'expired' ELSE permit END",
}
_HIT_COLUMNS = (
    "kind, record_id, name, kelurahan, kecamatan, kota, kbli_code, kbli_title, "
    f"{DERIVED['status']} AS status, {DERIVED['permit']} AS permit, permit_until"
)
_HIT_SELECT = "SELECT " + _HIT_COLUMNS + " FROM search_document"  # noqa: S608 - constant SQL


def _column(name: str) -> str:
    """A facet as SQL: the column, or its expression when it is computed at query time."""
    return f"({DERIVED[name]})" if name in DERIVED else name


COOPERATIVE_STATUSES = ("active", "dormant", "at_risk")


def _filter(name: str, value: str, parameter: str) -> str:
    """A facet filter as SQL (`name` is one of FACETS, never user text). The day-dependent facets are
    spelled out on their stored columns, so that the planner can estimate how many rows they keep."""
    if name == "status" and value not in COOPERATIVE_STATUSES:
        return f"(kind <> 'cooperative' AND status = :{parameter})"
    if name == "status":
        return f"(kind = 'cooperative' AND {_column(name)} = :{parameter})"
    if name == "permit" and value == "valid":
        return "(permit = 'valid' AND (permit_until IS NULL OR permit_until >= :today))"
    if name == "permit" and value == "expired":
        return "(permit = 'expired' OR (permit = 'valid' AND permit_until < :today))"
    return f"{name} = :{parameter}"


# Matching rows read per search; beyond it the total and facet counts are estimated (see _query).
CANDIDATE_CAP = 500
MAX_CANDIDATES = 5000  # the most a deep relevance page or the CSV export reads (pages stop there)
SAMPLE_ROWS = 10_000  # documents in the block sample that estimates counts beyond the cap
PROBE_ROWS = 25_000  # rows read before asking the full-text index, for a query expected to match many
PROBE_MIN_ESTIMATE = 100  # matches the planner must expect before the probe is tried
MAX_EXPANSIONS = 64  # words a prefix is spelled out into (as Whoosh does); beyond, it stays a prefix query
MIN_SAMPLE_MATCHES = 50  # fewer matches in the sample: facet counts are scaled from the candidates


def _count(rows) -> dict[str, dict[str, int]]:
    """Facet counts over candidate rows."""
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for row in rows:
        for name in FACETS:
            value = row._mapping[name]
            if value:
                facets[name][value] = facets[name].get(value, 0) + 1
    return facets


def _round(value: float) -> int:
    """An estimate to two significant figures: 37,412 -> 37,000."""
    number = round(value)
    if number < 100:
        return number
    digits = len(str(number)) - 2
    return round(number, -digits)


_COLUMNS = [column.name for column in SearchDocument.__table__.columns]


class PostgresBackend:
    """Satisfies services.search.base.SearchBackend."""

    def __init__(self, engine: Engine, read_engine: Engine | None = None):
        self.engine = engine  # the primary: every write, the drift check, health
        self.read_engine = read_engine or engine  # searches (DATABASE_REPLICA_URL: a read replica)
        self.candidate_cap, self.max_candidates = CANDIDATE_CAP, MAX_CANDIDATES
        self.probe_rows, self.probe_min_estimate = PROBE_ROWS, PROBE_MIN_ESTIMATE
        self._size: tuple[float, float, float] | None = None  # (read at, pages, rows) of search_document

    # --- writing --------------------------------------------------------------------------------
    def index(self, documents: list[dict]) -> None:
        self.apply(documents, [])

    def remove(self, keys: list[str]) -> None:
        self.apply([], keys)

    def apply(self, documents: list[dict], removed_keys: list[str], timeout: float = 0.0) -> None:
        """Removals and upserts in one transaction."""
        if documents or removed_keys:
            with self.engine.begin() as connection:
                _write(connection, DOCUMENTS, WORDS, documents, removed_keys)

    def builder(self, large: bool = False) -> PostgresBuilder:
        """Fresh tables to fill, then swap in (see services.search.outbox.rebuild)."""
        return PostgresBuilder(self)

    def rebuild(self, documents, progress=None, large: bool = False) -> int:
        """Build fresh tables from `documents` and swap them in (no outbox replay: tools and tests)."""
        return rebuild_without_replay(self.builder(large=large), documents, progress)

    # --- reading --------------------------------------------------------------------------------
    def _word_clause(self, lookup: _Lookup, word: str, last: bool, places: frozenset[str]) -> tuple[str, str]:
        """(every option, the exact-or-prefix options) of one query word, as tsquery text."""
        close = f"{word}:*" if len(word) >= 3 or (last and len(word) >= 2) else word
        completions = lookup.prefixes.get(word)
        if close.endswith(":*") and completions and len(completions) <= MAX_EXPANSIONS:
            # The words it begins, spelled out: a GIN scan can skip through exact words, while a
            # prefix has to read every match first (search_word holds every indexed word with letters only).
            close = "(" + " | ".join(completions) + ")"
        options = [close]
        if fuzzy_allowed(word, places):
            typos, swaps = lookup.fuzzy.get(word, ([], []))
            options.extend(typos)
            options.extend(swaps)
            if last:  # still being typed: a swapped prefix too
                options.extend(f"{variant}:*" for variant in transpositions(word) if variant not in swaps)
        return "(" + " | ".join(dict.fromkeys(options)) + ")", close

    def _tsquery(
        self, lookup: _Lookup, text_: str, conjunction: bool, places: frozenset[str] = frozenset()
    ) -> tuple[str | None, list[str], str | None]:
        """(the tsquery, one exact-only tsquery per unit for ranking exact matches first, and the
        exact-only form of the whole query: the candidates taken first)."""
        words = tokens(text_)
        if not words:
            return None, [], None
        units = plan(words, lookup.known)
        every = unit_words(units)
        lookup.load([word for word in every if fuzzy_allowed(word, places)], [w for w in every if w.isalpha()])
        clauses, exact = [], []
        for unit_index, unit in enumerate(units):
            alternatives, exact_alternatives = [], []
            for alternative in unit:
                parts = [
                    self._word_clause(lookup, word, is_last(units, unit_index, alternative, position), places)
                    for position, word in enumerate(alternative)
                ]
                alternatives.append("(" + " & ".join(part for part, _close in parts) + ")")
                exact_alternatives.append("(" + " & ".join(close for _part, close in parts) + ")")
            clauses.append("(" + " | ".join(alternatives) + ")")
            exact.append(" | ".join(exact_alternatives))
        joiner = " & " if conjunction else " | "
        combined = joiner.join(clauses)
        exact_all = joiner.join(f"({unit})" for unit in exact)
        identifier = query_identifier(text_)
        if identifier:
            combined = f"({combined}) | {identifier}"
            exact_all = f"({exact_all}) | {identifier}"
            exact.append(identifier)
        return combined, exact, exact_all

    def query(self, query: SearchQuery) -> SearchResult:
        try:
            with self.read_engine.connect() as connection:
                lookup = _Lookup(connection)
                result = self._query(connection, lookup, query, conjunction=True)
                if result.total == 0 and len(tokens(query.text)) > 1:
                    result = self._query(connection, lookup, query, conjunction=False)
                if tokens(query.text):
                    result.suggestion = self._suggest(connection, lookup, query.text)
                return result
        except SQLAlchemyError as exc:
            raise SearchUnavailable(type(exc).__name__) from exc

    def _query(self, connection, lookup: _Lookup, query: SearchQuery, conjunction: bool) -> SearchResult:
        """One page of hits and the facet counts, from a bounded candidate set.

        The matches are read up to `candidate_cap` rows: those matching every word exactly (or as
        the prefix being typed) first, then the fuzzy ones, so an exact match is never crowded out.
        Within the cap everything is exact: total, facet counts, ranking. Beyond it the page is
        ranked among the candidates, and total and facet counts are estimated from a block sample
        of the table (`approximate`, shown as "sekitar"): a search matching tens of thousands of
        records is refined, not paged through, and exact counts would cost a pass over every match.
        """
        tsquery, exact, exact_all = self._tsquery(lookup, query.text, conjunction, query.places or frozenset())
        today, rules = clock.today(), status_rules()
        conditions: list[str] = []
        params: dict = {
            "today": today,
            "closed_year": last_closed_financial_year(today),
            "at_risk_after": rules.at_risk_after,
            "dormant_after": rules.dormant_after,
        }
        for index, (name, value) in enumerate(sorted(query.filters.items())):
            if name in FACETS and value:
                conditions.append(_filter(name, value, f"f{index}"))
                params[f"f{index}"] = value
        filters = " AND ".join(conditions) or "TRUE"
        if tsquery:
            conditions.append("search_vector @@ to_tsquery('simple', :tsquery)")
            params["tsquery"] = tsquery
            params["exact_all"] = exact_all
            params.update({f"e{i}": value for i, value in enumerate(exact)})
        where = " AND ".join(conditions) or "TRUE"
        relevance = bool(tsquery) and query.sort != "name"
        # Deeper relevance pages and the CSV export (5,000 rows) read as many candidates as they show.
        cap = (
            min(max(self.candidate_cap, query.page * query.per_page), self.max_candidates)
            if relevance
            else self.candidate_cap
        )
        fuzzy = tsquery != exact_all
        candidates = self._candidates(connection, where, filters, params, len(exact), relevance, fuzzy, cap)
        offset = (query.page - 1) * query.per_page
        if relevance:
            # Units matched exactly (or as the prefix being typed) first: an exact word outranks a fuzzy one.
            candidates.sort(key=lambda row: (-row.exact, -row.score, row.sort_name, row.key))
            page = candidates[:cap][offset : offset + query.per_page]  # the extra row only says "more"
        else:
            page = list(
                connection.execute(
                    text(f"{_HIT_SELECT} WHERE {where} ORDER BY sort_name, key LIMIT :limit OFFSET :offset"),
                    {**params, "limit": query.per_page, "offset": offset},
                )
            )
        hits = [Hit(**{name: row._mapping[name] for name in Hit.__dataclass_fields__}) for row in page]
        if len(candidates) <= cap:
            return SearchResult(hits=hits, total=len(candidates), facets=_count(candidates))
        total, facets = self._estimate(connection, where, params, candidates)
        pageable = self.max_candidates if relevance else None
        return SearchResult(hits=hits, total=total, facets=facets, approximate=True, pageable=pageable)

    def _candidates(
        self, connection, where: str, filters: str, params: dict, units: int, relevance: bool, fuzzy: bool, cap: int
    ) -> list:
        """Up to cap + 1 matching rows (the extra one tells that there are more): the
        exact matches first, then the fuzzy ones. Each row has the hit, facet and ranking columns."""
        columns = ", ".join(f"{name}" for name in FACETS if name not in Hit.__dataclass_fields__)
        select_ = f"{_HIT_COLUMNS}, {columns}, key, sort_name"
        if relevance:
            exact_count = " + ".join(f"(search_vector @@ to_tsquery('simple', :e{i}))::int" for i in range(units))
            rank = f"ts_rank('{RANK_WEIGHTS}', search_vector, to_tsquery('simple', :tsquery))"
            select_ += f", ({exact_count}) AS exact, {rank} AS score"
        limit = cap + 1

        def statement(condition: str, source: str = "search_document"):
            return text(f"SELECT {select_} FROM {source} WHERE {condition} LIMIT :n")  # noqa: S608 - constant SQL

        if not fuzzy:
            return self._tier(connection, statement, where, filters, params, limit)
        exact_where = f"{where} AND search_vector @@ to_tsquery('simple', :exact_all)"
        rows = self._tier(connection, statement, exact_where, filters, params, limit)
        if len(rows) < limit:
            fuzzy_where = f"{where} AND NOT (search_vector @@ to_tsquery('simple', :exact_all))"
            rows.extend(self._tier(connection, statement, fuzzy_where, filters, params, limit - len(rows)))
        return rows

    def _tier(self, connection, statement, condition: str, filters: str, params: dict, limit: int) -> list:
        """The first `limit` rows matching `condition`. A GIN index scan reads every match of every
        word before the first row comes out (a prefix query cannot skip): for a common word that is
        most of the cost. So when the planner expects many matches, the first PROBE_ROWS rows that pass
        the facet filters are read first, which finds `limit` matches of a common query at once; only
        when they do not (a rarer query than it looked) does the full-text index answer."""
        planned = connection.scalar(
            text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_document WHERE {condition}"),  # noqa: S608
            params,
        )
        if planned[0]["Plan"]["Plan Rows"] >= self.probe_min_estimate:
            # The first rows that pass the facet filters (in table order, or through a filter's B-tree
            # index); the LIMIT inside keeps the planner from turning it into a full-text index scan.
            source = f"(SELECT * FROM search_document WHERE {filters} LIMIT :probe_rows) AS search_document"  # noqa: S608 - constant SQL
            found = list(
                connection.execute(statement(condition, source), {**params, "n": limit, "probe_rows": self.probe_rows})
            )
            if len(found) >= limit:
                return found
        return list(connection.execute(statement(condition), {**params, "n": limit}))

    def _table_size(self, connection) -> tuple[float, float]:
        """(pages, rows) of search_document as the statistics last saw them, read once a minute."""
        if self._size is None or time.monotonic() - self._size[0] > 60:
            pages, rows = connection.execute(
                text("SELECT relpages, reltuples FROM pg_class WHERE oid = 'search_document'::regclass")
            ).one()
            self._size = (time.monotonic(), float(pages), float(rows))
        return self._size[1], self._size[2]

    def _estimate(
        self, connection, where: str, params: dict, candidates: list
    ) -> tuple[int, dict[str, dict[str, int]]]:
        """Total and facet counts of a search with more matches than the cap, from a repeatable block
        sample of about SAMPLE_ROWS documents scaled to the table's size (pg_class.reltuples). When
        the sample holds too few matches to say much, the facets are the candidates' counts scaled."""
        documents = max(self._table_size(connection)[1], float(len(candidates)))
        percent = min(100.0, 100.0 * SAMPLE_ROWS / documents)
        sets = ", ".join(f"({name})" for name in FACETS)
        columns = ", ".join(f"{_column(name)} AS {name}" for name in FACETS)
        rows = list(
            connection.execute(
                text(
                    f"WITH sample AS MATERIALIZED (SELECT {columns}, ({where}) AS matched "  # noqa: S608 - constant SQL
                    "FROM search_document TABLESAMPLE SYSTEM (:percent) REPEATABLE (7)) "
                    f"SELECT {', '.join(FACETS)}, count(*) AS n, (SELECT count(*) FROM sample) AS sampled, "
                    f"GROUPING({', '.join(FACETS)}) AS grouping FROM sample WHERE matched "
                    f"GROUP BY GROUPING SETS ((), {sets})"
                ),
                {**params, "percent": percent},
            )
        )
        everything = next(row for row in rows if row.grouping == (1 << len(FACETS)) - 1)
        whole = percent >= 100  # a small table is read whole: its counts are exact
        total = everything.n if whole else len(candidates)
        if everything.sampled and not whole:
            total = max(total, _round(everything.n * documents / everything.sampled))
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        if everything.n >= MIN_SAMPLE_MATCHES or whole:
            scale = total / everything.n if everything.n else 1.0
            for row in rows:
                for position, name in enumerate(FACETS):
                    value = row._mapping[name]
                    if value and not row.grouping & (1 << (len(FACETS) - 1 - position)):
                        facets[name][value] = row.n if whole else max(1, _round(row.n * scale))
            return total, facets
        for name, counts in _count(candidates).items():
            facets[name] = {value: max(1, _round(n * total / len(candidates))) for value, n in counts.items()}
        return total, facets

    def _suggest(self, connection, lookup: _Lookup, text_: str) -> str | None:
        """ "Maksud Anda", only with words that occur together in some document (see forgiving.suggest)."""

        def known(word: str, last: bool) -> bool:
            if lookup.known({word}):
                return True
            # still being typed: a known prefix is fine
            return last and connection.scalar(select(SearchWord.word).where(SearchWord.word.startswith(word)).limit(1))

        def candidates(word: str) -> list[str]:
            swapped = lookup.known(set(transpositions(word)))
            near = connection.scalars(
                text(
                    "SELECT word FROM search_word WHERE left(word, 1) = left(:word, 1) "
                    "AND levenshtein_less_equal(word, :word, 2) <= 2 "
                    "ORDER BY levenshtein_less_equal(word, :word, 2), similarity(word, :word) DESC, word LIMIT :n"
                ),
                {"word": word, "n": SUGGESTIONS},
            )
            return [*sorted(swapped), *near]

        def together(words: tuple[str, ...]) -> bool:
            last = len(words) - 1
            query = " & ".join(f"{w}:*" if i == last else w for i, w in enumerate(words))
            return bool(
                connection.scalar(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM search_document WHERE search_vector @@ to_tsquery('simple', :q))"
                    ),
                    {"q": query},
                )
            )

        return suggest(tokens(text_), known, candidates, together)

    def keys(self) -> set[str]:
        return set(self.hashes())

    def hashes(self) -> dict[str, str]:
        """{key: content hash} of every indexed document."""
        with self.engine.connect() as connection:
            return dict(connection.execute(select(SearchDocument.key, SearchDocument.content_hash)).all())

    def status(self) -> dict:
        try:
            with self.engine.connect() as connection:
                count = connection.scalar(select(func.count()).select_from(SearchDocument))
            return {"status": "ok", "documents": count}
        except SQLAlchemyError as exc:
            return {"status": "broken", "error": type(exc).__name__}


class _Lookup:
    """The vocabulary lookups of one search, batched (one round trip for every word of the query)
    and remembered (the fallback to any-word matching and the suggestion ask again)."""

    def __init__(self, connection):
        self.connection = connection
        self.vocabulary: dict[str, bool] = {}
        self.fuzzy: dict[str, tuple[list[str], list[str]]] = {}
        self.prefixes: dict[str, list[str]] = {}

    def known(self, candidates: set[str]) -> set[str]:
        """Which of these words the index holds."""
        missing = [word for word in candidates if word not in self.vocabulary and len(word) <= 100]
        if missing:
            found = set(
                self.connection.scalars(text("SELECT word FROM search_word WHERE word = ANY(:w)"), {"w": missing})
            )
            self.vocabulary.update({word: word in found for word in missing})
        return {word for word in candidates if self.vocabulary.get(word)}

    def load(self, fuzzy: list[str], prefixes: list[str]) -> None:
        """In one round trip, for each word of `fuzzy`: (indexed words within its typo allowance,
        indexed words that are it with two adjacent letters swapped); for each word of `prefixes`:
        the indexed words it begins (at most MAX_EXPANSIONS + 1).

        Typo candidates share a trigram or more (similarity 0.15: two typos in a 9-letter word share
        few) and pass the exact edit-distance check; the first letter and the length bound the scan
        through ix_search_word_head."""
        fuzzy = [word for word in dict.fromkeys(fuzzy) if word not in self.fuzzy and len(word) <= 100]
        prefixes = [word for word in dict.fromkeys(prefixes) if word not in self.prefixes and len(word) <= 100]
        if not fuzzy and not prefixes:
            return
        variants = {word: transpositions(word) for word in fuzzy}
        swapped = {variant: word for word, options in variants.items() for variant in options}
        typos: dict[str, list[str]] = {word: [] for word in fuzzy}
        swaps: dict[str, list[str]] = {word: [] for word in fuzzy}
        completions: dict[str, list[str]] = {word: [] for word in prefixes}
        rows = self.connection.execute(
            text(
                "SELECT 't' AS what, q.word AS query_word, w.word FROM unnest(CAST(:words AS text[]), "
                "CAST(:typos AS int[])) AS q(word, typos) CROSS JOIN LATERAL (SELECT word FROM search_word "
                "WHERE left(word, 1) = left(q.word, 1) "
                "AND length(word) BETWEEN length(q.word) - q.typos AND length(q.word) + q.typos "
                "AND similarity(word, q.word) >= 0.15 "
                "AND levenshtein_less_equal(word, q.word, q.typos) <= q.typos LIMIT 20) AS w "
                "UNION ALL SELECT 's', NULL, word FROM search_word WHERE word = ANY(:variants) "
                "UNION ALL SELECT 'p', p.word, w.word FROM unnest(CAST(:prefixes AS text[])) AS p(word) "
                "CROSS JOIN LATERAL (SELECT word FROM search_word WHERE word >= p.word AND word < p.word || '{' "
                "AND starts_with(word, p.word) LIMIT :expansions) AS w"
            ),
            {
                "words": fuzzy,
                "typos": [max_typos(word) for word in fuzzy],
                "variants": list(swapped),
                "prefixes": prefixes,
                "expansions": MAX_EXPANSIONS + 1,
            },
        )
        for what, query_word, word in rows:
            if what == "t":
                typos[query_word].append(word)
            elif what == "s":
                swaps[swapped[word]].append(word)
            else:
                completions[query_word].append(word)
        for word in fuzzy:
            self.fuzzy[word] = (typos[word], swaps[word])
        self.prefixes.update(completions)


DOCUMENTS = cast(Table, SearchDocument.__table__)
WORDS = cast(Table, SearchWord.__table__)
WORD_FIELDS = ("name_words", "form_words", "text_words")
BUILD = "__build"


def _words(documents) -> list[str]:
    """The vocabulary: every word of the text fields, and the letters-only parts of identifiers (so
    that a prefix spelled out into vocabulary words still reaches "iumk" in a permit number)."""
    words = {w for d in documents for f in WORD_FIELDS for w in d[f].split() if len(w) <= 100}
    words.update(w for d in documents for w in d["id_words"].split() if w.isalpha() and len(w) <= 100)
    return sorted(words)


def _write(connection, documents_table, words_table, documents: list[dict], removed_keys: list[str]) -> None:
    for start in range(0, len(removed_keys), 1000):
        connection.execute(delete(documents_table).where(documents_table.c.key.in_(removed_keys[start : start + 1000])))
    rows = [{name: document[name] for name in _COLUMNS} for document in documents]
    for start in range(0, len(rows), 1000):
        statement = insert(documents_table).values(rows[start : start + 1000])
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["key"],
                set_={name: statement.excluded[name] for name in _COLUMNS if name != "key"},
            )
        )
    words = _words(documents)
    for start in range(0, len(words), 1000):
        chunk = [{"word": w} for w in words[start : start + 1000]]
        connection.execute(insert(words_table).values(chunk).on_conflict_do_nothing())


class PostgresBuilder:
    """New `search_document`/`search_word` tables, loaded with COPY and indexed once, then renamed
    over the live ones in one short transaction: readers see the old set until the switch, never an
    empty or half-filled one."""

    TABLES = (DOCUMENTS.name, WORDS.name)

    def __init__(self, backend: PostgresBackend):
        self.backend = backend
        self.engine = backend.engine
        metadata = MetaData()
        self.documents = DOCUMENTS.to_metadata(metadata, name=DOCUMENTS.name + BUILD)
        self.words_table = WORDS.to_metadata(metadata, name=WORDS.name + BUILD)
        with self.engine.begin() as connection:
            for table in self.TABLES:
                connection.execute(text(f"DROP TABLE IF EXISTS {table}{BUILD}"))
                connection.execute(
                    text(f"CREATE TABLE {table}{BUILD} (LIKE {table} INCLUDING DEFAULTS INCLUDING GENERATED)")
                )
        self.batch: list[dict] = []
        self.vocabulary: set[str] = set()
        self.indexes: list[tuple[str, str, str, bool]] = []

    def add(self, document: dict) -> None:
        self.batch.append(document)
        if len(self.batch) >= 5000:
            self._copy()

    def _copy(self) -> None:
        if not self.batch:
            return
        self.vocabulary.update(_words(self.batch))
        raw = self.engine.raw_connection()
        try:
            columns = ", ".join(_COLUMNS)
            with (
                cast("psycopg.Cursor", raw.cursor()) as cursor,
                cursor.copy(f"COPY {DOCUMENTS.name}{BUILD} ({columns}) FROM STDIN") as copy,
            ):
                for document in self.batch:
                    copy.write_row([document[name] for name in _COLUMNS])
            raw.commit()
        finally:
            raw.close()
        self.batch = []

    def finish(self) -> None:
        """Load the vocabulary, then create the live tables' indexes on the new ones."""
        self._copy()
        raw = self.engine.raw_connection()
        try:
            with (
                cast("psycopg.Cursor", raw.cursor()) as cursor,
                cursor.copy(f"COPY {WORDS.name}{BUILD} (word) FROM STDIN") as copy,
            ):
                for word in sorted(self.vocabulary):
                    copy.write_row([word])
            raw.commit()
        finally:
            raw.close()
        with self.engine.begin() as connection:
            # GIN and B-tree builds sort in memory: with the default 64 MB they spill to disk.
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            for table in self.TABLES:
                primary = connection.scalar(
                    text("SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'p'"),
                    {"t": table},
                )
                for name, definition in connection.execute(
                    text(
                        "SELECT indexname, indexdef FROM pg_indexes "
                        "WHERE schemaname = current_schema() AND tablename = :t"
                    ),
                    {"t": table},
                ):
                    build_definition = definition.replace(f"INDEX {name} ON", f"INDEX {name}{BUILD} ON", 1).replace(
                        f".{table} ", f".{table}{BUILD} ", 1
                    )
                    connection.execute(text(build_definition))
                    self.indexes.append((table, name, build_definition, name == primary))
            connection.execute(text(f"ANALYZE {DOCUMENTS.name}{BUILD}"))

    def apply(self, documents: list[dict], removed_keys: list[str], timeout: float = 0.0) -> None:
        with self.engine.begin() as connection:
            _write(connection, self.documents, self.words_table, documents, removed_keys)

    def swap(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(f"LOCK TABLE {', '.join(self.TABLES)} IN ACCESS EXCLUSIVE MODE"))
            for table in self.TABLES:
                connection.execute(text(f"DROP TABLE {table}"))
                connection.execute(text(f"ALTER TABLE {table}{BUILD} RENAME TO {table}"))
            for table, name, _definition, primary in self.indexes:
                if primary:
                    connection.execute(
                        text(f"ALTER TABLE {table} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}{BUILD}")
                    )
                else:
                    connection.execute(text(f"ALTER INDEX {name}{BUILD} RENAME TO {name}"))

    def discard(self) -> None:
        with self.engine.begin() as connection:
            for table in self.TABLES:
                connection.execute(text(f"DROP TABLE IF EXISTS {table}{BUILD}"))
