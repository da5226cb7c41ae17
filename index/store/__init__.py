"""Store: the Chroma collections, the keyword index, the write journal and lock, the checks.
May import `index.records`, `index.settings`, `index.speech` and `index.vectors`; never `read`."""
