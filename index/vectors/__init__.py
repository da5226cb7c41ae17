"""Vectors: chunks of whole sentences, and their embeddings from the shipped model (int8).
May import `index.records` and `index.settings`, nothing else of `index`."""
