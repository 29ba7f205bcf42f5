#!/bin/sh
# keyframeselect against identity, scenechange and ffmpeg's scene score,
# 1080p and 2160p.  Usage: keyframeselect.sh BUILDDIR [kfs-bench options]
set -eu
build=$1
shift
GST_PLUGIN_PATH="$build/plugins${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}" \
  exec "$build/tests/bench/kfs-bench" "$@"
