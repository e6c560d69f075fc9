#!/usr/bin/env bash
# Debian's headless Chromium and the CJK fonts: WenQuanYi for the browser tests (a test tool
# cannot download its own browser here, and without the font Chinese renders as empty boxes),
# Noto CJK for the formal notices WeasyPrint renders to PDF (docs/notices.md).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" \
  && fc-list 2>/dev/null | grep -qi "Noto Serif CJK"; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "run as root (or with sudo): apt-get install -y chromium fonts-wqy-microhei fonts-noto-cjk" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-wqy-microhei fonts-noto-cjk >/dev/null
