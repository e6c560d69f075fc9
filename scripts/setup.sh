#!/usr/bin/env bash
# Install uv if it is missing, sync the locked Python environment, install front-end packages.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1 && [ ! -x "$HOME/.local/bin/uv" ]; then
  echo "installing uv …"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi
UV=$(command -v uv 2>/dev/null || echo "$HOME/.local/bin/uv")

"$UV" sync --locked --quiet
bash scripts/install-frontend.sh
bash scripts/build-miniprogram.sh h5 weapp
