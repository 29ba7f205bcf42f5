#!/bin/sh
# Pre-event recording benchmark: a simulated 1080p30 H.264 camera (one GOP
# of x264enc output replayed with running timestamps, faster than real
# time) for BENCH_EVENT_MINUTES of stream time (default 60) into memsink
# with max-age=60 s and a save (30 s before, 10 s after, MP4) every 5
# minutes, and the same stream into fakesink as the peer.  Each sink runs in
# its own process.  The stream waits for each save's result 10 s after
# it was requested (in real time the writer has 5 minutes), outside the
# timed pushes.  Prints RSS per minute of stream (flat = no growth),
# CPU and wall time, the longest push (how long the sink held the
# streaming thread) and the saves written; the ratios are memsink against
# fakesink.  Asserts nothing.
#
#   tests/bench/event.sh [builddir]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
minutes=${BENCH_EVENT_MINUTES:-60}

ninja -C "$build" >/dev/null
export GST_PLUGIN_PATH_1_0="$build/plugins"
export GST_REGISTRY="$build/event-bench.registry"
work=$(mktemp -d "${TMPDIR:-/tmp}/event-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

peer=$("$build/tests/bench/event-bench" fakesink "$minutes" "$work")
mem=$("$build/tests/bench/event-bench" memsink "$minutes" "$work")
echo "$peer"
echo "$mem"
echo "$peer" "$mem" | awk '
  function field(line, name,   i, n, kv) {
    n = split(line, kv, " ")
    for (i = 1; i <= n; i++)
      if (index(kv[i], name "=") == 1)
        return substr(kv[i], length(name) + 2)
    return ""
  }
  { split($0, halves, "sink=memsink"); p = halves[1]; m = "sink=memsink" halves[2] }
  END {
    n = split(field(m, "rss_kib_per_min"), r, ",")
    printf "memsink RSS: %d KiB after 2 min, %d KiB after %d min (x%.2f)\n", \
      r[2], r[n], n, r[n] / r[2]
    printf "memsink/fakesink CPU: x%.2f (%s s / %s s)\n", \
      field(m, "cpu_s") / field(p, "cpu_s"), field(m, "cpu_s"), field(p, "cpu_s")
    printf "longest push: memsink %s ms, fakesink %s ms\n", \
      field(m, "max_push_ms"), field(p, "max_push_ms")
    printf "saves written: %s, frames each: %s\n", field(m, "saves"), \
      field(m, "save_frames")
  }'
ls -l "$work"/event-*.mp4 2>/dev/null | awk '{ print $NF ": " $5 " bytes" }' |
  sed "s|$work/||"
