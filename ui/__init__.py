"""The web chat: a thin Gradio layer over `qa.ask`, `index.ingest` and the `Store`."""
