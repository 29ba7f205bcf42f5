#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small deterministic "slide deck" clip for the example and doc tests.

    testclip.py OUTPUT.mp4 [--slides N] [--seconds-per-slide S] [--size WxH]

Each slide is a different pattern of horizontal and vertical bars held for
S seconds, encoded with x264enc into MP4 (or Matroska for .mkv), so decoding
it gives real compression artefacts.  With keyframeselect's defaults every
slide start is selected once: N keyframes (reason first, then change).
"""

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

FPS = 25


def slide_frame(index, width, height):
    """I420 bytes of slide @index: bars whose width and phase depend on it."""
    bar = 8 + 12 * (index % 5)
    light = 200 if index % 2 == 0 else 60
    dark = 255 - light
    row_dark = bytes([dark]) * width
    pattern = bytearray(width)
    for x in range(width):
        pattern[x] = light if ((x + index * 17) // bar) % 2 == 0 else dark
    row_bars = bytes(pattern)
    y = bytearray()
    band = 16 + 8 * (index % 4)
    for row in range(height):
        y += row_dark if (row // band) % 3 == 2 else row_bars
    cw, ch = (width + 1) // 2, (height + 1) // 2
    u = bytes([(90 + 40 * index) % 256]) * (cw * ch)
    v = bytes([(160 + 70 * index) % 256]) * (cw * ch)
    return bytes(y) + u + v


def make_clip(path, slides=4, seconds_per_slide=2.0, width=320, height=240):
    """Writes the clip to @path; returns the number of frames."""
    Gst.init(None)
    mux = "matroskamux" if path.endswith(".mkv") else "mp4mux"
    pipeline = Gst.parse_launch(
        "appsrc name=src format=time is-live=false block=true "
        f"caps=video/x-raw,format=I420,width={width},height={height},"
        f"framerate={FPS}/1 ! videoconvert ! "
        "x264enc speed-preset=ultrafast key-int-max=50 bframes=0 threads=1 ! "
        f"h264parse ! {mux} ! filesink name=sink")
    pipeline.get_by_name("sink").set_property("location", path)
    src = pipeline.get_by_name("src")
    pipeline.set_state(Gst.State.PLAYING)
    per_slide = int(round(seconds_per_slide * FPS))
    n = 0
    for s in range(slides):
        data = slide_frame(s, width, height)
        for _ in range(per_slide):
            buf = Gst.Buffer.new_wrapped(data)
            buf.pts = n * Gst.SECOND // FPS
            buf.duration = Gst.SECOND // FPS
            if src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
                break
            n += 1
    src.emit("end-of-stream")
    msg = pipeline.get_bus().timed_pop_filtered(
        120 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if msg is None or msg.type == Gst.MessageType.ERROR:
        err = msg.parse_error()[0].message if msg else "timeout"
        raise RuntimeError(f"could not write {path}: {err}")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output")
    ap.add_argument("--slides", type=int, default=4)
    ap.add_argument("--seconds-per-slide", type=float, default=2.0)
    ap.add_argument("--size", default="320x240")
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    n = make_clip(args.output, args.slides, args.seconds_per_slide, w, h)
    print(f"{args.output}: {n} frames, {args.slides} slides")
    return 0


if __name__ == "__main__":
    sys.exit(main())
