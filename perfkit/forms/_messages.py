"""Messages of the forms package kept in one place (表单提示语).

English msgids marked with ``N_()``; the Chinese is in the catalog
(``perfkit/i18n``), chosen with ``_()`` where the message is shown.
"""

from __future__ import annotations

from perfkit.i18n import N_

__all__ = ["FORMULA_WITHOUT_VALUE", "NO_CARRYOVER_COLUMN", "NO_PROJECT_MATCHES"]

#: A formula cell saved without its computed value (read as empty by every reader).
FORMULA_WITHOUT_VALUE = N_(
    "formula '{formula}' has no computed value (recalculate and save it in Excel)"
)
#: export-forms -p: the projects table given has no carryover column.
NO_CARRYOVER_COLUMN = N_(
    "{file}: the projects table has no carryover column (上年结转), so the form's "
    "carried-over funds cannot be filled in"
)
#: export-forms -p: no scored project is in the projects table given.
NO_PROJECT_MATCHES = N_(
    "{file}: none of the scored projects (year + project code) is in this projects "
    "table; give the projects table the scores were computed from"
)
