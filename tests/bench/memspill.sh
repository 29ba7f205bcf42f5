#!/bin/sh
# memspill and its spill store at 1080p against peers measured in the same
# run: raw spill/reload vs write()/pread() in the same directory, JPEG
# spill/reload vs a plain TurboJPEG loop on the same frame, a FIFO behind
# `memspill ! queue` with a slow consumer and an app revisiting a hot set,
# both under each eviction policy, and peak RSS vs max-memory.  Prints ratios, asserts nothing.
#
#   tests/bench/memspill.sh BUILDDIR [FRAMES]
# Runs alone (after `ninja -C BUILDDIR`) or from scripts/bench.  The spill
# file goes to $TMPDIR (default /tmp); the raw part writes about 2 GB.
set -eu
build=${1:-$(dirname "$0")/../../build}
frames=${2:-}
bench="$build/tests/bench/memspill/memspill-bench"
if [ ! -x "$bench" ]; then
  echo "memspill.sh: $bench not built (meson setup with -Dbench=enabled)" >&2
  exit 1
fi
export GST_PLUGIN_PATH_1_0="$build/plugins${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
for mode in raw jpeg access fifo rss; do
  # one process each: the store's numbers are not disturbed by the others
  nice -n 10 "$bench" "$mode" $frames
done
