#!/bin/sh
# Python package benchmark (issue 14): memvideo.extract_frames against the
# seeds' frame loop on the same generated 10-minute 720p clip with the same
# budget. Prints wall time, peak RSS and the ratios; asserts nothing.
#
#   tests/bench/python.sh [builddir]
#
# Environment: BENCH_BUDGET_MB (max_memory_mb, default 64), BENCH_ROUNDS
# (default 1). The clip is written once into BUILDDIR/tests/bench
# (python-lecture.mp4, about a minute).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
py=/usr/bin/python3
bench="$top/tests/bench/python_bench.py"

if [ ! -f "$build/plugins/libgstmemvideo.so" ]; then
  meson setup "$build" -Dtests=enabled >/dev/null
fi
ninja -C "$build" >/dev/null

export GST_PLUGIN_PATH_1_0="$build/plugins"
export GST_REGISTRY="$build/python-bench.registry"
export PYTHONPATH="$top/python"
clip="$build/tests/bench/python-lecture.mp4"
mkdir -p "$build/tests/bench"
if [ ! -s "$clip" ]; then
  echo "writing $clip (10 min 1280x720) ..."
  $py "$bench" clip "$clip.tmp.mp4"
  mv "$clip.tmp.mp4" "$clip"
fi
$py "$bench" compare "$clip" "${BENCH_BUDGET_MB:-64}" "${BENCH_ROUNDS:-1}"
