#!/usr/bin/env bash
# Install the citizens' client's packages (miniprogram/package-lock.json, scripts disabled: no
# package runs code on this machine at install time — the Taro CLI's would contact a vendor host) and build both targets:
#   miniprogram/dist/h5     served by the API at /m/ and /kiosk/
#   miniprogram/dist/weapp  the mini-program folder WeChat DevTools opens
# Safe to run again: `npm ci` is skipped while node_modules matches the lockfile, and a target is
# rebuilt only when its sources changed (a hash of src/, config/ and the build settings).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../miniprogram"

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.jiujinban-lock.sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
  echo "build-miniprogram: node_modules matches package-lock.json, skipping npm ci"
else
  echo "build-miniprogram: installing packages from package-lock.json (about 500 MB, two minutes) …"
  # Not `npm ci`: @tarojs/binding names platform packages that were never published for 4.2.1
  # (darwin, win32, linux-arm64), and `npm ci` refuses a lockfile without them. `npm install`
  # with --no-save installs exactly the locked versions and never rewrites the lockfile.
  npm install --ignore-scripts --no-audit --no-fund --no-save --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

sources_hash() {
  { find src config types -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum package-lock.json babel.config.js tsconfig.json project.config.json
    echo "JJB_API_BASE=${JJB_API_BASE:-}"; } | sha256sum | cut -d' ' -f1
}
want="$(sources_hash)"
for target in "$@"; do
  built="dist/$target/.jiujinban-sources.sha256"
  if [[ -f "$built" && "$(cat "$built")" == "$want" ]]; then
    echo "build-miniprogram: dist/$target is current"
    continue
  fi
  echo "build-miniprogram: building $target …"
  rm -rf "dist/$target"
  NODE_ENV=production node_modules/.bin/taro build --type "$target" >"dist-$target.log" 2>&1 || {
    tail -n 40 "dist-$target.log" >&2
    echo "build-miniprogram: the $target build failed (full log: miniprogram/dist-$target.log)" >&2
    exit 1
  }
  echo "$want" >"$built"
  rm -f "dist-$target.log"
done
