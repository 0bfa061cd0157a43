"""Files attached to an activity's entries: a photo (checked with Pillow, re-encoded as JPEG so its
metadata such as the place it was taken is dropped, at most 2000 px) or a PDF; at most 5 MB."""

import io

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from reading.exceptions import ReadingError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000


class InvalidAttachment(ReadingError):
    pass


def prepare(upload) -> tuple[bytes, str]:
    """(content, extension) of an acceptable attachment; raises InvalidAttachment."""
    too_big = _("附件不能超过 %(mb)s MB。") % {"mb": MAX_BYTES // (1024 * 1024)}
    if upload.size is not None and upload.size > MAX_BYTES:
        raise InvalidAttachment(too_big)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidAttachment(too_big)
    if data.startswith(b"%PDF-"):
        return data, "pdf"
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG", "GIF", "WEBP", "BMP"):
                raise InvalidAttachment(_("附件请用照片（JPEG、PNG 等）或 PDF。"))
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidAttachment(_("照片的像素太多，请缩小后再上传。"))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")  # keep it upright, then drop EXIF
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
    except InvalidAttachment:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidAttachment(_("附件请用照片（JPEG、PNG 等）或 PDF。")) from exc
    return out.getvalue(), "jpg"
