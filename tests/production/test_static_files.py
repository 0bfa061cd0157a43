"""`manage.py collectstatic` as the README's production steps run it: DEBUG off, manifest storage."""

from pathlib import Path

from django.conf import settings


def test_collectstatic_works_on_a_clean_clone_with_the_manifest_storage(collected_static):
    # collected_static (conftest.py) runs `manage.py collectstatic --no-input` in a production
    # environment from the committed static/ and fails the run if it fails.
    manifest = Path(collected_static) / "staticfiles.json"
    assert manifest.exists()
    assert "vendor/chartjs/chart.umd.min.js" in manifest.read_text()


def test_no_vendored_file_names_a_source_map_that_is_not_in_the_repository():
    static = Path(settings.BASE_DIR) / "static"
    missing = []
    for path in static.rglob("*"):
        if path.suffix in {".js", ".css"}:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if "sourceMappingURL=" in line:
                    name = line.split("sourceMappingURL=", 1)[1].strip(" */")
                    if not (path.parent / name).exists():
                        missing.append(f"{path.relative_to(static)} -> {name}")
    assert not missing
