"""Start embedded services in a data dir, print READY and hold them (until killed)."""

import sys
import time
from pathlib import Path

from backend.devservices import ensure_services

services = ensure_services(
    environ={}, data_dir=Path(sys.argv[1]), database=sys.argv[2], mode="embedded"
)
print("READY", services.database_url, services.redis_url, flush=True)
time.sleep(600)
