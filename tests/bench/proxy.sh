#!/bin/sh
# keyframeselect's luma proxy per pixel format, hot and cold, against a read
# of every luma byte.  Usage: proxy.sh BUILDDIR [proxy-bench options]
set -eu
build=$1
shift
exec "$build/tests/bench/proxy-bench" "$@"
