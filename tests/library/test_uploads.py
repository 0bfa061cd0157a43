"""library.uploads: import files wait privately and do not outlive their import by more than a day."""

import os
import stat
import time

import pytest

from library import uploads
from library.checks import data_dir_is_private_and_writable

SHA = "a" * 64


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def test_files_and_folders_are_private_even_under_a_permissive_umask():
    old = os.umask(0)
    try:
        uploads.save(SHA, b"pupils")
    finally:
        os.umask(old)
    path = uploads.folder() / f"{SHA}.bin"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert uploads.load(SHA) == b"pupils"


def test_a_token_that_is_not_a_digest_never_names_a_file():
    with pytest.raises(ValueError):
        uploads.save("../../etc/passwd", b"x")
    assert uploads.load("../" + SHA) is None
    uploads.remove("../" + SHA)  # harmless


def test_only_files_older_than_a_day_are_purged():
    uploads.save(SHA, b"old")
    uploads.save("b" * 64, b"new")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(uploads.folder() / f"{SHA}.bin", (two_days_ago, two_days_ago))
    assert uploads.purge_stale() == 1
    assert uploads.load(SHA) is None and uploads.load("b" * 64) == b"new"


def test_the_deploy_check_reports_a_data_dir_that_cannot_be_written(settings, tmp_path):
    assert data_dir_is_private_and_writable(None) == []
    (tmp_path / "file").write_text("not a folder")
    settings.DATA_DIR = tmp_path / "file"
    assert [e.id for e in data_dir_is_private_and_writable(None)] == ["library.E002"]


def test_a_file_over_the_cap_is_dropped_while_it_arrives(rf, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from library.uploadhandlers import too_large

    settings.IMPORT_MAX_BYTES = 1024
    request = rf.post("/", {"note": "kept", "file": SimpleUploadedFile("big.xlsx", b"x" * 300_000)})
    assert "file" not in request.FILES and request.POST["note"] == "kept"
    assert too_large(request) > 300_000
    small = rf.post("/", {"file": SimpleUploadedFile("small.xlsx", b"x" * 1000)})
    assert small.FILES["file"].read() == b"x" * 1000 and too_large(small) is None
