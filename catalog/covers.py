"""Book covers: an uploaded photo (checked, resized, stored as JPEG under MEDIA_ROOT/covers/) or,
where a record has none, a generated SVG cover (title, first author, a colour by 中图法 class), so
shelves of covers never show holes."""

import io
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from catalog.exceptions import CatalogError
from catalog.models import Record

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a photo of 8000×5000; larger is refused before it is decoded
COVER_SIZE = (400, 560)  # width, height the stored JPEG fits in

# One colour per 中图法 basic class (A–Z); soft enough for white title text.
CLASS_COLOURS = {
    "A": "#8e2c2c",
    "B": "#5b4a8b",
    "C": "#3d6f8e",
    "D": "#a4452c",
    "E": "#4f5d2f",
    "F": "#9a6b1f",
    "G": "#2f7a6b",
    "H": "#7a3f6e",
    "I": "#b5483b",
    "J": "#6b4fa0",
    "K": "#8a5a2b",
    "N": "#2f6f9e",
    "O": "#2b5f8a",
    "P": "#1f4f7a",
    "Q": "#3c8a4f",
    "R": "#b0413e",
    "S": "#5d8a2f",
    "T": "#45617a",
    "U": "#3f6b8e",
    "V": "#4a5a8a",
    "X": "#3f8a6b",
    "Z": "#6a6a6a",
}
DEFAULT_COLOUR = "#55606e"


class InvalidCover(CatalogError):
    """The uploaded file is not a usable cover image."""


def colour_for(clc_base: str) -> str:
    return CLASS_COLOURS.get((clc_base or "")[:1].upper(), DEFAULT_COLOUR)


def prepare(upload) -> bytes:
    """Check an uploaded file is an image of a sane size and return it as a resized JPEG."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise InvalidCover(_("封面图片不能超过 %(mb)s MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    data = upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidCover(_("封面图片不能超过 %(mb)s MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG", "GIF", "WEBP", "BMP"):
                raise InvalidCover(_("封面请用 JPEG、PNG、GIF、WebP 或 BMP 图片。"))
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidCover(_("封面图片的像素太多，请缩小后再上传。"))
            probe.verify()  # a truncated or corrupt file fails here
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", COVER_SIZE)  # JPEG: decode at a reduced scale, far less memory
            image = image.convert("RGB")
            image.thumbnail(COVER_SIZE)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
    except InvalidCover:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidCover(_("上传的文件不是可用的图片。")) from exc
    return out.getvalue()


def cover_set(*, record: Record, content: bytes) -> Record:
    """Store a prepared JPEG as the record's cover; the old file is removed after the commit."""
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        old = record.cover.name if record.cover else ""
        record.cover.save(f"{record.pk}.jpg", ContentFile(content), save=False)
        record.save(update_fields=["cover", "updated_at"])
        if old and old != record.cover.name:
            storage = record.cover.storage
            transaction.on_commit(lambda: storage.delete(old))
    return record


def cover_remove(*, record: Record) -> Record:
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        old = record.cover.name if record.cover else ""
        if not old:
            return record
        storage = record.cover.storage
        record.cover = ""
        record.save(update_fields=["cover", "updated_at"])
        transaction.on_commit(lambda: storage.delete(old))
    return record


def _lines(text: str, width: int, count: int) -> list[str]:
    """Cut text into at most `count` lines of `width` characters (CJK counts one, Latin a half)."""
    lines: list[str] = []
    current, used = "", 0.0
    for ch in text.strip():
        w = 0.55 if ch.isascii() else 1.0
        if used + w > width:
            lines.append(current)
            current, used = "", 0.0
            if len(lines) == count:
                break
        current += ch
        used += w
    else:
        if current:
            lines.append(current)
        return lines
    lines[-1] = lines[-1][:-1] + "…"
    return lines


def generated_svg(record: Record) -> str:
    """An SVG cover for a record without a photo: its title and first author on its class colour."""
    colour = colour_for(record.clc_base)
    title_lines = _lines(record.title or "?", 7, 4)
    author = (record.authors or "").split(";")[0].split("；")[0].strip()
    author_lines = _lines(author, 11, 1) if author else []
    title_tspans = "".join(
        f'<tspan x="100" dy="{0 if i == 0 else 30}">{escape(line)}</tspan>' for i, line in enumerate(title_lines)
    )
    author_text = (
        f'<text x="100" y="232" font-size="14" text-anchor="middle" fill="#ffffffcc">{escape(author_lines[0])}</text>'
        if author_lines
        else ""
    )
    base = escape((record.clc_base or "")[:1])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 280" width="200" height="280" role="img" '
        f'aria-label="{escape(record.title or "", {chr(34): "&quot;"})}">'
        f'<rect width="200" height="280" fill="{colour}"/>'
        '<rect x="12" y="12" width="176" height="256" fill="none" stroke="#ffffff66" stroke-width="2"/>'
        f'<text x="100" y="80" font-size="24" font-weight="bold" text-anchor="middle" fill="#fff" '
        f'font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif">{title_tspans}</text>'
        f"{author_text}"
        f'<text x="176" y="258" font-size="14" text-anchor="end" fill="#ffffff99">{base}</text>'
        "</svg>"
    )
