#!/bin/bash
# Developer tool: a third fresh set, Cytek style only (the style of the held-out tube that still
# fails, mrd-loq/304): LOQ tubes on seeds 701-720 and 0.01% tubes on seeds 721-730. First
# evaluated 2026-11-23 (eighteenth session) before any tube in it was looked at; 701-715 and
# 721-725 may be analysed per event since, 716-720 and 726-730 stay evaluate-only.
# Usage: tools/tune/gen-cytek-set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, /tmp/fresh7)
BUILD=${1:-build}; OUT=${2:-/tmp/fresh7}
SYN=$BUILD/tools/synth/mrdflow-synth
mkdir -p $OUT
for seed in $(seq 701 730); do
  sc=mrd-loq; [ $seed -gt 720 ] && sc=mrd-0.01
  f=$OUT/${sc}_${seed}_cytek.fcs
  [ -f $f ] || $SYN --scenario $sc --seed $seed --style cytek --out $f >/dev/null &
  while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 0.1; done
done
wait
