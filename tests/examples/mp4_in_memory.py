#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""mp4_in_memory.py: encode a clip to an MP4 in memory and hand the bytes on.

    mp4_in_memory.py [--input FILE] [--frames N] [--max-memory BYTES]
                     [--save FILE] [--post URL]

Encodes a video (a test pattern, or FILE) with

    ... ! x264enc ! mp4mux ! memsink max-memory=BYTES

where memsink, seeing the BYTES segment of the muxer, works as an in-memory
file: mp4mux's seek back to rewrite the header at EOS lands in memory, and
beyond max-memory the file's chunks spill to an unlinked temporary file,
like a spooled temporary file.  At EOS the `get-bytes` action signal
returns the whole MP4 as one GBytes, which is handed to a function; the
motivating case is an HTTP POST (--post URL).  Nothing touches the disk
unless you ask for --save.
"""

import argparse
import hashlib
import sys
import urllib.request

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402


def encode_mp4_in_memory(input_path=None, frames=150, width=640, height=360,
                         max_memory=8 * 1024 * 1024):
    """Runs the pipeline and returns the MP4 as bytes."""
    Gst.init(None)
    if input_path:
        source = ("filesrc name=src ! decodebin ! videoconvert ! "
                  "videoscale ! video/x-raw,format=I420,"
                  f"width={width},height={height}")
    else:
        source = (f"videotestsrc num-buffers={frames} pattern=ball ! "
                  f"video/x-raw,format=I420,width={width},height={height},"
                  "framerate=25/1")
    pipeline = Gst.parse_launch(
        f"{source} ! x264enc speed-preset=veryfast ! h264parse ! mp4mux ! "
        f"memsink name=sink max-memory={max_memory}")
    if input_path:
        pipeline.get_by_name("src").set_property("location", input_path)
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    msg = pipeline.get_bus().timed_pop_filtered(
        Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    try:
        if msg.type == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            raise RuntimeError(f"encoding failed: {err.message}")
        # One consistent snapshot of the in-memory file, taken while the
        # pipeline still holds it (memsink drops its data when stopped).
        gbytes = sink.emit("get-bytes")
        return gbytes.get_data()
    finally:
        pipeline.set_state(Gst.State.NULL)


def describe(data):
    """The top-level MP4 boxes, e.g. ['ftyp', 'mdat', 'moov']."""
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8].decode("latin-1")
        if size == 1 and pos + 16 <= len(data):
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
        elif size == 0:
            size = len(data) - pos
        if size < 8:
            break
        boxes.append(kind)
        pos += size
    return boxes


def post(url, data, content_type="video/mp4"):
    """The HTTP POST case: send the bytes as the request body."""
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", help="video file to re-encode "
                    "(default: a test pattern)")
    ap.add_argument("--frames", type=int, default=150,
                    help="frames of test pattern (default 150)")
    ap.add_argument("--max-memory", type=int, default=8 * 1024 * 1024,
                    help="memsink's RAM budget in bytes (default 8 MiB)")
    ap.add_argument("--save", help="also write the bytes to this file")
    ap.add_argument("--post", metavar="URL",
                    help="POST the bytes to this URL as video/mp4")
    args = ap.parse_args(argv[1:])

    try:
        data = encode_mp4_in_memory(args.input, args.frames,
                                    max_memory=args.max_memory)
    except RuntimeError as e:
        print(f"mp4_in_memory.py: {e}", file=sys.stderr)
        return 1
    print(f"mp4_in_memory.py: {len(data)} bytes of MP4 in memory, boxes "
          f"{' '.join(describe(data))}, sha256 "
          f"{hashlib.sha256(data).hexdigest()[:16]}")
    if args.save:
        with open(args.save, "wb") as f:
            f.write(data)
        print(f"mp4_in_memory.py: saved to {args.save}")
    if args.post:
        try:
            status = post(args.post, data)
        except OSError as e:
            print(f"mp4_in_memory.py: POST {args.post} failed: {e}",
                  file=sys.stderr)
            return 1
        print(f"mp4_in_memory.py: POST {args.post}: HTTP {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
