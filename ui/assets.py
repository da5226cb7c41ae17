"""The page's CSS and its one script, kept as strings so an installed wheel carries them."""

CSS = """
#citations { max-height: 680px; overflow-y: auto; padding-right: 4px; }
.cite-empty { color: var(--body-text-color-subdued); padding: 24px 8px; text-align: center; }
.cite-card {
  border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 14px;
  margin-bottom: 12px; background: var(--background-fill-secondary); scroll-margin: 8px;
}
.cite-card.cite-focus { outline: 3px solid var(--color-accent); outline-offset: 1px; }
.cite-card header { font-weight: 600; margin-bottom: 2px; }
.cite-n { color: var(--color-accent); margin-right: 4px; }
.cite-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.cite-asked { font-size: 0.9em; font-style: italic; margin: 0 0 6px; }
.cite-passage {
  margin: 0 0 6px; padding: 2px 0 2px 10px; border-left: 3px solid var(--color-accent);
  line-height: 1.5;
}
.cite-card mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
.cite-full summary { cursor: pointer; font-size: 0.9em; color: var(--color-accent); }
.cite-article {
  max-height: 320px; overflow-y: auto; font-size: 0.9em;
  line-height: 1.5; margin-top: 6px; padding: 8px; background: var(--background-fill-primary);
  border-radius: 6px;
}
a.cite-link { font-weight: 600; text-decoration: none; }
.upload-errors { color: var(--error-text-color); }
.answer-window { color: var(--body-text-color-subdued); }
.timeline-head, .digest-meta, .reader-meta {
  font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 6px;
}
.timeline-entries { list-style: none; margin: 0; padding: 0; text-align: left;
  border-left: 2px solid var(--color-accent); }
.timeline-entries li { margin: 0 0 8px; padding-left: 12px; position: relative; }
.timeline-entries li::before {
  content: ""; position: absolute; left: -6px; top: 6px; width: 10px; height: 10px;
  border-radius: 50%; background: var(--color-accent);
}
a.timeline-entry { display: block; color: inherit; text-decoration: none; line-height: 1.45;
  text-align: left; }
a.timeline-entry:hover .timeline-text { text-decoration: underline; }
.timeline-entry time { font-weight: 600; margin-right: 8px; }
.timeline-speaker { color: var(--color-accent); margin-right: 8px; }
.digest-head h3, .reader-head h3 { margin: 0 0 2px; font-size: 1.05em; }
.digest-exchanges { margin: 6px 0 0; padding-left: 22px; max-height: 420px; overflow-y: auto; }
.exchange { margin-bottom: 10px; }
.exchange-asked, .turn-asked .turn-text { font-style: italic;
  color: var(--body-text-color-subdued); }
.exchange-asked, .exchange-said { display: block; margin: 0 0 2px; line-height: 1.45; }
#corpus-summary { color: var(--body-text-color-subdued); }
.reader { max-height: 640px; overflow-y: auto; border: 1px solid var(--border-color-primary);
  border-radius: 10px; padding: 10px 16px; }
#corpus-table * { font-family: var(--font) !important; }
#corpus-paging { align-items: center; }
.reader-empty { color: var(--body-text-color-subdued); padding: 18px 0; text-align: center; }
.reader-body p { display: block; margin: 0 0 8px; line-height: 1.5; }
.reader-opening { color: var(--body-text-color-subdued); font-size: 0.9em; }
.turn { display: grid; grid-template-columns: 180px 1fr; gap: 12px; padding: 6px 0;
  border-top: 1px solid var(--border-color-primary); }
.turn-speaker { font-weight: 600; }
.turn-asked { background: var(--background-fill-secondary); border-radius: 6px;
  padding-left: 8px; }
.turn-asked .turn-speaker { color: var(--body-text-color-subdued); font-weight: 500; }
"""

# Clicking `[n]` (or a timeline entry) focuses card n; opening a card's full article scrolls
# its `<mark>` into view.
# Delegated listeners, because Gradio re-renders the chat and the cards after every answer.
JS = """
() => {
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href^='#cite-']");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById(link.getAttribute("href").slice(1));
    if (!card) return;
    document.querySelectorAll(".cite-card.cite-focus")
      .forEach((other) => other.classList.remove("cite-focus"));
    card.classList.add("cite-focus");
    card.scrollIntoView({ behavior: "smooth", block: "nearest" });
    card.focus({ preventScroll: true });
  }, true);
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!details.matches || !details.matches("details.cite-full") || !details.open) return;
    const mark = details.querySelector("mark");
    if (mark) mark.scrollIntoView({ block: "center" });
  }, true);
}
"""
