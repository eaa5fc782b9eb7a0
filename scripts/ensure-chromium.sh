#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (tests/e2e/).
#
# We never download a browser of our own (no `playwright install`): Playwright drives the
# system's Chromium. As root with apt-get, this installs Debian's `chromium` package.
# Otherwise it says how to install it and carries on: the browser tests then skip, or fail
# when CI=true.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's Chromium for the browser tests (apt-get install chromium)..."
    export DEBIAN_FRONTEND=noninteractive
    apt_get() { apt-get -o DPkg::Lock::Timeout=300 -q "$@" </dev/null; }
    if apt_get update && apt_get install -y --no-install-recommends chromium fonts-liberation; then
        [ -x "$CHROMIUM" ] && exit 0
    fi
    echo "Could not install Chromium with apt-get: the browser tests will not run." >&2
    exit 0  # the other tests still run; with CI=true the browser tests fail and say why
fi

cat >&2 <<EOF
Browser tests need Debian's Chromium at $CHROMIUM, and it is not there.
Install it with:  sudo apt-get update && sudo apt-get install chromium
Until then the browser tests (tests/e2e/) are skipped.
EOF
exit 0
