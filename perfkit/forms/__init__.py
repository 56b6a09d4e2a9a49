"""Official self-evaluation forms (项目支出绩效自评表) in and out.

* :func:`read_forms` — workbooks (.xlsx, .xls) → the contract's ``projects`` and
  ``indicators`` tables, every row traced to its file, sheet and cell;
* :func:`check_forms` — recompute each form and list where it disagrees with
  itself or with the rules (also the 部门预算管理绩效考核自评表 layout);
* :func:`write_forms` — scored projects → printable official forms.
"""

from perfkit.forms._check import FormCheck, check_forms
from perfkit.forms._read import FormSet, read_forms
from perfkit.forms._write import read_scores, write_forms

__all__ = ["FormCheck", "FormSet", "check_forms", "read_forms", "read_scores", "write_forms"]
