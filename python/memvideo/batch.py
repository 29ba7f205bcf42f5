# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keyframes of many videos on Dask distributed.

::

    python3 -m memvideo.batch --out DIR [--workers N | --scheduler ADDRESS]
        [--threshold T] [--interval S] [--max-memory BYTES]
        [--spill raw|jpeg] [--force] VIDEO...

One task per video, run in a Dask worker process as one GStreamer
pipeline::

    uridecodebin ! videoconvert ! keyframeselect ! memspill ! queue
      ! videoconvert ! jpegenc ! multifilesink

The selected frames wait for the JPEG encoder in memspill's pool (at most
``--max-memory`` bytes in RAM), so decoding never waits for the encoder.
Each video's keyframes and ``index.json`` are written into a hidden
directory beside ``DIR/<name>`` and renamed to it when complete, so a
half-done video never looks done. ``DIR/summary.json`` gets one entry per
input. Without ``--scheduler`` a local cluster of N worker processes (N =
cores) is started and stopped by the command; with it the tasks go to a
running cluster (``dask-scheduler`` / ``dask-worker``, docs/batch.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence

__all__ = ["run", "extract_video", "expand_inputs", "VIDEO_EXTENSIONS"]

#: File name extensions a directory argument expands to.
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts",
                    ".mts", ".mpg", ".mpeg", ".flv", ".ogv", ".wmv")
_DECODER_ALLOWANCE = 384 * 1024 * 1024
_JPEG_QUALITY = 92


def expand_inputs(paths: Iterable[str]) -> List[str]:
    """@paths with each directory replaced by the videos inside it (by
    extension, recursively, sorted). Other paths are kept as given, missing
    ones too: they are reported per video."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for root, _, files in os.walk(p):
                found += [os.path.join(root, f) for f in files
                          if f.lower().endswith(VIDEO_EXTENSIONS)]
            out += sorted(found)
        else:
            out.append(p)
    return out


def _output_names(videos: Sequence[str]) -> List[str]:
    """DIR/<name> per video: the file name without extension, made unique
    with -2, -3, ... when two inputs share it."""
    names, seen = [], {}
    for v in videos:
        base = os.path.splitext(os.path.basename(v.rstrip("/")))[0] or "video"
        n = seen.get(base, 0) + 1
        seen[base] = n
        names.append(base if n == 1 else f"{base}-{n}")
    return names


def _complete(outdir: str) -> Optional[dict]:
    """The index of a complete output directory, else None."""
    try:
        with open(os.path.join(outdir, "index.json")) as f:
            index = json.load(f)
        if all(os.path.isfile(os.path.join(outdir, k["file"]))
               for k in index["keyframes"]):
            return index
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _worker_name() -> str:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def extract_video(video: str, outdir: str, threshold: Optional[float] = None,
                  interval: Optional[float] = None,
                  max_memory: int = 64 * 1024 * 1024,
                  spill: str = "raw") -> Dict[str, Any]:
    """The task: the keyframes of @video as JPEG files plus index.json in
    @outdir (replaced atomically). Plain arguments, so it pickles.

    Returns
    -------
    dict
        ``status`` ("ok" or "error"), ``error`` (GStreamer's message or
        None), ``keyframes``, ``frames`` (decoded), ``seconds``, ``worker``.
    """
    start = time.monotonic()
    result: Dict[str, Any] = {"input": video, "output": outdir,
                              "status": "error", "error": None,
                              "keyframes": 0, "frames": 0,
                              "worker": _worker_name()}
    parent = os.path.dirname(os.path.abspath(outdir))
    name = os.path.basename(outdir)
    work = None
    try:
        os.makedirs(parent, exist_ok=True)
        for stale in os.listdir(parent):
            if stale.startswith(f".{name}.partial-"):
                shutil.rmtree(os.path.join(parent, stale),
                              ignore_errors=True)
        work = tempfile.mkdtemp(prefix=f".{name}.partial-", dir=parent)
        with open(os.path.join(work, ".worker"), "w") as f:
            f.write(f"{result['worker']} {os.getpid()}\n")
        keyframes, frames = _run_pipeline(video, work, threshold, interval,
                                          max_memory, spill)
        index = {"input": video, "frames_in": frames,
                 "keyframes": keyframes}
        with open(os.path.join(work, "index.json"), "w") as f:
            json.dump(index, f, indent=2)
            f.write("\n")
        os.unlink(os.path.join(work, ".worker"))
        if os.path.isdir(outdir):
            old = tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent)
            os.rename(outdir, os.path.join(old, name))
            os.rename(work, outdir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(work, outdir)
        work = None
        result.update(status="ok", keyframes=len(keyframes), frames=frames)
    except Exception as e:  # reported per video, the others go on
        result["error"] = str(e) if str(e) else type(e).__name__
        if isinstance(e, OSError) and e.filename and e.strerror:
            result["error"] = f"{e.filename}: {e.strerror}"
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - start, 3)
    return result


def _run_pipeline(video, work, threshold, interval, max_memory, spill):
    from ._gst import Gst, PipelineRunner, as_location, make_element
    uri, path = as_location(video)
    pipeline = Gst.Pipeline.new("batch")
    src = make_element("uridecodebin")
    chain = [make_element("videoconvert"), make_element("keyframeselect"),
             make_element("memspill"), make_element("queue"),
             make_element("videoconvert"), make_element("jpegenc"),
             make_element("multifilesink")]
    convert, select, memspill, queue, _, jpegenc, files = chain
    src.set_property("uri", uri)
    if threshold is not None:
        select.set_property("threshold", float(threshold))
    if interval is not None:
        select.set_property("interval", int(round(interval * Gst.SECOND)))
    memspill.set_property("max-memory", max_memory)
    Gst.util_set_object_arg(memspill, "spill-format", spill)
    for prop in ("max-size-buffers", "max-size-bytes", "max-size-time"):
        queue.set_property(prop, 0)
    jpegenc.set_property("quality", _JPEG_QUALITY)
    files.set_property("location", os.path.join(work, "keyframe-%04d.jpg"))
    files.set_property("index", 1)
    pipeline.add(src)
    for e in chain:
        pipeline.add(e)
    for a, b in zip(chain, chain[1:]):
        a.link(b)
    runner = PipelineRunner(pipeline, path)

    def on_pad(_, pad):
        sink = convert.get_static_pad("sink")
        caps = pad.get_current_caps() or pad.query_caps(None)
        if caps.get_structure(0).get_name() == "video/x-raw" and \
                not sink.is_linked():
            pad.link(sink)
        else:
            fake = make_element("fakesink")
            fake.set_property("async", False)
            pipeline.add(fake)
            fake.sync_state_with_parent()
            pad.link(fake.get_static_pad("sink"))

    def on_no_more_pads(_):
        if not convert.get_static_pad("sink").is_linked():
            runner.fail(ValueError(f"{path}: the file has no video stream"))

    src.connect("pad-added", on_pad)
    src.connect("no-more-pads", on_no_more_pads)
    keyframes = []

    def on_message(bus, msg):
        s = msg.get_structure()
        if s is not None and s.get_name() == "keyframeselect":
            t = s.get_value("stream-time")
            keyframes.append({
                "time": t / Gst.SECOND if t != Gst.CLOCK_TIME_NONE else -1.0,
                "pts": s.get_value("timestamp"),
                "frame": s.get_value("frame"),
                "reason": s.get_value("reason"),
                "score": s.get_value("score"),
                "file": f"keyframe-{len(keyframes) + 1:04d}.jpg"})

    bus = pipeline.get_bus()
    bus.enable_sync_message_emission()
    bus.connect("sync-message::element", on_message)
    try:
        runner.run()
        frames = select.get_property("frames-in")
    finally:
        runner.stop()
        bus.disable_sync_message_emission()
    return keyframes, frames


def _parse_bytes(text: str) -> int:
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = t[-1:] if t[-1:] in "KMG" and t[-1:] else ""
    digits = t[:-1] if unit else t
    if not digits.isdigit():
        raise argparse.ArgumentTypeError(
            f"'{text}': expected bytes, e.g. 67108864, 64M or 1G")
    return int(digits) * mult[unit]


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = -1.0
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"'{text}': expected 0 to 1")
    return v


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = -1.0
    if not v >= 0.0:
        raise argparse.ArgumentTypeError(f"'{text}': expected seconds >= 0")
    return v


def _write_json(path: str, data: Any) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


class _Bar:
    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.done = self.failed = self.running = 0

    def show(self) -> None:
        if not self.enabled:
            return
        width = 30
        n = self.done + self.failed
        filled = width * n // self.total if self.total else width
        sys.stderr.write(f"\r\033[K[{'#' * filled}{'.' * (width - filled)}]"
                         f" {n}/{self.total} videos: {self.done} done, "
                         f"{self.failed} failed, {self.running} running")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def run(videos: Sequence[str], out: str, workers: Optional[int] = None,
        scheduler: Optional[str] = None, threshold: Optional[float] = None,
        interval: Optional[float] = None,
        max_memory: int = 64 * 1024 * 1024, spill: str = "raw",
        force: bool = False, retries: int = 2,
        progress: Optional[bool] = None) -> List[Dict[str, Any]]:
    """Extracts the keyframes of @videos into @out on Dask distributed.

    Parameters
    ----------
    videos : sequence of str
        Video files; directories expand to the videos inside
        (:func:`expand_inputs`).
    out : str
        Output directory: ``out/<name>/`` per video and ``out/summary.json``.
    workers : int, optional
        Worker processes of the local cluster (default: the number of
        cores). Ignored with @scheduler.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); the
        workers must see the same paths (a shared filesystem).
    threshold, interval : float, optional
        keyframeselect's ``threshold`` and ``interval`` (seconds; 0 = off).
    max_memory : int
        Bytes of selected frames a task keeps in RAM (memspill); a local
        worker's Dask memory limit is this plus a decoder allowance
        (384 MiB), so Dask restarts a runaway worker.
    spill : {"raw", "jpeg"}
        memspill's spill format.
    force : bool
        Redo videos whose output is complete (default: skip them).
    retries : int
        Times a task is retried after its worker died (then it is reported
        as an error).
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal).

    Returns
    -------
    list of dict
        The entries of summary.json, in input order.

    Raises
    ------
    ValueError
        A bad argument (workers < 1, spill, threshold).
    OSError
        @out cannot be created.
    """
    import dask
    from distributed import Client, LocalCluster, as_completed
    from distributed.scheduler import KilledWorker

    if workers is not None and workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    if spill not in ("raw", "jpeg"):
        raise ValueError(f"spill must be raw or jpeg, not {spill!r}")
    inputs = expand_inputs(videos)
    os.makedirs(out, exist_ok=True)
    names = _output_names(inputs)
    entries: List[Dict[str, Any]] = []
    todo = []
    for video, name in zip(inputs, names):
        outdir = os.path.join(os.path.abspath(out), name)
        entry = {"input": video, "output": outdir, "status": None,
                 "error": None, "keyframes": 0, "frames": 0, "seconds": 0.0,
                 "worker": None}
        index = None if force else _complete(outdir)
        if index is not None:
            entry.update(status="skipped", keyframes=len(index["keyframes"]),
                         frames=index.get("frames_in", 0))
        else:
            todo.append(len(entries))
        entries.append(entry)
    bar = _Bar(len(entries), sys.stderr.isatty() if progress is None
               else progress)
    bar.done = len(entries) - len(todo)
    start = time.monotonic()
    if todo:
        with dask.config.set({"distributed.scheduler.allowed-failures":
                              retries}):
            if scheduler is not None:
                cluster = None
                client = Client(scheduler, timeout="30s")
            else:
                cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1, processes=True,
                    memory_limit=max_memory + _DECODER_ALLOWANCE,
                    dashboard_address=None)
                client = Client(cluster)
            try:
                futures = {}
                for i in todo:
                    e = entries[i]
                    f = client.submit(
                        extract_video, os.path.abspath(e["input"])
                        if os.path.exists(e["input"]) else e["input"],
                        e["output"], threshold, interval, max_memory, spill,
                        key=f"extract-{i}-{os.path.basename(e['output'])}",
                        pure=False)
                    futures[f] = i
                bar.running = min(len(todo), len(
                    client.scheduler_info()["workers"]) or 1)
                bar.show()
                for f in as_completed(futures):
                    i = futures[f]
                    try:
                        r = f.result()
                    except KilledWorker:
                        r = {"status": "error", "error":
                             f"the worker running it died {retries + 1} "
                             "times"}
                    except Exception as exc:
                        r = {"status": "error", "error": str(exc)}
                    entries[i].update({k: v for k, v in r.items()
                                       if k in entries[i]})
                    if entries[i]["status"] == "ok":
                        bar.done += 1
                    else:
                        bar.failed += 1
                    left = len(entries) - bar.done - bar.failed
                    bar.running = min(bar.running, left)
                    bar.show()
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
    bar.close()
    summary = {"out": os.path.abspath(out),
               "seconds": round(time.monotonic() - start, 3),
               "videos": entries}
    _write_json(os.path.join(out, "summary.json"), summary)
    return entries


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line; returns the exit status (0 all ok, 1 a video
    failed, 2 a bad command line)."""
    ap = argparse.ArgumentParser(
        prog="python3 -m memvideo.batch",
        description="Keyframes of many videos (JPEG + index.json per "
        "video, DIR/summary.json) on Dask distributed.")
    ap.add_argument("videos", nargs="+", metavar="VIDEO",
                    help="video files or directories of videos")
    ap.add_argument("--out", required=True, metavar="DIR",
                    help="DIR/<name>/ per video and DIR/summary.json")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="local worker processes (default: cores)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="a running Dask scheduler, tcp://host:8786")
    ap.add_argument("--threshold", type=_fraction, metavar="T",
                    help="keyframeselect threshold, 0 to 1 (default 0.04)")
    ap.add_argument("--interval", type=_seconds, metavar="S",
                    help="a frame every S seconds of unchanged picture, "
                    "0 = off (default 30)")
    ap.add_argument("--max-memory", type=_parse_bytes, metavar="BYTES",
                    default=64 * 1024 * 1024,
                    help="RAM for the selected frames of one task, e.g. "
                    "64M (default)")
    ap.add_argument("--spill", choices=("raw", "jpeg"), default="raw",
                    help="how frames beyond --max-memory are spilled")
    ap.add_argument("--force", action="store_true",
                    help="redo videos whose output is complete")
    args = ap.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        ap.error(f"--workers {args.workers}: expected 1 or more")
    try:
        entries = run(args.videos, args.out, args.workers, args.scheduler,
                      args.threshold, args.interval, args.max_memory,
                      args.spill, args.force)
    except OSError as e:
        print(f"memvideo.batch: {e}", file=sys.stderr)
        return 1
    counts = {s: sum(1 for e in entries if e["status"] == s)
              for s in ("ok", "skipped", "error")}
    for e in entries:
        if e["status"] == "error":
            where = "" if e["error"].startswith(e["input"]) else \
                f"{e['input']}: "
            print(f"memvideo.batch: {where}{e['error']}", file=sys.stderr)
    keyframes = sum(e["keyframes"] for e in entries)
    print(f"memvideo.batch: {len(entries)} videos: {counts['ok']} ok, "
          f"{counts['skipped']} skipped, {counts['error']} failed; "
          f"{keyframes} keyframes; summary in "
          f"{os.path.join(args.out, 'summary.json')}")
    return 1 if counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
