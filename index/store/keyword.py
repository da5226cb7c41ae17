"""BM25 over chunk texts (bm25s), persisted beside the Chroma data.

Chroma's own sparse index is not available in local mode, so the keyword half of hybrid search
lives here. It is derived data, brought in step with the chunks in Chroma whenever they change —
incrementally, since bm25s cannot add documents to an index: each update indexes only the new
chunks as one more *segment*, and chunks that left Chroma become *dead* (masked out of every
search). Segments are searched together with one corpus-wide IDF, and merged as they pile up
(two neighbours of similar size, like a binary counter), so each chunk is re-indexed
O(log n) times in all; many dead chunks trigger a rebuild from the live ones. No segment
outgrows MAX_SEGMENT_CHUNKS, so the memory an update needs does not grow with the store.

Each segment also records who speaks in which of its chunks: "what did X say" searches only
X's chunks, and Chroma's own metadata filter for that costs more than the rest of a question.
It records each chunk's day too (a question's window searches only those days), and the
statement table of its dated chunks (`index.store.statements`): who said which sentence, in
which words, on which day."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, reduce
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from index.speech.quotes import TITLES
from index.store.statements import (
    AFTER_GAP,
    AFTER_OF,
    AFTER_QUALIFIER,
    CAPITAL,
    FIRST,
    LOWER,
    NAME_GOES_ON,
    NO_SPEAKER,
    WRITTEN,
    QueryWord,
    Statement,
    StatementTable,
)
from index.vectors.embed import sign_closeness

STEMMER = Stemmer.Stemmer("english")
# bm25s's own word pattern and English stopwords, for `statement_words` and `tokenize`.
WORD = re.compile(r"(?u)\b\w\w+\b")
STOPWORD_SET = frozenset(STOPWORDS_EN)
MANIFEST = "manifest.json"
SEGMENT_IDS = "chunk_ids.json"
SEGMENT_SPEAKERS = "speakers.json"
SEGMENT_DAYS = "days.npy"
SEGMENT_SIGNS = "signs.npy"
# Saved indexes of another version are rebuilt from the store (2: days and statements;
# 3-6: statement words as written, names said; 7: a place's qualifier, a title after a name;
# 8: chunk vectors' signs).
VERSION = 8
ALL_DAYS = (0, 99_999_999)
# Words that make a place another place: West Virginia, New Mexico, Northern Ireland.
PLACE_QUALIFIERS = frozenset({"north", "south", "east", "west", "northern", "southern",
                              "eastern", "western", "central", "new", "upper", "lower"})
# The share of a topic's weight a sentence holding all its words holds (float32 sums).
EVERY_WORD = 0.999
# Rebuild from the live chunks once this share of indexed chunks is dead.
MAX_DEAD_SHARE = 0.2
# Building a segment holds its texts and tokens: 50k chunks take about 130 MB, 570k took 1.4 GB.
MAX_SEGMENT_CHUNKS = 50_000


@dataclass(frozen=True)
class ChunkText:
    """What the index reads of a chunk: its words, the speakers of its sentences, its day
    (20240305; 0 when undated), when dated the sentences it keeps in the statement table, and
    its vector's signs (`sign_bits`; empty when it has none)."""

    text: str
    speakers: tuple[str, ...] = ()
    day: int = 0
    statements: tuple[Statement, ...] = ()
    signs: bytes = b""


FetchChunks = Callable[[Sequence[str]], Sequence[ChunkText]]


@dataclass(frozen=True)
class StatementHit:
    """A sentence of the statement table that holds every word of a topic: `paired` is the
    share of its neighbouring word pairs it holds side by side, `exact` whether it holds the
    topic as written."""

    chunk_id: str
    sentence: int
    speaker: str | None
    day: int
    paired: float
    exact: bool = False

    @property
    def key(self) -> tuple[str, int]:
        """The article version (content hash) and sentence: the same sentence in any chunk."""
        return self.chunk_id.split(":", 1)[0], self.sentence


@dataclass(frozen=True)
class Topic:
    """A name a speaker said ("Houthis", "Supreme Court"), the days they said it, and its
    weight in the store (the mean BM25 IDF of its words): what is worth asking about."""

    name: str
    speaker: str
    days: tuple[int, ...]
    weight: float


@dataclass(frozen=True)
class KeywordHit:
    """A chunk the keyword search found: its BM25 score, and `matched`, the share of the
    query's weight (IDF; words the store lacks count too) that the chunk holds."""

    chunk_id: str
    score: float
    matched: float


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """bm25s's tokens. One text (a question, a candidate sentence, a chunk to score for
    phrases) is split here, as bm25s splits, and cached: answers score the same sentences
    again and again, and one bm25s call costs 0.25 ms whatever its length (progress bars)."""
    if len(texts) == 1:
        return [list(_tokenize_one(texts[0]))]
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=STEMMER, return_ids=False,
                          show_progress=False)


def statement_words(text: str) -> list[tuple[str, str, int]]:
    """A sentence's words as the statement table keeps them, bm25s's stopwords out: as
    written, in lower case, and how it was written (LOWER, CAPITAL or FIRST, with
    NAME_GOES_ON, AFTER_QUALIFIER and AFTER_GAP; a title does not go on with a name:
    "Council Director" holds the Council)."""
    found = []
    matches = list(WORD.finditer(text))
    left_out: list[str] = []
    for number, match in enumerate(matches):
        word, lower = match[0], match[0].lower()
        if number and text[matches[number - 1].end():match.start()].strip():
            left_out.append(",")  # punctuation between the words ends a name
        if lower in STOPWORD_SET:
            left_out.append(lower)
            continue
        case = FIRST if number == 0 else CAPITAL if word[0].isupper() else LOWER
        if case != LOWER and number + 1 < len(matches) and matches[number + 1][0][0].isupper() \
                and not text[match.end():matches[number + 1].start()].strip() \
                and matches[number + 1][0].lower() not in TITLES:
            case |= NAME_GOES_ON
        if left_out:
            case |= AFTER_OF if left_out == ["of"] else AFTER_GAP
        elif case & WRITTEN == CAPITAL and found and found[-1][2] & NAME_GOES_ON \
                and found[-1][1] in PLACE_QUALIFIERS:
            case |= AFTER_QUALIFIER
        found.append((word, lower, case))
        left_out = []
    return found


def query_words(query: str) -> list[QueryWord]:
    """A topic's words, stemmed as bm25s stems them; a capitalised word is a name unless the
    whole topic is in one case."""
    cased = not (query.islower() or query.isupper())
    return [QueryWord(lower, STEMMER.stemWord(lower), cased and case & WRITTEN != LOWER)
            for _, lower, case in statement_words(query)]


@lru_cache(maxsize=65536)
def _tokenize_one(text: str) -> tuple[str, ...]:
    return tuple(STEMMER.stemWords([word for word in WORD.findall(text.lower())
                                    if word not in STOPWORD_SET]))


def phrase_scorer(query: str) -> Callable[[str], float]:
    """A text's share of the query's neighbouring word pairs (stopwords out, stemmed) that
    stand side by side in it too: BM25 scores words one by one, so "continued use" matches
    "continue to use" as well as the phrase itself. The query's pairs are found once, for
    scoring many texts."""
    asked = tokenize([query])[0]
    pairs = set(zip(asked, asked[1:]))

    def share(text: str) -> float:
        if not pairs:
            return 0.0
        words = tokenize([text])[0]
        return len(pairs & set(zip(words, words[1:]))) / len(pairs)

    return share


def idf(df: int | np.ndarray, n_docs: int) -> float | np.ndarray:
    """bm25s's Lucene IDF, so rescaled segment scores equal one index's scores."""
    return np.log(1 + (n_docs - df + 0.5) / (df + 0.5))


@dataclass
class Segment:
    """One bm25s index; `chunk_ids[i]` is its document i, `speaker_rows[name]` the documents
    in which `name` speaks, `days[i]` document i's day, `signs[i]` its vector's signs and
    `statements` the statement table of its dated documents. `name` is its folder on disk.
    Chunks with no searchable word (only stopwords) leave `bm25` None: bm25s needs a word."""

    bm25: bm25s.BM25 | None
    chunk_ids: list[str]
    speaker_rows: dict[str, list[int]]
    days: np.ndarray
    signs: np.ndarray
    statements: StatementTable
    name: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @classmethod
    def build(cls, chunk_ids: Sequence[str], chunks: Sequence[ChunkText]) -> Segment:
        speaker_rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(chunks):
            for speaker in chunk.speakers:
                speaker_rows.setdefault(speaker, []).append(row)
        days = np.asarray([chunk.day for chunk in chunks], dtype=np.int32)
        signs = _sign_rows([chunk.signs for chunk in chunks])
        tokens = tokenize([chunk.text for chunk in chunks])
        if not any(tokens):
            return cls(None, list(chunk_ids), speaker_rows, days, signs,
                       StatementTable.empty(len(chunks)))
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        statements = [chunk.statements for chunk in chunks]
        table = StatementTable.build(
            statements, [statement_words(s.text) for in_chunk in statements for s in in_chunk],
            STEMMER.stemWord)
        return cls(bm25, list(chunk_ids), speaker_rows, days, signs, table)

    @cached_property
    def speaker_arrays(self) -> dict[str, np.ndarray]:
        """`speaker_rows` as arrays: a speaker of the whole archive speaks in thousands of
        documents, too many to walk in Python per question."""
        return {name: np.asarray(rows, dtype=np.int64) for name, rows in self.speaker_rows.items()}

    def postings(self, token: str) -> np.ndarray:
        """The documents that hold `token`."""
        column = self.bm25.vocab_dict.get(token) if self.bm25 is not None else None
        if column is None:
            return np.zeros(0, dtype=np.int64)
        indices, indptr = self.bm25.scores["indices"], self.bm25.scores["indptr"]
        return np.asarray(indices[int(indptr[column]):int(indptr[column + 1])])

    def df(self, token: str) -> int:
        column = self.bm25.vocab_dict.get(token) if self.bm25 is not None else None
        if column is None:
            return 0
        indptr = self.bm25.scores["indptr"]
        return int(indptr[column + 1] - indptr[column])

    def scores(self, tokens: Sequence[str], global_idf: dict[str, float]) -> np.ndarray:
        """bm25s's per-document sum over the query tokens, each token's term rescaled from
        this segment's IDF to the corpus-wide one."""
        scores = np.zeros(len(self.chunk_ids), dtype=np.float32)
        if self.bm25 is None:
            return scores
        data, indices, indptr = (self.bm25.scores[k] for k in ("data", "indices", "indptr"))
        for token in tokens:
            column = self.bm25.vocab_dict.get(token)
            if column is None:
                continue
            first, last = int(indptr[column]), int(indptr[column + 1])
            scale = global_idf[token] / idf(last - first, len(self.chunk_ids))
            scores[indices[first:last]] += data[first:last] * np.float32(scale)
        return scores

    def matched(self, tokens: Sequence[str], global_idf: dict[str, float],
                rows: np.ndarray) -> np.ndarray:
        """For each of `rows`, the summed IDF of the query tokens the document holds."""
        held = np.zeros(len(rows), dtype=np.float32)
        if self.bm25 is None:
            return held
        indices, indptr = self.bm25.scores["indices"], self.bm25.scores["indptr"]
        for token in tokens:
            column = self.bm25.vocab_dict.get(token)
            if column is not None:
                docs = indices[int(indptr[column]):int(indptr[column + 1])]
                held[np.isin(rows, docs)] += global_idf[token]
        return held

    def save(self, folder: Path) -> None:
        target = folder / self.name
        if target.exists():
            return
        staging = folder / f"{self.name}.new"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        if self.bm25 is not None:
            self.bm25.save(str(staging), show_progress=False)
        (staging / SEGMENT_IDS).write_text(json.dumps(self.chunk_ids), encoding="utf-8")
        (staging / SEGMENT_SPEAKERS).write_text(json.dumps(self.speaker_rows), encoding="utf-8")
        np.save(staging / SEGMENT_DAYS, self.days)
        np.save(staging / SEGMENT_SIGNS, self.signs)
        self.statements.save(staging)
        staging.rename(target)

    @classmethod
    def load(cls, folder: Path, name: str) -> Segment:
        ids = json.loads((folder / name / SEGMENT_IDS).read_text(encoding="utf-8"))
        speaker_rows = json.loads((folder / name / SEGMENT_SPEAKERS).read_text(encoding="utf-8"))
        bm25 = (bm25s.BM25.load(str(folder / name), mmap=True, show_progress=False)
                if (folder / name / "params.index.json").exists() else None)
        days = np.load(folder / name / SEGMENT_DAYS, mmap_mode="r")
        signs = np.load(folder / name / SEGMENT_SIGNS, mmap_mode="r")
        return cls(bm25, ids, speaker_rows, days, signs, StatementTable.load(folder / name),
                   name)


@dataclass
class KeywordIndex:
    """Segments plus the ids of dead chunks; `generation` says which store state it reflects."""

    segments: list[Segment]
    dead: set[str]
    generation: str

    @classmethod
    def build(cls, chunk_ids: Sequence[str], chunks: Sequence[ChunkText],
              generation: str) -> KeywordIndex:
        by_id = dict(zip(chunk_ids, chunks))
        return cls(_segments(chunk_ids, lambda ids: [by_id[i] for i in ids]), set(), generation)

    @property
    def chunk_ids(self) -> list[str]:
        """The live chunks, in index order."""
        return [i for s in self.segments for i in s.chunk_ids if i not in self.dead]

    @property
    def size(self) -> int:
        return sum(len(s.chunk_ids) for s in self.segments)

    @cached_property
    def _indexed(self) -> set[str]:
        """Every chunk in a segment, dead or alive."""
        return {i for s in self.segments for i in s.chunk_ids}

    def updated(self, live_ids: Sequence[str], fetch_chunks: FetchChunks,
                generation: str) -> KeywordIndex:
        """In step with a store whose chunks are `live_ids`."""
        return self.changed([i for i in live_ids if i not in self._indexed or i in self.dead],
                            self._indexed - set(live_ids), fetch_chunks, generation)

    def changed(self, added: Sequence[str], removed: Iterable[str], fetch_chunks: FetchChunks,
                generation: str) -> KeywordIndex:
        """In step after the store gained the chunks `added` and lost `removed`: the new ones
        indexed as segments, the gone ones masked, then merged or rebuilt as the shape of the
        index asks. An id added again after its removal comes back (ids name the content)."""
        new = [i for i in dict.fromkeys(added) if i not in self._indexed]
        dead = (self.dead - set(added)) | (set(removed) & self._indexed)
        index = KeywordIndex(self.segments + _segments(new, fetch_chunks), dead, generation)
        if len(index.dead) > MAX_DEAD_SHARE * index.size:
            return KeywordIndex(_segments(index.chunk_ids, fetch_chunks), set(), generation)
        return index.merged(fetch_chunks)

    def merged(self, fetch_chunks: FetchChunks) -> KeywordIndex:
        """Merge the newest two segments while the newer is at least half the older's size
        and the two fit in one segment."""
        segments = list(self.segments)
        while (len(segments) > 1
               and 2 * len(segments[-1].chunk_ids) >= len(segments[-2].chunk_ids)
               and len(segments[-1].chunk_ids) + len(segments[-2].chunk_ids)
               <= MAX_SEGMENT_CHUNKS):
            older, newer = segments.pop(-2), segments.pop()
            ids = [i for i in older.chunk_ids + newer.chunk_ids if i not in self.dead]
            if ids:
                segments.append(Segment.build(ids, fetch_chunks(ids)))
        merged_away = self._indexed - {i for s in segments for i in s.chunk_ids}
        return KeywordIndex(segments, self.dead - merged_away, self.generation)

    def save(self, folder: Path) -> None:
        """New segments first, then the manifest naming them (an atomic replace), then the
        leftovers: a crash at any point leaves a manifest whose segments are all whole."""
        folder.mkdir(parents=True, exist_ok=True)
        for segment in self.segments:
            segment.save(folder)
        manifest = {"version": VERSION, "generation": self.generation,
                    "segments": [s.name for s in self.segments], "dead": sorted(self.dead)}
        staging = folder / f"{MANIFEST}.new"
        staging.write_text(json.dumps(manifest), encoding="utf-8")
        os.replace(staging, folder / MANIFEST)
        keep = {MANIFEST, *manifest["segments"]}
        for entry in folder.iterdir():
            if entry.name not in keep:
                _delete(entry)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("version") != VERSION:
                return None
            segments = [Segment.load(folder, name) for name in manifest["segments"]]
        except (OSError, ValueError, KeyError):
            return None
        return cls(segments, set(manifest["dead"]), manifest["generation"])

    def _document_frequencies(self, tokens: Iterable[str]) -> tuple[dict[str, int], int]:
        """Corpus-wide df per token and document count; dead chunks still count until the next
        merge drops them (at most MAX_DEAD_SHARE of the index)."""
        return ({t: sum(s.df(t) for s in self.segments) for t in tokens}, self.size)

    def term_weights(self, query: str) -> dict[str, float]:
        """BM25 IDF of each query term; a term the corpus lacks gets the highest IDF, since an
        answer that cannot contain it is missing the rarest part of the question."""
        frequencies, n_docs = self._document_frequencies(tokenize([query])[0])
        return {t: float(idf(df, n_docs)) for t, df in frequencies.items()}

    @cached_property
    def speakers(self) -> list[str]:
        """Everyone who speaks in a live chunk."""
        return sorted({name for segment, dead_rows in zip(self.segments, self._dead_rows)
                       for name, rows in segment.speaker_rows.items()
                       if np.setdiff1d(rows, dead_rows).size})

    def speaker_chunks(self) -> dict[str, int]:
        """How many live chunks each speaker speaks in."""
        counts: dict[str, int] = {}
        for segment, dead_rows in zip(self.segments, self._dead_rows):
            for name, rows in segment.speaker_rows.items():
                counts[name] = counts.get(name, 0) + int(np.setdiff1d(rows, dead_rows).size)
        return {name: count for name, count in counts.items() if count}

    def quoting(self, speakers: Iterable[str] | None,
                days: tuple[int, int] = ALL_DAYS) -> list[str]:
        """The live chunks in which any of `speakers` (canonical names; None: anyone, or no
        one) speaks, of a day in `days` (20240301, 20240331; inclusive)."""
        names = list(speakers) if speakers is not None else None
        return [segment.chunk_ids[row]
                for segment, mask in zip(self.segments, self._allowed(names, days))
                for row in np.flatnonzero(mask)]

    def nearest(self, query_vector: np.ndarray, count: int, speakers: Sequence[str] | None,
                days: tuple[int, int] = ALL_DAYS) -> list[str]:
        """The `count` live chunks of `speakers` (None: anyone) and `days` whose vector signs
        say they are nearest the question (all of them when they are fewer): a speaker's
        or a window's chunks ranked here, in numpy, never through an id filter in Chroma."""
        rows = [np.flatnonzero(mask) for mask in self._allowed(speakers, days)]
        if sum(r.size for r in rows) <= count:
            return [s.chunk_ids[row] for s, held in zip(self.segments, rows) for row in held]
        scored = [(number, row, score) for number, (segment, held) in
                  enumerate(zip(self.segments, rows)) if held.size and segment.signs.size
                  for row, score in _best(held, sign_closeness(segment.signs[held],
                                                               query_vector), count)]
        best = sorted(scored, key=lambda item: -item[2])[:count]
        return [self.segments[number].chunk_ids[row] for number, row, _ in best]

    def _speaker_rows(self, speakers: Iterable[str]) -> list[np.ndarray]:
        """Per segment, the documents in which any of `speakers` speaks."""
        names = list(speakers)
        none = np.zeros(0, dtype=np.int64)
        return [np.concatenate([none, *(segment.speaker_arrays.get(name, none)
                                        for name in names)])
                for segment in self.segments]

    def _allowed(self, speakers: Sequence[str] | None, days: tuple[int, int]) -> list[np.ndarray]:
        """Per segment, which documents a search may return: live ones, of a day in `days`
        (undated ones only when `days` is ALL_DAYS), in which one of `speakers` speaks when
        they are given."""
        speaker_rows = self._speaker_rows(speakers) if speakers is not None else None
        masks = []
        for number, (segment, dead_rows) in enumerate(zip(self.segments, self._dead_rows)):
            if speaker_rows is None:
                mask = np.ones(len(segment.chunk_ids), dtype=bool)
            else:
                mask = np.zeros(len(segment.chunk_ids), dtype=bool)
                mask[speaker_rows[number]] = True
            mask[dead_rows] = False
            if days != ALL_DAYS:  # a window never holds an undated chunk (day 0)
                mask &= (segment.days >= max(days[0], 1)) & (segment.days <= days[1])
            masks.append(mask)
        return masks

    def search(self, query: str, k: int,
               speakers: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Top-k live (chunk id, BM25 score) with a positive score; with `speakers`, only
        among the chunks in which one of them speaks."""
        return [(hit.chunk_id, hit.score) for hit in self.hits(query, k, speakers)]

    def hits(self, query: str, k: int, speakers: Sequence[str] | None = None,
             days: tuple[int, int] = ALL_DAYS) -> list[KeywordHit]:
        """`search`, each hit also saying how much of the query it holds; with `days`, only
        chunks of a day in that window."""
        if not self.segments or k <= 0:
            return []
        query_tokens = tokenize([query])[0]
        frequencies, n_docs = self._document_frequencies(query_tokens)
        weights = {t: float(idf(frequencies[t], n_docs)) for t in dict.fromkeys(query_tokens)}
        total = sum(weights.values())
        tokens = [t for t in query_tokens if frequencies[t]]
        if not tokens:
            return []
        global_idf = {t: weights[t] for t in tokens}
        found: list[tuple[float, int, int]] = []
        for number, (segment, mask) in enumerate(zip(self.segments,
                                                     self._allowed(speakers, days))):
            scores = segment.scores(tokens, global_idf)
            scores[~mask] = 0
            top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else range(len(scores))
            found += [(float(scores[d]), number, int(d)) for d in top if scores[d] > 0]
        found.sort(key=lambda hit: (-hit[0], hit[1], hit[2]))
        top = found[:k]
        held: dict[tuple[int, int], float] = {}
        for number in {number for _, number, _ in top}:
            rows = np.array([row for _, n, row in top if n == number], dtype=np.int64)
            shares = self.segments[number].matched(tokens, global_idf, rows)
            held.update(((number, int(row)), float(share)) for row, share in zip(rows, shares))
        return [KeywordHit(self.segments[number].chunk_ids[row], score,
                           held[(number, row)] / total if total else 0.0)
                for score, number, row in top]

    @cached_property
    def topics(self) -> list[Topic]:
        """Every name each speaker said in a dated live chunk, with the days they did, most
        days first."""
        days_of: dict[tuple[str, str], set[int]] = {}
        spelled: dict[tuple[str, str], str] = {}
        for segment, live in zip(self.segments, self._allowed(None, ALL_DAYS)):
            table = segment.statements
            said = table.names_said[live[table.names_said[:, 2]]] if len(table.names_said) \
                else table.names_said
            triples = np.unique(np.column_stack([said[:, :2], segment.days[said[:, 2]]]),
                                axis=0) if len(said) else said
            for phrase, code, day in triples.tolist():
                name = table.name_phrases[phrase]
                key = (name.lower(), table.names[code])
                spelled.setdefault(key, name)
                days_of.setdefault(key, set()).add(day)
        words = {key: tokenize([key[0]])[0] for key in days_of}
        frequencies, n_docs = self._document_frequencies({w for ws in words.values()
                                                          for w in ws})
        found = [Topic(spelled[key], key[1], tuple(sorted(days)),
                       float(np.mean([idf(frequencies[w], n_docs) for w in words[key]]))
                       if words[key] else 0.0)
                 for key, days in days_of.items()]
        return sorted(found, key=lambda t: (-len(t.days), t.name, t.speaker))

    def latest_day(self) -> int:
        """The day of the latest dated live chunk (20240305; 0 when none is dated)."""
        return max((int(segment.days[mask].max())
                    for segment, mask in zip(self.segments, self._allowed(None, ALL_DAYS))
                    if mask.any()), default=0)

    def statements(self, topic: str, speakers: Sequence[str] | None = None,
                   days: tuple[int, int] = ALL_DAYS,
                   skip: Sequence[str] = ()) -> list[StatementHit]:
        """Every sentence of the statement table that holds all of the topic's words (in some
        form), said by one of `speakers` (None: by anyone, or no one named, but those in
        `skip`) on a day in `days`; each sentence once, in index order. Only chunks holding
        every word are read: a question's twenty words leave a few, not the whole store."""
        query = query_words(topic)
        if not query:
            return []
        stems = [word.stem for word in query]
        frequencies, n_docs = self._document_frequencies(stems)
        weights = [float(idf(frequencies[stem], n_docs)) for stem in stems]
        found: dict[tuple[str, int], StatementHit] = {}
        for segment, mask in zip(self.segments, self._allowed(speakers, days)):
            if segment.bm25 is None:
                continue
            rows = reduce(np.intersect1d, (segment.postings(stem) for stem in set(stems)))
            rows = rows[mask[rows] & (segment.days[rows] > 0)]
            table = segment.statements
            held = table.find(rows, query, weights)
            codes = table.speaker[held.rows]
            if speakers is not None:
                keep = np.isin(codes, table.speaker_codes(speakers))
            else:
                keep = ~np.isin(codes, table.speaker_codes(skip))
            keep &= held.held >= EVERY_WORD
            for row, paired, exact in zip(held.rows[keep], held.paired[keep], held.exact[keep]):
                code = int(table.speaker[row])
                chunk_row = int(table.chunk[row])
                hit = StatementHit(segment.chunk_ids[chunk_row], int(table.sentence[row]),
                                   None if code == NO_SPEAKER else table.names[code],
                                   int(segment.days[chunk_row]), float(paired), bool(exact))
                found.setdefault(hit.key, hit)
        return list(found.values())

    @cached_property
    def _dead_rows(self) -> list[np.ndarray]:
        """Per segment, the documents whose chunks are dead."""
        return [np.array([row for row, i in enumerate(s.chunk_ids) if i in self.dead],
                         dtype=np.int64) for s in self.segments]


def _best(rows: np.ndarray, scores: np.ndarray, count: int) -> list[tuple[int, float]]:
    """The `count` best-scored rows, as (row, score)."""
    if rows.size > count:
        top = np.argpartition(-scores, count - 1)[:count]
        rows, scores = rows[top], scores[top]
    return list(zip(rows.tolist(), scores.tolist()))


def _sign_rows(signs: Sequence[bytes]) -> np.ndarray:
    """Chunks' packed signs as one array; a chunk without them (its record gone) gets zero
    bytes, and the exact ranking, finding no vector, drops it."""
    width = max((len(s) for s in signs), default=0)
    rows = np.zeros((len(signs), width), dtype=np.uint8)
    for row, packed in enumerate(signs):
        if packed:
            rows[row] = np.frombuffer(packed, dtype=np.uint8)
    return rows


def _segments(chunk_ids: Sequence[str], fetch_chunks: FetchChunks) -> list[Segment]:
    """Segments of at most MAX_SEGMENT_CHUNKS, each fetched and indexed on its own, so
    indexing 100k articles' chunks at once holds one segment's texts and tokens, not all."""
    parts = [list(chunk_ids[first:first + MAX_SEGMENT_CHUNKS])
             for first in range(0, len(chunk_ids), MAX_SEGMENT_CHUNKS)]
    return [Segment.build(part, fetch_chunks(part)) for part in parts]


def _delete(entry: Path) -> None:
    if entry.is_dir():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)
