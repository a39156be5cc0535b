#!/usr/bin/env bash
# Installs the system packages the test suite drives for real: Chromium for the
# browser tests, PostgreSQL 15 and Redis servers for the backend smoke tests and
# drills, Prometheus for promtool (the alert rules' checks and unit tests),
# MkDocs and its Material theme for TechDocs, which the backend builds locally.
# Debian's packages only; a no-op when they are present.
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v initdb >/dev/null || [[ -x /usr/lib/postgresql/15/bin/initdb ]] || missing+=(postgresql-15)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v promtool >/dev/null || missing+=(prometheus)
command -v mkdocs >/dev/null || missing+=(mkdocs)
[[ -d /usr/share/mkdocs/themes/material ]] || missing+=(mkdocs-material)

if ((${#missing[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "kler: missing system packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "kler: installing ${missing[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a Redis service on install; the tests start their own.
  command -v systemctl >/dev/null && systemctl disable --now redis-server prometheus 2>/dev/null || true
fi
