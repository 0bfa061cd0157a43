"""The production-configuration stage: the walk's demo school and clients, and its request count."""

import os

from tests.urlwalk import _walk_clients_once, walk_clients, walk_data  # noqa: F401  (fixtures)

WALK_COUNTS = {"requests": 0, "errors": 0}


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process (README "Production"): a secret key, no DEBUG, no test mode."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_TEST"}}
    env.update(
        SECRET_KEY="production-test-" + "k" * 50,
        ALLOWED_HOSTS="library.example.edu.cn,127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS="https://library.example.edu.cn",
    )
    env.update(extra)
    return env
