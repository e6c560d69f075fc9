"""Area levels, outermost first."""

from typing import Final

DISTRICT: Final = "district"
TOWNSHIP: Final = "township"
VILLAGE: Final = "village"
LEVELS: Final = (DISTRICT, TOWNSHIP, VILLAGE)
