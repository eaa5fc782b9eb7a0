#!/usr/bin/env bash
# Check what `make setup` needs before it starts: Python 3.11 or newer (with venv) and npm.
#
#   scripts/prereqs.sh          check everything, say plainly what is missing, exit 1 if anything is
#   scripts/prereqs.sh python   print the Python 3.11+ interpreter to build .venv with
#
# Set PYTHON to choose the interpreter (for example PYTHON=python3.12). Otherwise the first of
# python3, python3.13, python3.12 and python3.11 that is new enough is used.
set -uo pipefail

MIN_MAJOR=3
MIN_MINOR=11

new_enough() {
    "$1" -c "import sys; sys.exit(0 if sys.version_info >= ($MIN_MAJOR, $MIN_MINOR) else 1)" \
        >/dev/null 2>&1
}

find_python() {
    local candidates
    if [ -n "${PYTHON:-}" ]; then
        candidates=("$PYTHON")
    else
        candidates=(python3 python3.13 python3.12 python3.11)
    fi
    for candidate in "${candidates[@]}"; do
        if command -v "$candidate" >/dev/null 2>&1 && new_enough "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if [ "${1:-}" = "python" ]; then
    find_python || { echo "No Python $MIN_MAJOR.$MIN_MINOR or newer found: run scripts/prereqs.sh" >&2; exit 1; }
    exit 0
fi

missing=0
problem() {
    missing=1
    printf '\n  MISSING: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '    %s\n' "$line" >&2; done
}

if python=$(find_python); then
    version=$("$python" -c 'import platform; print(platform.python_version())')
    if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        problem "Python $version at $python cannot create virtual environments." \
            "On Debian or Ubuntu: apt-get install python3-venv"
    else
        echo "Python $version at $python: fine"
    fi
else
    found=""
    old_version=$("${PYTHON:-python3}" -c 'import platform; print(platform.python_version())' 2>/dev/null)
    if [ -n "$old_version" ]; then
        found=" (found only $old_version at $(command -v "${PYTHON:-python3}"))"
    fi
    problem "Python $MIN_MAJOR.$MIN_MINOR or newer$found." \
        "On Debian 12 or later: apt-get install python3 python3-venv" \
        "Elsewhere: install Python $MIN_MAJOR.$MIN_MINOR+ from https://www.python.org/downloads/" \
        "If it is installed under another name, say which: make demo PYTHON=python3.12"
fi

if command -v npm >/dev/null 2>&1; then
    echo "npm $(npm --version 2>/dev/null) with Node.js $(node --version 2>/dev/null): fine"
else
    problem "npm (Node.js), which installs the NHS.UK frontend." \
        "On Debian or Ubuntu: apt-get install nodejs npm" \
        "Elsewhere: install Node.js 20 or newer from https://nodejs.org/"
fi

if [ "$missing" -ne 0 ]; then
    printf '\nInstall what is missing, then run the command again.\n' >&2
    exit 1
fi
