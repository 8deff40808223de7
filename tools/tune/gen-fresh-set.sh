#!/bin/bash
# Developer tool: a fresh set on seeds 501-515 (first evaluated 2026-11-23, before any tube in it
# was looked at; loq/515 and 0.01/508 were analysed afterwards and are no longer fresh): the
# LOQ, 0.01% and regenerating scenarios, each style five times.
# Usage: tools/tune/gen-fresh-set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, /tmp/fresh)
BUILD=${1:-build}; OUT=${2:-/tmp/fresh}
SYN=$BUILD/tools/synth/mrdflow-synth
mkdir -p $OUT
styles=(cytek bd beckman)
i=0
for seed in $(seq 501 515); do
  for sc in mrd-loq mrd-0.01 negative-regenerating; do
    st=${styles[$(( (i + i / 3) % 3 ))]}; i=$((i+1))
    f=$OUT/${sc}_${seed}_${st}.fcs
    [ -f $f ] || $SYN --scenario $sc --seed $seed --style $st --out $f >/dev/null &
    while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 0.1; done
  done
done
wait
