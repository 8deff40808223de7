#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on samples/, writing a report.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" --target mrdflow
if ./build/mrdflow analyze --help >/dev/null 2>&1; then
  ./build/mrdflow analyze --out mrdflow-report samples/
  echo "report: mrdflow-report/index.html"
else
  ./build/mrdflow info samples/*.fcs
fi
