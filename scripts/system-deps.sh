#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing.
#   scripts/system-deps.sh [postgresql] [chromium] [gettext] [z3950]
set -euo pipefail
want=()
for what in "$@"; do
  case "$what" in
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql postgresql-contrib) ;;
    chromium) [ -x /usr/bin/chromium ] || want+=(chromium fonts-noto-cjk) ;;
    gettext) command -v msgfmt >/dev/null 2>&1 || want+=(gettext) ;;
    # Z39.50: Index Data's YAZ library (the client, catalog/sources/z3950.py), yaz-client, and the
    # Zebra server the tests search (tests/z3950/).
    z3950)
      ls /usr/lib/*/libyaz.so.5 >/dev/null 2>&1 || want+=(libyaz5)
      command -v yaz-client >/dev/null 2>&1 || want+=(yaz)
      command -v zebrasrv >/dev/null 2>&1 || want+=(idzebra-2.0)
      ;;
    *) echo "unknown dependency: $what" >&2; exit 2 ;;
  esac
done
[ ${#want[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "Installing with apt-get: ${want[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}" >/dev/null
