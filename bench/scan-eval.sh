#!/bin/sh
# Scan evaluation (docs/scan-evaluation.md): installs Debian's rnahybrid when RNAhybrid is missing, then runs
# bench/scan-eval.ts at low priority. Arguments go to the script (e.g. --genes 12 --seed 1).
set -e
cd "$(dirname "$0")/.."
if ! command -v RNAhybrid >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update && $SUDO apt-get install -y rnahybrid
fi
exec nice node --import tsx bench/scan-eval.ts --out docs/scan-evaluation-results.md "$@"
