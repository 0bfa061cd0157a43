"""The circulation and catalogue fixtures (policies, term, copies, the frozen day) are needed here too."""

from tests.catalog.conftest import clc_table, stacks  # noqa: F401
from tests.circulation.conftest import copy_factory, frozen_today, now, policies, setup, term  # noqa: F401
