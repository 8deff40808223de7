#!/bin/bash
# Developer tool: a fresh set on seeds 501-515 (first evaluated 2026-11-23, before any tube in it
# was looked at; loq/515 and 0.01/508 were analysed afterwards and are no longer fresh): the
# LOQ, 0.01% and regenerating scenarios, each style five times.
# Usage: tools/tune/gen-fresh-set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, /tmp/fresh)
SEEDS="$(seq 501 515)" SCENARIOS="mrd-loq mrd-0.01 negative-regenerating" ROTATE=seed \
  exec "$(dirname "$0")/gen-check-set.sh" "${1:-build}" "${2:-/tmp/fresh}"
