"""An upload handler that stops storing a file as soon as it passes settings.IMPORT_MAX_BYTES.

Without it, Django would spool any upload, however large, to a temporary file before the view
could refuse it. The file is dropped (the rest of the request is read and discarded, so the form
fields and the CSRF token still arrive), and `request.upload_too_large` holds the request's size
for the view's message (library.xlsx.too_large_message).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeCapUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length
        return None  # let Django parse the request as usual

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            if self.request is not None:
                self.request.upload_too_large = max(self.request_length or 0, start + len(raw_data))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the uploaded file


def too_large(request) -> int | None:
    """The size of the request whose file was dropped for being over the cap, else None."""
    return getattr(request, "upload_too_large", None)
