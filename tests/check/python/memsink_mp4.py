#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The motivating use case: an MP4 made in memory, ready for an HTTP POST.

Encodes 45 frames with x264enc ! mp4mux ! memsink (a 256 KiB budget, so
most of the file is spilled), takes the file with the get-bytes action
signal, and proves it is a playable MP4 by demuxing and decoding it again
from memory (appsrc ! qtdemux ! h264parse ! avdec_h264), counting frames.
"""

import sys
import tempfile

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import GLib, Gst  # noqa: E402

FRAMES = 45


def run(pipeline):
    """Plays @pipeline to EOS; returns the element messages seen."""
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    elements = []
    while True:
        msg = bus.timed_pop_filtered(
            60 * Gst.SECOND,
            Gst.MessageType.EOS | Gst.MessageType.ERROR | Gst.MessageType.ELEMENT)
        if msg is None:
            sys.exit("pipeline did not finish")
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            sys.exit(f"pipeline error: {err.message} ({dbg})")
        if msg.type == Gst.MessageType.EOS:
            break
        elements.append(msg.get_structure().copy())
    pipeline.set_state(Gst.State.NULL)
    return elements


def encode(spill_dir):
    pipeline = Gst.parse_launch(
        f"videotestsrc num-buffers={FRAMES} pattern=snow ! "
        "video/x-raw,width=320,height=240,framerate=15/1 ! "
        "x264enc threads=1 speed-preset=ultrafast bitrate=8000 ! mp4mux ! "
        f"memsink name=sink max-memory=262144 spill-directory={spill_dir}")
    sink = pipeline.get_by_name("sink")
    messages = run(pipeline)
    summaries = [s for s in messages if s.get_name() == "memsink-summary"]
    assert len(summaries) == 1, messages
    summary = summaries[0]
    assert summary.get_value("mode") == "file", summary.to_string()

    data = sink.emit("get-bytes")
    assert data is not None, "get-bytes returned None"
    payload = data.get_data()
    assert summary.get_value("size") == len(payload), summary.to_string()
    assert sink.get_property("size") == len(payload)
    assert sink.get_property("eos")
    assert sink.get_property("spilled-bytes") > 0, \
        f"nothing spilled ({len(payload)} bytes, {summary.to_string()})"
    return payload


def decode(payload):
    """Demuxes and decodes @payload from memory; returns the frame count."""
    pipeline = Gst.parse_launch(
        "appsrc name=src ! qtdemux ! h264parse ! avdec_h264 ! "
        "fakesink name=out signal-handoffs=true")
    src = pipeline.get_by_name("src")
    src.set_property("caps", Gst.Caps.from_string("video/quicktime"))
    src.set_property("stream-type", 2)  # random-access: qtdemux pulls
    src.set_property("size", len(payload))
    count = [0]

    def on_need_data(appsrc, length):
        pos = need[0]
        if pos >= len(payload):
            appsrc.emit("end-of-stream")
            return
        chunk = payload[pos:pos + max(length, 4096)]
        need[0] = pos + len(chunk)
        appsrc.emit("push-buffer", Gst.Buffer.new_wrapped(chunk))

    need = [0]

    def on_seek_data(_src, offset):
        need[0] = offset
        return True

    src.connect("need-data", on_need_data)
    src.connect("seek-data", on_seek_data)
    pipeline.get_by_name("out").connect(
        "handoff", lambda *_: count.__setitem__(0, count[0] + 1))
    run(pipeline)
    return count[0]


def main():
    Gst.init(None)
    with tempfile.TemporaryDirectory(prefix="memsink-py-") as spill_dir:
        payload = encode(spill_dir)
    assert payload[4:8] == b"ftyp", payload[:16]
    frames = decode(payload)
    print(f"memsink MP4: {len(payload)} bytes, {frames} frames decoded")
    assert frames == FRAMES, f"decoded {frames} frames, expected {FRAMES}"


if __name__ == "__main__":
    main()
