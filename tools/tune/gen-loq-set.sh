#!/bin/bash
# Developer tool: a second fresh set, LOQ tubes only, seeds 601-630, style = seed mod 3 (cytek,
# bd, beckman; ten each). First evaluated 2026-11-23 before any tube in it was looked at (23/30);
# 601-615 may be analysed per event since, 616-630 stay evaluate-only.
# Usage: tools/tune/gen-loq-set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, /tmp/fresh6)
BUILD=${1:-build}; OUT=${2:-/tmp/fresh6}
SYN=$BUILD/tools/synth/mrdflow-synth
mkdir -p $OUT
styles=(cytek bd beckman)
for seed in $(seq 601 630); do
  st=${styles[$((seed % 3))]}
  f=$OUT/mrd-loq_${seed}_${st}.fcs
  [ -f $f ] || $SYN --scenario mrd-loq --seed $seed --style $st --out $f >/dev/null &
  while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 0.1; done
done
wait
