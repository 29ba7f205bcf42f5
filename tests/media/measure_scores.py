#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Measure keyframeselect's scores on real material, per content type.

    measure_scores.py [--pdf FILE] [--photos DIR] [--pages N]

Renders pages of a real PDF with pdftoppm (default: the libtasn1 manual of
Debian's libtasn1-doc) into a 1280x720 GRAY8 screen share and decodes
photographs (default: the bitmap wallpapers of gnome-backgrounds), then
runs each kind of content alone through keyframeselect (in build/plugins
when GST_PLUGIN_PATH says so) with
reference=previous, threshold=1, interval=0 and drop=false, reading
`last-score` for every frame (the default metric `area`, noise-level 16,
analysis-width 160).  It prints, per content type, the range of the scores
of the frames where that content changed: page changes (with the page's
ink share, near-blank pages included), a moving cursor, typing, sensor
noise, a large inset (16% of the frame) playing panned photographs, film
motion (photographs panned with camera shake) and hard cuts between them.
The inset is measured without the activity mask (activity-window=0) and,
separately, with it at its defaults.  Nothing is written to disk beyond a
temporary directory; the table in docs/keyframeselect.md comes from here.
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import gi
import numpy as np

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

W, H, FPS = 1280, 720, 30
PAPER = 235


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    w, h = int(parts[1]), int(parts[2])
    return np.frombuffer(parts[4][:w * h], dtype=np.uint8).reshape(h, w)


def render_pages(pdf, n, tmp):
    subprocess.run(["pdftoppm", "-gray", "-r", "90", "-f", "1", "-l", str(n),
                    pdf, os.path.join(tmp, "p")], check=True)
    return [read_pgm(p) for p in sorted(glob.glob(os.path.join(tmp, "p-*.pgm")))]


def decode_photo(path, w, h):
    pipe = Gst.parse_launch(
        f"filesrc location={path} ! decodebin ! videoconvert ! videoscale "
        f"! video/x-raw,format=GRAY8,width={w},height={h} "
        "! appsink name=sink sync=false")
    sink = pipe.get_by_name("sink")
    pipe.set_state(Gst.State.PLAYING)
    sample = sink.emit("try-pull-sample", 10 * Gst.SECOND)
    pipe.set_state(Gst.State.NULL)
    if sample is None:
        return None
    buf = sample.get_buffer()
    ok, info = buf.map(Gst.MapFlags.READ)
    stride = len(info.data) // h
    a = np.frombuffer(info.data, dtype=np.uint8).reshape(h, stride)[:, :w]
    a = a.copy()
    buf.unmap(info)
    return a


def screen(page):
    """A page on a grey desktop, scaled to the height like a shared PDF."""
    frame = np.full((H, W), 60, dtype=np.uint8)
    ys = (np.arange(H) * page.shape[0] / H).astype(int)
    pw = int(page.shape[1] * H / page.shape[0])
    xs = (np.arange(pw) * page.shape[1] / pw).astype(int)
    x0 = (W - pw) // 2
    frame[:, x0:x0 + pw] = page[ys][:, xs]
    return frame


def run(frames, props):
    """last-score of every frame through keyframeselect."""
    pipe = Gst.parse_launch(
        "appsrc name=src format=time block=true "
        f"caps=video/x-raw,format=GRAY8,width={W},height={H},"
        f"framerate={FPS}/1 ! keyframeselect name=k reference=previous "
        "threshold=1 interval=0 drop=false " + props +
        " ! fakesink sync=false")
    src, k = pipe.get_by_name("src"), pipe.get_by_name("k")
    scores = []

    def probe(pad, info):
        scores.append(k.get_property("last-score"))
        return Gst.PadProbeReturn.OK

    k.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, probe)
    pipe.set_state(Gst.State.PLAYING)
    for i, f in enumerate(frames):
        buf = Gst.Buffer.new_wrapped(f.tobytes())
        buf.pts = i * Gst.SECOND // FPS
        buf.duration = Gst.SECOND // FPS
        src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    pipe.get_bus().timed_pop_filtered(
        60 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipe.set_state(Gst.State.NULL)
    return scores


def cursor(frame, x, y):
    f = frame.copy()
    for r in range(18):
        f[y + r, x:x + max(1, r * 2 // 3)] = 10
    return f


def pan(photo, i, w, h, shake):
    """A w x h window moving 3 px a frame over @photo, with camera shake."""
    rng = np.random.default_rng(i)
    dx, dy = (rng.integers(-shake, shake + 1, 2) if shake else (0, 0))
    x = 40 + (3 * i) % (photo.shape[1] - w - 80) + dx
    y = 40 + (i // 3) % (photo.shape[0] - h - 80) + dy
    return photo[y:y + h, x:x + w]


def span(name, values, extra=""):
    v = np.asarray(values)
    print(f"{name:<28} {v.min():7.4f} {np.median(v):7.4f} {v.max():7.4f}"
          f"  ({len(v)} frames){extra}")


def measure(pdf, photos_dir, n_pages):
    """Scores per content type: {name: [scores]}, plus "ink" (per page)."""
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        raw = render_pages(pdf, n_pages, tmp)
    pages = [screen(p) for p in raw]
    photos = [p for p in (decode_photo(f, 1920, 1080) for f in sorted(
        glob.glob(os.path.join(photos_dir, "*.webp")))) if p is not None]
    if len(pages) < 2 or len(photos) < 2:
        raise FileNotFoundError("need at least 2 pages and 2 photographs")
    out = {}

    # page changes: 5 frames per page
    frames = [p for p in pages for _ in range(5)]
    s = run(frames, "")
    out["page change"] = [s[i] for i in range(5, len(frames), 5)]
    out["ink"] = [float((p < 128).mean()) for p in raw[1:]]
    s = run(frames, "metric=mean")
    out["page change, metric=mean"] = [s[i] for i in range(5, len(frames), 5)]

    base = pages[0]
    s = run([cursor(base, 300 + 12 * i, 200 + 5 * i) for i in range(60)], "")
    out["cursor (12 px/frame)"] = s[1:]

    frames, f = [], base.copy()
    for i in range(60):
        if i % 10 == 5:
            x = 420 + 70 * (i // 10)
            f[600:614, x:x + 60] = 20
        frames.append(f.copy())
    s = run(frames, "")
    out["typing (a word per frame)"] = [s[i] for i in range(5, 60, 10)]

    frames = []
    for i in range(60):
        n = rng.normal(0, 3, base.shape)
        frames.append(np.clip(base + n, 0, 255).astype(np.uint8))
    out["sensor noise (sigma 3)"] = run(frames, "")[1:]

    iw, ih = W * 2 // 5, H * 2 // 5
    frames = []
    for i in range(120):
        f = base.copy()
        f[H - ih:, W - iw:] = pan(photos[(i // 60) % len(photos)], i, iw, ih, 2)
        frames.append(f)
    out["inset 16%, no mask"] = run(frames, "activity-window=0")[1:]
    out["inset 16%, mask after 3 s"] = run(frames, "")[90:]

    frames = [pan(photos[(i // 30) % len(photos)], i, W, H, 4)
              for i in range(30 * min(len(photos), 6))]
    s = run(frames, "activity-window=0")
    out["film motion (pan + shake)"] = [s[i] for i in range(1, len(frames))
                                        if i % 30]
    out["hard cut (photo to photo)"] = [s[i] for i in range(30, len(frames),
                                                           30)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdf", default="/usr/share/doc/libtasn1-doc/libtasn1.pdf")
    ap.add_argument("--photos", default="/usr/share/backgrounds/gnome")
    ap.add_argument("--pages", type=int, default=16)
    a = ap.parse_args()
    Gst.init(None)
    try:
        m = measure(a.pdf, a.photos, a.pages)
    except FileNotFoundError as e:
        sys.exit(f"measure_scores: {e}")
    print(f"{'content (reference=previous)':<28} {'min':>7} {'median':>7} "
          f"{'max':>7}")
    for name, values in m.items():
        if name == "ink":
            continue
        extra = ""
        if name == "page change":
            lo = int(np.argmin(values))
            extra = f"; lowest: a page with {m['ink'][lo]:.1%} ink"
        span(name, values, extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
