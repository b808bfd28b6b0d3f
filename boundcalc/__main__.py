"""``python -m boundcalc``: the same as the ``boundcalc`` command."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="boundcalc")
