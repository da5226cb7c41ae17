"""Date words in questions: found, resolved to a window of days, and taken out of the topic.

"in March 2024", "on 5 March 2024", "at the March 5 briefing", "between January and March
2024", "since October", "before April 2022", "yesterday", "last week", "in the past two weeks",
"this year". The regular expressions only find the words and say what part each plays (a day,
a month, an open end, a range); dateutil reads the dates and does the calendar arithmetic. A
date without a year is the latest such date on or before the day the question is asked.

Weak words need a preposition to count as dates: a bare year ("the 2024 election") or month
("March Madness") stays part of the topic; "in 2024" and "since March" are windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as date_parser
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

from index.store.keyword import ALL_DAYS

MONTH = (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
         r"aug(?:ust|\.)?|sep(?:t(?:ember)?|\.)?\.?|oct(?:ober|\.)?|nov(?:ember|\.)?|"
         r"dec(?:ember|\.)?)")
FULL_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|"
              r"November|December)")
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d\d"
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS: dict[str, weekday] = dict(zip(WEEKDAY_NAMES, (MO, TU, WE, TH, FR, SA, SU)))
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "couple of": 2, "few": 3}
COUNT = rf"(?:\d{{1,3}}|{'|'.join(NUMBERS)})"
UNIT = r"(?:day|week|month|year)s?"
# A date, longest forms first. Groups name the form: it decides the window's length.
DATE = re.compile(rf"""
    (?P<iso>\b{YEAR}-\d\d-\d\d\b)
  | (?P<numeric>\b\d{{1,2}}/\d{{1,2}}/(?:{YEAR}|\d\d)\b)
  | (?P<part>\b(?:early|mid|late)[-\s]+{MONTH}(?:,?\s+{YEAR})?\b)
  | (?P<month_year>\b{MONTH}(?:\s+of)?,?\s+{YEAR}\b)
  | (?P<month_day>\b{MONTH}\s+{DAY}(?:,?\s+{YEAR})?\b)
  | (?P<day_month>\b{DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR})?\b)
  | (?P<month>\b{FULL_MONTH}\b)
  | (?P<year>\b{YEAR}\b)
  | (?P<weekday>\b(?:{'|'.join(WEEKDAY_NAMES)})\b)
""", re.IGNORECASE | re.VERBOSE)
# Forms that are a date only after a preposition.
WEAK = frozenset({"month", "year", "weekday"})
# The words before a date that say what part it plays.
ROLE = re.compile(r"""(?:^|\s)(?P<role>
    between|from|ever\s+since|since|after|starting(?:\s+(?:in|on|from))?|beginning(?:\s+(?:in|on))?
  | before|prior\s+to|until|till|through|up\s+to|as\s+of|by
  | (?:back\s+|as\s+far\s+back\s+as\s+)?in|during|on|at|for|throughout|of|over)
  (?P<article>\s+(?:the|this|last|past)(?:\s+(?:week|month|year)\s+of)?)?\s+$""",
                  re.IGNORECASE | re.VERBOSE)
SINCE_ROLES = ("from", "since", "ever since", "starting", "beginning")
UNTIL_ROLES = ("until", "till", "through", "up to", "as of", "by")
RANGE_JOIN = re.compile(r"^\s*(?:and|to|until|till|through|thru|-|–|—)\s+", re.IGNORECASE)
# "at the March 5 briefing", "Tuesday's briefing": the date names a day's event.
EVENT = re.compile(r"^(?:['’]s)?\s+(?:press\s+)?(?:briefing|gaggle|call|conference|"
                   r"press\s+conference|remarks|session|meeting)s?\b", re.IGNORECASE)
POSSESSIVE = re.compile(r"^(?:['’]s)?")
RELATIVE = re.compile(rf"""
    (?P<rolling>(?:\b(?:in|over|during|within|for)\s+)?
        (?:\bthe\s+(?:past|last|previous)|\bpast|\bprevious|\blast(?=\s+{COUNT}\s))\s+
        (?:(?P<count>{COUNT})\s+)?(?P<rolling_unit>{UNIT})\b)
  | (?P<ago>(?:\b(?:in|on|from)\s+)?\b(?P<ago_count>{COUNT})\s+(?P<ago_unit>{UNIT})\s+ago\b)
  | (?P<this>(?:\b(?:in|during|over|from)\s+)?\bthis\s+(?P<this_unit>week|month|year)\b)
  | (?P<previous>(?:\b(?:in|during|from)\s+)?\blast\s+(?P<previous_unit>week|month|year)\b)
  | (?P<named_day>(?:\b(?:on|from|at)\s+)?\b(?P<which>last|this)\s+
        (?P<named_weekday>{'|'.join(WEEKDAY_NAMES)})\b)
  | (?P<yesterday>(?:\b(?:from|on)\s+)?\byesterday(?:['’]s)?\b)
  | (?P<today>(?:\b(?:from|on)\s+)?\btoday(?:['’]s)?\b)
""", re.IGNORECASE | re.VERBOSE)


@dataclass(frozen=True)
class DateWindow:
    """Days from `since` to `until`, both inclusive; an open end is None."""

    since: date | None = None
    until: date | None = None

    @property
    def is_day(self) -> bool:
        return self.since is not None and self.since == self.until

    def holds(self, day: str) -> bool:
        """Whether an article's ISO date falls inside; an undated article never does."""
        found = iso_day(day)
        return found is not None and (self.since is None or found >= self.since) and (
            self.until is None or found <= self.until)

    def day_numbers(self) -> tuple[int, int]:
        """The window as the keyword index numbers days: (20240301, 20240331)."""
        return (day_number(self.since) if self.since else ALL_DAYS[0],
                day_number(self.until) if self.until else ALL_DAYS[1])

    def filters(self) -> dict[str, str]:
        return {key: value.isoformat() for key, value in
                (("since", self.since), ("until", self.until)) if value is not None}

    @property
    def label(self) -> str:
        """How an answer names the window: "On March 5, 2024", "In March 2024", "Since …"."""
        since, until = self.since, self.until
        if since and until:
            return _range_label(since, until)
        if since:
            return f"Since {long_date(since)}"
        if until:
            return f"Up to {long_date(until)}"
        return "At any time"


@dataclass(frozen=True)
class DatedQuestion:
    """The question's window (None without date words) and the question without them."""

    window: DateWindow | None
    question: str


def long_date(day: date | str) -> str:
    """2024-03-05 → "March 5, 2024"; what is not a date stays as it is."""
    found = iso_day(day) if isinstance(day, str) else day
    return f"{found:%B} {found.day}, {found.year}" if found else str(day)


def _range_label(since: date, until: date) -> str:
    whole_months = since.day == 1 and until == until + relativedelta(day=31)
    if since == until:
        return f"On {long_date(since)}"
    if whole_months and (since.year, since.month) == (until.year, until.month):
        return f"In {since:%B} {since.year}"
    if whole_months and (since.month, until.month) == (1, 12):
        return f"In {since.year}" if since.year == until.year else \
            f"From {since.year} to {until.year}"
    if whole_months:
        first = f"{since:%B}" if since.year == until.year else f"{since:%B} {since.year}"
        return f"From {first} to {until:%B} {until.year}"
    if since.weekday() == 0 and until == since + timedelta(days=6):
        return f"In the week of {long_date(since)}"
    first = f"{since:%B} {since.day}" if since.year == until.year else long_date(since)
    return f"From {first} to {long_date(until)}"


def day_number(day: date) -> int:
    """2024-03-05 → 20240305, as the store numbers days."""
    return day.year * 10000 + day.month * 100 + day.day


def from_day_number(number: int) -> date:
    return date(number // 10000, number // 100 % 100, number % 100)


def iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def as_day(value: date | datetime | str | None) -> date:
    """The day a question is asked: a date, an ISO string, or None for the real today."""
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found = iso_day(value.strip())
    if found is None:
        raise ValueError(f"today {value!r} is not YYYY-MM-DD")
    return found


def find_dates(question: str, today: date) -> DatedQuestion:
    """The window the question's date words name (several narrow each other), and the
    question with them taken out."""
    spans: list[tuple[int, int]] = []
    windows: list[DateWindow] = []
    for found in RELATIVE.finditer(question):
        windows.append(_relative(found, today))
        spans.append(found.span())
    taken = _mask(question, spans)
    mentions = [m for m in DATE.finditer(taken) if m.group().strip()]
    used: set[int] = set()
    for number, mention in enumerate(mentions):
        if number in used:
            continue
        role = ROLE.search(taken[:mention.start()])
        after = taken[mention.end():]
        form = mention.lastgroup or ""
        event = EVENT.match(after)
        if form in WEAK and role is None and not (form == "weekday" and event):
            continue
        if form == "month" and not mention.group()[0].isupper():
            continue  # "may" the verb
        start = role.start("role") if role else mention.start()
        end = mention.end()
        joined = RANGE_JOIN.match(after)
        partner = mentions[number + 1] if number + 1 < len(mentions) else None
        role_word = " ".join(role["role"].lower().split()) if role else ""
        if joined and partner is not None and partner.start() == mention.end() + joined.end() \
                and role_word in ("between", "from", ""):
            first, last = _span(mention, today), _span(partner, today)
            first = _with_year_of(mention, first, last)
            windows.append(DateWindow(first[0], last[1]))
            used.add(number + 1)
            end = partner.end()
        else:
            first_day, last_day = _span(mention, today)
            windows.append(_window_for(role_word, first_day, last_day))
            if event:  # "at the March 5 briefing", "Tuesday's briefing": the event stays
                start = mention.start()
                end = mention.end() + len(POSSESSIVE.match(after)[0])
        spans.append((start, end))
    if not windows:
        return DatedQuestion(None, question)
    return DatedQuestion(_narrowest(windows), _without(question, spans))


def _window_for(role: str, first: date, last: date) -> DateWindow:
    if role in SINCE_ROLES or role.startswith(("starting", "beginning")):
        return DateWindow(first, None)
    if role == "after":
        return DateWindow(last + timedelta(days=1), None)
    if role in ("before", "prior to"):
        return DateWindow(None, first - timedelta(days=1))
    if role in UNTIL_ROLES:
        return DateWindow(None, last)
    return DateWindow(first, last)


def _span(mention: re.Match[str], today: date) -> tuple[date, date]:
    """The first and last day a date mention covers."""
    form, text = mention.lastgroup, mention.group()
    if form == "year":
        year = int(text)
        return date(year, 1, 1), date(year, 12, 31)
    if form == "weekday":
        day = today + relativedelta(weekday=WEEKDAYS[text.lower()](-1))
        return day, day
    has_year = re.search(rf"\b{YEAR}\b", text) is not None or form in ("iso", "numeric")
    cleaned = re.sub(r"^(early|mid|late)[-\s]+", "", text, flags=re.IGNORECASE)
    cleaned = re.sub(r"\bof\b|\.", " ", cleaned) if form != "numeric" else cleaned
    default = datetime(today.year, 1, 1)
    day = date_parser.parse(cleaned, default=default).date()
    if not has_year and day > today:
        day -= relativedelta(years=1)
    if form in ("month", "month_year"):
        return day.replace(day=1), day + relativedelta(day=31)
    if form == "part":
        first = day.replace(day=1)
        part = text.lower()[:3]
        if part == "ear":
            return first, first + relativedelta(day=10)
        if part == "mid":
            return first + relativedelta(day=11), first + relativedelta(day=20)
        return first + relativedelta(day=21), first + relativedelta(day=31)
    return day, day


def _with_year_of(mention: re.Match[str], first: tuple[date, date],
                  last: tuple[date, date]) -> tuple[date, date]:
    """"between January and March 2024": a range's first end takes the year of its last."""
    if re.search(rf"\b{YEAR}\b", mention.group()) or mention.lastgroup in ("iso", "numeric"):
        return first
    shift = relativedelta(years=last[1].year - first[0].year)
    moved = (first[0] + shift, first[1] + shift)
    return moved if moved[0] <= last[1] else (moved[0] - relativedelta(years=1),
                                              moved[1] - relativedelta(years=1))


def _relative(found: re.Match[str], today: date) -> DateWindow:
    """Windows counted back from the day of asking. "the past two weeks" and "the last
    month" run up to today; "last week" and "last month" are the calendar's."""
    if found["rolling"]:
        count = _count(found["count"]) if found["count"] else 1
        unit = found["rolling_unit"].lower().rstrip("s")
        return DateWindow(today - relativedelta(**{f"{unit}s": count}), today)
    if found["ago"]:
        unit = found["ago_unit"].lower().rstrip("s")
        then = today - relativedelta(**{f"{unit}s": _count(found["ago_count"])})
        return _period(then, unit)
    if found["this"]:
        period = _period(today, found["this_unit"].lower())
        return DateWindow(period.since, today)
    if found["previous"]:
        unit = found["previous_unit"].lower()
        return _period(today - relativedelta(**{f"{unit}s": 1}), unit)
    if found["named_day"]:
        name = WEEKDAYS[found["named_weekday"].lower()]
        start = today - timedelta(days=1) if found["which"].lower() == "last" else today
        day = start + relativedelta(weekday=name(-1))
        return DateWindow(day, day)
    day = today - timedelta(days=1) if found["yesterday"] else today
    return DateWindow(day, day)


def _period(day: date, unit: str) -> DateWindow:
    """The calendar day, week (Monday to Sunday), month or year holding `day`."""
    if unit == "week":
        monday = day + relativedelta(weekday=MO(-1))
        return DateWindow(monday, monday + timedelta(days=6))
    if unit == "month":
        return DateWindow(day.replace(day=1), day + relativedelta(day=31))
    if unit == "year":
        return DateWindow(date(day.year, 1, 1), date(day.year, 12, 31))
    return DateWindow(day, day)


def _count(word: str) -> int:
    word = " ".join(word.lower().split())
    return int(word) if word.isdigit() else NUMBERS[word]


def _narrowest(windows: list[DateWindow]) -> DateWindow:
    """Every window at once: the latest start, the earliest end."""
    starts = [w.since for w in windows if w.since is not None]
    ends = [w.until for w in windows if w.until is not None]
    return DateWindow(max(starts) if starts else None, min(ends) if ends else None)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with `spans` blanked, offsets kept."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _without(question: str, spans: list[tuple[int, int]]) -> str:
    """The question with the date words out, its spacing and punctuation tidied."""
    text = _mask(question, spans)
    text = re.sub(r"\s+([?.!,;:])", r"\1", " ".join(text.split()))
    return re.sub(r"^[,;:]\s*|,(?=[?.!]?$)", "", text).strip()


def window_of(since: str | None, until: str | None) -> DateWindow | None:
    """The window explicit `since`/`until` filters name, if any."""
    if not since and not until:
        return None
    return DateWindow(as_day(since) if since else None, as_day(until) if until else None)
