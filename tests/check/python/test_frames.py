# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memvideo.to_ndarray: layouts, padding, zero-copy views and their
lifetime, bad input."""

import gc
import subprocess
import sys

import numpy as np
import pytest

from memvideo import to_ndarray
from memvideo._gst import Gst, GstVideo

PACKED = {"RGB": 3, "BGR": 3, "RGBx": 4, "BGRx": 4, "xRGB": 4, "xBGR": 4,
          "RGBA": 4, "BGRA": 4, "ARGB": 4, "ABGR": 4, "YUY2": 2, "UYVY": 2,
          "YVYU": 2, "GRAY8": 1}
W, H = 70, 38          # even (4:2:0, 4:2:2), not a multiple of 4
PAD_BYTE = 0xA5


def planes_of(fmt, rng):
    """Random compact planes (rows x row bytes) of a W x H frame."""
    if fmt in PACKED:
        return [rng.integers(0, 256, (H, W * PACKED[fmt]), np.uint8)]
    if fmt in ("I420", "YV12"):
        return [rng.integers(0, 256, (H, W), np.uint8),
                rng.integers(0, 256, (H // 2, W // 2), np.uint8),
                rng.integers(0, 256, (H // 2, W // 2), np.uint8)]
    return [rng.integers(0, 256, (H, W), np.uint8),
            rng.integers(0, 256, (H // 2, W), np.uint8)]


def padded_buffer(fmt, planes, row_pad, gap, head=0):
    """A buffer holding @planes with @row_pad bytes after every row, @gap
    bytes between planes and @head before the first, plus its
    GstVideoMeta."""
    data = bytearray([PAD_BYTE]) * head
    offsets, strides = [], []
    for p in planes:
        offsets.append(len(data))
        strides.append(p.shape[1] + row_pad)
        rows = np.full((p.shape[0], p.shape[1] + row_pad), PAD_BYTE,
                       np.uint8)
        rows[:, :p.shape[1]] = p
        data += rows.tobytes() + bytes([PAD_BYTE]) * gap
    buf = Gst.Buffer.new_wrapped(bytes(data))
    n = len(planes)
    GstVideo.buffer_add_video_meta_full(
        buf, GstVideo.VideoFrameFlags.NONE,
        GstVideo.VideoFormat.from_string(fmt), W, H, n,
        offsets + [0] * (4 - n), strides + [0] * (4 - n))
    return buf


def expected(fmt, planes):
    if fmt in PACKED:
        c = PACKED[fmt]
        return planes[0].reshape((H, W) if c == 1 else (H, W, c))
    return np.concatenate([p.reshape(-1) for p in planes]).reshape(
        H * 3 // 2, W)


ALL = list(PACKED) + ["I420", "YV12", "NV12", "NV21"]


@pytest.mark.parametrize("fmt", ALL)
def test_padded_frame_is_one_compact_copy(fmt, rng):
    planes = planes_of(fmt, rng)
    buf = padded_buffer(fmt, planes, row_pad=10, gap=64, head=32)
    a = to_ndarray(buf)
    ref = expected(fmt, planes)
    assert a.dtype == np.uint8
    assert a.shape == ref.shape
    assert np.array_equal(a, ref)
    assert a.flags.c_contiguous and a.flags.owndata and a.flags.writeable


@pytest.mark.parametrize("fmt", ALL)
def test_unpadded_frame_is_a_read_only_view(fmt, rng):
    planes = planes_of(fmt, rng)
    buf = padded_buffer(fmt, planes, row_pad=0, gap=0, head=16)
    a = to_ndarray(buf)
    assert np.array_equal(a, expected(fmt, planes))
    assert not a.flags.owndata and not a.flags.writeable
    assert a.flags.c_contiguous
    with pytest.raises(ValueError):
        a[0, 0] = 1


@pytest.mark.parametrize("fmt,shape", [("BGR", (H, W, 3)), ("GRAY8", (H, W)),
                                       ("NV12", (H * 3 // 2, W)),
                                       ("RGBA", (H, W, 4))])
def test_caps_without_meta(fmt, shape, rng):
    """Without a meta the layout is the caps' (GStreamer pads BGR and GRAY8
    rows to 4 bytes: 70 * 3 = 210 -> 212)."""
    caps = Gst.Caps.from_string(
        f"video/x-raw,format={fmt},width={W},height={H},framerate=1/1")
    info = GstVideo.VideoInfo.new_from_caps(caps)
    data = rng.integers(0, 256, info.size, np.uint8)
    buf = Gst.Buffer.new_wrapped(data.tobytes())
    a = to_ndarray(buf, caps)
    assert a.shape == shape
    stride0 = info.stride[0]
    row = shape[1] * (shape[2] if len(shape) == 3 else 1)
    assert np.array_equal(a[:H].reshape(H, row),
                          data[:H * stride0].reshape(H, stride0)[:, :row])
    sample = Gst.Sample.new(buf, caps, None, None)
    assert np.array_equal(to_ndarray(sample), a)


def decode_i420(path, sink):
    """Frames of @path decoded by avdec_h264 into @sink: memsink answers the
    ALLOCATION query with GstVideoMeta support, so the decoder hands over
    its padded frames; appsink does not, so the decoder copies them into
    compact ones."""
    p = Gst.parse_launch(
        f"filesrc location={path} ! qtdemux ! h264parse ! avdec_h264 ! "
        f"{sink} name=sink")
    s = p.get_by_name("sink")
    p.set_state(Gst.State.PLAYING)
    msg = p.get_bus().timed_pop_filtered(
        60 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    assert msg is not None and msg.type == Gst.MessageType.EOS
    samples = []
    if sink.startswith("memsink"):
        for i in range(s.get_property("n-samples")):
            samples.append(s.emit("get-sample", i))
    else:
        while True:
            smp = s.emit("try-pull-sample", 0)
            if smp is None:
                break
            samples.append(smp)
    p.set_state(Gst.State.NULL)
    return samples


def test_decoder_frames_padded_vs_compact(clips):
    """A 1280x720 frame of avdec_h264 is 1420800 bytes (the planes padded),
    not 1382400: to_ndarray of it equals the decoder's own compact copy."""
    path = clips(slides=2, seconds_per_slide=0.2, size=(1280, 720))
    padded = decode_i420(path, "memsink mode=samples")
    compact = decode_i420(path, "appsink sync=false wait-on-eos=false")
    assert len(padded) == len(compact) == 10
    assert padded[0].get_buffer().get_size() > 1280 * 720 * 3 // 2
    assert GstVideo.buffer_get_video_meta(padded[0].get_buffer()) is not None
    for p, c in zip(padded, compact):
        cb = c.get_buffer()
        assert cb.get_size() == 1280 * 720 * 3 // 2
        ref = np.frombuffer(cb.extract_dup(0, cb.get_size()), np.uint8)
        a = to_ndarray(p)
        assert a.shape == (1080, 1280) and a.flags.owndata
        assert np.array_equal(a.reshape(-1), ref)


def bgr_from_opencv_layout(a, fmt):
    """BT.601 limited-range YUV -> BGR of an OpenCV-layout 4:2:0 array, the
    conversion cv2.COLOR_YUV2BGR_<fmt> does (nearest chroma)."""
    h = a.shape[0] * 2 // 3
    w = a.shape[1]
    y = a[:h].astype(np.float64)
    rest = a[h:].reshape(-1)
    if fmt in ("I420", "YV12"):
        q = (h // 2) * (w // 2)
        c1 = rest[:q].reshape(h // 2, w // 2)
        c2 = rest[q:].reshape(h // 2, w // 2)
        u, v = (c1, c2) if fmt == "I420" else (c2, c1)
    else:
        uv = rest.reshape(h // 2, w // 2, 2)
        u, v = (uv[..., 0], uv[..., 1]) if fmt == "NV12" else \
            (uv[..., 1], uv[..., 0])
    u = np.repeat(np.repeat(u, 2, 0), 2, 1).astype(np.float64) - 128
    v = np.repeat(np.repeat(v, 2, 0), 2, 1).astype(np.float64) - 128
    y = 1.164 * (y - 16)
    bgr = np.stack([y + 2.018 * u, y - 0.391 * u - 0.813 * v, y + 1.596 * v],
                   axis=-1)
    return np.clip(np.rint(bgr), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("fmt", ["I420", "YV12", "NV12", "NV21"])
def test_opencv_layout_matches_videoconvert(fmt, rng):
    """The (h*3/2, w) layout converted the way cv2.cvtColor does equals
    videoconvert's BGR of the same padded frame (within rounding)."""
    # chroma constant over 2x2 blocks already, so no resampler matters
    planes = planes_of(fmt, rng)
    buf = padded_buffer(fmt, planes, row_pad=6, gap=20)
    caps = Gst.Caps.from_string(
        f"video/x-raw,format={fmt},width={W},height={H},framerate=1/1,"
        "colorimetry=bt601,chroma-site=jpeg")
    p = Gst.parse_launch(
        "appsrc name=src format=time ! videoconvert chroma-mode=none "
        "dither=none ! video/x-raw,format=BGR ! appsink name=sink")
    src, sink = p.get_by_name("src"), p.get_by_name("sink")
    src.set_property("caps", caps)
    p.set_state(Gst.State.PLAYING)
    buf.pts = 0
    src.emit("push-buffer", buf)
    out = sink.emit("try-pull-sample", 10 * Gst.SECOND)
    p.set_state(Gst.State.NULL)
    ref = to_ndarray(out).astype(int)
    mine = bgr_from_opencv_layout(to_ndarray(buf), fmt).astype(int)
    # videoconvert's integer matrix differs from the textbook one by a few
    # steps; reading the chroma planes in the wrong order would be far off
    assert np.abs(mine - ref).max() <= 8
    assert np.abs(mine - ref).mean() <= 3
    swapped = {"I420": "YV12", "YV12": "I420", "NV12": "NV21",
               "NV21": "NV12"}[fmt]
    wrong = bgr_from_opencv_layout(to_ndarray(buf), swapped).astype(int)
    assert np.abs(wrong - ref).mean() > 20


def test_view_keeps_the_frame_mapped_until_collected():
    """A view maps the frame: in memsink's pool with max-memory=0 it stays
    resident while the array or a slice of it lives, and spills again
    once they are collected."""
    p = Gst.parse_launch(
        "videotestsrc num-buffers=3 ! video/x-raw,format=BGR,width=320,"
        "height=240 ! memsink name=sink mode=samples max-memory=0")
    sink = p.get_by_name("sink")
    p.set_state(Gst.State.PLAYING)
    msg = p.get_bus().timed_pop_filtered(
        30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    assert msg.type == Gst.MessageType.EOS
    assert sink.get_property("frames-resident") == 0
    a = to_ndarray(sink.emit("get-sample", 1))
    assert not a.flags.owndata
    assert sink.get_property("frames-resident") == 1
    part = a[10:20, 5:9]
    del a
    gc.collect()
    assert sink.get_property("frames-resident") == 1
    assert part.shape == (10, 4, 3)
    del part
    gc.collect()
    assert sink.get_property("frames-resident") == 0
    p.set_state(Gst.State.NULL)


def test_bad_input(rng):
    buf = Gst.Buffer.new_wrapped(bytes(100))
    with pytest.raises(ValueError, match="no GstVideoMeta: pass its caps"):
        to_ndarray(buf)
    with pytest.raises(ValueError, match="Not raw video caps"):
        to_ndarray(buf, Gst.Caps.from_string("video/x-h264"))
    with pytest.raises(TypeError, match="expects a Gst.Sample or a "
                       "Gst.Buffer, not bytes"):
        to_ndarray(b"123")
    caps = Gst.Caps.from_string("video/x-raw,format=I420,width=7,height=5")
    with pytest.raises(ValueError, match="A 7x5 I420 frame has no OpenCV "
                       "layout: width and height must be even"):
        to_ndarray(Gst.Buffer.new_wrapped(bytes(80)), caps)
    caps = Gst.Caps.from_string("video/x-raw,format=Y444,width=8,height=8")
    with pytest.raises(ValueError, match="does not support video format "
                       "Y444"):
        to_ndarray(Gst.Buffer.new_wrapped(bytes(192)), caps)
    caps = Gst.Caps.from_string("video/x-raw,format=BGR,width=8,height=8")
    with pytest.raises(ValueError, match="A 8x8 BGR frame needs 192 bytes, "
                       "the buffer has 100"):
        to_ndarray(buf, caps)



def test_views_alive_at_interpreter_exit(clips):
    """The RSS test's child on a small clip: views and sequences still alive
    in module globals when the interpreter exits must not crash it (they
    did, in unmap() during the final garbage collection) nor print GLib
    criticals."""
    from test_rss import CHILD
    small = clips(slides=2, seconds_per_slide=1.0, size=(1280, 720))
    r = subprocess.run([sys.executable, "-c", CHILD, small, small, "16",
                        "iterate"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "CRITICAL" not in r.stderr
