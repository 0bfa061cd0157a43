"""The search document of a record and the query language of the OPAC.

PostgreSQL has no Chinese word splitter we may depend on, so a record's document is a list of
lexemes built here: CJK unigrams and bigrams, Latin words and numbers, full pinyin and pinyin
initials of the title and authors, the ISBN-13 (and ISBN-10), the call number and class number.
It is stored as plain text (`Record.search_text`, space separated) and turned into a tsvector
with `array_to_tsvector` — no parser in between, so lexemes are exactly what this module made.
A query becomes an AND of bigrams (CJK) and prefix matches (Latin, pinyin, numbers).
"""

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from stdnum import isbn as stdnum_isbn

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[./\-][a-z0-9]+)*")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
_NOT_WORD = re.compile(rf"[^{_CJK}a-z0-9]+")


def normalize(text: str) -> str:
    """NFKC, lower case, without spaces and punctuation: for exact title comparison and 查重."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOT_WORD.sub("", text)


def _grams(run: str) -> list[str]:
    out = list(run)
    out += [run[i : i + 2] for i in range(len(run) - 1)]
    return out


def text_lexemes(text: str, *, joined: bool = False) -> list[str]:
    """Lexemes of a field; `joined` also makes bigrams across punctuation (哈利·波特 → 利波)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    out = []
    if joined:
        for run in _RUNS.findall(normalize(text)):
            if _CJK_RUN.match(run):
                out += _grams(run)
    for run in _RUNS.findall(text):
        if _CJK_RUN.match(run):
            out += _grams(run)
        else:
            out.append(run)
            if any(sym in run for sym in "./-"):
                out += [p for p in re.split(r"[./\-]", run) if p]
    return out


@lru_cache(maxsize=50_000)
def pinyin_of(text: str) -> tuple[str, str]:
    """'西游记' → ('xiyouji', 'xyj'); non-Chinese letters and digits are kept."""
    norm = normalize(text)
    if not norm:
        return "", ""
    syllables = lazy_pinyin(norm, errors=lambda chars: list(chars))
    initials = lazy_pinyin(norm, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(syllables)[:600], "".join(initials)[:300]


def isbn_forms(isbn13: str) -> list[str]:
    if not isbn13:
        return []
    forms = [isbn13]
    if isbn13.startswith("978"):
        try:
            forms.append(stdnum_isbn.to_isbn10(isbn13).lower())
        except Exception:  # noqa: BLE001 - a stored ISBN that stdnum cannot convert is just not indexed twice
            pass
    return forms


def document(record) -> str:
    """The space-separated lexemes of a record (duplicates removed, order kept)."""
    lex: list[str] = []
    for value in (record.title, record.other_title, record.series):
        lex += text_lexemes(value, joined=True)
    for value in (record.volume, record.authors):
        lex += text_lexemes(value)
    for value in (record.publisher, record.subjects, record.responsibility):
        lex += text_lexemes(value)
    if record.title_pinyin:
        lex += [record.title_pinyin[:200], record.title_initials[:100]]
    for author in re.split(r"[;；,，、]", record.authors or ""):
        author = re.sub(r"^[\[［(（][^\]］)）]*[\]］)）]", "", author).strip()
        if author:
            full, initials = pinyin_of(author)
            lex += [full[:200], initials[:100]]
    series_full, series_initials = pinyin_of(record.series)
    lex += [series_full[:200], series_initials[:100]]
    lex += isbn_forms(record.isbn)
    if record.clc:
        lex.append(record.clc.lower())
    if record.call_number:
        lex.append(record.call_number.lower())
    seen = set()
    out = []
    for item in lex:
        item = item.replace(" ", "")
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return " ".join(out)


def fill_derived(record) -> None:
    """Set the derived fields that search and 查重 read (no database access)."""
    from catalog import clc

    record.title_normalized = normalize(record.title)[:300]
    first_author = re.split(r"[;；,，、]", record.authors or "")[0]
    first_author = re.sub(r"^[\[［(（][^\]］)）]*[\]］)）]", "", first_author)
    record.first_author_normalized = normalize(first_author)[:200]
    record.title_pinyin, record.title_initials = pinyin_of(record.title)
    record.clc_base = clc.base_class(record.clc)
    record.call_number = clc.call_number(record.clc, record.book_number)[:100]
    record.shelf_key = clc.shelf_key(record.clc, record.book_number, record.volume)[:200]
    record.search_text = document(record)


# --- queries -----------------------------------------------------------------------------

_ISBN_LIKE = re.compile(r"^[0-9][0-9\- ]{8,16}[0-9xX]$")
# Queries are cut to this length (the OPAC's limit): PostgreSQL refuses a tsquery word longer than
# 2046 bytes, so a long scan or paste must never reach it whole.
MAX_QUERY = 100


def _quote(lexeme: str, prefix: bool = False) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def as_isbn13(text: str) -> str:
    """A valid ISBN in any form → its ISBN-13 digits, else ''."""
    if not _ISBN_LIKE.match(text.strip()):
        return ""
    compact = stdnum_isbn.compact(text)
    if not stdnum_isbn.is_valid(compact):
        return ""
    return stdnum_isbn.to_isbn13(compact)


def build_query(text: str) -> str:
    """The tsquery text for a user's query ('' when it has nothing searchable)."""
    text = (text or "").strip()[:MAX_QUERY]
    isbn13 = as_isbn13(text)
    if isbn13:
        return _quote(isbn13)
    text = unicodedata.normalize("NFKC", text).lower()
    parts = []
    for run in _RUNS.findall(text):
        if _CJK_RUN.match(run):
            grams = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
            parts += [_quote(g) for g in dict.fromkeys(grams)]
        else:
            parts.append(_quote(run, prefix=True))
    return " & ".join(parts[:32])
