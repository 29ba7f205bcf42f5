#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs every gst-launch-1.0 line of README.md and docs/*.md.

    pipelines.py [--list]

The lines are extracted mechanically from the code blocks (fenced with
``` or indented by four spaces) of README.md and docs/*.md: a command is a
line whose first word, after an optional "$ " prompt and VAR=value
assignments, is gst-launch-1.0, joined with the lines that follow it while
they end in a backslash.  Then, for each command:

- `location=` of filesrc/multifilesrc and `uri=` of uridecodebin,
  urisourcebin and playbin are replaced by a clip generated here (an
  8-second, 320x240 slide deck: tests/examples/testclip.py), MP4 or
  Matroska by the extension the docs use;
- every other `location=` (filesink, multifilesink, memsink, ...) and every
  `spill-directory=` is moved into a fresh temporary directory (file name
  kept, so %05d patterns still work);
- GST_PLUGIN_PATH=... assignments are dropped: the test environment already
  points at the plugin in this build tree.

The command then runs through /bin/sh (so $((256*1024*1024)) works) with a
60 s timeout and must exit 0.

A command shown as a transcript of a failure — followed in its block by a
line starting with `ERROR: ` — must fail instead, and print that error
message (whitespace aside).  Such a command runs with only its input
replaced, since the failure usually is about the output or spill paths.

A block preceded by a line `<!-- doc-test: skip REASON -->` is not run (for
hardware sources).
"""

import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

SRC = os.environ.get("TESTS_SRCDIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(
                         os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(SRC, "tests", "examples"))

INPUT_LOCATION = ("filesrc", "multifilesrc")
INPUT_URI = ("uridecodebin", "uridecodebin3", "urisourcebin", "playbin",
             "playbin3")
SKIP = re.compile(r"<!--\s*doc-test:\s*skip\b")
LAUNCH = re.compile(r"^(\$\s+)?((\w+=\S*\s+)*)gst-launch-1\.0(\s|$)")


def doc_files():
    files = [os.path.join(SRC, "README.md")]
    files += sorted(glob.glob(os.path.join(SRC, "docs", "*.md")))
    return [f for f in files if os.path.exists(f)]


def code_blocks(path):
    """(first line number, [lines]) of each code block not marked skip."""
    lines = open(path, encoding="utf-8").read().splitlines()
    blocks, i, skip_next = [], 0, False
    while i < len(lines):
        line = lines[i]
        if SKIP.search(line):
            skip_next = True
            i += 1
            continue
        fence = re.match(r"^\s*(```|~~~)", line)
        if fence:
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(
                    fence.group(1)):
                body.append(lines[i])
                i += 1
            if not skip_next:
                blocks.append((start + 1, body))
            skip_next = False
            i += 1
            continue
        if line.startswith("    ") and (i == 0 or not lines[i - 1].strip()
                                        or lines[i - 1].startswith("    ")):
            start, body = i, []
            while i < len(lines) and (lines[i].startswith("    ")
                                      or not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            if not skip_next:
                blocks.append((start + 1, body))
            skip_next = False
            continue
        if line.strip():
            skip_next = False
        i += 1
    return blocks


def commands(path):
    """(line number, command, expected error or None) of every
    gst-launch-1.0 line of @path."""
    out = []
    for start, body in code_blocks(path):
        j = 0
        while j < len(body):
            text = body[j].strip()
            if LAUNCH.match(text):
                lineno, parts = start + j, [text]
                while parts[-1].endswith("\\") and j + 1 < len(body):
                    parts[-1] = parts[-1][:-1]
                    j += 1
                    parts.append(body[j].strip())
                cmd = " ".join(p.strip() for p in parts)
                # The transcript lines up to the next command.
                shown = []
                while j + 1 < len(body) and not LAUNCH.match(
                        body[j + 1].strip()):
                    j += 1
                    shown.append(body[j].strip())
                out.append((lineno, re.sub(r"^\$\s+", "", cmd),
                            expected_error(shown)))
            j += 1
    return out


def expected_error(shown):
    """The error message a transcript shows after `ERROR: `, or None."""
    for i, line in enumerate(shown):
        if line.startswith("ERROR: "):
            text = " ".join([line[len("ERROR: "):]] + [
                x for x in shown[i + 1:] if x and not x.startswith("$")])
            # gst-launch prints "from element /path/to:element: message"
            m = re.match(r"from element \S+: (.*)$", text)
            return " ".join((m.group(1) if m else text).split())
    return None


def rewrite(cmd, clips, outdir, outputs=True):
    """The command with inputs (and @outputs) replaced, for /bin/sh."""
    tokens = shlex.split(cmd)
    out, element, launched = [], None, False
    for tok in tokens:
        if not launched:
            if tok == "gst-launch-1.0":
                launched = True
                out.append(tok)
            elif not tok.startswith("GST_PLUGIN_PATH"):
                out.append(tok)
            continue
        if tok == "!":
            element = None
            out.append(tok)
            continue
        if tok.startswith("-") and element is None and not out[-1] == "!":
            out.append(tok)
            continue
        m = re.match(r"^([\w-]+)=(.*)$", tok)
        if m is None:
            if "/" not in tok and not tok.endswith(".") and "." not in tok:
                element = tok
            elif tok.endswith("."):
                element = None
            out.append(tok)
            continue
        key, value = m.group(1), m.group(2)
        if key == "location" and element in INPUT_LOCATION:
            tok = "location=" + clip_for(value, clips)
        elif key == "uri" and element in INPUT_URI:
            tok = "uri=file://" + clip_for(value, clips)
        elif not outputs:
            pass
        elif key == "location" and element is not None:
            name = os.path.basename(value.rstrip("/")) or "out"
            tok = "location=" + os.path.join(outdir, name)
        elif key == "spill-directory":
            tok = "spill-directory=" + outdir
        out.append(tok)
    # Quote for /bin/sh again, leaving $((...)) arithmetic to the shell.
    return " ".join(t if "$((" in t or t == "!" else shlex.quote(t)
                    for t in out)


def clip_for(value, clips):
    ext = os.path.splitext(value)[1].lower()
    return clips["mkv"] if ext in (".mkv", ".webm") else clips["mp4"]


def main():
    listing = "--list" in sys.argv
    found = [(os.path.relpath(f, SRC), n, c, e) for f in doc_files()
             for n, c, e in commands(f)]
    if listing:
        for f, n, c, e in found:
            print(f"{f}:{n}: {c}" + (f"\n    must fail with: {e}" if e
                                     else ""))
        return 0
    readme = [x for x in found if x[0] == "README.md"]
    if len(readme) < 3:
        print(f"README.md has {len(readme)} gst-launch-1.0 pipelines, "
              "expected at least 3")
        return 1

    import testclip
    failed = []
    with tempfile.TemporaryDirectory(prefix="memvideo-docs-") as tmp:
        clips = {"mp4": os.path.join(tmp, "clip.mp4"),
                 "mkv": os.path.join(tmp, "clip.mkv")}
        for c in clips.values():
            testclip.make_clip(c, slides=4, seconds_per_slide=2.0)
        for i, (f, n, cmd, error) in enumerate(found):
            outdir = os.path.join(tmp, f"out{i}")
            os.makedirs(outdir)
            run = rewrite(cmd, clips, outdir, outputs=error is None)
            print(f"--- {f}:{n}\n    {cmd}\n  ran as\n    {run}")
            if error:
                print(f"  must fail with: {error}")
            try:
                p = subprocess.run(["/bin/sh", "-c", run], cwd=outdir,
                                   capture_output=True, text=True,
                                   timeout=60)
                output = p.stdout + p.stderr
                tail = output[-2000:]
                if error is None:
                    ok = p.returncode == 0
                    why = f"exit status {p.returncode}"
                else:
                    ok = p.returncode != 0 and error in " ".join(
                        output.split())
                    why = (f"exit status {p.returncode}, expected a failure "
                           "printing the error the docs show")
            except subprocess.TimeoutExpired:
                ok, why, tail = False, "no EOS within 60 s", ""
            print("  ok" if ok else f"  FAILED: {why}\n{tail}")
            if not ok:
                failed.append(f"{f}:{n}")
    print(f"\n{len(found)} pipelines, {len(failed)} failed"
          + (": " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
