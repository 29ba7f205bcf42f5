#!/bin/sh
# keyframeselect against identity, scenechange and ffmpeg's scene score,
# 1080p and 2160p, then at 1080p with frames from 120 separately allocated
# buffers.  Usage: keyframeselect.sh BUILDDIR [kfs-bench options]
set -eu
build=$1
shift
export GST_PLUGIN_PATH="$build/plugins${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
"$build/tests/bench/kfs-bench" "$@"
# frames as a decoder allocates them: one buffer each, 120 held in RAM
exec "$build/tests/bench/kfs-bench" --sizes 1080 --pooled "$@"
