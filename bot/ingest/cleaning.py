"""Remove scraping junk from article text while keeping every real word verbatim."""

from __future__ import annotations

import re
import unicodedata

# Hover cards end with an all-caps "MORE" link; a card longer than this is not a card.
_CARD_MAX_CHARS = 900
_CARD_END = re.compile(r"\bMORE\b")

_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    None,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

_BOILERPLATE = re.compile(
    r"""^(?:
        advertisement|advertising|ad|sponsored(?:\s+content)?|skip\s+advertisement
      | (?:story|article)\s+continues\s+(?:below|after)
        (?:\s+(?:this\s+)?(?:advertisement|ad|gallery|video|photo|image|slideshow|embed))?
      | continue\s+reading(?:\s+(?:below|the\s+main\s+story))?
      | share(?:\s+this)?(?:\s+(?:article|story|page))?(?:\s+on\s+\w+)?
      | share\s+via\s+\w+ | (?:tweet|email|print)(?:\s+this)?(?:\s+(?:article|story))?
      | subscribe(?:\s+(?:now|today|to\s+our\s+\w+(?:\s+\w+)?))?
      | sign\s+up\s+for\s+(?:our|the)\s+[\w\s'\u2019-]{0,60}
      | (?:click|tap)\s+here\s+to\s+[\w\s'\u2019-]{0,60}
      | follow\s+us\s+on\s+[\w\s,&-]{0,60}
      | (?:read|see)\s+more\s*:.{0,160} | related\s*:.{0,160} | most\s+read
      | photo\s*:\s*(?:getty|ap|reuters|afp)[\w\s/.]{0,40}
    )[.!:\s]*$""",
    re.IGNORECASE | re.VERBOSE,
)


# Credit lines, contact lines and promotions that trail (or open) a story: never its text.
_TRAILER = re.compile(
    r"""^\(?(?:
        (?:additional\s+)?(?:reporting|writing|editing|compiled|research)(?:\s+and\s+\w+)?\s+by\s.{2,300}
      | contributing\s*:.{2,200} | additional\s+reporting\s*:.{2,200}
      | .{2,160}\bcontributed\s+(?:to\s+)?(?:this\s+)?(?:report|reporting|story|article)\b.{0,120}
      | reach\s+(?:the\s+)?(?:reporters?|writers?|authors?)\s+at\s.{2,200}
      | (?:e-?mail|contact)\s+[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3}\s+at\s+\S+@.{2,200}
      | follow\s+.{1,60}\s+on\s+(?:twitter|facebook|instagram|youtube|linkedin)\b.{0,160}
      | \[\s*(?:related|read\s+more|see\s+also|more)\s*:.{1,200}\]
      | (?:see|read)\s+also\s*:.{0,200}
      | source\s*:\s*.{2,80}
      | (?:this\s+(?:article|story)\s+(?:was\s+)?)?
        originally\s+published\s+(?:on|by|at|in)\s.{2,160}
      | editor['\u2019]?s\s+note\s*:.{2,300}
      | like\s+this\s+story\?.{0,120} | comments?
      | (?:by|analysis\s+by)\s+[A-Z][\w.'\u2019-]+(?:\s+[A-Z][\w.'\u2019-]+){0,3}
        (?:\s*(?:,|and|&)\s*[A-Z][\w.'\u2019-]+(?:\s+[A-Z][\w.'\u2019-]+){0,3}){0,3}
        (?:\s*[,|\u2014-]\s*[\w.'\u2019 ]{2,60})?
      | staff\s+reports?
      | [A-Z][\w.'\u2019-]+(?:\s+[A-Z][\w.'\u2019-]+){1,3}\s*,\s*(?:[\w.&'\u2019-]+\s+){0,5}
        (?:correspondent|editor|reporter|writer|columnist|journalist)s?
      | [^.!?"\u201c]{0,60}\bnewsletter\b[^.!?"\u201c]{0,60}
    )\)?[.!:\s]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Lines that are promotions only when they close the story: related-link lists, podcasts.
_TAIL_PROMO = re.compile(
    r"""^(?:
        _{3,} | -{3,} | \S+@\S+\.\w{2,} | (?:https?://|www\.|twitter\.com/)\S+
      | catch\s+up\s+on\s.{2,200} | listen\s+(?:to|back)\s.{2,160}
      | (?:click|tap)\s+here\b.{0,160} | (?:more|related)\s+(?:stories|coverage|from)\b.{0,120}
    )[.!:\s]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# After a trailer near the end, the short promotional lines that follow it go too.
_TRAILER_TAIL = 4
_PROMO_MAX_WORDS = 40


def is_trailer(paragraph: str) -> bool:
    """Tell a credit line, contact line, related link or promotion from article text."""
    return len(paragraph) <= 400 and bool(_TRAILER.match(paragraph.strip()))


def drop_trailers(paragraphs: list[str]) -> list[str]:
    """Remove trailer paragraphs; near the end, also the short promo lines after one."""
    kept: list[str] = []
    cut = len(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        if is_trailer(paragraph):
            if index >= len(paragraphs) - _TRAILER_TAIL and all(
                len(p.split()) <= _PROMO_MAX_WORDS and '"' not in p and "\u201c" not in p
                for p in paragraphs[index + 1 :]
            ):
                cut = index
                break
            continue
        kept.append(paragraph)
    if cut < len(paragraphs):
        kept = [p for p in paragraphs[:cut] if not is_trailer(p)]
    while (
        len(kept) > 1
        and len(kept[-1]) <= 300
        and (_TAIL_PROMO.match(kept[-1].strip()) or _is_link_bullet(kept[-1]))
    ):
        kept.pop()
    return kept


def _is_link_bullet(paragraph: str) -> bool:
    """'- Moon Rush: Private Lunar Lander Plans': a related-story link in Title Case."""
    if not re.match(r"[-\u2022*]\s+\S", paragraph) or re.search(r"[.!?]$", paragraph):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'\u2019]*", paragraph) if len(w) >= 4]
    return len(words) >= 2 and all(w[0].isupper() for w in words)


def _words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def drop_repeated_headline(paragraphs: list[str], title: str) -> list[str]:
    """Remove the headline when the page repeats it as the body's first lines."""
    title_words = _words_of(title)
    if len(title_words) < 3:
        return paragraphs
    out = list(paragraphs)
    for index in range(min(3, len(out))):
        words = _words_of(out[index])
        if not words or len(words) > len(title_words) + 3:
            continue
        same = words == title_words
        prefix = len(words) >= 4 and title_words[: len(words)] == words
        longer = len(words) > len(title_words) and words[: len(title_words)] == title_words
        if same or prefix or longer:
            rest = title_words[len(words) :] if prefix else []
            del out[index]
            # "Title part one:" + "He asked for it": the headline split over two lines.
            if rest and index < len(out) and _words_of(out[index]) == rest:
                del out[index]
            return out
    return out


def normalize_text(text: str) -> str:
    """NFC, drop invisible and control characters, unify line endings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _CONTROL.sub("", text)


_CANDIDATE = re.compile(r"(?<=[a-z.'\u2019])(?=[A-Z])|(?<=\w) (?=[A-Z])")
_STRIP = ".,:;'\u2019\"\u201c\u201d"


def _repeat_score(text: str, g: int) -> tuple[int, str]:
    """Score a possible card start (how much of the name before g is repeated after it)."""
    before = text[max(0, g - 80) : g].split()
    if not before:
        return 0, ""
    last = before[-1].strip(_STRIP)
    if not last or not last[0].isupper():
        return 0, ""
    full: list[str] = []
    for word in text[g : g + 120].split()[:6]:
        if not word[:1].isupper():
            return 0, ""
        bare = word.strip(_STRIP)
        if bare == last or (
            word.startswith(last) and len(word) > len(last) and word[len(last)].isupper()
        ):
            full.append(last)
            break
        full.append(bare)
    else:
        return 0, ""
    if full[-1] != last:
        return 0, ""
    # Count how many of the repeated name's words also end the text before the card.
    score = 0
    for a, b in zip(reversed(full), reversed(before), strict=False):
        if a != b.strip(_STRIP):
            break
        score += 1
    return score, " ".join(full)


def _strip_cards_once(text: str, hints: dict[str, str]) -> tuple[str, bool]:
    for more in _CARD_END.finditer(text):
        lo = max(0, more.start() - _CARD_MAX_CHARS)
        newline = text.rfind("\n", lo, more.start())
        lo = newline + 1 if newline >= 0 else lo
        best, best_at, best_name = 0, -1, ""
        for candidate in _CANDIDATE.finditer(text, lo, more.start()):
            score, name = _repeat_score(text, candidate.start())
            if score > 0 and score >= best:  # the latest of equal candidates is the real start
                best, best_at, best_name = score, candidate.start(), name
        if best_at >= 0:
            # The card repeats the person's full name: keep it as a hint for the analysis.
            if len(best_name.split()) >= 2:
                hints[best_name.split()[-1]] = best_name
            return text[:best_at] + text[more.end() :], True
    return text, False


def strip_hover_cards(paragraph: str, hints: dict[str, str] | None = None) -> str:
    """Remove 'NameFull NameHeadline … MORE' hover cards glued to names."""
    if "MORE" not in paragraph:
        return paragraph
    hints = {} if hints is None else hints
    changed = True
    while changed:
        paragraph, changed = _strip_cards_once(paragraph, hints)
    return paragraph


def is_boilerplate(paragraph: str) -> bool:
    """Tell whether a whole paragraph is a boilerplate line (ads, share prompts)."""
    return len(paragraph) <= 200 and bool(_BOILERPLATE.match(paragraph.strip()))


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines; lines inside a paragraph are joined with a space."""
    blocks = re.split(r"\n\s*\n", text)
    paragraphs = []
    for block in blocks:
        joined = _SPACES.sub(" ", " ".join(line.strip() for line in block.split("\n"))).strip()
        if joined:
            paragraphs.append(joined)
    return paragraphs


def clean_paragraphs(paragraphs: list[str], hints: dict[str, str] | None = None) -> list[str]:
    """Clean a list of paragraphs: cards removed, boilerplate lines dropped."""
    cleaned = []
    for paragraph in paragraphs:
        paragraph = _SPACES.sub(" ", strip_hover_cards(paragraph, hints)).strip()
        if paragraph and not is_boilerplate(paragraph):
            cleaned.append(paragraph)
    return cleaned


def clean_text(raw: str) -> str:
    """Return the clean body: paragraphs separated by one blank line."""
    return clean_with_hints(raw)[0]


def clean_with_hints(raw: str, title: str = "") -> tuple[str, dict[str, str]]:
    """Return the clean body and the full names hover cards gave for short names; trailers
    and a headline repeated at the top (when the title is given) are removed."""
    hints: dict[str, str] = {}
    paragraphs = drop_trailers(clean_paragraphs(split_paragraphs(normalize_text(raw)), hints))
    if title:
        paragraphs = drop_repeated_headline(paragraphs, title)
    return "\n\n".join(paragraphs), hints


def clean_title(title: str) -> str:
    """Clean a title to one line."""
    return _SPACES.sub(" ", strip_hover_cards(normalize_text(title)).replace("\n", " ")).strip()
