#!/usr/bin/env bash
# The benchmark suite (npm run bench): installs whatever is missing, as npm start and
# npm test do (plus PyTorch for the generator comparison), then runs bench/run.ts with the arguments given (--smoke, --only, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/setup.sh --bench
source infra/prepare.sh
exec npx tsx bench/run.ts "$@"
