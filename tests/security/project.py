"""The project's own apps and modules, found from INSTALLED_APPS (not listed by hand), so a new app
is covered by the hostile-input corpus and the form limits check without being named there."""

import importlib
import inspect
import pkgutil
import sysconfig
from functools import cache
from pathlib import Path

from django import forms
from django.apps import apps
from django.conf import settings

# Installed packages live here (the .venv, or the system's); an app found there is not ours.
_INSTALLED = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}


def _is_ours(path: str) -> bool:
    where = Path(path).resolve()
    return where.is_relative_to(Path(settings.BASE_DIR).resolve()) and not any(
        where.is_relative_to(site) for site in _INSTALLED
    )


@cache
def project_apps() -> tuple[str, ...]:
    """The top-level package names of the project's apps in INSTALLED_APPS (library, catalog, ...)."""
    return tuple(config.name for config in apps.get_app_configs() if _is_ours(config.path))


def is_project_module(name: str) -> bool:
    return name.split(".")[0] in project_apps()


@cache
def project_modules() -> tuple[str, ...]:
    """Every importable module of the project's apps (views packages, forms, services ...), without
    the migrations."""
    found = []
    for app in project_apps():
        package = importlib.import_module(app)
        found.append(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" not in info.name:
                found.append(info.name)
    return tuple(sorted(found))


def project_forms() -> list[tuple[str, type]]:
    """(qualified name, class) of every form class defined in a module of the project's apps."""
    found = {}
    for name in project_modules():
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{obj.__name__}"] = obj
    return sorted(found.items())
