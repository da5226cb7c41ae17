"""The statement table: every sentence of the dated articles, with who said it, in its words.

Questions about time ask which of someone's sentences hold a topic, on which days: when did
Psaki first mention Poland, on how many days did Kirby speak of the Houthis, what did they say
on each. Answering from the chunks would read every article that might hold one; this table
answers from a lookup, and only the days an answer cites are read whole.

It lives in each keyword segment, beside the chunks it was cut from: row r is a sentence of the
segment's chunk `chunk[r]`, and its words are kept in order as written (lower case, stopwords
out, with their capitals noted), so "phone calls" can be told from "phone call" and "United
Kingdom" from "the kingdom … united", and each word's stem is kept once per vocabulary word
for the looser match. A sentence two chunks share is kept by the first of them. Dead chunks
take their sentences with them; a segment's merge reads its chunks again."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

TABLE_FILE = "statements.npz"
WORDS_FILE = "statement_words.json"
NO_SPEAKER = -1
# How a word was written (`cases`, the low two bits): in lower case, with a capital, or as the
# sentence's first word (a capital that says nothing); NAME_GOES_ON marks a capitalised word
# followed by another ("Capitol Hill": not the Capitol), AFTER_QUALIFIER one that follows a
# word making it another place ("West Virginia": not Virginia).
LOWER, CAPITAL, FIRST = 0, 1, 2
WRITTEN = 3
NAME_GOES_ON = 4
# The word follows stopwords the table leaves out ("the [the] Houthis"), or just "of" inside a
# name ("Department [of] Transportation").
AFTER_GAP = 8
AFTER_OF = 16
AFTER_QUALIFIER = 32


@dataclass(frozen=True)
class Statement:
    """A sentence as the table takes it in: its number in its article, its speaker (None when
    the article names none) and its text."""

    sentence: int
    speaker: str | None
    text: str


@dataclass(frozen=True)
class QueryWord:
    """A word of a topic: as written (lower case), its stem, and whether it is a name ("Delta",
    "Transportation"), held only where written with a capital."""

    word: str
    stem: str
    name: bool


@dataclass(frozen=True)
class Found:
    """Rows of a table that hold some of a query's words: `held` is the share of the query's
    weight (IDF) each holds in any form, `paired` the share of the query's neighbouring word
    pairs it holds side by side, `exact` whether it holds the topic as written: every word
    in its form, side by side, a name standing as itself."""

    rows: np.ndarray
    held: np.ndarray
    paired: np.ndarray
    exact: np.ndarray


@dataclass
class StatementTable:
    """`words[word_start[r]:word_start[r + 1]]` index row r's words in `vocabulary` (whose
    stems are `stems`, and whose last capitalised spelling is `spellings`, "" if never), `cases`
    how each was written; `speaker[r]` indexes `names` (NO_SPEAKER: none); the rows of chunk
    row c run from `chunk_start[c]` to `chunk_start[c + 1]`. `names_said` rows are (name
    phrase, speaker, chunk row): each name (a run of capitalised words: "Houthis", "Supreme
    Court") a speaker said in a sentence of that chunk, the page's examples."""

    chunk: np.ndarray
    sentence: np.ndarray
    speaker: np.ndarray
    names: list[str]
    word_start: np.ndarray
    words: np.ndarray
    cases: np.ndarray
    chunk_start: np.ndarray
    vocabulary: list[str]
    stems: list[str]
    spellings: list[str]
    name_phrases: list[str]
    names_said: np.ndarray

    @classmethod
    def build(cls, statements: Sequence[Sequence[Statement]],
              words: Sequence[Sequence[tuple[str, str, int]]],
              stem: Callable[[str], str]) -> StatementTable:
        """`statements[c]` are chunk row c's; `words` the words of each statement in order,
        each as written, in lower case, and how it was written; `stem` the stemmer the
        keyword index uses."""
        names: dict[str, int] = {}
        vocabulary: dict[str, int] = {}
        spellings: dict[int, str] = {}
        phrases: dict[str, int] = {}
        said: set[tuple[int, int, int]] = set()
        chunk, sentence, speaker, lengths, columns, cases = [], [], [], [], [], []
        row = 0
        for chunk_row, in_chunk in enumerate(statements):
            for statement in in_chunk:
                code = NO_SPEAKER if statement.speaker is None else \
                    names.setdefault(statement.speaker, len(names))
                for written, lower, case in words[row]:
                    column = vocabulary.setdefault(lower, len(vocabulary))
                    columns.append(column)
                    cases.append(case)
                    if case & WRITTEN == CAPITAL:
                        spellings[column] = written
                if code != NO_SPEAKER:
                    said.update((phrases.setdefault(name, len(phrases)), code, chunk_row)
                                for name in _names(words[row]))
                lengths.append(len(words[row]))
                row += 1
                chunk.append(chunk_row)
                sentence.append(statement.sentence)
                speaker.append(code)
        per_chunk = np.bincount(np.asarray(chunk, dtype=np.int64), minlength=len(statements))
        return cls(np.asarray(chunk, dtype=np.int32), np.asarray(sentence, dtype=np.int32),
                   np.asarray(speaker, dtype=np.int32), list(names),
                   _starts(np.asarray(lengths, dtype=np.int64)),
                   np.asarray(columns, dtype=np.int32), np.asarray(cases, dtype=np.int8),
                   _starts(per_chunk), list(vocabulary), [stem(w) for w in vocabulary],
                   [spellings.get(c, "") for c in range(len(vocabulary))], list(phrases),
                   np.asarray(sorted(said), dtype=np.int32).reshape(-1, 3))

    @classmethod
    def empty(cls, chunks: int) -> StatementTable:
        return cls.build([[] for _ in range(chunks)], [], str)

    def save(self, folder: Path) -> None:
        """Numbers compressed (a segment's table is read whole, once per process), words as
        JSON: fixed-width string arrays took four times the space."""
        np.savez_compressed(folder / TABLE_FILE, chunk=self.chunk, sentence=self.sentence,
                            speaker=self.speaker, word_start=self.word_start, words=self.words,
                            cases=self.cases, chunk_start=self.chunk_start,
                            names_said=self.names_said)
        (folder / WORDS_FILE).write_text(json.dumps(
            {"names": self.names, "vocabulary": self.vocabulary, "stems": self.stems,
             "spellings": self.spellings, "name_phrases": self.name_phrases},
            ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> StatementTable:
        words = json.loads((folder / WORDS_FILE).read_text(encoding="utf-8"))
        with np.load(folder / TABLE_FILE) as saved:
            return cls(saved["chunk"], saved["sentence"], saved["speaker"], words["names"],
                       saved["word_start"], saved["words"], saved["cases"],
                       saved["chunk_start"], words["vocabulary"], words["stems"],
                       words["spellings"], words["name_phrases"], saved["names_said"])

    def speaker_codes(self, names: Sequence[str]) -> np.ndarray:
        wanted = set(names)
        return np.asarray([code for code, name in enumerate(self.names) if name in wanted],
                          dtype=np.int32)

    @cached_property
    def _stem_columns(self) -> dict[str, np.ndarray]:
        by_stem: dict[str, list[int]] = {}
        for column, stem in enumerate(self.stems):
            by_stem.setdefault(stem, []).append(column)
        return {stem: np.asarray(columns, dtype=np.int32) for stem, columns in by_stem.items()}

    @cached_property
    def _word_columns(self) -> dict[str, int]:
        return {word: column for column, word in enumerate(self.vocabulary)}

    def find(self, chunk_rows: np.ndarray, query: Sequence[QueryWord],
             weights: Sequence[float]) -> Found:
        """The rows of `chunk_rows` that hold any of the query's words (`weights[i]` the IDF
        of word i)."""
        rows = self.chunk_start[chunk_rows]
        rows = _ranges(rows, self.chunk_start[chunk_rows + 1])
        total = sum(weights)
        none = np.zeros(0, np.float32)
        if not rows.size or not query or not total:
            return Found(rows[:0], none, none, none.astype(bool))
        owner = np.repeat(np.arange(rows.size),
                          self.word_start[rows + 1] - self.word_start[rows])
        positions = _ranges(self.word_start[rows], self.word_start[rows + 1])
        flat, cases = self.words[positions], self.cases[positions]
        written = (cases & WRITTEN) != LOWER
        anyhow = np.ones(flat.size, dtype=bool)
        any_form = [np.isin(flat, self._stem_columns.get(w.stem, [])) & (written if w.name
                                                                          else anyhow)
                    for w in query]
        as_written = [(flat == self._word_columns.get(w.word, -1)) & (written if w.name
                                                                      else anyhow)
                      for w in query]
        held = np.zeros(rows.size, dtype=np.float32)
        exact = np.ones(rows.size, dtype=bool)
        seen: set[str] = set()
        for word, weight, matches, verbatim in zip(query, weights, any_form, as_written):
            if word.stem not in seen:
                seen.add(word.stem)
                held[np.unique(owner[matches])] += weight / total
            exact &= np.isin(np.arange(rows.size), owner[verbatim])
        paired = np.zeros(rows.size, dtype=np.float32)
        pairs = len(query) - 1
        same_row = owner[1:] == owner[:-1]
        for first in range(pairs):
            side_by_side = same_row & any_form[first][:-1] & any_form[first + 1][1:]
            paired[np.unique(owner[:-1][side_by_side])] += 1 / pairs
            verbatim = same_row & as_written[first][:-1] & as_written[first + 1][1:]
            exact &= np.isin(np.arange(rows.size), owner[:-1][verbatim])
        if query[-1].name:  # the last word of a name ends it: "Capitol", not "Capitol Hill"
            standing = as_written[-1] & ((cases & NAME_GOES_ON) == 0)
            exact &= np.isin(np.arange(rows.size), owner[standing])
        if query[0].name:  # nor is "West Virginia" Virginia
            standing = as_written[0] & ((cases & AFTER_QUALIFIER) == 0)
            exact &= np.isin(np.arange(rows.size), owner[standing])
        keep = held > 0
        return Found(rows[keep], held[keep], paired[keep], exact[keep])


def _names(words: Sequence[tuple[str, str, int]]) -> list[str]:
    """The names in a sentence: runs of capitalised words ("Supreme Court", "Department of
    Transportation"); a left-out stopword other than such an "of" ends a run."""
    found: list[str] = []
    run: list[str] = []
    for written, _, case in (*words, ("", "", LOWER)):
        if case & WRITTEN == CAPITAL and run and case & AFTER_OF:
            run.append(f"of {written}")
            continue
        if case & WRITTEN == CAPITAL and not (case & AFTER_GAP and run):
            run.append(written)
            continue
        if run:
            found.append(" ".join(run))
        run = [written] if case & WRITTEN == CAPITAL else []
    return found


def _starts(lengths: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return starts


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of arange(s, e) for each pair: numpy's own loop, not Python's."""
    lengths = (ends - starts).astype(np.int64)
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + offsets
