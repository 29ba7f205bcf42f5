#!/bin/sh
# The fast path (gst/memvideo/fastscan.c, extract --fast) against the full
# path (extract) and a plain `decodebin ! fakesink` of the same file, on
# generated 10-minute 1280x720 screen shares (tests/media/fast-clip: a new
# slide every 937 frames, never on a keyframe) with 1-, 2- and 10-second
# GOPs.  Both extract runs use interval=0, so that the selections can be
# compared frame for frame (the fast path puts periodic selections on
# keyframes).  Target: fast <= 1/4 of the plain decode on 2-second GOPs.
#
#   fast.sh BUILDDIR [GOP_FRAMES ...]   (default: 60 30 300)
#
# FAST_BENCH_SIZE (default 1280x720) and FAST_BENCH_SECONDS (default 600)
# choose the clip, e.g. 1920x1080 and 3600 for the 1-hour case.  The clips
# (about 30 s each to encode at the defaults) are kept in
# BUILDDIR/tests/bench/fast.
set -eu
build=$1
shift
gops=${*:-60 30 300}
dir="$build/tests/bench/fast"
extract="$build/tests/examples/extract"
mkdir -p "$dir"
export GST_PLUGIN_PATH_1_0="$build/plugins"

size=${FAST_BENCH_SIZE:-1280x720}
width=${size%x*}
height=${size#*x}
frames=$((${FAST_BENCH_SECONDS:-600} * 30))
changes=$(awk -v n=$frames 'BEGIN { s = "0:101";
  for (i = 1; i * 937 < n; i++) s = s "," i * 937 ":" (101 + i); print s }')

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
frames_of() {
  /usr/bin/python3 -c 'import json, sys
print(" ".join(str(k["frame"]) + k["reason"][0]
    for k in json.load(open(sys.argv[1]))["keyframes"]))' "$1"
}

echo "clip: ${size}, $frames frames at 30 fps, a new slide every 937 frames"
printf '%-5s %8s %8s %8s %10s %10s %5s %s\n' gop plain_s full_s fast_s \
  fast/plain full/plain same decoded_by_fast
for gop in $gops; do
  clip="$dir/gop$gop-${size}-$frames.mp4"
  if [ ! -s "$clip" ]; then
    "$build/tests/media/fast-clip" "$clip.tmp" "$width" "$height" $frames "$gop" \
      "$changes"
    mv "$clip.tmp" "$clip"
  fi
  t0=$(now)
  gst-launch-1.0 -q filesrc location="$clip" ! decodebin ! fakesink \
    sync=false >/dev/null
  t1=$(now)
  "$extract" "$clip" "$dir/full" interval=0 >/dev/null 2>&1
  t2=$(now)
  "$extract" "$clip" "$dir/fast" --fast interval=0 >"$dir/fast.log" 2>&1
  t3=$(now)
  plain=$(elapsed "$t0" "$t1")
  full=$(elapsed "$t1" "$t2")
  fast=$(elapsed "$t2" "$t3")
  same=no
  [ "$(frames_of "$dir/full/index.json")" = \
    "$(frames_of "$dir/fast/index.json")" ] && same=yes
  decoded=$(sed -n 's/.*(fast: \(.*\) decoded).*/\1/p' "$dir/fast.log")
  printf '%-5s %8s %8s %8s %10s %10s %5s %s\n' "$((gop / 30))s" "$plain" \
    "$full" "$fast" "$(awk -v a="$fast" -v b="$plain" \
      'BEGIN { printf "%.3f", a / b }')" "$(awk -v a="$full" -v b="$plain" \
      'BEGIN { printf "%.3f", a / b }')" "$same" "$decoded"
done
