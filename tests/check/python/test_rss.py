# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Peak RSS of a process that iterates every frame extract_frames holds.

A 40 s 1280x720 clip with a periodic capture every 0.2 s: 200 selected BGR
frames of 2.76 MB, 553 MB in all, under a budget of BUDGET_MB. A child
process (so the peak is its own) warms up on a small clip, resets its peak
(VmHWM), extracts, then reads every pixel of every frame, one frame at a
time. Its peak must stay within

    baseline + budget + DECODER_MB (avdec_h264's frames and threads,
    videoconvert, the JPEG codec) + 2 frames (the one read, the next) +
    SLACK_MB (allocator and Python)

and the same child keeping a copy of every frame (a plain list, as the
seeds do) must exceed that limit, which shows the measure can fail.
"""

import json
import subprocess
import sys

import pytest

BUDGET_MB = 16
DECODER_MB = 40
SLACK_MB = 32
FRAME = 1280 * 720 * 3

CHILD = r"""
import json, sys
import memvideo

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

small, clip, budget, mode = sys.argv[1], sys.argv[2], float(sys.argv[3]), \
    sys.argv[4]
with memvideo.extract_frames(small, sampling_rate=None,
                             periodic_capture_seconds=0.2,
                             max_memory_mb=budget,
                             spill_format="jpeg") as warm:
    sum(int(f.sum()) for f in warm)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
baseline = status("VmRSS")
frames = memvideo.extract_frames(clip, sampling_rate=None,
                                 periodic_capture_seconds=0.2,
                                 max_memory_mb=budget, spill_format="jpeg")
kept, total = [], 0
for frame in frames:
    total += int(frame.sum())
    if mode == "keep":
        kept.append(frame.copy())
print(json.dumps({"baseline": baseline, "peak": status("VmHWM"),
                  "frames": len(frames),
                  "spilled": frames.stats.frames_spilled, "sum": total}))
"""


@pytest.fixture(scope="module")
def long_clip(clips):
    return clips(slides=4, seconds_per_slide=10.0, size=(1280, 720))


def run_child(small, clip, mode):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, small, clip, str(BUDGET_MB), mode],
        check=True, capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout)


def test_iterating_all_frames_stays_within_the_budget(clips, long_clip):
    small = clips(slides=2, seconds_per_slide=1.0, size=(1280, 720))
    pool = run_child(small, long_clip, "iterate")
    limit = pool["baseline"] + (BUDGET_MB + DECODER_MB + SLACK_MB) * 2**20 \
        + 2 * FRAME
    mib = 2**20
    print(f"iterate: {pool['frames']} frames ({pool['frames'] * FRAME / mib:.0f}"
          f" MiB), baseline {pool['baseline'] / mib:.0f} MiB, peak "
          f"{pool['peak'] / mib:.0f} MiB, limit {limit / mib:.0f} MiB, "
          f"{pool['spilled']} spilled")
    assert pool["frames"] == 200
    assert pool["spilled"] >= 190
    assert pool["peak"] <= limit
    keep = run_child(small, long_clip, "keep")
    print(f"keep: peak {keep['peak'] / mib:.0f} MiB")
    assert keep["sum"] == pool["sum"]
    assert keep["peak"] > limit + 100 * mib
