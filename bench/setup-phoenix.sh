#!/usr/bin/env bash
# Creates .venv-phoenix (Arize Phoenix for bench/) next to the repository's .venv, from the same interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
[ -x .venv-phoenix/bin/phoenix ] && exit 0
"$PY" -m venv .venv-phoenix
.venv-phoenix/bin/pip install -q -r bench/requirements-phoenix.txt
