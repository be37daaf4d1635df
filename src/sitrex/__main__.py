"""``python -m sitrex``: the same as the ``sitrex`` command."""

import sys

from sitrex.cli import console_main

if __name__ == "__main__":
    sys.exit(console_main())
