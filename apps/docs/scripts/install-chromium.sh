#!/usr/bin/env bash
# Installs Debian's Chromium for the docs browser test when it is missing.
# CI starts from a clean machine where only `npm ci` has run, and playwright-core never
# downloads browsers, so the project installs the system one itself (as root, non-interactive).
set -euo pipefail
CHROMIUM="${VICINAL_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: $CHROMIUM is missing and we are not root; install Debian's chromium package" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x "$CHROMIUM"
echo "install-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
