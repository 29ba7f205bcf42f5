#!/bin/sh
# Soak (issue 17): SOAK_MINUTES (default 60) minutes of 720p30 through
# keyframeselect ! memspill max-memory=32MiB ! memsink max-age=10s, as fast
# as the machine allows, printing RSS, fds and spill-file size every minute
# of stream time (tests/bench/soak.py).  Long, so it runs only when named:
# `scripts/bench soak`.  SOAK_SPILL_DIR picks the spill directory.
#
#   tests/bench/soak.sh [builddir]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}

if [ "${BENCH_ONLY:-}" != "soak" ]; then
  echo "soak: skipped (an hour long; run scripts/bench soak)"
  exit 0
fi
ninja -C "$build" >/dev/null
export GST_PLUGIN_PATH_1_0="$build/plugins"
export GST_REGISTRY="$build/soak.registry"
exec /usr/bin/python3 "$top/tests/bench/soak.py"
