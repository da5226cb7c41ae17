from index.records import Article
from index.speech.quotes import load_nlp
from index.speech.sentences import paragraph_spans, split_sentences
from index.vectors.chunks import chunk_article


def sentences_of(text: str) -> list[str]:
    article = Article(id="a", text=text)
    return [text[s.start:s.end] for s in split_sentences(article, load_nlp()(text))]


def test_abbreviations_and_numbers_do_not_end_sentences() -> None:
    text = ("The U.S. military said Gen. Dunford met Mr. Smith at 3 p.m. on Friday. "
            "Turnout rose to 55 per cent. The vote was close.")
    assert sentences_of(text) == [
        "The U.S. military said Gen. Dunford met Mr. Smith at 3 p.m. on Friday.",
        "Turnout rose to 55 per cent.",
        "The vote was close.",
    ]


def test_paragraph_breaks_and_glued_full_stops_split(seed_text: str) -> None:
    assert sentences_of("First line\n\nSecond line") == ["First line", "Second line"]
    assert sentences_of("It was slammed on social media.The union said no.") == [
        "It was slammed on social media.", "The union said no."]


def test_seed_offsets_slice_the_original(seed_text: str) -> None:
    article = Article(id="seed", text=seed_text)
    sentences = split_sentences(article, load_nlp()(seed_text))
    paragraphs = paragraph_spans(seed_text)
    assert len(paragraphs) == 19
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for s in sentences:
        piece = seed_text[s.start:s.end]
        assert piece == piece.strip() and piece
        assert paragraphs[s.paragraph - 1][0] <= s.start < s.end <= paragraphs[s.paragraph - 1][1]
    chunks = chunk_article(article, sentences)
    covered = {i for c in chunks for i in range(*c.sentence_range)}
    assert covered == set(range(len(sentences)))
    for c in chunks:
        assert c.start == sentences[c.sentence_range[0]].start
        assert c.end == sentences[c.sentence_range[1] - 1].end
        assert c.id.startswith(article.content_hash + ":")
        assert "  " not in c.search_text and "\n" not in c.search_text
