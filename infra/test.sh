#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs whatever is missing,
# then type-checks, lints, runs every jest suite and the benchmarks' smoke mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/prepare.sh
echo "[test] typecheck" >&2
npx tsc --noEmit
echo "[test] lint" >&2
npx eslint .
npx prettier --check . >/dev/null
echo "[test] jest" >&2
npx jest --ci "$@"
# The benchmark suite's short mode, so the benchmarks keep working (no thresholds; results
# go to a temporary folder). Skipped when jest was given arguments (a focused run).
if [ "$#" -eq 0 ]; then
  echo "[test] bench smoke" >&2
  npx tsx bench/run.ts --smoke
fi
