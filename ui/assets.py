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
"""

# Clicking `[n]` focuses card n; opening a card's full article scrolls its `<mark>` into view.
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
