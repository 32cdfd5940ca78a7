#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (Playwright drives it; it never
# downloads a browser of its own). Installs the Debian package when run as root with apt.
set -euo pipefail
if command -v chromium >/dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "browser: installing Debian's chromium package for the browser tests" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "browser: the browser tests need Chromium; install Debian's chromium package" >&2
    exit 1
fi
