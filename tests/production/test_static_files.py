"""`manage.py collectstatic` as the README's production steps run it: DEBUG off, manifest storage."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.production.conftest import production_env


def test_collectstatic_works_on_a_clean_clone_with_the_manifest_storage(tmp_path):
    env = production_env(STATIC_ROOT=str(tmp_path / "static"))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = Path(tmp_path / "static" / "staticfiles.json")
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
