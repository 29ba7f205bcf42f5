#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""extract.py: write the keyframes of a video as JPEG files (Python version).

    extract.py INPUT OUTDIR [--threshold T] [--interval SECONDS]
               [--max-memory BYTES] [--spill jpeg|raw] [NAME=VALUE ...]

NAME=VALUE arguments set any other keyframeselect property, e.g.
roi-width=1000 or settle-time=500000000 (in the element's units).

The same job as the C example `extract`, through memsink's action signals:

    uridecodebin ! videoconvert ! video/x-raw,format=I420
      ! keyframeselect ! memspill ! memsink mode=samples

runs to the end of the input while the selected frames are held in
memspill's pageable memory (at most --max-memory bytes in RAM, the rest
spilled to disk).  At EOS the samples are taken one by one with memsink's
`try-pull-sample` action signal, encoded by a small `appsrc ! jpegenc !
appsink` pipeline and written as OUTDIR/keyframe-NNNN.jpg, with
OUTDIR/index.json (stream time, reason, score, file of each keyframe).  The score
and reason come from the GstKeyframeSelectMeta each selected buffer carries.

Progress goes to stderr (a bar on a terminal, a line every 2 s otherwise),
the summary to stdout.  Exit codes are those of the C version:
0 success, 1 pipeline error, 2 bad command line, 3 INPUT missing or
unreadable, 4 INPUT not a decodable video, 5 OUTDIR not writable, 6 a
required element is missing, 130 interrupted (keyframes so far written).
"""

import json
import math
import os
import signal
import sys
import tempfile
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import GLib, GObject, Gst  # noqa: E402

EXIT_OK = 0
EXIT_PIPELINE = 1
EXIT_USAGE = 2
EXIT_INPUT_MISSING = 3
EXIT_INPUT_UNDECODABLE = 4
EXIT_OUTDIR = 5
EXIT_MISSING_ELEMENT = 6
EXIT_INTERRUPTED = 130

KEYFRAME_META = "GstKeyframeSelectMeta"
JPEG_QUALITY = 92
DEFAULT_MAX_MEMORY = 64 * 1024 * 1024
USAGE = ("usage: extract.py INPUT OUTDIR [--threshold T] "
         "[--interval SECONDS] [--max-memory BYTES] [--spill jpeg|raw] "
         "[NAME=VALUE ...]")


class UsageError(Exception):
    pass


def parse_bytes(text):
    """Bytes with an optional binary suffix: 67108864, 65536K, 64M, 1G."""
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip()
    for suffix in ("iB", "B"):
        if len(t) > 1 and t.upper().endswith(suffix.upper()) \
                and t[-len(suffix) - 1].upper() in "KMG":
            t = t[:-len(suffix)]
            break
    unit = t[-1:].upper() if t[-1:].upper() in "KMG" else ""
    digits = t[:-1] if unit else t
    if not digits.isdigit():
        raise ValueError(text)
    return int(digits) * mult[unit]


def parse_args(argv):
    opts = {"threshold": None, "interval": None,
            "max_memory": DEFAULT_MAX_MEMORY, "spill": "raw",
            "properties": []}
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(EXIT_OK)
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if name not in ("threshold", "interval", "max-memory", "spill"):
                raise UsageError(f"unknown option --{name}")
            if not eq:
                i += 1
                if i >= len(argv):
                    raise UsageError(f"--{name} needs a value")
                value = argv[i]
            if name == "threshold":
                try:
                    v = float(value)
                except ValueError:
                    v = -1.0
                if not (0.0 <= v <= 1.0):
                    raise UsageError(
                        f"--threshold '{value}': expected a number from 0 "
                        "to 1 (the fraction of the picture that changed)")
                opts["threshold"] = v
            elif name == "interval":
                try:
                    v = float(value)
                except ValueError:
                    v = -1.0
                if not (0.0 <= v <= 1e9) or math.isnan(v):
                    raise UsageError(
                        f"--interval '{value}': expected seconds, 0 or more "
                        "(0 turns the periodic selection off)")
                opts["interval"] = int(round(v * Gst.SECOND))
            elif name == "max-memory":
                try:
                    opts["max_memory"] = parse_bytes(value)
                except ValueError:
                    raise UsageError(
                        f"--max-memory '{value}': expected bytes, e.g. "
                        "67108864, 65536K, 64M or 1G") from None
            else:
                if value not in ("raw", "jpeg"):
                    raise UsageError(
                        f"--spill '{value}': expected raw or jpeg")
                opts["spill"] = value
        elif "=" in a:
            opts["properties"].append(a.split("=", 1))
        else:
            pos.append(a)
        i += 1
    if len(pos) != 2:
        raise UsageError(f"expected INPUT and OUTDIR, got {len(pos)} "
                         f"argument{'' if len(pos) == 1 else 's'}")
    opts["input"], opts["outdir"] = pos
    return opts


def fmt_bytes(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def fmt_time(ns):
    if ns is None or ns < 0 or ns == Gst.CLOCK_TIME_NONE:
        return "--:--:--.---"
    ms = ns // Gst.MSECOND
    return (f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:"
            f"{ms // 1000 % 60:02d}.{ms % 1000:03d}")


def fail(code, message):
    print(f"extract.py: {message}", file=sys.stderr)
    return code


def check_input(path):
    if Gst.uri_is_valid(path) and not path.startswith("file:"):
        return path, None
    if path.startswith("file:"):
        path = Gst.uri_get_location(path) or path
    if not os.path.exists(path):
        return None, f"{path}: no such file"
    if os.path.isdir(path):
        return None, f"{path}: is a directory, expected a video file"
    if not os.access(path, os.R_OK):
        return None, f"{path}: cannot be read"
    return Gst.filename_to_uri(path), None


def prepare_outdir(outdir):
    """Creates OUTDIR, proves it is writable, removes old keyframes."""
    try:
        os.makedirs(outdir, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=outdir, prefix=".extract-"):
            pass
    except OSError as e:
        return f"cannot write to output directory {outdir}: {e.strerror}"
    for name in os.listdir(outdir):
        if name.startswith("keyframe-") and name.endswith(".jpg"):
            os.unlink(os.path.join(outdir, name))
    return None


def convert_value(pspec, text):
    """@text as a value of the property, or None if invalid/out of range."""
    fundamental = pspec.value_type.fundamental
    try:
        if fundamental == GObject.TYPE_BOOLEAN:
            return {"true": True, "yes": True, "1": True, "false": False,
                    "no": False, "0": False}[text.lower()]
        if fundamental == GObject.TYPE_ENUM:
            for number, v in pspec.enum_class.__enum_values__.items():
                if text in (v.value_nick, v.value_name, str(number)):
                    return number
            return None
        if fundamental in (GObject.TYPE_INT, GObject.TYPE_UINT,
                           GObject.TYPE_INT64, GObject.TYPE_UINT64,
                           GObject.TYPE_LONG, GObject.TYPE_ULONG):
            v = int(text, 0)
        elif fundamental in (GObject.TYPE_DOUBLE, GObject.TYPE_FLOAT):
            v = float(text)
        elif fundamental == GObject.TYPE_STRING:
            return text
        else:
            return None
    except (KeyError, ValueError):
        return None
    if not pspec.minimum <= v <= pspec.maximum:
        return None
    return v


class JpegWriter:
    """appsrc ! jpegenc ! appsink: one JPEG per pushed frame."""

    def __init__(self):
        self.pipeline = Gst.parse_launch(
            "appsrc name=in format=time ! videoconvert ! "
            f"jpegenc quality={JPEG_QUALITY} ! appsink name=out sync=false")
        self.src = self.pipeline.get_by_name("in")
        self.out = self.pipeline.get_by_name("out")
        self.caps = None
        self.pipeline.set_state(Gst.State.PLAYING)

    def encode(self, sample):
        caps = sample.get_caps()
        if self.caps is None or not caps.is_equal(self.caps):
            self.src.set_property("caps", caps)
            self.caps = caps
        # A new buffer sharing the memory: the writer's timestamps do not
        # matter, and the held frame is reloaded from disk when mapped.
        buf = sample.get_buffer().copy()
        if self.src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
            raise RuntimeError("the JPEG encoder refused the frame")
        out = self.out.emit("try-pull-sample", 10 * Gst.SECOND)
        if out is None:
            raise RuntimeError("the JPEG encoder gave no output")
        b = out.get_buffer()
        ok, info = b.map(Gst.MapFlags.READ)
        if not ok:
            raise RuntimeError("could not map the JPEG data")
        try:
            return bytes(info.data)
        finally:
            b.unmap(info)

    def close(self):
        self.pipeline.set_state(Gst.State.NULL)


def read_selection(buf):
    """score, reason, frame, stream time from keyframeselect's meta.

    The stream time is the position a player shows; without one in the
    meta it is the PTS."""
    meta = buf.get_custom_meta(KEYFRAME_META)
    if meta is None:
        return None, "unknown", None, buf.pts
    s = meta.get_structure()
    score = s.get_value("score") if s.has_field("score") else None
    reason = s.get_value("reason") if s.has_field("reason") else "unknown"
    if not isinstance(reason, str):
        reason = getattr(reason, "value_nick", None) or str(reason)
    frame = s.get_value("frame") if s.has_field("frame") else None
    stream_time = (s.get_value("stream-time") if s.has_field("stream-time")
                   else buf.pts)
    return score, reason, frame, stream_time


class Extract:
    def __init__(self, opts, uri):
        self.opts = opts
        self.exit_code = EXIT_OK
        self.interrupted = False
        self.tty = sys.stderr.isatty()
        self.last_line = time.monotonic()
        self.peak_resident = 0
        self.peak_spilled = 0
        # PTS of the last frame keyframeselect received: the progress
        # through the input (memsink only sees the selected frames).
        self.analysed = -1
        # Built element by element, the decoder linked when its video pad
        # appears (as the C version does).
        self.pipeline = Gst.Pipeline.new("extract")
        src = Gst.ElementFactory.make("uridecodebin", "src")
        self.convert = Gst.ElementFactory.make("videoconvert", "convert")
        i420 = Gst.ElementFactory.make("capsfilter", "i420")
        self.select = Gst.ElementFactory.make("keyframeselect", "select")
        self.spill = Gst.ElementFactory.make("memspill", "spill")
        self.sink = Gst.ElementFactory.make("memsink", "sink")
        src.set_property("uri", uri)
        i420.set_property("caps",
                          Gst.Caps.from_string("video/x-raw,format=I420"))
        Gst.util_set_object_arg(self.sink, "mode", "samples")
        chain = [self.convert, i420, self.select, self.spill, self.sink]
        for e in [src] + chain:
            self.pipeline.add(e)
        for a, b in zip(chain, chain[1:]):
            if not a.link(b):
                raise RuntimeError(f"could not link {a.get_name()} to "
                                   f"{b.get_name()}")
        src.connect("pad-added", self.on_pad_added)
        src.connect("no-more-pads", self.on_no_more_pads)
        if opts["threshold"] is not None:
            self.select.set_property("threshold", opts["threshold"])
        if opts["interval"] is not None:
            self.select.set_property("interval", opts["interval"])
        Gst.util_set_object_arg(self.spill, "spill-format", opts["spill"])
        self.spill.set_property("max-memory", opts["max_memory"])
        self.sink.set_property("max-memory", opts["max_memory"])
        self.select.get_static_pad("sink").add_probe(
            Gst.PadProbeType.BUFFER, self.on_frame)
        for name, value in opts["properties"]:
            self.set_property(name, value)

    def set_property(self, name, value):
        """NAME=VALUE: any keyframeselect property, checked like extract."""
        pspec = self.select.find_property(name)
        if pspec is None or not pspec.flags & GObject.ParamFlags.WRITABLE:
            raise UsageError(f"'{name}={value}': keyframeselect has no "
                             f"writable property '{name}' (see "
                             "gst-inspect-1.0 keyframeselect)")
        v = convert_value(pspec, value)
        if v is None:
            raise UsageError(f"'{name}={value}': not a valid value for "
                             f"keyframeselect's {name} ({pspec.blurb})")
        self.select.set_property(name, v)

    def on_frame(self, pad, info):
        pts = info.get_buffer().pts
        if pts != Gst.CLOCK_TIME_NONE:
            self.analysed = pts
        return Gst.PadProbeReturn.OK

    def on_pad_added(self, decodebin, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        if caps.get_structure(0).get_name().startswith("video/"):
            sinkpad = self.convert.get_static_pad("sink")
            if not sinkpad.is_linked():
                pad.link(sinkpad)

    def on_no_more_pads(self, decodebin):
        # Runs in a streaming thread: tell the main loop through the bus.
        pad = self.convert.get_static_pad("sink")
        if not pad.is_linked():
            decodebin.post_message(Gst.Message.new_application(
                decodebin, Gst.Structure.new_empty("extract-no-video")))

    def progress(self, final=False):
        now = time.monotonic()
        if not self.tty and not final and now - self.last_line < 2.0:
            return True
        self.last_line = now
        pos = self.analysed
        okd, dur = self.pipeline.query_duration(Gst.Format.TIME)
        dur = dur if okd else -1
        if final and dur > 0:
            pos = dur
        selected = self.select.get_property("frames-selected")
        resident = self.spill.get_property("resident-bytes")
        spilled = self.spill.get_property("spilled-bytes")
        self.peak_resident = max(self.peak_resident, resident)
        self.peak_spilled = max(self.peak_spilled, spilled)
        text = (f"{fmt_time(pos)} / {fmt_time(dur if dur > 0 else -1)}  "
                f"selected {selected}  RAM {fmt_bytes(resident)}  "
                f"disk {fmt_bytes(spilled)}")
        if self.tty:
            width = 24
            filled = min(width, pos * width // dur) if dur > 0 and pos >= 0 \
                else 0
            bar = "#" * filled + "." * (width - filled)
            sys.stderr.write(f"\r\033[K[{bar}] {text}" +
                             ("\n" if final else ""))
            sys.stderr.flush()
        else:
            print("extract.py: " + text.replace("  ", ", "), file=sys.stderr)
        return True

    def on_message(self, bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            if self.tty:
                sys.stderr.write("\n")
            print(f"extract.py: {self.opts['input']}: {err.message}",
                  file=sys.stderr)
            self.exit_code = self.classify(msg.src, err)
            self.loop.quit()
        elif msg.type == Gst.MessageType.APPLICATION and \
                msg.get_structure().get_name() == "extract-no-video":
            print(f"extract.py: {self.opts['input']}: has no video stream",
                  file=sys.stderr)
            self.exit_code = EXIT_INPUT_UNDECODABLE
            self.loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            self.progress(final=True)
            self.loop.quit()

    def classify(self, src, err):
        res = Gst.resource_error_quark()
        if any(err.matches(res, c) for c in (
                Gst.ResourceError.NOT_FOUND, Gst.ResourceError.OPEN_READ,
                Gst.ResourceError.READ)):
            ours = (self.select, self.spill, self.sink)
            return EXIT_PIPELINE if src in ours else EXIT_INPUT_MISSING
        stream = Gst.stream_error_quark()
        if any(err.matches(stream, c) for c in (
                Gst.StreamError.TYPE_NOT_FOUND, Gst.StreamError.WRONG_TYPE,
                Gst.StreamError.CODEC_NOT_FOUND, Gst.StreamError.DECODE,
                Gst.StreamError.DEMUX, Gst.StreamError.FORMAT)):
            return EXIT_INPUT_UNDECODABLE
        if err.matches(Gst.core_error_quark(), Gst.CoreError.MISSING_PLUGIN):
            return EXIT_INPUT_UNDECODABLE
        return EXIT_PIPELINE

    def on_sigint(self):
        if self.interrupted:
            self.loop.quit()
            return False
        self.interrupted = True
        print("\nextract.py: interrupted, writing the keyframes found so far",
              file=sys.stderr)
        self.pipeline.send_event(Gst.Event.new_eos())
        return True

    def run(self):
        self.start = time.monotonic()
        self.loop = GLib.MainLoop()
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        timer = GLib.timeout_add(200 if self.tty else 500, self.progress)
        sig = GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT,
                                   self.on_sigint)
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            self.exit_code = EXIT_PIPELINE
            if msg is not None:
                self.on_message(bus, msg)
            else:
                print("extract.py: the pipeline could not start",
                      file=sys.stderr)
        else:
            self.loop.run()
        GLib.source_remove(timer)
        GLib.source_remove(sig)
        code = self.exit_code
        if code == EXIT_OK:
            code = self.write_keyframes()
            if code == EXIT_OK and self.interrupted:
                code = EXIT_INTERRUPTED
        self.pipeline.set_state(Gst.State.NULL)
        bus.remove_signal_watch()
        return code

    def write_keyframes(self):
        outdir = self.opts["outdir"]
        frames_in = self.select.get_property("frames-in")
        entries = []
        reasons = {}
        writer = JpegWriter()
        print(f"{'#':<4}  {'time':<12}  {'reason':<9}  {'score':<6}  file")
        try:
            while True:
                # FIFO take: each sample is released once written, so its
                # RAM or spill space is freed before the next one reloads.
                sample = self.sink.emit("try-pull-sample", 0)
                if sample is None:
                    break
                buf = sample.get_buffer()
                score, reason, frame, st = read_selection(buf)
                name = f"keyframe-{len(entries) + 1:04d}.jpg"
                data = writer.encode(sample)
                with open(os.path.join(outdir, name), "wb") as f:
                    f.write(data)
                pts = buf.pts
                known = st != Gst.CLOCK_TIME_NONE
                entry = {"time": st / Gst.SECOND if known else -1.0,
                         "stream_time": st if known else 0,
                         "pts": pts if pts != Gst.CLOCK_TIME_NONE else 0,
                         "reason": reason,
                         "score": score if score is not None else -1.0}
                if frame is not None:
                    entry["frame"] = frame
                entry["file"] = name
                entries.append(entry)
                reasons[reason] = reasons.get(reason, 0) + 1
                print(f"{len(entries):<4}  {fmt_time(st):<12}  "
                      f"{reason:<9}  {entry['score']:6.3f}  {name}")
        except OSError as e:
            return fail(EXIT_OUTDIR, f"{outdir}: {e.strerror}")
        except RuntimeError as e:
            return fail(EXIT_PIPELINE, str(e))
        finally:
            writer.close()
        index = {"input": self.opts["input"], "frames_in": frames_in,
                 "keyframes": entries}
        path = os.path.join(outdir, "index.json")
        try:
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(index, f, indent=2)
                f.write("\n")
            os.replace(tmp, path)
        except OSError as e:
            return fail(EXIT_OUTDIR, f"{path}: {e.strerror}")

        counts = ", ".join(f"{k} {v}" for k, v in reasons.items())
        spills = self.spill.get_property("spills")
        reloads = self.spill.get_property("reloads")
        print(f"\nextract.py: {len(entries)} keyframes from {frames_in} "
              f"frames in {time.monotonic() - self.start:.1f} s"
              + (f" ({counts})" if counts else ""))
        print(f"extract.py: spill pool: budget "
              f"{fmt_bytes(self.opts['max_memory'])}, peak RAM "
              f"{fmt_bytes(self.peak_resident)}, peak disk "
              f"{fmt_bytes(self.peak_spilled)}, {spills} spills, "
              f"{reloads} reloads ({self.opts['spill']})")
        print(f"extract.py: JPEG files and index.json are in {outdir}")
        return EXIT_OK


def main(argv):
    Gst.init(None)
    try:
        opts = parse_args(argv[1:])
    except UsageError as e:
        print(f"extract.py: {e}\n{USAGE}", file=sys.stderr)
        return EXIT_USAGE
    uri, problem = check_input(opts["input"])
    if uri is None:
        return fail(EXIT_INPUT_MISSING, problem)
    for factory in ("uridecodebin", "videoconvert", "keyframeselect",
                    "memspill", "memsink", "jpegenc", "appsrc", "appsink"):
        if Gst.ElementFactory.find(factory) is None:
            hint = ""
            if factory in ("keyframeselect", "memspill", "memsink"):
                hint = (": build gst-memvideo and run with GST_PLUGIN_PATH="
                        "<source dir>/build/plugins, or meson install it")
            return fail(EXIT_MISSING_ELEMENT,
                        f"GStreamer element '{factory}' is not installed"
                        + hint)
    try:
        extract = Extract(opts, uri)
    except UsageError as e:
        print(f"extract.py: {e}", file=sys.stderr)
        return EXIT_USAGE
    problem = prepare_outdir(opts["outdir"])
    if problem:
        return fail(EXIT_OUTDIR, problem)
    return extract.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
