# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ```python blocks of docs/python.md run as shown.

Each block runs in its own interpreter, in a directory holding `talk.mp4`
(a generated 4-slide clip); a block preceded by a line
`<!-- doc-test: skip REASON -->` is left out.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import SRCDIR

DOC = os.path.join(SRCDIR, "docs", "python.md")


def blocks():
    text = open(DOC).read()
    out = []
    for m in re.finditer(r"(?:^(<!-- doc-test: skip[^\n]*-->)\n)?"
                         r"^```python\n(.*?)^```", text, re.M | re.S):
        if not m.group(1):
            line = text[:m.start()].count("\n") + 1
            out.append(pytest.param(m.group(2), id=f"line{line}"))
    return out


def test_the_page_has_examples():
    assert len(blocks()) >= 4


@pytest.mark.parametrize("code", blocks())
def test_block_runs(code, slides_clip, tmp_path):
    shutil.copy(slides_clip, tmp_path / "talk.mp4")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
