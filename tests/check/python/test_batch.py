# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""python3 -m memvideo.batch on Dask distributed: statuses and messages,
complete outputs, resume and --force, a worker killed mid-task, a
scheduler and workers started as separate processes. Every command runs in
a session of its own, and no process of it may be left afterwards."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import testclip

TIMEOUT = 240

# meson test --setup asan preloads libasan into every process: Dask's
# scheduler, nanny and worker processes then take minutes to start, and
# what they run (the elements) is covered by the other tests there.
pytestmark = pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""),
    reason="Dask clusters are not run under ASan")


def session_processes(sid):
    """PIDs of live processes in session @sid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append(int(d))
    return out


def start(args, **kw):
    return subprocess.Popen([sys.executable, "-m", "memvideo.batch"] + args,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **kw)


def finish(proc):
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    deadline = time.monotonic() + 20
    while session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(proc.pid) == [], "stray worker processes"
    return proc.returncode, out, err


def batch(args):
    return finish(start(args))


def summary(out):
    with open(os.path.join(out, "summary.json")) as f:
        return {os.path.basename(e["output"]): e
                for e in json.load(f)["videos"]}


def assert_complete(outdir, count):
    with open(os.path.join(outdir, "index.json")) as f:
        index = json.load(f)
    assert len(index["keyframes"]) == count
    files = sorted(n for n in os.listdir(outdir) if n.endswith(".jpg"))
    assert files == [k["file"] for k in index["keyframes"]]
    for name in files:
        with open(os.path.join(outdir, name), "rb") as f:
            assert f.read(2) == b"\xff\xd8"
    assert [k["reason"] for k in index["keyframes"]] == \
        ["first"] + ["change"] * (count - 1)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """6 clips, clip k with k + 1 slides (k + 1 keyframes), a corrupt file."""
    d = tmp_path_factory.mktemp("videos")
    for k in range(6):
        testclip.make_clip(str(d / f"clip{k}.mp4"), k + 1, 1.0)
    with open(d / "corrupt.mp4", "wb") as f:
        f.write(bytes((i * 7919 + 13) % 256 for i in range(20000)))
    return d


def test_local_cluster_statuses_resume_force(videos, tmp_path):
    out = str(tmp_path / "out")
    missing = str(tmp_path / "missing.mp4")
    rc, stdout, err = batch(["--out", out, "--workers", "2", str(videos),
                             missing])
    assert rc == 1, err
    s = summary(out)
    assert sorted(s) == ["clip0", "clip1", "clip2", "clip3", "clip4",
                         "clip5", "corrupt", "missing"]
    for k in range(6):
        e = s[f"clip{k}"]
        assert (e["status"], e["error"], e["keyframes"]) == ("ok", None,
                                                             k + 1)
        assert e["frames"] == (k + 1) * 25 and e["worker"].startswith("tcp:")
        assert_complete(e["output"], k + 1)
    assert s["corrupt"]["status"] == "error"
    assert s["corrupt"]["error"] == "Could not determine type of stream."
    assert s["missing"]["status"] == "error"
    assert s["missing"]["error"] == f"{missing}: No such video file"
    assert not os.path.exists(os.path.join(out, "corrupt"))
    assert [n for n in os.listdir(out) if n.startswith(".")] == []
    assert "8 videos: 6 ok, 0 skipped, 2 failed; 21 keyframes" in stdout
    assert f"memvideo.batch: {missing}: No such video file\n" in err
    assert f"memvideo.batch: {videos / 'corrupt.mp4'}: Could not " \
        "determine type of stream.\n" in err

    rc, _, err = batch(["--out", out, str(videos)])
    assert rc == 1
    s2 = summary(out)
    assert [s2[f"clip{k}"]["status"] for k in range(6)] == ["skipped"] * 6
    assert [s2[f"clip{k}"]["keyframes"] for k in range(6)] == \
        [1, 2, 3, 4, 5, 6]
    assert s2["corrupt"]["status"] == "error"

    os.unlink(os.path.join(out, "clip3", "keyframe-0002.jpg"))
    rc, _, _ = batch(["--out", out, "--workers", "1",
                      str(videos / "clip3.mp4"), str(videos / "clip4.mp4")])
    assert rc == 0
    s3 = summary(out)
    assert (s3["clip3"]["status"], s3["clip4"]["status"]) == ("ok",
                                                              "skipped")
    assert_complete(s3["clip3"]["output"], 4)

    rc, _, _ = batch(["--out", out, "--workers", "2", "--force",
                      str(videos / "clip0.mp4"), str(videos / "clip1.mp4")])
    assert rc == 0
    assert [e["status"] for e in summary(out).values()] == ["ok", "ok"]


def test_bad_command_lines(tmp_path):
    for args in (["--workers", "2", "x.mp4"],
                 ["--out", str(tmp_path), "--workers", "0", "x.mp4"],
                 ["--out", str(tmp_path), "--threshold", "2", "x.mp4"],
                 ["--out", str(tmp_path), "--spill", "png", "x.mp4"],
                 ["--out", str(tmp_path), "--max-memory", "lots", "x.mp4"],
                 ["--out", str(tmp_path), "--interval", "-1", "x.mp4"],
                 ["--out", str(tmp_path), "--workers", "1",
                  "--scheduler", "tcp://127.0.0.1:1", "x.mp4"],
                 ["--out", str(tmp_path)]):
        rc, _, err = batch(args)
        assert rc == 2, args
        assert "usage:" in err


def test_killed_worker_is_retried(videos, tmp_path):
    """kill -9 of the worker process running a task: Dask reruns the task on
    a new worker and the output is complete."""
    long_clip = str(tmp_path / "long.mp4")
    testclip.make_clip(long_clip, 6, 4.0, 1280, 720)
    out = str(tmp_path / "out")
    proc = start(["--out", out, "--workers", "2", long_clip,
                  str(videos / "clip1.mp4")])
    pid, deadline = None, time.monotonic() + TIMEOUT
    while pid is None and time.monotonic() < deadline:
        for n in os.listdir(out) if os.path.isdir(out) else []:
            path = os.path.join(out, n, ".worker")
            if n.startswith(".long.partial-") and os.path.exists(path):
                with open(path) as f:
                    text = f.read().split()
                if len(text) == 2:
                    pid = int(text[1])
        time.sleep(0.02)
    assert pid is not None, "the task never started"
    killed_worker = text[0]
    os.kill(pid, signal.SIGKILL)
    rc, _, err = finish(proc)
    assert rc == 0, err
    e = summary(out)["long"]
    assert e["status"] == "ok" and e["keyframes"] == 6
    assert e["worker"] != killed_worker
    assert_complete(e["output"], 6)
    assert [n for n in os.listdir(out) if n.startswith(".")] == []


def test_separate_scheduler_and_workers(videos, tmp_path):
    """The multi-machine path on one machine: dask-scheduler and two
    dask-worker processes on 127.0.0.1, the command with --scheduler."""
    sched_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen(
        ["dask-scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(sched_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for _ in range(2):
            procs.append(subprocess.Popen(
                ["dask-worker", "--scheduler-file", str(sched_file),
                 "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                 "--host", "127.0.0.1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True))
        from distributed import Client
        with Client(address, timeout="60s") as c:
            c.wait_for_workers(2, timeout=60)
            workers = set(c.scheduler_info()["workers"])
        out = str(tmp_path / "out")
        rc, _, err = batch(["--out", out, "--scheduler", address] +
                           [str(videos / f"clip{k}.mp4") for k in range(4)])
        assert rc == 0, err
        s = summary(out)
        assert [s[f"clip{k}"]["keyframes"] for k in range(4)] == [1, 2, 3, 4]
        assert {e["worker"] for e in s.values()} <= workers
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for p in procs:
            deadline = time.monotonic() + 20
            while session_processes(p.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert session_processes(p.pid) == []
