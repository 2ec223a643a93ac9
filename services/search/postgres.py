"""The PostgreSQL full-text backend (SEARCH_BACKEND=postgres), for several app servers sharing one database.

Documents live in `search_document` with a generated, weighted tsvector column (GIN index); typos are
matched against the `search_word` vocabulary with pg_trgm (candidates) and fuzzystrmatch (edit
distance); facet counts are one SQL query. The same analysed words as the Whoosh backend go in.
"""

from __future__ import annotations

import time

from sqlalchemy import MetaData, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from models.search import SearchDocument, SearchWord
from services.search.analysis import max_typos, query_identifier, tokens
from services.search.base import FACETS, Hit, SearchQuery, SearchResult, SearchUnavailable, rebuild_without_replay

# ts_rank weights for D (legal-form words), C (other text), B (identifiers), A (distinctive name words).
RANK_WEIGHTS = "{0.05, 0.2, 0.6, 1.0}"
_HIT_SELECT = (
    "SELECT kind, record_id, name, kelurahan, kecamatan, kota, kbli_code, kbli_title, status FROM search_document"
)
BROWSE_COUNTS_SECONDS = 30
_COLUMNS = [column.name for column in SearchDocument.__table__.columns]


class PostgresBackend:
    """Satisfies services.search.base.SearchBackend."""

    def __init__(self, engine: Engine):
        self.engine = engine
        # Browse-all facet counts (every document, no filter), the slowest query: kept a few seconds,
        # dropped at once when this process writes (other servers' writes show after the delay).
        self._browse_counts: tuple[float, int, dict] | None = None

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

    def _tsquery(self, connection, text_: str, conjunction: bool) -> str | None:
        words = tokens(text_)
        if not words:
            return None
        clauses = []
        for index, word in enumerate(words):
            last = index == len(words) - 1
            options = [f"{word}:*" if len(word) >= 3 or (last and len(word) >= 2) else word]
            options.extend(self._typo_candidates(connection, word))
            clauses.append("(" + " | ".join(options) + ")")
        combined = (" & " if conjunction else " | ").join(clauses)
        identifier = query_identifier(text_)
        if identifier:
            combined = f"({combined}) | {identifier}"
        return combined

    def query(self, query: SearchQuery) -> SearchResult:
        try:
            with self.engine.connect() as connection:
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
        tsquery = self._tsquery(connection, query.text, conjunction)
        conditions, params = [], {}
        if tsquery:
            conditions.append("search_vector @@ to_tsquery('simple', :tsquery)")
            params["tsquery"] = tsquery
        for index, (name, value) in enumerate(sorted(query.filters.items())):
            if name in FACETS and value:
                conditions.append(f"{name} = :f{index}")  # name is one of FACETS, never user text
                params[f"f{index}"] = value
        where = " AND ".join(conditions) or "TRUE"
        if tsquery and query.sort != "name":
            order = f"ts_rank('{RANK_WEIGHTS}', search_vector, to_tsquery('simple', :tsquery)) DESC, sort_name"
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
        if cached is not None and time.monotonic() - cached[0] < BROWSE_COUNTS_SECONDS:
            return SearchResult(hits=hits, total=cached[1], facets=cached[2])
        # Only the facet columns are materialised (not the tsvector), then counted per facet.
        columns = ", ".join(FACETS)
        for facet, value, count in connection.execute(
            text(f"WITH matched AS MATERIALIZED (SELECT {columns} FROM search_document WHERE {where}) {facet_sql}"),  # noqa: S608
            params,
        ):
            if facet == "kind":
                total += count
            if value:
                facets[facet][value] = count
        if browse:
            self._browse_counts = (time.monotonic(), total, facets)
        return SearchResult(hits=hits, total=total, facets=facets)

    def _suggest(self, connection, text_: str) -> str | None:
        corrected, changed = [], False
        words = tokens(text_)
        for index, word in enumerate(words):
            known = connection.scalar(select(func.count()).select_from(SearchWord).where(SearchWord.word == word))
            if not known and index == len(words) - 1:  # still being typed: a known prefix is fine
                known = connection.scalar(select(SearchWord.word).where(SearchWord.word.startswith(word)).limit(1))
            if known or word.isdigit():
                corrected.append(word)
                continue
            best = connection.scalar(
                text(
                    "SELECT word FROM search_word WHERE left(word, 1) = left(:word, 1) "
                    "AND levenshtein_less_equal(word, :word, 2) <= 2 "
                    "ORDER BY levenshtein_less_equal(word, :word, 2), similarity(word, :word) DESC LIMIT 1"
                ),
                {"word": word},
            )
            corrected.append(best or word)
            changed = changed or best is not None
        return " ".join(corrected) if changed else None

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
