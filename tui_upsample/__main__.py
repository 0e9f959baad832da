"""`python -m tui_upsample` runs the same program as `upsample-tui`."""

from tui_upsample.start import main

raise SystemExit(main())
