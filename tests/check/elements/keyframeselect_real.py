#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# keyframeselect's default threshold against real material
# (tests/media/measure_scores.py: pages of the libtasn1 manual rendered with
# pdftoppm, gnome-backgrounds photographs): every page change scores at
# least 1.5 times the default threshold, cursor, typing, noise and a masked
# inset stay below half of it, and every hard cut is above it.  Skipped
# (77) when the PDF, pdftoppm or the photographs are missing.

import os
import shutil
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

sys.path.insert(0, os.path.join(os.environ.get("TESTS_SRCDIR", "."),
                                "tests", "media"))
import measure_scores  # noqa: E402

PDF = "/usr/share/doc/libtasn1-doc/libtasn1.pdf"
PHOTOS = "/usr/share/backgrounds/gnome"

Gst.init(None)
if not os.path.exists(PDF) or shutil.which("pdftoppm") is None:
    print("skipped: no libtasn1-doc PDF or pdftoppm (scripts/setup)")
    sys.exit(77)
try:
    m = measure_scores.measure(PDF, PHOTOS, 16)
except FileNotFoundError as e:
    print(f"skipped: {e}")
    sys.exit(77)

element = Gst.ElementFactory.make("keyframeselect")
t = element.find_property("threshold").default_value
failed = []


def expect(ok, what):
    if not ok:
        failed.append(what)
    print(("ok: " if ok else "FAIL: ") + what)


expect(min(m["page change"]) >= 1.5 * t,
       f"page changes {min(m['page change']):.4f}.. >= 1.5 x {t}")
for name in ("cursor (12 px/frame)", "typing (a word per frame)",
             "sensor noise (sigma 3)", "inset 16%, mask after 3 s"):
    expect(max(m[name]) < 0.5 * t, f"{name} {max(m[name]):.4f} < 0.5 x {t}")
expect(min(m["hard cut (photo to photo)"]) >= t,
       f"hard cuts {min(m['hard cut (photo to photo)']):.4f}.. >= {t}")
sys.exit(1 if failed else 0)
