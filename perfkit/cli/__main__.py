"""``python -m perfkit.cli``: the ``perfkit`` command."""

from perfkit.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
