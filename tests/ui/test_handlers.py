"""The small translations between the page's widgets and `ask`'s arguments."""

from __future__ import annotations

from ui.app import chosen_filters


def test_blank_filters_mean_no_limit() -> None:
    assert chosen_filters("", None, " ") == {"source": None, "since": None, "until": None,
                                             "speaker": None}
    assert chosen_filters("Reuters", " 2017-08-01", "2017-08-31", "Joseph Dunford") == {
        "source": "Reuters", "since": "2017-08-01", "until": "2017-08-31",
        "speaker": "Joseph Dunford"}
