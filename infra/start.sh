#!/usr/bin/env bash
# The project's main command (README): installs whatever is missing, then serves
# worldtick on embedded defaults (in-memory state, the engine frame source, local
# mediasoup). Configuration comes from the environment (see server/config.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/prepare.sh
exec npx tsx server/main.ts
