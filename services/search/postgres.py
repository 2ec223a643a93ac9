"""The PostgreSQL full-text backend (SEARCH_BACKEND=postgres), for several app servers sharing one database.

Documents live in `search_document` with a generated, weighted tsvector column (GIN index); typos are
matched against the `search_word` vocabulary with pg_trgm (candidates) and fuzzystrmatch (edit
distance); facet counts are one SQL query. The same analysed words as the Whoosh backend go in.
"""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import MetaData, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from models.search import SearchDocument, SearchWord
from services import clock
from services.cooperatives import last_closed_financial_year, status_rules
from services.search.analysis import max_typos, query_identifier, tokens
from services.search.base import FACETS, Hit, SearchQuery, SearchResult, SearchUnavailable, rebuild_without_replay
from services.search.forgiving import SUGGESTIONS, fuzzy_allowed, is_last, plan, suggest, transpositions

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


BROWSE_COUNTS_SECONDS = 30
_COLUMNS = [column.name for column in SearchDocument.__table__.columns]


class PostgresBackend:
    """Satisfies services.search.base.SearchBackend."""

    def __init__(self, engine: Engine, read_engine: Engine | None = None):
        self.engine = engine  # the primary: every write, the drift check, health
        self.read_engine = read_engine or engine  # searches (DATABASE_REPLICA_URL: a read replica)
        # Browse-all facet counts (every document, no filter), the slowest query: kept a few seconds,
        # dropped at once when this process writes (other servers' writes show after the delay).
        self._browse_counts: tuple[float, int, dict, date] | None = None

    # --- writing --------------------------------------------------------------------------------
    def index(self, documents: list[dict]) -> None:
        self.apply(documents, [])

    def remove(self, keys: list[str]) -> None:
        self.apply([], keys)

    def apply(self, documents: list[dict], removed_keys: list[str], timeout: float = 0.0) -> None:
        """Removals and upserts in one transaction."""
        self._browse_counts = None
        if documents or removed_keys:
            with self.engine.begin() as connection:
                _write(connection, DOCUMENTS, WORDS, documents, removed_keys)

    def builder(self, large: bool = False) -> PostgresBuilder:
        """Fresh tables to fill, then swap in (see services.search.outbox.rebuild)."""
        self._browse_counts = None
        return PostgresBuilder(self)

    def rebuild(self, documents, progress=None, large: bool = False) -> int:
        """Build fresh tables from `documents` and swap them in (no outbox replay: tools and tests)."""
        return rebuild_without_replay(self.builder(large=large), documents, progress)

    # --- reading --------------------------------------------------------------------------------
    def _typo_candidates(self, connection, word: str) -> list[str]:
        typos = max_typos(word)
        if not typos:
            return []
        rows = connection.execute(
            text(
                "SELECT word FROM search_word WHERE word % :word AND left(word, 1) = left(:word, 1) "
                "AND levenshtein_less_equal(word, :word, :typos) <= :typos LIMIT 20"
            ),
            {"word": word, "typos": typos},
        )
        return [row[0] for row in rows]

    def _swap_candidates(self, connection, word: str, last: bool) -> list[str]:
        """Indexed words equal to the query word with two adjacent letters swapped (one edit)."""
        variants = transpositions(word)
        if not variants:
            return []
        found = list(connection.scalars(text("SELECT word FROM search_word WHERE word = ANY(:w)"), {"w": variants}))
        if last:  # still being typed: a swapped prefix too
            found.extend(f"{variant}:*" for variant in variants if variant not in found)
        return found

    def _word_clause(self, connection, word: str, last: bool, places: frozenset[str]) -> tuple[str, str]:
        """(every option, the exact-or-prefix options) of one query word, as tsquery text."""
        close = f"{word}:*" if len(word) >= 3 or (last and len(word) >= 2) else word
        options = [close]
        if fuzzy_allowed(word, places):
            options.extend(self._typo_candidates(connection, word))
            options.extend(self._swap_candidates(connection, word, last))
        return "(" + " | ".join(dict.fromkeys(options)) + ")", close

    def _tsquery(
        self, connection, text_: str, conjunction: bool, places: frozenset[str] = frozenset()
    ) -> tuple[str | None, list[str]]:
        """(the tsquery, one exact-only tsquery per unit for ranking exact matches first)."""
        words = tokens(text_)
        if not words:
            return None, []
        units = plan(words, lambda candidates: self._known(connection, candidates))
        clauses, exact = [], []
        for unit_index, unit in enumerate(units):
            alternatives, exact_alternatives = [], []
            for alternative in unit:
                parts = [
                    self._word_clause(connection, word, is_last(units, unit_index, alternative, position), places)
                    for position, word in enumerate(alternative)
                ]
                alternatives.append("(" + " & ".join(part for part, _close in parts) + ")")
                exact_alternatives.append("(" + " & ".join(close for _part, close in parts) + ")")
            clauses.append("(" + " | ".join(alternatives) + ")")
            exact.append(" | ".join(exact_alternatives))
        combined = (" & " if conjunction else " | ").join(clauses)
        identifier = query_identifier(text_)
        if identifier:
            combined = f"({combined}) | {identifier}"
            exact.append(identifier)
        return combined, exact

    def _known(self, connection, candidates: set[str]) -> set[str]:
        words = [word for word in candidates if len(word) <= 100]
        return set(connection.scalars(text("SELECT word FROM search_word WHERE word = ANY(:w)"), {"w": words}))

    def query(self, query: SearchQuery) -> SearchResult:
        try:
            with self.read_engine.connect() as connection:
                # Two typos in a 9-letter word share few trigrams: a low threshold, then the exact distance check.
                connection.execute(text("SELECT set_config('pg_trgm.similarity_threshold', '0.15', true)"))
                result = self._query(connection, query, conjunction=True)
                if result.total == 0 and len(tokens(query.text)) > 1:
                    result = self._query(connection, query, conjunction=False)
                if tokens(query.text):
                    result.suggestion = self._suggest(connection, query.text)
                return result
        except SQLAlchemyError as exc:
            raise SearchUnavailable(type(exc).__name__) from exc

    def _query(self, connection, query: SearchQuery, conjunction: bool) -> SearchResult:
        tsquery, exact = self._tsquery(connection, query.text, conjunction, query.places or frozenset())
        today, rules = clock.today(), status_rules()
        conditions: list[str] = []
        params: dict = {
            "today": today,
            "closed_year": last_closed_financial_year(today),
            "at_risk_after": rules.at_risk_after,
            "dormant_after": rules.dormant_after,
        }
        if tsquery:
            conditions.append("search_vector @@ to_tsquery('simple', :tsquery)")
            params["tsquery"] = tsquery
        for index, (name, value) in enumerate(sorted(query.filters.items())):
            if name in FACETS and value:
                conditions.append(f"{_column(name)} = :f{index}")  # name is one of FACETS, never user text
                params[f"f{index}"] = value
        where = " AND ".join(conditions) or "TRUE"
        if tsquery and query.sort != "name":
            # Units matched exactly (or as the prefix being typed) first: an exact word outranks a fuzzy one.
            exact_count = " + ".join(f"(search_vector @@ to_tsquery('simple', :e{i}))::int" for i in range(len(exact)))
            params.update({f"e{i}": value for i, value in enumerate(exact)})
            rank = f"ts_rank('{RANK_WEIGHTS}', search_vector, to_tsquery('simple', :tsquery))"
            order = f"({exact_count}) DESC, {rank} DESC, sort_name"
        else:
            order = "sort_name, key"
        params.update(limit=query.per_page, offset=(query.page - 1) * query.per_page)
        rows = connection.execute(
            text(f"{_HIT_SELECT} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"),
            params,
        )
        hits = [Hit(**row._mapping) for row in rows]
        facet_sql = " UNION ALL ".join(
            f"SELECT '{name}' AS facet, {name} AS value, count(*) AS n FROM matched GROUP BY {name}"  # noqa: S608
            for name in FACETS
        )
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        total = 0
        browse = where == "TRUE"
        cached = self._browse_counts if browse else None
        if cached is not None and time.monotonic() - cached[0] < BROWSE_COUNTS_SECONDS and cached[3] == today:
            return SearchResult(hits=hits, total=cached[1], facets=cached[2])
        # Only the facet columns are materialised (not the tsvector), then counted per facet.
        columns = ", ".join(f"{_column(name)} AS {name}" for name in FACETS)
        for facet, value, count in connection.execute(
            text(f"WITH matched AS MATERIALIZED (SELECT {columns} FROM search_document WHERE {where}) {facet_sql}"),  # noqa: S608
            params,
        ):
            if facet == "kind":
                total += count
            if value:
                facets[facet][value] = count
        if browse:
            self._browse_counts = (time.monotonic(), total, facets, today)
        return SearchResult(hits=hits, total=total, facets=facets)

    def _suggest(self, connection, text_: str) -> str | None:
        """ "Maksud Anda", only with words that occur together in some document (see forgiving.suggest)."""

        def known(word: str, last: bool) -> bool:
            if connection.scalar(select(func.count()).select_from(SearchWord).where(SearchWord.word == word)):
                return True
            # still being typed: a known prefix is fine
            return last and connection.scalar(select(SearchWord.word).where(SearchWord.word.startswith(word)).limit(1))

        def candidates(word: str) -> list[str]:
            swapped = self._known(connection, set(transpositions(word)))
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


DOCUMENTS, WORDS = SearchDocument.__table__, SearchWord.__table__
WORD_FIELDS = ("name_words", "form_words", "text_words")
BUILD = "__build"


def _words(documents) -> list[str]:
    return sorted({w for d in documents for f in WORD_FIELDS for w in d[f].split() if len(w) <= 100})


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
            with raw.cursor() as cursor, cursor.copy(f"COPY {DOCUMENTS.name}{BUILD} ({columns}) FROM STDIN") as copy:
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
            with raw.cursor() as cursor, cursor.copy(f"COPY {WORDS.name}{BUILD} (word) FROM STDIN") as copy:
                for word in sorted(self.vocabulary):
                    copy.write_row([word])
            raw.commit()
        finally:
            raw.close()
        with self.engine.begin() as connection:
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
        self.backend._browse_counts = None

    def discard(self) -> None:
        with self.engine.begin() as connection:
            for table in self.TABLES:
                connection.execute(text(f"DROP TABLE IF EXISTS {table}{BUILD}"))
