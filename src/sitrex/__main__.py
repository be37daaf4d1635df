"""``python -m sitrex``: the same as the ``sitrex`` command."""

import sys

from sitrex.cli import main

if __name__ == "__main__":
    sys.exit(main())
