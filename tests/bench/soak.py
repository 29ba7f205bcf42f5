#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Soak: a long 720p30 stream through all three elements.

    videotestsrc pattern=smpte horizontal-speed=2 (every frame differs)
      ! 720p30 I420 ! keyframeselect settle-time=0 activity-window=0
      ! memspill max-memory=32 MiB
      ! memsink max-age=10 s

(settle and the activity mask off, so that the moving bars keep about 11
frames a second: the store's worst case rather than a quiet lecture) and
runs SOAK_MINUTES minutes of stream time (default 60) as fast as the
machine allows, and prints once per minute of stream time: wall time, RSS,
open file descriptors, the spill files' size on disk (memspill's and
memsink's unlinked files, found through /proc/self/fd) and what the
elements report.  At the end: the first and last minute side by side.
Flat means RSS, fds and spill size of the last minute within a few
percent of the first; nothing is asserted.
"""

import os
import sys
import tempfile
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

MIB = 1024 * 1024
FPS = 30


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def fds_and_spill(spill_dir):
    """Open descriptors, and the allocated bytes of those in spill_dir."""
    n, disk = 0, 0
    for name in os.listdir("/proc/self/fd"):
        path = "/proc/self/fd/" + name
        n += 1
        try:
            target = os.readlink(path)
            if target.startswith(spill_dir):
                disk += os.stat(path).st_blocks * 512
        except OSError:
            pass
    return n, disk


class Soak:
    def __init__(self, minutes, spill_dir):
        self.frames = minutes * 60 * FPS
        self.spill_dir = spill_dir
        self.pipeline = Gst.parse_launch(
            "videotestsrc pattern=smpte horizontal-speed=2 num-buffers=%d "
            "! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 "
            "! keyframeselect name=kfs settle-time=0 activity-window=0 "
            "! memspill name=spill max-memory=%d "
            "spill-directory=%s ! memsink name=sink max-age=%d "
            "spill-directory=%s" % (self.frames, 32 * MIB, spill_dir,
                                    10 * Gst.SECOND, spill_dir))
        self.spill = self.pipeline.get_by_name("spill")
        self.sink = self.pipeline.get_by_name("sink")
        self.rows = []
        self.next_minute = 1
        pad = self.sink.get_static_pad("sink")
        pad.add_probe(Gst.PadProbeType.BUFFER, self.on_buffer)
        self.t0 = time.monotonic()

    def on_buffer(self, pad, info):
        pts = info.get_buffer().pts
        if pts != Gst.CLOCK_TIME_NONE and \
                pts >= self.next_minute * 60 * Gst.SECOND:
            self.sample(self.next_minute)
            self.next_minute += 1
        return Gst.PadProbeReturn.OK

    def sample(self, minute):
        fds, disk = fds_and_spill(self.spill_dir)
        row = (minute, time.monotonic() - self.t0, status_kib("VmRSS"),
               fds, disk, self.spill.get_property("resident-bytes"),
               self.sink.get_property("n-samples"))
        self.rows.append(row)
        print("%4d min  wall %7.1f s  RSS %7.1f MiB  fds %3d  spill files "
              "%7.1f MiB  memspill resident %5.1f MiB  memsink samples %d"
              % (row[0], row[1], row[2] / 1024, row[3], row[4] / MIB,
                 row[5] / MIB, row[6]), flush=True)

    def run(self):
        bus = self.pipeline.get_bus()
        self.pipeline.set_state(Gst.State.PLAYING)
        msg = bus.timed_pop_filtered(
            Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print("error: %s (%s)" % (err.message, dbg))
        self.pipeline.set_state(Gst.State.NULL)

    def report(self):
        if len(self.rows) < 2:
            print("soak: fewer than two minutes measured")
            return
        first, last = self.rows[0], self.rows[-1]
        print("first minute vs last (%d min, %.0f s wall):" % (
            last[0], last[1]))
        for name, i, scale, unit in (("RSS", 2, 1024.0, "MiB"),
                                     ("fds", 3, 1, ""),
                                     ("spill files", 4, MIB, "MiB")):
            a, b = first[i] / scale, last[i] / scale
            ratio = b / a if a else float("nan")
            print("  %-12s %8.1f -> %8.1f %s  (x%.3f; max %.1f)" % (
                name, a, b, unit, ratio,
                max(r[i] for r in self.rows) / scale))


def main():
    Gst.init(None)
    minutes = int(os.environ.get("SOAK_MINUTES", "60"))
    spill_dir = tempfile.mkdtemp(prefix="memvideo-soak-",
                                 dir=os.environ.get("SOAK_SPILL_DIR"))
    print("soak: %d min of 720p30 (%d frames), spill directory %s" % (
        minutes, minutes * 60 * FPS, spill_dir))
    soak = Soak(minutes, spill_dir)
    soak.run()
    if soak.next_minute <= minutes:
        soak.sample(minutes)  # the last minute ends with the stream
    soak.report()
    os.rmdir(spill_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
