#!/usr/bin/env bash
# Debian's headless Chromium and a CJK font for the browser tests (a test tool cannot download
# its own browser here, and without the font Chinese renders as empty boxes).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "run as root (or with sudo): apt-get install -y chromium fonts-wqy-microhei" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
