# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memvideo.encode_mp4: the MP4 decoded frame by frame, the zero-copy
memoryview, slices for a streamed HTTP POST, bad input."""

import hashlib
import http.server
import threading
import urllib.request

import numpy as np
import pytest

from memvideo import encode_mp4, iter_slices, to_ndarray
from memvideo._gst import Gst

W, H, N, FPS = 320, 240, 24, 12


def make_frames(rng, n=N, w=W, h=H):
    """Distinct smooth BGR pictures: each a coloured gradient plus a block
    whose place depends on the frame number."""
    frames = []
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        base = rng.integers(40, 200, 3)
        f = np.empty((h, w, 3), np.uint8)
        for c in range(3):
            f[..., c] = (base[c] + (xx * (c + 1) + yy * (3 - c)) // 8) % 256
        x0 = (i * 37) % (w - 48)
        f[40:88, x0:x0 + 48] = (255, 255, 255)
        frames.append(f)
    return frames


def decode(data, tmp_path):
    """(caps, [(pts, BGR frame)]) of the MP4 @data, by qtdemux ! avdec."""
    path = tmp_path / "out.mp4"
    path.write_bytes(data)
    p = Gst.parse_launch(
        f"filesrc location={path} ! qtdemux ! h264parse ! avdec_h264 ! "
        "videoconvert ! video/x-raw,format=BGR ! appsink name=sink "
        "sync=false wait-on-eos=false")
    sink = p.get_by_name("sink")
    p.set_state(Gst.State.PLAYING)
    out, caps = [], None
    while True:
        sample = sink.emit("try-pull-sample", 30 * Gst.SECOND)
        if sample is None:
            break
        caps = sample.get_caps()
        out.append((sample.get_buffer().pts, to_ndarray(sample).copy()))
    msg = p.get_bus().pop_filtered(Gst.MessageType.ERROR)
    p.set_state(Gst.State.NULL)
    assert msg is None, msg.parse_error()[0].message
    return caps, out


def top_level_boxes(data):
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        boxes.append(bytes(data[pos + 4:pos + 8]).decode("latin-1"))
        pos += size
    return boxes


def test_frames_come_back_in_order(rng, tmp_path):
    frames = make_frames(rng)
    data = encode_mp4(frames, FPS, speed_preset="ultrafast", pass_="quant",
                      quantizer=12)
    assert isinstance(data, memoryview) and data.readonly
    assert data.format == "B" and data.nbytes == len(data)
    assert top_level_boxes(data)[0] == "ftyp"
    assert "moov" in top_level_boxes(data) and "mdat" in \
        top_level_boxes(data)
    caps, decoded = decode(data, tmp_path)
    s = caps.get_structure(0)
    assert (s.get_int("width")[1], s.get_int("height")[1]) == (W, H)
    assert s.get_fraction("framerate")[1:] == (FPS, 1)
    assert len(decoded) == N
    for i, (pts, picture) in enumerate(decoded):
        assert pts == i * Gst.SECOND // FPS
        err = [np.abs(picture.astype(int) - f).mean() for f in frames]
        # 4:2:0 chroma of the coloured gradients costs a few steps
        assert err[i] < 6, f"frame {i}: mean error {err[i]:.1f}"
        assert int(np.argmin(err)) == i


def test_rgb_order_and_scaling(rng, tmp_path):
    frames = make_frames(rng, n=6)
    rgb = [f[..., ::-1] for f in frames]   # not contiguous: copied in
    caps, decoded = decode(encode_mp4(rgb, 25, color="rgb",
                                      speed_preset="ultrafast",
                                      bitrate=4000), tmp_path)
    for (_, picture), f in zip(decoded, frames):
        assert np.abs(picture.astype(int) - f).mean() < 4
    caps, decoded = decode(encode_mp4(iter(frames), 25, 160, 120,
                                      speed_preset="ultrafast"), tmp_path)
    s = caps.get_structure(0)
    assert (s.get_int("width")[1], s.get_int("height")[1]) == (160, 120)
    assert len(decoded) == 6


def test_padded_rows(rng, tmp_path):
    """A width whose rows GStreamer pads (318 * 3 is no multiple of 4)."""
    frames = make_frames(rng, n=4, w=318, h=240)
    caps, decoded = decode(encode_mp4(frames, 10, speed_preset="ultrafast",
                                      bitrate=4000), tmp_path)
    for (_, picture), f in zip(decoded, frames):
        assert np.abs(picture.astype(int) - f).mean() < 4


def test_spilling_file_is_complete(rng, tmp_path):
    """memsink with a 1 MiB budget spills the file; it is as long as the
    file made without a budget and decodes to the same pictures (the bytes
    differ in mp4mux's creation times)."""
    frames = [rng.integers(0, 256, (H, W, 3), np.uint8) for _ in range(20)]
    a = encode_mp4(frames, 10, speed_preset="ultrafast", quantizer=5,
                   pass_="quant")
    b = encode_mp4(frames, 10, speed_preset="ultrafast", quantizer=5,
                   pass_="quant", max_memory_mb=1)
    assert len(a) > 2 * 1024 * 1024
    assert len(a) == len(b)
    _, pictures_a = decode(a, tmp_path)
    _, pictures_b = decode(b, tmp_path)
    assert len(pictures_a) == len(pictures_b) == 20
    for (ta, pa), (tb, pb) in zip(pictures_a, pictures_b):
        assert ta == tb and np.array_equal(pa, pb)


def test_iter_slices_and_http_post(rng):
    data = encode_mp4(make_frames(rng, n=8), 8, speed_preset="ultrafast")
    parts = list(iter_slices(data, 1000))
    assert all(isinstance(p, memoryview) for p in parts)
    assert [len(p) for p in parts[:-1]] == [1000] * (len(parts) - 1)
    assert 0 < len(parts[-1]) <= 1000
    assert b"".join(parts) == bytes(data)
    with pytest.raises(ValueError, match="size must be a positive integer"):
        next(iter_slices(data, 0))

    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers["Content-Length"])
            received.append((self.headers["Content-Type"],
                             self.rfile.read(n)))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/upload"
    try:
        headers = {"Content-Type": "video/mp4"}
        r = urllib.request.urlopen(urllib.request.Request(
            url, data=data, headers=headers), timeout=30)
        assert r.status == 201
        headers["Content-Length"] = str(len(data))
        r = urllib.request.urlopen(urllib.request.Request(
            url, data=iter_slices(data, 4096), headers=headers), timeout=30)
        assert r.status == 201
    finally:
        server.shutdown()
        server.server_close()
    digest = hashlib.sha256(data).hexdigest()
    assert [(t, hashlib.sha256(b).hexdigest()) for t, b in received] == \
        [("video/mp4", digest)] * 2


@pytest.mark.parametrize("frames,kwargs,error,message", [
    ([], {}, ValueError, "needs at least one frame"),
    ("f", {}, ValueError, "expects frames of shape"),
    ([np.zeros((8, 8), np.uint8)], {}, ValueError,
     r"expects frames of shape \(height, width, 3\)"),
    ([np.zeros((8, 8, 3), np.uint8)], {"color": "rgba"}, ValueError,
     r"expects frames of shape \(height, width, 4\)"),
    ([np.zeros((8, 8, 3), np.uint8)], {"color": "gray"}, ValueError,
     "color must be one of"),
    ([np.zeros((8, 8, 4), np.uint8)], {}, ValueError,
     r"expects frames of shape \(height, width, 3\)"),
    ([np.zeros((8, 8, 3), np.uint8), np.zeros((8, 10, 3), np.uint8)], {},
     ValueError, r"frame 1 has shape \(8, 10, 3\)"),
    ([np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.float32)], {},
     ValueError, "frame 1 is not a uint8 numpy array"),
    ([np.zeros((8, 8, 3), np.uint8)], {"fps": 0}, ValueError,
     "fps must be a number above 0"),
    ([np.zeros((8, 8, 3), np.uint8)], {"color": "yuv"}, ValueError,
     "color must be one of"),
    ([np.zeros((8, 9, 3), np.uint8)], {}, ValueError,
     "width must be an even number"),
    ([np.zeros((8, 8, 3), np.uint8)], {"height": 7}, ValueError,
     "height must be an even number"),
    ([np.zeros((8, 8, 3), np.uint8)], {"speed_preset": "warp"}, ValueError,
     "not a valid value for x264enc's property 'speed-preset'"),
    ([np.zeros((8, 8, 3), np.uint8)], {"bitrate": 0}, ValueError,
     "not a valid value for x264enc's property 'bitrate'"),
    ([np.zeros((8, 8, 3), np.uint8)], {"colour": 1}, TypeError,
     "x264enc has no writable property 'colour'"),
])
def test_bad_input(frames, kwargs, error, message):
    kwargs.setdefault("fps", 10)
    with pytest.raises(error, match=message):
        encode_mp4(frames, **kwargs)
