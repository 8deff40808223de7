#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on samples/: `mrdflow analyze` with the
# samples' manifest, writing the report to mrdflow-report/ (index.html, per-sample JSON/HTML,
# summary.csv, results.sqlite).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" --target mrdflow
./build/tools/mrdflow analyze --manifest samples/manifest.csv --out mrdflow-report samples/
echo "report: $(pwd)/mrdflow-report/index.html"
