#!/usr/bin/env bash
# The load generator for `make bench`: wrk from Debian when we may install it; otherwise the
# bench falls back to its own Python load generator (and says so in its table).
set -uo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }) \
    || echo "install-bench: could not install wrk; using the Python load generator"
else
  echo "install-bench: wrk not found (apt-get install wrk); using the Python load generator"
fi
exit 0
