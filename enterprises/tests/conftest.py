"""The jobs' and businesses' tests use the register's fixtures: the two ESC neighbourhoods and
the administrator's and manager's admin sessions (`beneficiaries/tests/conftest.py`)."""

from beneficiaries.tests.conftest import (  # noqa: F401 - fixtures
    administrator_client,
    hoods,
    in_english,
    manager,
    manager_client,
)
