# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures of the pytest tests of python/memvideo (test_*.py here).

meson test runs them against the plugin of the build tree with
PYTHONPATH=<source>/python; clips are generated per session by
tests/examples/testclip.py (slide N starts at frame N * seconds * 25).
"""

import os
import sys

import numpy as np
import pytest

SRCDIR = os.environ.get("TESTS_SRCDIR",
                        os.path.join(os.path.dirname(__file__), "..", "..",
                                     ".."))
BUILDDIR = os.environ.get("TESTS_BUILDDIR", os.path.join(SRCDIR, "build"))
sys.path.insert(0, os.path.join(SRCDIR, "python"))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "examples"))

import testclip  # noqa: E402

SEED = int(os.environ.get("MEMVIDEO_TEST_SEED", "20261203"))
FPS = testclip.FPS


def pytest_report_header(config):
    return f"memvideo tests: random seed {SEED} (MEMVIDEO_TEST_SEED)"


@pytest.fixture
def rng():
    """numpy Generator with the printed, env-overridable seed."""
    return np.random.default_rng(SEED)


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """make(name, slides, seconds_per_slide, size) -> path, cached."""
    made = {}
    root = tmp_path_factory.mktemp("clips")

    def make(slides=4, seconds_per_slide=2.0, size=(320, 240), ext="mp4"):
        key = (slides, seconds_per_slide, size, ext)
        if key not in made:
            path = str(root / "clip-{}x{}-{}x{}s.{}".format(
                size[0], size[1], slides, seconds_per_slide, ext))
            testclip.make_clip(path, slides, seconds_per_slide, *size)
            made[key] = path
        return made[key]
    return make


@pytest.fixture(scope="session")
def slides_clip(clips):
    """4 slides of 2 s at 25 fps, 320x240: slide starts 0, 50, 100, 150."""
    return clips()


@pytest.fixture(scope="session")
def media_dir():
    """tests/media clips of the build (with ground-truth.ini)."""
    return os.path.join(BUILDDIR, "tests", "media")
