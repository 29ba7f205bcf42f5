#!/bin/sh
# memsink+memsrc against shmsink+shmsrc: 1080p I420 frames per second
# delivered to another process, measured in the same run (ratio printed,
# nothing asserted).  Usage: memsrc.sh BUILDDIR [frames]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
[ $# -ge 1 ] && shift
export GST_PLUGIN_PATH_1_0="$build/plugins"
export GST_REGISTRY="$build/memsrc-bench.registry"
exec nice /usr/bin/python3 "$top/tests/bench/memsrc_bench.py" "$@"
