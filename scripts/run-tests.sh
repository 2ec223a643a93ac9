#!/usr/bin/env bash
# Run the whole suite. pytest's exit code 5 (no tests collected) counts as a failure.
set -u
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "No tests were collected: failing." >&2
  exit 1
fi
exit "$status"
