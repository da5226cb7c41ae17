"""`briefing` — a thin command line over the Python API."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
import threading
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from pathlib import Path

    from index.ingest import IngestReport
    from index.records import LoadError
    from index.settings import Settings
    from index.store.chroma import Store
    from qa.answer import Citation

DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def command() -> NoReturn:
    """The `briefing` executable. A question leaves Chroma's whole vector index in memory,
    and tearing it down at exit took 1.1 s at 570k chunks: `ask`, which writes nothing, ends
    without the teardown once its output is out."""
    args = build_parser().parse_args()
    code = run(args)
    if args.run is run_ask:
        with contextlib.suppress(OSError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """A command's exit status; errors meant for the user become one line on stderr."""
    try:
        return args.run(args)
    except (ValueError, RuntimeError) as error:
        print(f"briefing: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `briefing quotes | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        from chromadb.errors import ChromaError

        from index.store.chroma import no_space_message, out_of_space

        if not isinstance(error, ChromaError):
            raise
        folder = store_folder(args)
        if folder is not None and out_of_space(folder, error):
            print(f"briefing: {no_space_message(folder)}", file=sys.stderr)
            return 2
        print(f"briefing: the store cannot be read; it may be damaged "
              f"({' '.join(str(error).split())}); restore a backup or ingest into a new --store",
              file=sys.stderr)
        return 2


def store_folder(args: argparse.Namespace) -> Path | None:
    """The local store a command used, if any."""
    from pathlib import Path

    settings = settings_from(args) if hasattr(args, "store") else None
    if settings is None or settings.chroma_url:
        return None
    return Path(args.store) if args.store else settings.home


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="DIR",
                        help="store directory (default: $BRIEFING_HOME or ./.briefing)")
    common.add_argument("--chroma-url", metavar="URL",
                        help="use the Chroma server at URL, e.g. http://host:8000 (default: "
                             "$BRIEFING_CHROMA_URL); --store then only holds local caches")
    parser = argparse.ArgumentParser(
        prog="briefing", description="Ask questions of news articles; answers cite passages.")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser(
        "ingest", parents=[common],
        help="add files, folders, web pages, PDFs and feeds (by URL or file)")
    ingest.add_argument("paths", nargs="+", metavar="SOURCE",
                        help="a file, a folder, an http(s) URL, or a feed (.rss .atom .xml)")
    ingest.add_argument("--strict", action="store_true", help="exit non-zero on any error")
    ingest.add_argument("--every", type=duration, metavar="DURATION",
                        help="keep ingesting the sources again at this interval (30m, 2h, "
                             "90s): a feed's new entries go in; Ctrl-C stops between entries")
    ingest.set_defaults(run=run_ingest)

    ask = commands.add_parser("ask", parents=[common], help="answer a question, with citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    ask.add_argument("-k", type=int, default=8, help="passages to read (default 8)")
    ask.add_argument("--source", help="only articles from this source")
    ask.add_argument("--since", metavar="DATE", help="only articles on or after YYYY-MM-DD")
    ask.add_argument("--until", metavar="DATE", help="only articles on or before YYYY-MM-DD")
    ask.add_argument("--today", metavar="DATE",
                     help="the day the question is asked, for its date words such as \"last "
                          "week\" (default: today)")
    ask.set_defaults(run=run_ask)

    timeline = commands.add_parser(
        "timeline", parents=[common],
        help="every day someone spoke of a topic, and what they said on the days shown")
    timeline.add_argument("topic")
    timeline.add_argument("--speaker", metavar="NAME", help="whose words (default: anyone's)")
    timeline.add_argument("--since", metavar="DATE", help="from YYYY-MM-DD")
    timeline.add_argument("--until", metavar="DATE", help="up to YYYY-MM-DD")
    timeline.add_argument("-n", type=int, default=8, help="days shown (default 8)")
    timeline.add_argument("--json", action="store_true", help="print the timeline as JSON")
    timeline.set_defaults(run=run_timeline)

    digest = commands.add_parser(
        "digest", parents=[common],
        help="one day's briefing: each reporter's question and the answer's first sentences")
    digest.add_argument("day", metavar="DATE|ARTICLE",
                        help="a day (YYYY-MM-DD) or an article id")
    digest.add_argument("--json", action="store_true", help="print the digest as JSON")
    digest.set_defaults(run=run_digest)

    quotes = commands.add_parser("quotes", parents=[common], help="list who said what")
    quotes.add_argument("topic", nargs="?")
    quotes.add_argument("--speaker", metavar="NAME")
    quotes.add_argument("--json", action="store_true")
    quotes.set_defaults(run=run_quotes)

    stats = commands.add_parser("stats", parents=[common], help="what the store holds")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(run=run_stats)

    remove = commands.add_parser("remove", parents=[common], help="delete an article")
    remove.add_argument("article_id")
    remove.set_defaults(run=run_remove)

    check = commands.add_parser("check", parents=[common],
                                help="verify the store (exit 1 on any problem)")
    check.set_defaults(run=run_check)

    repair = commands.add_parser("repair", parents=[common],
                                 help="remove what a crash left half-written")
    repair.set_defaults(run=run_repair)

    ui = commands.add_parser("ui", parents=[common], help="serve the web chat")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    ui.add_argument("--auth", metavar="USER:PASSWORD",
                    help="require a login (default: $BRIEFING_AUTH, which keeps it out of ps)")
    ui.add_argument("--insecure", action="store_true",
                    help="allow a non-loopback --host without a login")
    ui.add_argument("--follow", action="append", default=[], metavar="SOURCE",
                    help="a feed (or page) to ingest again while serving; repeatable")
    ui.add_argument("--every", type=duration, metavar="DURATION",
                    help="how often to follow the --follow sources (default 30m)")
    ui.set_defaults(run=run_ui)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's flags on top."""
    from index.settings import Settings

    settings = Settings()
    return replace(settings, chroma_url=args.chroma_url) if args.chroma_url else settings


def store_from(args: argparse.Namespace) -> Store:
    from index.store.chroma import Store

    return Store(args.store, settings_from(args), on_wait=say_waiting)


def say_waiting(folder: Path) -> None:
    """Writes to a local store take turns: a command kept waiting says so, once."""
    print(f"briefing: waiting for another process writing to {folder}…", file=sys.stderr,
          flush=True)


def duration(text: str) -> float:
    """"30m", "2h", "90s", "1d" → seconds."""
    match = DURATION.fullmatch(text.strip().lower())
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 30m, 2h or 90s")
    return float(match.group(1)) * DURATION_UNITS[match.group(2)]


def run_ingest(args: argparse.Namespace) -> int:
    """The CLI is run by the operator, so it may fetch from any address, the host's own
    network included."""
    if args.every is not None:
        return follow_sources(args)
    report = ingest_with_progress(args, store_from(args))
    print(report.summary())
    nothing_in = report.articles == 0 and report.unchanged == 0 and not report.seen_before
    return 1 if report.errors and (args.strict or nothing_in) else 0


def ingest_with_progress(args: argparse.Namespace, store: Store,
                         stop: threading.Event | None = None) -> IngestReport:
    """One ingest of every source, a progress bar and error lines on a terminal's stderr."""
    from tqdm import tqdm

    from index.sources import ingest_sources

    with tqdm(desc="ingest", unit=" article", file=sys.stderr,
              disable=not sys.stderr.isatty()) as bar:
        def show_error(error: LoadError) -> None:
            bar.write(f"error: {error}", file=sys.stderr)

        return ingest_sources(args.paths, store, on_article=lambda _: bar.update(),
                              on_error=show_error, stop=stop)


def follow_sources(args: argparse.Namespace) -> int:
    """Ingest the sources every `--every` seconds until Ctrl-C. The first Ctrl-C lets the
    entry being read finish and be written, the second stops at once. Ingest stays in this
    process, so the key reaches no worker in the middle of a batch."""
    from index.store.chroma import Store

    store = Store(args.store, replace(settings_from(args), ingest_workers=1), on_wait=say_waiting)
    stop, waiting = threading.Event(), threading.Event()

    def ask_to_stop(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        if not waiting.is_set():
            print("briefing: stopping after this entry (Ctrl-C again to stop at once)",
                  file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, ask_to_stop)
    try:
        while not stop.is_set():
            report = ingest_with_progress(args, store, stop)
            upcoming = datetime.now() + timedelta(seconds=args.every)
            then = "" if stop.is_set() else f"; next at {upcoming:%H:%M:%S}"
            print(f"briefing: {datetime.now():%H:%M:%S} {report.summary()}{then}",
                  file=sys.stderr, flush=True)
            waiting.set()
            stop.wait(args.every)
            waiting.clear()
    finally:
        signal.signal(signal.SIGINT, previous)
    print("briefing: stopped", file=sys.stderr)
    return 0


def run_ask(args: argparse.Namespace) -> int:
    """A language model's draft streams (dimmed) to a terminal's stderr while it is written;
    stdout gets the checked answer only, so pipes and `--json` see nothing else."""
    store = store_from(args)
    store.preload_vectors()  # while the answering code is imported
    from qa.answer import MODE_NOTES, Answer
    from qa.api import ask_stream

    filters = {"source": args.source, "since": args.since, "until": args.until}
    show_draft = not args.json and sys.stderr.isatty()
    drafted = False
    for piece in ask_stream(args.question, store=store, k=args.k, filters=filters,
                            today=args.today):
        if isinstance(piece, Answer):
            answer = piece
        elif show_draft:
            print(f"\x1b[2m{piece}\x1b[0m", end="", file=sys.stderr, flush=True)
            drafted = True
    if drafted:
        print("\n", file=sys.stderr)
    if answer.warning:
        print(f"briefing: warning: {answer.warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(answer.text)
    if not answer.no_answer:
        print(f"({MODE_NOTES.get(answer.mode, answer.mode)})")
    print_citations(answer.citations)
    return 0


def print_citations(citations: list[Citation]) -> None:
    for c in citations:
        who = f" — {c.speaker}" if c.speaker else ""
        page = f"page {c.page}, " if c.page is not None else ""
        print(f"\n[{c.n}] {c.title or c.article_id} ({c.date or 'undated'}), "
              f"{page}paragraph {c.paragraph}, chars {c.start}-{c.end}{who}")
        if c.asked:
            print(f"    Q: {' '.join(c.asked.split())}")
        print(f"    {' '.join(c.passage.split())}")


def run_timeline(args: argparse.Namespace) -> int:
    from qa.api import timeline

    found = timeline(args.topic, speaker=args.speaker, since=args.since, until=args.until,
                     store=store_from(args), limit=args.n)
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if not found.entries:
        whose = f" of {args.speaker}'s" if args.speaker else ""
        print(f"No sentence{whose} in the store holds “{args.topic}”.")
        return 1
    who = found.speaker or "Anyone"
    print(f"{who} on {args.topic}: {found.total_days} days, {found.days[0].date} to "
          f"{found.days[-1].date}; {len(found.entries)} shown.")
    print_citations([entry.citation for entry in found.entries])
    return 0


def run_digest(args: argparse.Namespace) -> int:
    from qa.api import digest

    found = digest(args.day, store=store_from(args))
    if found is None:
        print(f"briefing: nothing in the store for {args.day!r}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{found.title or found.article_id} ({found.date or 'undated'}): {found.total} "
          f"questions from reporters; {sum(e.asked is not None for e in found.exchanges)} shown.")
    print_citations([exchange.citation for exchange in found.exchanges])
    for article_id, title in found.others:
        print(f"\nAlso that day: {title} ({article_id})")
    return 0


def run_quotes(args: argparse.Namespace) -> int:
    from qa.api import quotes

    found = quotes(speaker=args.speaker, topic=args.topic, store=store_from(args))
    if args.json:
        print(json.dumps([asdict(q) for q in found], ensure_ascii=False, indent=2))
        return 0
    for q in found:
        marks = "“{}”" if q.direct else "{}"
        print(f"{q.speaker or '(unknown)'} {q.cue}: {marks.format(' '.join(q.text.split()))}"
              f"  [{q.article_id} {q.start}-{q.end}]")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    stats: dict[str, Any] = store_from(args).stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    dates = " to ".join(stats["date_range"]) if stats["date_range"] else "no dates"
    sources = len(stats["sources"])
    disk = (f"; {stats['disk_bytes'] / 2**20:.1f} MB on disk, "
            f"{stats['bytes_per_character']} bytes per character of text"
            if stats["disk_bytes"] is not None and stats["bytes_per_character"] else "")
    print(f"{stats['store']}: {stats['articles']} articles, {stats['chunks']} chunks, "
          f"model {stats['model']}, {sources} source{'s' if sources != 1 else ''}, "
          f"{dates}{disk}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    if store_from(args).remove(args.article_id):
        print(f"removed {args.article_id}")
        return 0
    print(f"briefing: no article {args.article_id!r} in the store", file=sys.stderr)
    return 1


def run_ui(args: argparse.Namespace) -> int:
    from ui.serve import DEFAULT_EVERY, serve

    if args.every is not None and not args.follow:
        raise ValueError("--every needs a source to follow: --follow FEED")
    serve(store=args.store, host=args.host, port=args.port, auth=args.auth,
          insecure=args.insecure, settings=settings_from(args), follow=args.follow,
          every=args.every or DEFAULT_EVERY)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from index.store.check import check

    found = check(store_from(args))
    print("\n".join(found.lines()))
    return 0 if found.ok else 1


def run_repair(args: argparse.Namespace) -> int:
    from index.store.check import check, repair

    store = store_from(args)
    print("\n".join(repair(store).lines()))
    after = check(store)
    print("\n".join(after.lines()))
    return 0 if after.ok else 1


if __name__ == "__main__":
    command()
