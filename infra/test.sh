#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs whatever is missing,
# then type-checks, lints and runs every jest suite.
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
