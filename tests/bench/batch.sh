#!/bin/sh
# Batch benchmark (issue 15): memvideo.batch with 1 and 2 local Dask
# workers against the C `extract` example run on the same videos one after
# another. Prints videos/s, frames/s and the scaling ratio; asserts
# nothing.
#
#   tests/bench/batch.sh [builddir]
#
# Environment: BENCH_VIDEOS (default 8), BENCH_SECONDS (length of each
# 640x360 lecture clip, default 120).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
py=/usr/bin/python3

if [ ! -x "$build/tests/examples/extract" ]; then
  meson setup --reconfigure "$build" -Dtests=enabled -Dexamples=enabled \
    >/dev/null
fi
ninja -C "$build" >/dev/null

export GST_PLUGIN_PATH_1_0="$build/plugins"
export GST_REGISTRY="$build/batch-bench.registry"
export PYTHONPATH="$top/python"
n=${BENCH_VIDEOS:-8}
seconds=${BENCH_SECONDS:-120}
work=$(mktemp -d "${TMPDIR:-/tmp}/batch-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

"$build/tests/media/gen-clips" --lecture --width 640 --height 360 \
  --seconds "$seconds" "$work/gen" >/dev/null
mkdir "$work/videos"
i=1
while [ "$i" -le "$n" ]; do
  cp "$work/gen/lecture.mp4" "$work/videos/lecture-$i.mp4"
  i=$((i + 1))
done
frames=$($py -c "
import configparser, sys
c = configparser.ConfigParser(); c.read(sys.argv[1])
print(c['clip lecture']['frames'])" "$work/gen/lecture.ini")
total=$((frames * n))

now() { $py -c 'import time; print(time.monotonic())'; }
report() {
  $py -c "
import sys
name, t, n, f = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f'{name:24} {t:8.1f} s {n / t:8.3f} videos/s {f / t:9.0f} frames/s')
" "$@"
}

t0=$(now)
for v in "$work"/videos/*.mp4; do
  "$build/tests/examples/extract" "$v" "$work/extract/$(basename "$v" .mp4)" \
    >/dev/null 2>&1
done
t1=$(now)
seq=$($py -c "print($t1 - $t0)")

for w in 1 2; do
  t0=$(now)
  $py -m memvideo.batch --out "$work/out-$w" --workers "$w" \
    "$work/videos" >/dev/null
  t1=$(now)
  eval "batch$w=\$($py -c \"print($t1 - $t0)\")"
done

echo "$n videos of $seconds s 640x360 ($frames frames each), $(nproc) cores"
report "extract, one by one" "$seq" "$n" "$total"
report "memvideo.batch, 1 worker" "$batch1" "$n" "$total"
report "memvideo.batch, 2 workers" "$batch2" "$n" "$total"
$py -c "
import sys
seq, b1, b2 = (float(x) for x in sys.argv[1:])
print(f'scaling 1 -> 2 workers: {b1 / b2:.2f}x; 2 workers vs extract one '
      f'by one: {seq / b2:.2f}x (cluster start and stop included)')
" "$seq" "$batch1" "$batch2"
for w in 1 2; do
  $py -c "
import json, sys
s = json.load(open(sys.argv[1]))
busy = sum(v['seconds'] for v in s['videos'])
print(f'{sys.argv[2]} worker(s): tasks ran {busy:.1f} s in all, '
      f'{s[\"seconds\"]:.1f} s from submit to last result, '
      f'{len({v[\"worker\"] for v in s[\"videos\"]})} workers used')
" "$work/out-$w/summary.json" "$w"
done
