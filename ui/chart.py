"""A timeline's chart: how often the topic came up per week (or, over more than half a year,
per month), over the whole period and not only the days the timeline shows; one series per
speaker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

# Up to this many days from first to last, a point per week; beyond, a point per month.
WEEKLY_DAYS = 183
# Speakers with most mentions get a line each; the rest share one.
MAX_SERIES = 6
OTHERS = "Others"
ANYONE = "Anyone"
# How the x axis writes a period's first day (d3 time formats).
AXIS_FORMATS = {"Week": "%b %-d", "Month": "%b %Y"}


def mention_frame(days: Sequence[Mapping[str, Any]]) -> tuple[pd.DataFrame, str]:
    """`Answer.days` as (period start, mentions, speaker) rows, every period from the first
    day's to the last's in every series (0 where none), and what a period is ("Week")."""
    counts = pd.DataFrame([(d["date"][:10], d["count"], d.get("speaker") or ANYONE)
                           for d in days], columns=["day", "mentions", "speaker"])
    counts["day"] = pd.to_datetime(counts["day"])
    weekly = (counts["day"].max() - counts["day"].min()).days <= WEEKLY_DAYS
    counts["period"] = counts["day"].dt.to_period("W" if weekly else "M").dt.start_time
    totals = counts.groupby("speaker")["mentions"].sum().sort_values(ascending=False)
    kept = set(totals.index[:MAX_SERIES]) if len(totals) > MAX_SERIES + 1 else set(totals.index)
    counts["speaker"] = counts["speaker"].where(counts["speaker"].isin(kept), OTHERS)
    periods = pd.date_range(counts["period"].min(), counts["period"].max(),
                            freq="W-MON" if weekly else "MS")
    grid = pd.MultiIndex.from_product([periods, sorted(counts["speaker"].unique())],
                                      names=["period", "speaker"])
    filled = (counts.groupby(["period", "speaker"])["mentions"].sum()
              .reindex(grid, fill_value=0).reset_index())
    return filled[["period", "mentions", "speaker"]], "Week" if weekly else "Month"
