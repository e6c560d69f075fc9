#!/usr/bin/env bash
# The citizens' client's TypeScript types come from the server's OpenAPI document.
#   scripts/miniprogram-types.sh          rewrite miniprogram/src/api/schema.d.ts
#   scripts/miniprogram-types.sh --check  fail when it is stale (make lint), then run tsc --noEmit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
JIUJINBAN_DEV=1 .venv/bin/jiujinban openapi -o "$tmp/openapi.json" 2>/dev/null
miniprogram/node_modules/.bin/openapi-typescript "$tmp/openapi.json" -o "$tmp/full.d.ts" >/dev/null 2>&1
# The document's examples (about 40 % of the text) stay in the document and at /schema; the
# types keep each field's description.
awk '/^ *\* @example/ {skip = 1; next} skip && /^ *\*( @|\/)/ {skip = 0} !skip' \
  "$tmp/full.d.ts" >"$tmp/schema.d.ts"
target=miniprogram/src/api/schema.d.ts
if [[ "${1:-}" == "--check" ]]; then
  if ! cmp -s "$tmp/schema.d.ts" "$target"; then
    echo "miniprogram-types: $target is stale: the API changed; run \`make types\` and commit it" >&2
    exit 1
  fi
  (cd miniprogram && node_modules/.bin/tsc --noEmit -p .)
  echo "miniprogram-types: current, and tsc --noEmit is clean"
else
  cp "$tmp/schema.d.ts" "$target"
  echo "miniprogram-types: wrote $target"
fi
