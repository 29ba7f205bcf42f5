#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the example apps on a generated clip and checks what they produce.

    test_examples.py extract-c | extract-py | errors | mp4-in-memory

Environment (set by meson): EXTRACT (the built C example), TESTS_SRCDIR,
GST_PLUGIN_PATH_1_0 / GST_PLUGIN_SYSTEM_PATH_1_0 / GST_REGISTRY.
"""

import http.server
import json
import os
import pty
import subprocess
import sys
import tempfile
import threading

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testclip  # noqa: E402

PY = "/usr/bin/python3"
WIDTH, HEIGHT = 320, 240
FRAME_BYTES = WIDTH * HEIGHT * 3 // 2

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")
    return cond


def run(cmd, timeout=90):
    print("$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    return p


def run_on_pty(cmd):
    """Runs @cmd with stderr on a pseudo-terminal; (status, stdout, tty)."""
    print("$ " + " ".join(cmd) + "   (stderr on a pty)")
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break  # EIO: the child closed the terminal
        if not data:
            break
        chunks.append(data)
    os.close(master)
    out = p.stdout.read().decode()
    p.wait(timeout=60)
    tty = b"".join(chunks).decode(errors="replace")
    sys.stdout.write(out)
    sys.stdout.write(tty.replace("\r", "\n"))
    return p.returncode, out, tty


def decode_jpeg(path):
    """(width, height) of the decoded JPEG, or None if it does not decode."""
    pipeline = Gst.parse_launch(
        "filesrc name=src ! jpegparse ! jpegdec ! appsink name=out")
    pipeline.get_by_name("src").set_property("location", path)
    out = pipeline.get_by_name("out")
    pipeline.set_state(Gst.State.PLAYING)
    sample = out.emit("try-pull-sample", 10 * Gst.SECOND)
    pipeline.set_state(Gst.State.NULL)
    if sample is None:
        return None
    s = sample.get_caps().get_structure(0)
    return s.get_value("width"), s.get_value("height")


def check_outdir(outdir, expected_reasons, expected_times):
    """index.json fields, one decodable JPEG per entry and nothing else."""
    with open(os.path.join(outdir, "index.json")) as f:
        index = json.load(f)
    entries = index["keyframes"]
    check(index["frames_in"] == 200,
          f"frames_in {index['frames_in']} != 200")
    reasons = [e["reason"] for e in entries]
    check(reasons == expected_reasons,
          f"reasons {reasons} != {expected_reasons}")
    times = [round(e["time"], 3) for e in entries]
    check(times == expected_times, f"times {times} != {expected_times}")
    for e in entries:
        for field, kind in (("time", float), ("reason", str),
                            ("score", float), ("file", str)):
            check(isinstance(e.get(field), kind),
                  f"entry {e} lacks {field} ({kind.__name__})")
        check(0.0 <= e["score"] <= 1.0, f"score out of range in {e}")
        check(e["stream_time"] == round(e["time"] * Gst.SECOND),
              f"stream_time and time disagree in {e}")
        # the generated clips start at 0: stream time is the PTS
        check(e["pts"] == e["stream_time"], f"pts and stream time in {e}")
    jpgs = sorted(n for n in os.listdir(outdir) if n.endswith(".jpg"))
    check(jpgs == sorted(e["file"] for e in entries),
          f"JPEG files {jpgs} do not match index.json")
    for name in jpgs:
        size = decode_jpeg(os.path.join(outdir, name))
        check(size == (WIDTH, HEIGHT), f"{name} decodes to {size}")
    return index


def run_extract(cmd, tmp, clip):
    # Default settings: one keyframe per slide (first, then a change at
    # every page turn, 2 s apart).
    out = os.path.join(tmp, "default")
    p = run(cmd + [clip, out])
    check(p.returncode == 0, f"exit status {p.returncode}")
    check_outdir(out, ["first", "change", "change", "change"],
                 [0.0, 2.0, 4.0, 6.0])
    # Progress went to stderr as periodic lines (not a tty here), the
    # summary names the directory.
    check("selected" in p.stderr, "no progress line on stderr")
    check(f"are in {out}" in p.stdout, "summary does not name OUTDIR")

    # A one-second heartbeat between the page turns, and a budget of two
    # frames so most keyframes spill (as JPEG) and reload when written.
    out = os.path.join(tmp, "budget")
    p = run(cmd + [clip, out, "--interval", "1", "--max-memory",
                   str(2 * FRAME_BYTES), "--spill", "jpeg"])
    check(p.returncode == 0, f"exit status {p.returncode}")
    check_outdir(out, ["first", "periodic", "change", "periodic", "change",
                       "periodic", "change", "periodic"],
                 [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    spills = [line for line in p.stdout.splitlines() if " spills, " in line]
    check(len(spills) == 1, "no spill statistics in the summary")
    if spills:
        n = int(spills[0].split(" spills, ")[0].rsplit(" ", 1)[1])
        check(n >= 6, f"only {n} spills with a budget of two frames")

    # On a terminal the progress is one bar redrawn in place, full at the
    # end, and the summary on stdout is the same.
    out = os.path.join(tmp, "tty")
    code, stdout, tty = run_on_pty(cmd + [clip, out])
    check(code == 0, f"exit status {code} on a tty")
    check("\r\033[K[" in tty, "no progress bar redrawn on the tty")
    check("[" + "#" * 24 + "] 00:00:08.000 / 00:00:08.000  selected 4"
          in tty, "the last progress bar is not full at 8 s with 4 selected")
    check(" selected, RAM " not in tty, "periodic lines on a tty")
    check(f"are in {out}" in stdout, "summary missing on a tty")

    # A second run into the same OUTDIR replaces the old keyframes.
    p = run(cmd + [clip, out, "--threshold", "1", "--interval", "0"])
    check(p.returncode == 0, f"exit status {p.returncode}")
    check_outdir(out, ["first"], [0.0])


def test_extract_c(tmp, clip):
    run_extract([os.environ["EXTRACT"]], tmp, clip)


def test_extract_py(tmp, clip):
    run_extract([PY, os.path.join(HERE, "extract.py")], tmp, clip)


def test_errors(tmp, clip):
    not_video = os.path.join(tmp, "notes.txt")
    with open(not_video, "w") as f:
        f.write("not a video\n" * 100)
    audio = os.path.join(tmp, "audio.ogg")
    run(["gst-launch-1.0", "-q", "audiotestsrc", "num-buffers=20", "!",
         "vorbisenc", "!", "oggmux", "!", "filesink", f"location={audio}"])
    out = os.path.join(tmp, "out")
    cases = [
        ([audio, os.path.join(tmp, "out3")], 4, "has no video stream"),
        ([os.path.join(tmp, "missing.mp4"), out], 3, "no such file"),
        ([tmp, out], 3, "is a directory"),
        ([not_video, os.path.join(tmp, "out2")], 4, not_video),
        ([clip, os.path.join(not_video, "sub")], 5, "output directory"),
        ([clip, out, "--threshold", "1.5"], 2, "--threshold '1.5'"),
        ([clip, out, "--threshold", "abc"], 2, "--threshold 'abc'"),
        ([clip, out, "--interval", "-1"], 2, "--interval '-1'"),
        ([clip, out, "--max-memory", "lots"], 2, "--max-memory 'lots'"),
        ([clip, out, "--spill", "png"], 2, "--spill 'png'"),
        ([clip, out, "--bogus"], 2, "bogus"),
        ([clip], 2, "expected INPUT and OUTDIR"),
    ]
    for prog in ([os.environ["EXTRACT"]],
                 [PY, os.path.join(HERE, "extract.py")]):
        for args, code, text in cases:
            p = run(prog + args)
            check(p.returncode == code,
                  f"{args}: exit status {p.returncode}, expected {code}")
            check(text in p.stderr, f"{args}: stderr lacks '{text}'")
    check(not os.path.exists(out), "OUTDIR created despite a bad option")


class _Receiver(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        n = int(self.headers["Content-Length"])
        _Receiver.received.append((self.headers["Content-Type"],
                                   self.rfile.read(n)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def frames_in_mp4(path):
    pipeline = Gst.parse_launch(
        "filesrc name=src ! qtdemux ! h264parse ! avdec_h264 ! "
        "appsink name=out sync=false")
    pipeline.get_by_name("src").set_property("location", path)
    out = pipeline.get_by_name("out")
    pipeline.set_state(Gst.State.PLAYING)
    n = 0
    while out.emit("try-pull-sample", 10 * Gst.SECOND) is not None:
        n += 1
    ok = out.get_property("eos")
    pipeline.set_state(Gst.State.NULL)
    return n if ok else -1


def test_mp4_in_memory(tmp, clip):
    sys.path.insert(0, HERE)
    import mp4_in_memory

    # Through the module, as an app would use it: 100 frames, a 256 KiB
    # budget so the in-memory file spills.
    data = mp4_in_memory.encode_mp4_in_memory(frames=100, width=320,
                                              height=240,
                                              max_memory=256 * 1024)
    boxes = mp4_in_memory.describe(data)
    check(boxes[:1] == ["ftyp"] and "moov" in boxes and "mdat" in boxes,
          f"not an MP4: top-level boxes {boxes}")
    path = os.path.join(tmp, "module.mp4")
    with open(path, "wb") as f:
        f.write(data)
    check(frames_in_mp4(path) == 100, "the MP4 does not decode to 100 frames")

    # Through the command line: re-encode the clip, POST it to a local
    # receiver, save a copy; the POSTed body is the saved file.
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/upload"
    saved = os.path.join(tmp, "cli.mp4")
    p = run([PY, os.path.join(HERE, "mp4_in_memory.py"), "--input", clip,
             "--save", saved, "--post", url])
    server.shutdown()
    check(p.returncode == 0, f"exit status {p.returncode}")
    check("HTTP 201" in p.stdout, "POST not reported")
    check(len(_Receiver.received) == 1, "nothing was POSTed")
    if _Receiver.received and os.path.exists(saved):
        ctype, body = _Receiver.received[0]
        check(ctype == "video/mp4", f"Content-Type {ctype}")
        with open(saved, "rb") as f:
            check(f.read() == body, "POSTed bytes differ from the saved MP4")
    check(frames_in_mp4(saved) == 200,
          "the re-encoded clip does not decode to 200 frames")


def main():
    Gst.init(None)
    which = sys.argv[1]
    tests = {"extract-c": test_extract_c, "extract-py": test_extract_py,
             "errors": test_errors, "mp4-in-memory": test_mp4_in_memory}
    with tempfile.TemporaryDirectory(prefix="memvideo-examples-") as tmp:
        clip = os.path.join(tmp, "slides.mp4")
        testclip.make_clip(clip, slides=4, seconds_per_slide=2.0,
                           width=WIDTH, height=HEIGHT)
        tests[which](tmp, clip)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
