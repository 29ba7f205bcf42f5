#!/bin/sh
# memsink benchmark: the same pipelines into memsink (with and without a
# budget), filesink on tmpfs and giostreamsink with a GMemoryOutputStream.
# Prints wall time, peak RSS and the targets of issue 4; asserts nothing.
#
#   tests/bench/memsink-bench.sh [builddir]
#
# Environment: BENCH_FRAMES (raw 1080p samples, default 2000),
# BENCH_MP4_FRAMES (720p H.264 frames for the ~200 MB MP4, default 135),
# BENCH_SPILL_DIR (where memsink-budget-disk spills, default /tmp;
# memsink-budget spills to /dev/shm, the tmpfs filesink writes to).  Each measurement runs in its own process.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
py=/usr/bin/python3
bench="$top/tests/bench/memsink_bench.py"

if [ ! -f "$build/plugins/libgstmemvideo.so" ]; then
  meson setup "$build" --werror -Dtests=enabled >/dev/null
fi
ninja -C "$build" >/dev/null

export GST_PLUGIN_PATH_1_0="$build/plugins"
export GST_REGISTRY="$build/memsink-bench.registry"
export BENCH_SPILL_DIR="${BENCH_SPILL_DIR:-/tmp}"
frames=${BENCH_FRAMES:-2000}
mp4_frames=${BENCH_MP4_FRAMES:-135}

work=$(mktemp -d "${TMPDIR:-/tmp}/memsink-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# The ~200 MB MP4 input: H.264 of noise at a fixed quantizer (in Matroska,
# for timestamps), made once so the measured pipelines only demux, parse,
# mux and store
es="$work/clip.mkv"
gst-launch-1.0 -q videotestsrc num-buffers="$mp4_frames" pattern=snow ! \
  video/x-raw,width=1280,height=720,framerate=30/1 ! \
  x264enc speed-preset=ultrafast pass=quant quantizer=12 ! \
  h264parse ! matroskamux ! filesink location="$es"
es_size=$(stat -c %s "$es")

# The MP4 runs are short (a tenth of a second): nine rounds, interleaved,
# for the times (medians); then five more for the peak RSS with a fixed malloc mmap
# threshold, so that every large buffer upstream of the sinks is mapped and
# unmapped instead of parked in malloc's heap by its sliding threshold: the
# peaks then repeat within 0.2 MiB instead of the 1.5 MB of an H.264 frame,
# for every sink alike (it slows the pipeline down, hence not for times)
for phase in speed rss; do
  rounds="1 2 3 4 5"
  [ "$phase" = speed ] && rounds="1 2 3 4 5 6 7 8 9"
  for round in $rounds; do
    for sink in filesink memsink memsink-budget memsink-budget-disk \
      giostreamsink; do
      if [ "$phase" = rss ]; then
        BENCH_PHASE=rss MALLOC_MMAP_THRESHOLD_=131072 \
          $py "$bench" run mp4 "$sink" "$es"
      else
        BENCH_PHASE=speed $py "$bench" run mp4 "$sink" "$es"
      fi
    done
  done
done > "$work/mp4.json"
mp4_size=$($py -c "import json,sys
print([json.loads(l) for l in open(sys.argv[1])][0]['size'])" "$work/mp4.json")
$py "$bench" report mp4 "$mp4_size" < "$work/mp4.json"

# giostreamsink is left out here: 2000 raw 1080p frames are 6.2 GB, which
# its power-of-two growth would turn into an 8 GiB allocation
raw_size=$((frames * 1920 * 1080 * 3 / 2))
for sink in filesink memsink memsink-budget memsink-budget-disk; do
  $py "$bench" run raw "$sink" "$frames"
done > "$work/raw.json"
$py "$bench" report "raw ($frames samples)" "$raw_size" < "$work/raw.json"
echo "(H.264 input: $es_size bytes)"
