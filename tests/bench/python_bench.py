#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memvideo.extract_frames against the seeds' frame loop (issue 14).

    python_bench.py clip OUT.mp4          write the 10-minute 720p lecture
    python_bench.py compare CLIP BUDGET_MB [ROUNDS]

The clip: 1280x720 at 30 fps, 600 s, a new slide every 4 s (high-contrast
blocks, so both change rules see every slide), a moving 320x180 "webcam"
inset and a wandering pointer, H.264 (x264 ultrafast) in MP4.

The seed's loop, written from issue 14's description with a GStreamer
decoder in place of cv2.VideoCapture (OpenCV is not installed here; the
work is the same: every frame decoded and converted to BGR, a new array per
frame): one frame in int(fps / sampling_rate) analysed, captured when it is
the first, when mean |dY| / 255 > 0.15, or 30 s after the last capture;
captured frames kept in a list; at 90 % of max_memory_mb the list is
flushed to JPEG files in a temporary directory, and at the end every JPEG
is loaded back.

extract_frames runs with PlanOpticon's rule (metric="mean",
change_threshold=0.15), the same sampling and period and the same budget;
then every frame is read once. Both sides end by reading every pixel of
every frame once (the frames' sum), as the caller of either would, and the
selected frame numbers are compared.

Each run is its own process: wall time from the parent, peak RSS from
wait4(). Prints a table and the ratios; asserts nothing.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

W, H, FPS, SECONDS, SLIDE_SECONDS = 1280, 720, 30, 600, 4
SAMPLING_RATE, THRESHOLD, PERIOD = 1.0, 0.15, 30.0


def write_clip(path):
    from memvideo._gst import Gst
    rng = np.random.default_rng(14)
    p = Gst.parse_launch(
        "appsrc name=src format=time block=true max-bytes=8000000 "
        f"caps=video/x-raw,format=I420,width={W},height={H},"
        f"framerate={FPS}/1 ! x264enc speed-preset=ultrafast "
        "key-int-max=150 ! mp4mux ! filesink name=sink")
    p.get_by_name("sink").set_property("location", path)
    src = p.get_by_name("src")
    p.set_state(Gst.State.PLAYING)
    cam_w, cam_h = 320, 180
    yy, xx = np.mgrid[0:cam_h, 0:cam_w]
    chroma = np.full(W * H // 2, 128, np.uint8)
    y = None
    for n in range(SECONDS * FPS):
        if n % (SLIDE_SECONDS * FPS) == 0:
            cells = rng.choice(np.array([40, 215], np.uint8), (H // 40,
                                                                 W // 40))
            slide = np.kron(cells, np.ones((40, 40), np.uint8))
        y = slide.copy()
        t = n / FPS
        y[H - cam_h - 16:H - 16, W - cam_w - 16:W - 16] = (
            110 + 60 * np.sin(xx / 23.0 + t) * np.cos(yy / 17.0 - t / 2)
        ).astype(np.uint8)
        px = int(W / 2 + W / 3 * np.sin(t / 3))
        py = int(H / 2 + H / 3 * np.cos(t / 5))
        y[py:py + 20, px:px + 12] = 255
        buf = Gst.Buffer.new_wrapped(y.tobytes() + chroma.tobytes())
        buf.pts = n * Gst.SECOND // FPS
        buf.duration = Gst.SECOND // FPS
        if src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
            raise RuntimeError("the encoder stopped")
    src.emit("end-of-stream")
    msg = p.get_bus().timed_pop_filtered(
        Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    p.set_state(Gst.State.NULL)
    if msg.type == Gst.MessageType.ERROR:
        raise RuntimeError(msg.parse_error()[0].message)


class JpegCodec:
    """cv2.imwrite / cv2.imread stand-ins: jpegenc and jpegdec."""

    def __init__(self, Gst):
        self.Gst = Gst
        self.enc = Gst.parse_launch(
            "appsrc name=src format=time caps=video/x-raw,format=BGR,"
            f"width={W},height={H},framerate=0/1 ! videoconvert ! "
            "jpegenc quality=95 ! appsink name=sink sync=false")
        self.dec = Gst.parse_launch(
            "appsrc name=src format=time caps=image/jpeg,framerate=0/1 ! "
            "jpegdec ! videoconvert ! video/x-raw,format=BGR ! "
            "appsink name=sink sync=false")
        for p in (self.enc, self.dec):
            p.set_state(Gst.State.PLAYING)

    def _through(self, pipeline, data):
        Gst = self.Gst
        pipeline.get_by_name("src").emit("push-buffer",
                                         Gst.Buffer.new_wrapped(data))
        sample = pipeline.get_by_name("sink").emit("try-pull-sample",
                                                   10 * Gst.SECOND)
        buf = sample.get_buffer()
        return buf.extract_dup(0, buf.get_size())

    def encode(self, frame):
        return self._through(self.enc, frame.tobytes())

    def decode(self, data):
        return np.frombuffer(self._through(self.dec, data),
                             np.uint8).reshape(H, W, 3)

    def close(self):
        for p in (self.enc, self.dec):
            p.set_state(self.Gst.State.NULL)


def seed_loop(clip, max_memory_mb):
    """The seeds' extract_frames loop (see the module docstring)."""
    from memvideo._gst import Gst
    p = Gst.parse_launch(
        f"filesrc location={clip} ! decodebin ! videoconvert ! "
        "video/x-raw,format=BGR ! appsink name=sink sync=false "
        "max-buffers=4 wait-on-eos=false")
    sink = p.get_by_name("sink")
    p.set_state(Gst.State.PLAYING)
    jpeg = JpegCodec(Gst)
    tmp = tempfile.TemporaryDirectory(prefix="seed-frames-")
    frames, flushed, held, captured = [], [], 0, []
    prev, last_capture, index = None, 0, 0
    frame_interval = periodic_interval = None
    while True:
        sample = sink.emit("try-pull-sample", 30 * Gst.SECOND)
        if sample is None:
            break
        if frame_interval is None:
            s = sample.get_caps().get_structure(0)
            _, num, den = s.get_fraction("framerate")
            fps = num / den
            frame_interval = max(1, int(fps / SAMPLING_RATE))
            periodic_interval = int(fps * PERIOD)
        buf = sample.get_buffer()
        frame = np.frombuffer(buf.extract_dup(0, buf.get_size()),
                              np.uint8).reshape(H, W, 3)
        if index % frame_interval == 0:
            gray = ((frame[..., 0].astype(np.uint16) * 29
                     + frame[..., 1].astype(np.uint16) * 150
                     + frame[..., 2].astype(np.uint16) * 77) >> 8
                    ).astype(np.int16)
            capture = prev is None
            if not capture:
                change = np.abs(gray - prev).mean() / 255.0
                capture = change > THRESHOLD
            if not capture and index - last_capture >= periodic_interval:
                capture = True
            if capture:
                frames.append(frame)
                captured.append(index)
                held += frame.nbytes
                last_capture = index
                if held >= 0.9 * max_memory_mb * 1024 * 1024:
                    for f in frames:
                        name = os.path.join(tmp.name,
                                            f"frame_{len(flushed):06d}.jpg")
                        with open(name, "wb") as out:
                            out.write(jpeg.encode(f))
                        flushed.append(name)
                    frames, held = [], 0
            prev = gray
        index += 1
    p.set_state(Gst.State.NULL)
    result = []
    for name in flushed:
        with open(name, "rb") as f:
            result.append(jpeg.decode(f.read()))
    result += frames
    jpeg.close()
    tmp.cleanup()
    return result, index, captured


def run_child(mode, clip, budget):
    if mode == "seed":
        frames, decoded, numbers = seed_loop(clip, budget)
    else:
        import memvideo
        kwargs = {}
        if mode == "memvideo-jpeg":
            kwargs["spill_format"] = "jpeg"
        frames = memvideo.extract_frames(
            clip, SAMPLING_RATE, THRESHOLD, PERIOD, max_memory_mb=budget,
            metric="mean", **kwargs)
        decoded, numbers = frames.frames_in, list(frames.frame_numbers)
    total = 0
    for f in frames:
        total += int(f.sum())
    print(json.dumps({"frames": len(frames), "decoded": decoded,
                      "numbers": numbers, "sum": total}))


def measure(mode, clip, budget):
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, __file__, "child", mode, clip,
                             str(budget)], stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} failed ({proc.returncode})")
    result = json.loads(out)
    result.update(mode=mode, wall=wall, rss=usage.ru_maxrss * 1024)
    return result


def compare(clip, budget, rounds):
    modes = ["seed", "memvideo", "memvideo-jpeg"]
    results = {m: [] for m in modes}
    for _ in range(rounds):
        for m in modes:
            results[m].append(measure(m, clip, budget))
    med = {m: sorted(r, key=lambda x: x["wall"])[len(r) // 2]
           for m, r in results.items()}
    mib = 1024 * 1024
    print(f"{'':16} {'wall s':>8} {'peak RSS MiB':>13} {'frames':>7} "
          f"{'decoded':>8}")
    for m in modes:
        r = med[m]
        rss = min(x["rss"] for x in results[m])
        print(f"{m:16} {r['wall']:8.1f} {rss / mib:13.0f} {r['frames']:7d} "
              f"{r['decoded']:8d}")
    seed = med["seed"]
    seed_rss = min(x["rss"] for x in results["seed"])
    for m in modes[1:]:
        r = med[m]
        rss = min(x["rss"] for x in results[m])
        same = "the same frames as the seed" if \
            r["numbers"] == seed["numbers"] else \
            "other frames than the seed's"
        print(f"{m}: {seed['wall'] / r['wall']:.2f}x the seed's speed "
              f"(target >= 1.8), peak RSS {rss / seed_rss:.3f} of the "
              f"seed's (target <= 1/3); {same}")
    print(f"(median wall of {rounds} round(s), lowest peak RSS; budget "
          f"{budget} MiB; {seed['frames'] * W * H * 3 / mib:.0f} MiB of "
          "selected frames)")


def main(argv):
    if argv[1] == "clip":
        write_clip(argv[2])
    elif argv[1] == "child":
        run_child(argv[2], argv[3], float(argv[4]))
    elif argv[1] == "compare":
        compare(argv[2], float(argv[3]), int(argv[4]) if len(argv) > 4
                else 1)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
