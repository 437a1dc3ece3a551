#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright never downloads a browser of its own).
# Installs it with apt-get when it is missing; CHROMIUM_PATH names another executable instead.
set -euo pipefail
if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  [[ -x "$CHROMIUM_PATH" ]] || { echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; }
  exit 0
fi
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi dejavu; then
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != "0" ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "Chromium is missing: install Debian's 'chromium' package (needs root)" >&2; exit 1; }
  SUDO="sudo -n"
fi
echo "Installing Chromium and a font with Cyrillic letters for the browser tests (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
