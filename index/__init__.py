"""Ingest, room by room: `read` turns what a user names into articles, `speech` finds their
sentences, turns and speakers, `vectors` cuts and embeds chunks, `store` writes and reads them.

`records` and `settings` serve every room; `ingest`, `sources` and `follow` at the top drive
the rooms, and no room imports them."""
