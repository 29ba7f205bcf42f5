#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""extract --fast against extract on a generated screen share.

A 320x180 clip (tests/media/fast-clip) with slides changing at frames 397,
761 and 1153 and keyframes every 60 frames:

- regular file: index.json lists the same frames, reasons and scores and
  every JPEG file is byte-identical to the full path's; index.json says
  "fast": true;
- the same clip through a FIFO: exactly one message on stderr, then the
  full path's output.

Environment (set by meson): EXTRACT, FAST_CLIP.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading

EXTRACT = os.environ["EXTRACT"]
FAST_CLIP = os.environ["FAST_CLIP"]
FRAMES = [0, 397, 761, 1153]
REASONS = ["first", "change", "change", "change"]


def fail(what):
    print("FAIL: " + what)
    sys.exit(1)


def extract(src, out, *opts):
    p = subprocess.run([EXTRACT, src, out, "interval=0", *opts],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"extract {opts} exited {p.returncode}: {p.stderr}")
    with open(os.path.join(out, "index.json")) as f:
        index = json.load(f)
    return index, p.stderr


def entries(index):
    return [(k["frame"], k["reason"], k["score"], k["file"])
            for k in index["keyframes"]]


def same_files(a, b, index):
    for k in index["keyframes"]:
        with open(os.path.join(a, k["file"]), "rb") as fa, \
                open(os.path.join(b, k["file"]), "rb") as fb:
            if fa.read() != fb.read():
                fail(f"{k['file']} differs between the two paths")


def main():
    tmp = tempfile.mkdtemp(prefix="extract-fast-")
    clip = os.path.join(tmp, "slides.mp4")
    subprocess.run([FAST_CLIP, clip, "320", "180", "1500", "60",
                    "0:11,397:12,761:13,1153:14"], check=True, timeout=120)

    full, _ = extract(clip, os.path.join(tmp, "full"))
    fast, err = extract(clip, os.path.join(tmp, "fast"), "--fast")
    if [e[0] for e in entries(full)] != FRAMES or \
            [e[1] for e in entries(full)] != REASONS:
        fail(f"full path selected {entries(full)}")
    if entries(fast) != entries(full):
        fail(f"fast path selected {entries(fast)}, full {entries(full)}")
    if fast.get("fast") is not True or "fast" in full:
        fail("index.json does not say which path made it")
    if err != "":
        fail(f"extract --fast on a file wrote to stderr: {err!r}")
    same_files(os.path.join(tmp, "full"), os.path.join(tmp, "fast"), full)

    fifo = os.path.join(tmp, "pipe.mp4")
    os.mkfifo(fifo)

    def feed():
        # extract's full path (uridecodebin) sometimes opens a FIFO, closes
        # it and opens it again, with or without --fast: the whole clip is
        # written to every reader until one reads it all
        with open(clip, "rb") as src:
            data = src.read()
        for _ in range(5):
            try:
                with open(fifo, "wb") as dst:
                    dst.write(data)
                return
            except BrokenPipeError:
                continue

    writer = threading.Thread(target=feed)
    writer.start()
    piped, err = extract(fifo, os.path.join(tmp, "piped"), "--fast")
    writer.join()
    fallback = [line for line in err.splitlines() if "--fast" in line]
    expected = (f"extract: --fast: {fifo} is not a regular file and cannot "
                "seek; decoding every frame instead")
    if fallback != [expected]:
        fail(f"fallback messages {fallback!r}, expected [{expected!r}]")
    if entries(piped) != entries(full) or "fast" in piped:
        fail(f"the fallback selected {entries(piped)}")
    same_files(os.path.join(tmp, "full"), os.path.join(tmp, "piped"), full)
    print("OK: extract --fast equals extract; a FIFO falls back with one "
          "message")


if __name__ == "__main__":
    main()
