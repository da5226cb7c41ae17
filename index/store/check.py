"""`briefing check` and `briefing repair`: does a store agree with itself, e.g. after a crash?

Chroma holds the truth: article records (text, sentence, quote and turn tables) and their
chunks. A kill
mid-ingest can leave chunks whose record was never written (orphans), an old record whose chunks
were already replaced (missing and stale chunks), and a keyword index out of step with Chroma.
Readers already cite only chunks their record vouches for (`is_current`); `repair` removes what
they skip, so the store holds exactly what a clean ingest would have left."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from index.records import hash_article
from index.store.chroma import Store, chunk_hash
from index.store.format import read_record
from index.store.keyword import KeywordIndex

ORPHAN = "orphan chunk"
STALE = "stale chunk"
MISSING = "missing chunks"
DAMAGED = "damaged record"
KEYWORD = "keyword index"
SHOWN = 10


@dataclass(frozen=True)
class Problem:
    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}: {self.detail}"


@dataclass(frozen=True)
class Inspection:
    """What `check` found; `notes` are harmless states that heal on the next question."""

    location: str
    articles: int
    chunks: int
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def subjects(self, *kinds: str) -> list[str]:
        return list(dict.fromkeys(p.subject for p in self.problems if p.kind in kinds))

    def lines(self) -> list[str]:
        """A short report: the first problems in full, then a count per kind."""
        lines = [f"{self.location}: {self.articles} articles, {self.chunks} chunks"]
        lines += [f"problem: {p}" for p in self.problems[:SHOWN]]
        if len(self.problems) > SHOWN:
            counts = Counter(p.kind for p in self.problems)
            lines.append(f"... {len(self.problems) - SHOWN} more ("
                         + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ")")
        lines += [f"note: {note}" for note in self.notes]
        lines.append("consistent" if self.ok else
                     f"{len(self.problems)} problems; `briefing repair` fixes them")
        return lines


@dataclass(frozen=True)
class Repair:
    """What `repair` changed; removed articles come back by ingesting their files again."""

    chunks_removed: int
    articles_removed: dict[str, str]

    def lines(self) -> list[str]:
        lines = [f"removed {self.chunks_removed} stray chunks, "
                 f"{len(self.articles_removed)} incomplete articles; keyword index rebuilt"]
        lines += [f"re-ingest {path or '(unknown file)'} to restore {article_id}"
                  for article_id, path in self.articles_removed.items()]
        return lines


def check(store: Store) -> Inspection:
    """Every record readable and complete, every chunk vouched for, keyword index in step."""
    problems: list[Problem] = []
    expected: dict[str, tuple[str, int]] = {}
    for article_id, meta in store.iter_article_metadata():
        if damage := record_damage(article_id, meta):
            problems.append(Problem(DAMAGED, article_id, damage))
        expected[article_id] = (str(meta.get("content_hash", "")), int(meta.get("chunks") or 0))
    chunk_ids: list[str] = []
    found: Counter[str] = Counter()
    for chunk_id, meta in store.iter_chunk_metadata():
        chunk_ids.append(chunk_id)
        article_id = str(meta.get("article_id", ""))
        if article_id not in expected:
            problems.append(Problem(ORPHAN, chunk_id, f"article {article_id!r} has no record"))
        elif chunk_hash(chunk_id) != expected[article_id][0]:
            problems.append(Problem(STALE, chunk_id,
                                    f"cut from another version of {article_id!r}"))
        else:
            found[article_id] += 1
    for article_id, (_, count) in expected.items():
        if found[article_id] != count:
            problems.append(Problem(MISSING, article_id,
                                    f"{found[article_id]} of its {count} chunks in the store"))
    keyword_problems, notes = keyword_state(store, chunk_ids)
    return Inspection(store.location, len(expected), len(chunk_ids),
                      problems + keyword_problems, notes)


def record_damage(article_id: str, meta: dict[str, object]) -> str | None:
    """Why a record cannot be served as it is, or None."""
    try:
        indexed = read_record(article_id, meta)
    except (ValueError, KeyError, TypeError) as error:
        return f"text, sentence or quote table unreadable ({type(error).__name__})"
    text = indexed.article.text
    if hash_article(indexed.article) != indexed.article.content_hash:
        return "text or metadata changed since it was indexed (content hash differs)"
    spans = [(s.start, s.end) for s in indexed.sentences]
    spans += [(q.start, q.end) for q in indexed.quotes]
    if any(not 0 <= start <= end <= len(text) for start, end in spans):
        return "a sentence or quote points outside the text"
    if any(q.article_id != article_id for q in indexed.quotes):
        return "a quote belongs to another article"
    return None


def keyword_state(store: Store, chunk_ids: list[str]) -> tuple[list[Problem], list[str]]:
    """An index behind the store is rebuilt on the next question; one that claims to be
    current but lists other chunks than Chroma's would mislead searches."""
    index = KeywordIndex.load(store.keyword_folder)
    if index is None:
        return [], ["keyword index not built yet or unreadable; built on the next question"]
    if index.generation != store.generation:
        return [], ["keyword index is behind the store; brought in step on the next question"]
    differ = len(set(index.chunk_ids) ^ set(chunk_ids))
    if differ:
        return [Problem(KEYWORD, str(store.keyword_folder),
                        f"{differ} chunk ids differ from Chroma's")], []
    return [], []


def repair(store: Store) -> Repair:
    """Remove stray chunks and incomplete or damaged articles, then rebuild the keyword index."""
    found = check(store)
    broken = found.subjects(MISSING, DAMAGED)
    paths = source_paths(store, broken)
    for article_id in broken:
        store.remove(article_id)
    stray = found.subjects(ORPHAN, STALE)
    store.remove_chunks(stray)
    store.keyword  # noqa: B018 - rebuilt and saved now rather than on the next question
    return Repair(len(stray), paths)


def source_paths(store: Store, article_ids: list[str]) -> dict[str, str]:
    """The file each article was read from, so the user knows what to ingest again."""
    if not article_ids:
        return {}
    found = store.articles.get(ids=article_ids, include=["metadatas"])
    return {i: str(meta.get("path", "")) for i, meta in zip(found["ids"], found["metadatas"])}
