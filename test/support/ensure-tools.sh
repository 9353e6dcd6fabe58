#!/usr/bin/env bash
# The tests need Java 17+ (DynamoDB Local), Chromium (the pages and the digest rendering) and
# LibreOffice Calc (it must open the monitoring pack without repair).
# On a fresh Debian/Ubuntu machine this installs them; elsewhere it says what is missing.
set -euo pipefail
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
office=()
command -v soffice >/dev/null 2>&1 || office+=(libreoffice-calc-nogui)
[ ${#missing[@]} -eq 0 ] && [ ${#office[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]} ${office[*]} (needed by the tests)…"
  $sudo apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # Without recommended packages: LibreOffice's pull in a desktop's worth.
  [ ${#office[@]} -eq 0 ] || $sudo apt-get install -y -qq --no-install-recommends "${office[@]}" >/dev/null
else
  echo "The tests need: ${missing[*]} ${office[*]}. Install them (or set CHROMIUM_PATH) and run again." >&2
  exit 1
fi
