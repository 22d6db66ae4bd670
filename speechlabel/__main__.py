import sys

from speechlabel.cli import main

sys.exit(main())
