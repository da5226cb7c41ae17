"""Ingestion: read articles, split, find quotes and speakers, embed, write the store."""
