"""Inside a warm kernel: what one report may change, put back before the next (报告间隔离).

This module runs *in the kernel* of the warm engine (:mod:`perfkit.batch._engines`),
never in the runner.  :func:`warm_up` imports the modules a notebook imports and
takes a snapshot of the kernel's state; :func:`begin_report` puts that state back
before each report:

* every module loaded at the snapshot is back in ``sys.modules``, and every
  top-level name of those modules holds its snapshot object again (a report that
  monkey-patched ``os.path.exists`` or ``perfkit.numbers.something`` is undone;
  names a report added to such a module are removed).  Modules a report imported
  for the first time stay loaded (as in any Python process);
* ``sys.path``, ``os.environ``, ``sys.argv``, the warning filters (and the
  "shown once" registries, so a warning shows again as in a new kernel), the
  working folder, altair's renderer, theme and data transformer, matplotlib's
  ``rcParams`` (when loaded; open figures are closed);
* IPython's user namespace is emptied and its execution counter restarts at 1
  (``InteractiveShell.reset(new_session=True)``), as in a new kernel.

What stays shared, on purpose: loaded modules and perfkit's own caches keyed by
their inputs (e.g. a loaded indicator system).  The kernel machinery itself
(ipykernel, IPython, zmq, tornado, asyncio, jupyter_client, traitlets, comm) is
not snapshotted: it changes as it runs.  Mutations *inside* objects (a list
appended to in another module) are not undone; :mod:`perfkit.batch._engines`
replaces the kernel when a report kills it, hangs, or cannot be reset.

Only the standard library is imported here (at module level): the kernel loads it
once.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import warnings
from types import ModuleType
from typing import Any

__all__ = ["begin_report", "warm_up"]

# modules the kernel itself runs on: they change as it runs, so they are not put back
_MACHINERY = (
    "ipykernel",
    "IPython",
    "zmq",
    "tornado",
    "asyncio",
    "jupyter_client",
    "jupyter_core",
    "traitlets",
    "comm",
    "threading",
    "logging",
    "debugpy",
    "_pydevd",
    "pydevd",
    "matplotlib_inline",
    "perfkit.batch._isolation",
    "__main__",
    "builtins",
    "sys",
    "warnings",
)
_SKIP_NAMES = frozenset({"__warningregistry__", "__loader__", "__spec__", "__builtins__"})

_snapshot: dict[str, Any] | None = None


def _machinery(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in _MACHINERY)


def _registries() -> dict[str, Any]:
    """altair's plugin registries (renderer, theme, data transformer), when altair is loaded."""
    alt = sys.modules.get("altair")
    if alt is None:
        return {}
    out = {}
    for name in ("renderers", "theme", "themes", "data_transformers"):
        registry = getattr(alt, name, None)
        if registry is not None and hasattr(registry, "__dict__"):
            out[name] = registry
    return out


def _take() -> dict[str, Any]:
    modules = {
        name: module
        for name, module in list(sys.modules.items())
        if isinstance(module, ModuleType) and not _machinery(name)
    }
    names = {name: dict(vars(module)) for name, module in modules.items()}
    mpl = sys.modules.get("matplotlib")
    return {
        "modules": modules,
        "names": names,
        "path": list(sys.path),
        "environ": dict(os.environ),
        "argv": list(sys.argv),
        "filters": list(warnings.filters),
        "cwd": os.getcwd(),
        "registries": {k: dict(vars(r)) for k, r in _registries().items()},
        "rc": dict(mpl.rcParams) if mpl is not None else None,
    }


def warm_up(modules: list[str]) -> None:
    """Import ``modules`` (those a notebook imports; failures are left to the notebook) and
    take the snapshot that :func:`begin_report` restores.

    Examples
    --------
    >>> warm_up(["json"])
    >>> "json" in sys.modules
    True
    """
    global _snapshot
    for name in modules:
        with contextlib.suppress(Exception):  # the notebook shows its own import error
            __import__(name)
    _snapshot = _take()
    # IPython's reset (begin_report) runs a full garbage collection: with the thousand modules
    # just imported that costs about 0.15 s a report.  Objects alive now live as long as the
    # kernel anyway; frozen, the collector skips them and sees only what reports allocate.
    gc.collect()
    gc.freeze()


def _restore_modules(snap: dict[str, Any]) -> list[str]:
    changed = []
    for name, module in snap["modules"].items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
            changed.append(name)
        saved = snap["names"][name]
        current = vars(module)
        for key in [k for k in current if k not in saved and k not in _SKIP_NAMES]:
            del current[key]
            changed.append(f"{name}.{key}")
        for key, value in saved.items():
            if key not in _SKIP_NAMES and current.get(key, _snapshot) is not value:
                current[key] = value
                changed.append(f"{name}.{key}")
    return changed


def _restore_process(snap: dict[str, Any]) -> None:
    sys.path[:] = snap["path"]
    sys.argv[:] = snap["argv"]
    if dict(os.environ) != snap["environ"]:
        os.environ.clear()
        os.environ.update(snap["environ"])
    warnings.filters[:] = snap["filters"]  # type: ignore[index]  # a list at run time
    warnings._filters_mutated()  # type: ignore[attr-defined]  # "once" warnings show again
    for name, registry in _registries().items():
        if name in snap["registries"]:
            vars(registry).clear()
            vars(registry).update(snap["registries"][name])
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close("all")
        if snap["rc"] is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mpl.rcParams.update(snap["rc"])


def begin_report(cwd: str) -> int:
    """Put the kernel back as it was after :func:`warm_up`, empty the user namespace, enter ``cwd``.

    Returns the number of module names that had to be put back (0 when the
    previous report changed none).
    """
    snap = _snapshot
    changed: list[str] = []
    if snap is not None:
        changed = _restore_modules(snap)
        _restore_process(snap)
    os.chdir(cwd)
    shell = _shell()
    if shell is not None:
        shell.reset(new_session=True)
    return len(changed)


def _shell() -> Any:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    return ipython.get_ipython()
