"""Readability of an article's prose, computed locally with the published formulas.

Flesch reading ease, Flesch–Kincaid grade and SMOG grade are worked out from counts of
sentences, words and syllables. Only prose counts: Markdown syntax, ``[^key]`` citation
markers, code, web addresses, headings and tables are left out, since readers do not read
them as sentences. Syllables are estimated with English spelling rules (no dictionary, no
network), so figures can differ slightly from other tools; they are a guide for editors,
not a verdict.

Formulas (Flesch 1948; Kincaid et al. 1975; McLaughlin 1969)::

    reading ease = 206.835 - 1.015 × (words / sentences) - 84.6 × (syllables / words)
    FK grade     = 0.39 × (words / sentences) + 11.8 × (syllables / words) - 15.59
    SMOG grade   = 1.0430 × √(polysyllables × 30 / sentences) + 3.1291

where polysyllables are words of three or more syllables.
"""

import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from markdown_it import MarkdownIt

from articles.markdown import CITATION_MARKER

HARDEST_SENTENCES = 5

_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[-'’./,][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_ABBREVIATIONS = {
    "al", "approx", "ca", "cf", "dr", "e.g", "eg", "esp", "etc", "fig", "i.e", "ie", "incl",
    "jr", "mr", "mrs", "ms", "no", "nos", "prof", "sr", "st", "vs",
}  # fmt: skip

# Words the spelling rules get wrong, with their syllables.
_SYLLABLE_EXCEPTIONS = {
    "anyone": 3, "area": 3, "areas": 3, "business": 2, "create": 2, "created": 3,
    "creates": 2, "diabetes": 4, "diarrhea": 4, "diarrhoea": 4, "everyone": 3, "fluid": 2,
    "fluids": 2, "idea": 3, "ideas": 3, "people": 2, "recipe": 3, "recipes": 3, "rhythm": 2,
    "someone": 2, "sometimes": 2, "something": 2, "urea": 3,
}  # fmt: skip
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_VOWELS = set("aeiouy")
# Vowel pairs read as two syllables: me-di-a, so-di-um, us-u-al, se-ri-ous, vi-de-o, di-et.
_SPLIT_PAIRS = [
    re.compile(r"(?<![cstx])ia"),
    re.compile(r"iu"),
    re.compile(r"(?<![qg])ua"),
    re.compile(r"(?<![cgtx])iou"),
    re.compile(r"(?<![cgstx])io(?!ns?$|u)"),
    re.compile(r"(?<!g)eo|geo(?!n)"),
    re.compile(r"(?<![aeiouy])ie(?:r|st)$|iet|(?<![ct])ient|ience"),
    re.compile(r"[aeiou]y[aeou]"),
    re.compile(r"[aeiouy]ing$"),
    re.compile(r"ism$"),
]


def count_syllables(word: str) -> int:
    """Estimate the syllables in one English word (at least 1)."""
    word = word.lower().replace("’", "'")
    parts = [part for part in re.split(r"[-/]", word) if part]
    if len(parts) > 1:
        return sum(count_syllables(part) for part in parts)
    word = re.sub(r"[^a-z]", "", word)
    if not word:
        return 1  # a number: read as one unit
    if word in _SYLLABLE_EXCEPTIONS:
        return _SYLLABLE_EXCEPTIONS[word]
    count = len(_VOWEL_GROUP.findall(word))
    if count > 1:
        count -= _silent_endings(word)
    count += sum(1 for pattern in _SPLIT_PAIRS if pattern.search(word))
    return max(1, count)


def _silent_endings(word: str) -> int:
    """1 when the word ends in a silent vowel: make, hoped, takes (not table, wanted, boxes)."""

    def consonant(index):
        return len(word) >= -index and word[index] not in _VOWELS

    if word.endswith("e"):
        if word.endswith(("le", "re")) and consonant(-3):
            return 0  # ta-ble, cen-tre
        return 1 if consonant(-2) else 0
    if word.endswith("ed"):
        return 1 if consonant(-3) and word[-3] not in "td" else 0
    if word.endswith("es"):
        if word.endswith(("les", "res")) and consonant(-4):
            return 0  # ta-bles, cen-tres
        if word.endswith(("ces", "ges", "ches", "shes")) or word[-3] in "sxz":
            return 0  # pla-ces, bo-xes
        return 1 if consonant(-3) else 0
    if re.search(r"[^aeiouy]e(?:ly|ment|ments|ful|ness|less)$", word):
        return 1  # late-ly, state-ment
    return 0


@dataclass(frozen=True)
class SentenceScore:
    """One sentence and its Flesch–Kincaid grade."""

    text: str
    words: int
    syllables: int
    grade: float


@dataclass(frozen=True)
class ReadabilityReport:
    sentences: int
    words: int
    syllables: int
    polysyllables: int
    flesch_reading_ease: float
    flesch_kincaid_grade: float
    smog_grade: float
    target_grade: float
    hardest_sentences: list[SentenceScore] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return self.words > 0

    @property
    def within_target(self) -> bool:
        """Whether the Flesch–Kincaid grade is at or below the target grade."""
        return self.flesch_kincaid_grade <= self.target_grade


def flesch_reading_ease(*, words: int, sentences: int, syllables: int) -> float:
    if not words or not sentences:
        return 0.0
    return 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)


def flesch_kincaid_grade(*, words: int, sentences: int, syllables: int) -> float:
    if not words or not sentences:
        return 0.0
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


def smog_grade(*, polysyllables: int, sentences: int) -> float:
    if not sentences:
        return 0.0
    return 1.0430 * math.sqrt(polysyllables * 30 / sentences) + 3.1291


def prose_blocks(markdown_text: str) -> list[str]:
    """The paragraphs and list items of a Markdown text as plain text, without markers,
    code, web addresses, headings or tables."""
    blocks = []
    tokens = _parser.parse(markdown_text or "")
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0 or tokens[index - 1].type != "paragraph_open":
            continue
        pieces = []
        for child in token.children or []:
            if child.type == "text":
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append(" ")
            # code_inline, images and HTML are not read as prose
        text = CITATION_MARKER.sub("", "".join(pieces))
        text = _WEB_ADDRESS.sub("", text)
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            blocks.append(text)
    return blocks


def split_sentences(text: str) -> list[str]:
    """Split plain text at sentence ends, not after abbreviations such as "e.g." or "Dr."."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].rsplit(None, 1)
        last_word = before[-1].lower().lstrip("(\"'“‘") if before else ""
        if match.group().startswith(".") and last_word in _ABBREVIATIONS:
            continue
        if len(last_word) == 1 and last_word.isalpha() and match.group() == ".":
            continue  # an initial: "J. Smith"
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if _WORD.search(sentence)]


def words_in(text: str) -> list[str]:
    return _WORD.findall(text)


def readability_of_text(
    markdown_text: str, *, target_grade: float | None = None
) -> ReadabilityReport:
    """Readability figures for a Markdown text; each paragraph or list item ends a sentence."""
    if target_grade is None:
        target_grade = settings.READABILITY_TARGET_GRADE
    scores = []
    polysyllables = 0
    for block in prose_blocks(markdown_text):
        for sentence in split_sentences(block):
            syllables = [count_syllables(word) for word in words_in(sentence)]
            polysyllables += sum(1 for count in syllables if count >= 3)
            grade = flesch_kincaid_grade(
                words=len(syllables), sentences=1, syllables=sum(syllables)
            )
            scores.append(SentenceScore(sentence, len(syllables), sum(syllables), grade))
    counts = {
        "words": sum(score.words for score in scores),
        "sentences": len(scores),
        "syllables": sum(score.syllables for score in scores),
    }
    hardest = sorted(scores, key=lambda score: score.grade, reverse=True)[:HARDEST_SENTENCES]
    return ReadabilityReport(
        **counts,
        polysyllables=polysyllables,
        flesch_reading_ease=flesch_reading_ease(**counts),
        flesch_kincaid_grade=flesch_kincaid_grade(**counts),
        smog_grade=smog_grade(polysyllables=polysyllables, sentences=counts["sentences"]),
        target_grade=target_grade,
        hardest_sentences=hardest,
    )


def article_prose(article, *, faqs=None) -> str:
    """The Markdown readers read as prose: summary, body, and FAQ questions and answers."""
    if faqs is None:
        faqs = list(article.faqs.all()) if article.pk else []
    parts = [article.summary or "", article.body or ""]
    for faq in faqs:
        parts.extend([faq.question, faq.answer])
    return "\n\n".join(part for part in parts if part)


def article_readability(article, *, faqs=None) -> ReadabilityReport:
    """Readability of an article's summary, body and FAQs against the site's target grade."""
    return readability_of_text(article_prose(article, faqs=faqs))
