#!/usr/bin/env bash
# Install the front-end libraries from the npm registry, exactly as package-lock.json pins them,
# and copy the files the portal and the API documentation page (/schema) serve into
# agent_portal/static/vendor/. The lockfile's development tools (openapi-typescript, typescript)
# stay in node_modules/: tests/contract/ checks with them that a typed client can be generated.
#
# That folder is gitignored: third-party code is never committed, and the portal never loads
# anything from a CDN (government networks are closed). Safe to run again: `npm ci` is skipped
# while node_modules matches package-lock.json, and a vendor file is only rewritten when it changed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The files to copy are listed in agent_portal/vendor.txt (also read by the portal at startup).
mapfile -t VENDOR_FILES < <(grep -Ev '^[[:space:]]*(#|$)' agent_portal/vendor.txt)

VENDOR_DIR="agent_portal/static/vendor"
STAMP="node_modules/.jiujinban-lock.sha256"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-frontend: npm is not installed (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
installed=true
[[ -f "$STAMP" && "$(cat "$STAMP")" == "$lock_hash" ]] || installed=false
for entry in "${VENDOR_FILES[@]}"; do
  read -r source _ <<<"$entry"
  [[ -f "node_modules/$source" ]] || installed=false
done

if [[ "$installed" == true ]]; then
  echo "install-frontend: node_modules matches package-lock.json, skipping npm ci"
else
  # --ignore-scripts: these are browser files; no package gets to run code on this machine.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$STAMP"
fi

mkdir -p "$VENDOR_DIR"
for entry in "${VENDOR_FILES[@]}"; do
  read -r source target <<<"$entry"
  if cmp -s "node_modules/$source" "$VENDOR_DIR/$target"; then
    echo "install-frontend: $VENDOR_DIR/$target is current"
  else
    cp "node_modules/$source" "$VENDOR_DIR/$target"
    echo "install-frontend: copied $source -> $VENDOR_DIR/$target"
  fi
done
