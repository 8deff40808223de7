#!/bin/bash
# Developer tool: a set of BD-style tubes (the style whose panel carries the CD66c/CD123 channel),
# seeds 1001-1020: cd19neg-relapse, mrd-0.01 and mrd-loq for each seed. Made on 2026-11-24
# (twenty-second session) when that channel was first modelled; a tuning set from then on.
# Usage: tools/tune/gen-bd-set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, /tmp/bdset)
BUILD=${1:-build}; OUT=${2:-/tmp/bdset}
SYN=$BUILD/tools/synth/mrdflow-synth
mkdir -p $OUT
for seed in $(seq 1001 1020); do
  for sc in cd19neg-relapse mrd-0.01 mrd-loq; do
    f=$OUT/${sc}_${seed}_bd.fcs
    [ -f $f ] || $SYN --scenario $sc --seed $seed --style bd --out $f >/dev/null &
    while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 0.1; done
  done
done
wait
