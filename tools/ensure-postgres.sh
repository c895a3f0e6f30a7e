#!/usr/bin/env bash
# `npm run test:postgres` runs this first: the PostgreSQL tests start a throwaway cluster from
# Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin). Installs it when absent and we
# may (root with apt-get, as tools/ensure-chromium.sh does for Chromium); otherwise says how, exit 1.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's postgresql for the PostgreSQL tests (apt-get)..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  # The package starts a system cluster of its own; the tests never use it (they start a throwaway one).
  exit 0
fi
echo "error: PostgreSQL is missing (no /usr/lib/postgresql/*/bin/pg_ctl); install it with: sudo apt-get install -y postgresql" >&2
exit 1
