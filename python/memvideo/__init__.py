# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memvideo: video frames in numpy within a RAM budget, on GStreamer.

The Python side of gst-memvideo (the ``keyframeselect``, ``memspill`` and
``memsink`` elements):

- :func:`to_ndarray` turns a raw video ``Gst.Sample`` or ``Gst.Buffer`` into
  a numpy array in OpenCV's layout, honouring ``GstVideoMeta`` strides and
  offsets (zero-copy when the frame is not padded);
- :func:`extract_frames` is PlanOpticon's ``extract_frames``: the frames that
  matter, as a lazy sequence held in a spill pool under ``max_memory_mb``;
- :func:`encode_mp4` encodes numpy frames into an MP4 held in memory,
  returned without a second copy; :func:`iter_slices` streams it;
- :class:`PreEventRecorder` keeps the recent past of a live source and
  saves the seconds around an event as a playable file (memsink's
  ``save``);
- ``python3 -m memvideo.batch`` (:mod:`memvideo.batch`) extracts the
  keyframes of many videos on Dask distributed.

The elements must be installed (``meson install``) or found through
``GST_PLUGIN_PATH`` (``build/plugins`` of a source tree). See docs/python.md.
"""

from .encode import encode_mp4, iter_slices
from .extract import ExtractedFrames, PoolStats, extract_frames
from .frames import SUPPORTED_FORMATS, to_ndarray
from .recorder import Clip, PreEventRecorder

__all__ = [
    "to_ndarray",
    "SUPPORTED_FORMATS",
    "extract_frames",
    "ExtractedFrames",
    "PoolStats",
    "encode_mp4",
    "iter_slices",
    "PreEventRecorder",
    "Clip",
]

__version__ = "0.1.0"
