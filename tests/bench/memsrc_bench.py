#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""1080p I420 frames per second delivered to another process.

memsink socket-path + memsrc (follow) against shmsink + shmsrc, measured in
the same run: the writer is a gst-launch-1.0 process producing as fast as
it can (videotestsrc pattern=black, live timestamps at 1000/1), the reader
is this process, which counts buffers with a pad probe from the first one
to the last and maps every frame (so memsrc's zero copy is not a free
ride).  Prints frames/s of both, the ratio, and what memsrc reported
missed.  Asserts nothing.

    memsrc_bench.py [frames]
"""

import os
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

CAPS = "video/x-raw,format=I420,width=1920,height=1080,framerate=1000/1"


def wait_path(path, proc, timeout=10.0):
    """Polls for the writer's socket (a condition, bounded)."""
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > end:
            raise RuntimeError("writer did not create " + path)
        time.sleep(0.005)


def read(desc, frames):
    """Runs the reader pipeline; returns (frames/s, reader element)."""
    pipe = Gst.parse_launch(desc + " ! fakesink name=sink sync=false")
    sink = pipe.get_by_name("sink")
    stamps = []

    def probe(pad, info):
        buf = info.get_buffer()
        ok, m = buf.map(Gst.MapFlags.READ)
        if ok:
            buf.unmap(m)
        stamps.append(time.monotonic())
        return Gst.PadProbeReturn.OK

    sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, probe)
    pipe.set_state(Gst.State.PLAYING)
    msg = pipe.get_bus().timed_pop_filtered(
        30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    src = pipe.get_by_name("src")
    pipe.set_state(Gst.State.NULL)
    if msg is None or msg.type != Gst.MessageType.EOS:
        raise RuntimeError("reader failed: %s" %
                           (msg.parse_error()[0].message if msg else "timeout"))
    n = len(stamps) - 1
    return n / (stamps[-1] - stamps[0]), src


def run(name, writer, reader, path, frames):
    proc = subprocess.Popen(["gst-launch-1.0", "-q"] + writer.split(),
                            stdout=subprocess.DEVNULL)
    try:
        wait_path(path, proc)
        fps, src = read(reader, frames)
    except RuntimeError as e:
        print("%-18s failed: %s" % (name, e))
        return None
    finally:
        proc.terminate()
        proc.wait()
    extra = ""
    if src.find_property("missed"):
        extra = " (missed %d)" % src.get_property("missed")
    print("%-18s %8.1f frames/s%s" % (name, fps, extra))
    return fps


def main():
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    Gst.init(None)
    work = tempfile.mkdtemp(prefix="memsrc-bench-")
    ms, shm = os.path.join(work, "ms.sock"), os.path.join(work, "shm.sock")
    src = "videotestsrc is-live=true pattern=black ! " + CAPS
    print("1080p I420, %d frames to another process" % frames)
    a = run("memsink+memsrc",
            src + " ! memsink max-samples=60 socket-path=" + ms,
            "memsrc name=src mode=follow num-buffers=%d socket-path=%s"
            % (frames, ms), ms, frames)
    b = run("shmsink+shmsrc",
            src + " ! shmsink wait-for-connection=false sync=false "
            "shm-size=%d socket-path=%s" % (8 * 1920 * 1080 * 3 // 2, shm),
            "shmsrc name=src is-live=true num-buffers=%d socket-path=%s ! "
            % (frames, shm) + CAPS, shm, frames)
    if a and b:
        print("ratio memsink+memsrc / shmsink+shmsrc: %.2f" % (a / b))
    os.rmdir(work)


if __name__ == "__main__":
    main()
