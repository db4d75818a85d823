#!/usr/bin/env bash
# The project's main command (README): installs whatever is missing, then serves
# worldtick on embedded defaults (in-memory state, the engine frame source, local
# mediasoup). Configuration comes from the environment (see server/config.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/setup.sh
MEDIASOUP_WORKER_BIN="$(bash infra/mediasoup/ensure-worker.sh | tail -1)"
export MEDIASOUP_WORKER_BIN
bash infra/node-deps.sh
exec npx tsx server/main.ts
