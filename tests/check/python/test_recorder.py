# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PreEventRecorder over memsink's save action, on a live test source."""

import pytest

from memvideo import PreEventRecorder
from memvideo._gst import Gst

LIVE = ("videotestsrc is-live=true pattern=ball ! "
        "video/x-raw,width=160,height=120,framerate=30/1")


def decoded_frames(path):
    p = Gst.parse_launch(f"filesrc location={path} ! decodebin ! "
                         "fakesink name=sink sync=false")
    sink = p.get_by_name("sink")
    frames = []
    sink.get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER,
        lambda pad, info: frames.append(info.get_buffer().pts)
        or Gst.PadProbeReturn.OK)
    p.set_state(Gst.State.PLAYING)
    msg = p.get_bus().timed_pop_filtered(
        30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    p.set_state(Gst.State.NULL)
    assert msg is not None and msg.type == Gst.MessageType.EOS
    return frames


def wait_for_samples(rec, n):
    """Polls memsink's count (the live source fills it in real time)."""
    bus = rec.pipeline.get_bus()
    while rec.sink.get_property("n-samples") < n:
        bus.timed_pop(20 * Gst.MSECOND)


def test_trigger_saves_before_and_after(tmp_path):
    out = tmp_path / "event.mp4"
    with PreEventRecorder(LIVE, window=2.0) as rec:
        wait_for_samples(rec, 45)
        info = rec.trigger(out, before=1.0, after=0.5).wait(30)
    assert info["location"] == str(out)
    assert info["size"] == out.stat().st_size
    frames = decoded_frames(out)
    assert len(frames) == info["n-samples"]
    # from the keyframe at or before 1 s ago (GOP 30), plus 0.5 s
    assert 45 <= len(frames) <= 30 + 30 + 15 + 2
    assert frames[0] == 0


def test_refusals(tmp_path):
    with pytest.raises(ValueError, match="window"):
        PreEventRecorder(LIVE, window=0)
    with pytest.raises(ValueError, match="nosuchsrc"):
        PreEventRecorder("nosuchsrc")
    with PreEventRecorder(LIVE, window=1.0) as rec:
        wait_for_samples(rec, 5)
        with pytest.raises(ValueError, match="cannot save"):
            rec.trigger(tmp_path / "clip.xyz", before=0.1)
        with pytest.raises(ValueError, match="0 or more"):
            rec.trigger(tmp_path / "clip.mp4", before=-1)


def test_unwritable_directory_raises_oserror(tmp_path):
    out = tmp_path / "missing" / "event.mp4"
    with PreEventRecorder(LIVE, window=1.0) as rec:
        wait_for_samples(rec, 10)
        clip = rec.trigger(out, before=0.2)
        with pytest.raises(OSError, match="Could not save the clip"):
            clip.wait(30)
