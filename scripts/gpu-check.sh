#!/usr/bin/env bash
# The real-GPU check, from a clean checkout on a machine with a GPU and Chromium (Linux, Vulkan drivers): installs
# what is missing, writes the realistic-size model, and runs the benchmark's browser part on WebGPU beside WASM.
# Writes bench-results/bench-full-speed-chromium.{json,md}; a machine without a usable GPU gets the reason in the
# report's "Not measured" list instead of WebGPU rows. A few minutes on a GPU machine (most of it the model).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
[ -d node_modules ] || npm ci
npm run models:realistic
npm run bench -- --gpu --no-node --only speed --runs 3 --browser-runs 3 "$@"
