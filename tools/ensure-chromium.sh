#!/usr/bin/env bash
# `npm test` runs this first: the browser tests drive Debian's Chromium through playwright-core
# (never a browser downloaded by a test tool). Installs it when absent and we may; otherwise says how.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get)..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "warning: /usr/bin/chromium is missing; the browser tests will fail. Install it with: sudo apt-get install -y chromium" >&2
