"""What circulation's pages ask of the apps built on it, without importing them.

The reading app builds on circulation (a reading note is of a Reader), so circulation must not
import it; a reader's staff page asks the handlers registered here (in the apps' AppConfig.ready())
for extra sections, such as the pupil's reading notes.
"""

from collections.abc import Callable

_reader_sections: list[Callable] = []


def on_reader_page(handler: Callable) -> Callable:
    """Register handler(request, reader) -> HTML, shown on a reader's staff page (permission
    manage_readers) below the loan history."""
    if handler not in _reader_sections:
        _reader_sections.append(handler)
    return handler


def reader_page(request, reader) -> list[str]:
    return [handler(request, reader) for handler in _reader_sections]
