# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""numpy frames to an MP4 held in memory by memsink.

::

    appsrc ! videoconvert ! videoscale ! video/x-raw,format=I420
      ! x264enc ! h264parse ! mp4mux ! memsink

memsink keeps the muxer's output as a seekable in-memory file (mp4mux
rewrites its header at the end) and hands it over as one ``GBytes``, which
:func:`encode_mp4` returns as a ``memoryview`` without copying it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Iterator, Optional, Union

import numpy as np

from ._gst import (Gst, GstVideo, PipelineRunner, gst_error_to_exception,
                   make_element, set_properties)
from .frames import _MappedBuffer

__all__ = ["encode_mp4", "iter_slices"]

_COLORS = {"bgr": ("BGR", 3), "rgb": ("RGB", 3), "bgra": ("BGRA", 4),
           "rgba": ("RGBA", 4)}
_QUEUED_FRAMES = 4


def _frame_rate(fps: Union[float, Fraction]) -> Fraction:
    if isinstance(fps, bool) or not isinstance(fps, (int, float, Fraction)) \
            or not fps > 0:
        raise ValueError(f"fps must be a number above 0, not {fps!r}")
    return Fraction(fps).limit_denominator(1001)


def _check_frame(frame: Any, shape: tuple, index: int) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        raise ValueError(f"frame {index} is not a uint8 numpy array")
    if frame.shape != shape:
        raise ValueError(f"frame {index} has shape {frame.shape}, the first "
                         f"frame {shape}: all frames must have one size")
    return np.ascontiguousarray(frame)


class _Encoder:
    def __init__(self, fmt: str, in_w: int, in_h: int, out_w: int,
                 out_h: int, rate: Fraction, max_memory: Optional[int],
                 x264enc_properties: dict):
        self.rate = rate
        self.pipeline = Gst.Pipeline.new("encode-mp4")
        self.src = make_element("appsrc")
        elements = [self.src, make_element("videoconvert"),
                    make_element("videoscale"), make_element("capsfilter")]
        self.encoder = make_element("x264enc")
        elements += [self.encoder, make_element("h264parse"),
                     make_element("mp4mux")]
        self.sink = make_element("memsink")
        elements.append(self.sink)
        caps = Gst.Caps.from_string(
            f"video/x-raw,format={fmt},width={in_w},height={in_h},"
            f"framerate={rate.numerator}/{rate.denominator},"
            "pixel-aspect-ratio=1/1")
        self.info = GstVideo.VideoInfo.new_from_caps(caps)
        self.src.set_property("caps", caps)
        self.src.set_property("format", Gst.Format.TIME)
        elements[3].set_property("caps", Gst.Caps.from_string(
            f"video/x-raw,format=I420,width={out_w},height={out_h}"))
        set_properties(self.encoder, x264enc_properties, "x264enc")
        if max_memory is not None:
            self.sink.set_property("max-memory", max_memory)
        Gst.util_set_object_arg(self.sink, "mode", "file")
        for e in elements:
            self.pipeline.add(e)
        for a, b in zip(elements, elements[1:]):
            a.link(b)
        self.runner = PipelineRunner(self.pipeline)
        self.count = 0

    def _check_bus(self, wait: float) -> None:
        msg = self.pipeline.get_bus().timed_pop_filtered(
            int(wait * Gst.SECOND), Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            raise gst_error_to_exception(err, debug)

    def push(self, frame: np.ndarray) -> None:
        # A bounded queue that cannot block for ever: wait for room while
        # watching the bus for an error downstream.
        while self.src.get_property("current-level-buffers") \
                >= _QUEUED_FRAMES:
            self._check_bus(0.005)
        self._check_bus(0)
        buf = Gst.Buffer.new_allocate(None, self.info.size, None)
        ok, info = buf.map(Gst.MapFlags.WRITE)
        if not ok:
            raise MemoryError("could not map a new frame buffer")
        dst = np.frombuffer(info.data, np.uint8)
        row = frame.shape[1] * frame.shape[2]
        stride = self.info.stride[0]
        dst[:stride * frame.shape[0]].reshape(
            frame.shape[0], stride)[:, :row] = frame.reshape(frame.shape[0],
                                                             row)
        del dst
        buf.unmap(info)
        n, d = self.rate.numerator, self.rate.denominator
        buf.pts = Gst.util_uint64_scale(self.count, d * Gst.SECOND, n)
        buf.duration = Gst.util_uint64_scale(self.count + 1, d * Gst.SECOND,
                                             n) - buf.pts
        self.count += 1
        ret = self.src.emit("push-buffer", buf)
        if ret != Gst.FlowReturn.OK:
            self._check_bus(1.0)
            raise RuntimeError(f"the encoder refused frame {self.count - 1}"
                               f" ({ret.value_nick})")


def encode_mp4(frames: Iterable[np.ndarray], fps: Union[float, Fraction],
               width: Optional[int] = None, height: Optional[int] = None,
               *, color: str = "bgr", max_memory_mb: Optional[float] = None,
               **x264enc_properties: Any) -> memoryview:
    """Encodes numpy frames to H.264 in an MP4 held in memory.

    The seeds' PyAV + ``io.BytesIO`` job: the MP4 is built by ``mp4mux`` in
    memsink's in-memory file (which spills to disk beyond ``max_memory_mb``)
    and returned as a ``memoryview`` over memsink's ``GBytes``, without a
    second copy: pass it to ``urllib``/``requests`` as the body, write it to
    a file, hash it; :func:`iter_slices` cuts it for a streamed request.

    Parameters
    ----------
    frames : iterable of numpy.ndarray
        uint8 frames, all of one shape: ``(height, width, 3)`` for
        ``color="bgr"`` (OpenCV's order) or ``"rgb"``, ``(height, width,
        4)`` for ``"bgra"``/``"rgba"`` (alpha is dropped). Read one at a
        time (a generator is fine).
    fps : float or fractions.Fraction
        Frame rate of the video; the frames get timestamps from it.
    width, height : int, optional
        Size of the video (even numbers); the frames are scaled to it. By
        default the size of the frames.
    color : {"bgr", "rgb", "bgra", "rgba"}, default "bgr"
        Channel order of the frames.
    max_memory_mb : float or None, default None
        RAM budget of memsink's file in MiB (None: no budget).
    **x264enc_properties
        x264enc properties, ``_`` for ``-``: ``speed_preset="ultrafast"``,
        ``bitrate=4000`` (kbit/s), ``key_int_max=60``, ``tune="zerolatency"``;
        ``pass_="quant", quantizer=18`` (a trailing ``_`` for Python
        keywords).

    Returns
    -------
    memoryview
        The MP4 file, read-only bytes (``format "B"``). It stays valid as
        long as the memoryview (or anything made from it) lives; ``bytes()``
        copies it.

    Raises
    ------
    ValueError
        No frames, frames of different shapes or not uint8, a bad ``fps``,
        ``color``, ``width`` or ``height``, or a value x264enc refuses.
    TypeError
        A keyword that is no x264enc property.
    RuntimeError
        The pipeline failed (GStreamer's message), e.g. a missing element.

    Examples
    --------
    >>> data = encode_mp4(frames, fps=25, speed_preset="veryfast")
    >>> urllib.request.urlopen(urllib.request.Request(
    ...     url, data=data, headers={"Content-Type": "video/mp4"}))
    """
    rate = _frame_rate(fps)
    if color not in _COLORS:
        raise ValueError(f"color must be one of {', '.join(_COLORS)}, not "
                         f"{color!r}")
    fmt, channels = _COLORS[color]
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise ValueError("encode_mp4() needs at least one frame")
    shape = first.shape if isinstance(first, np.ndarray) else None
    if shape is None or len(shape) != 3 or shape[2] != channels:
        raise ValueError(
            f"color={color!r} expects frames of shape (height, width, "
            f"{channels}), the first frame has shape {shape}")
    out_w = shape[1] if width is None else width
    out_h = shape[0] if height is None else height
    for name, v in (("width", out_w), ("height", out_h)):
        if not isinstance(v, int) or v <= 0 or v % 2:
            raise ValueError(f"{name} must be an even number of pixels "
                             f"(H.264 4:2:0), not {v!r}")
    max_memory = None if max_memory_mb is None else int(max_memory_mb
                                                        * 1024 * 1024)
    job = _Encoder(fmt, shape[1], shape[0], out_w, out_h, rate, max_memory,
                   x264enc_properties)
    try:
        if job.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            job._check_bus(0)
            raise RuntimeError("the encoding pipeline could not start")
        job.push(_check_frame(first, shape, 0))
        for index, frame in enumerate(iterator, 1):
            job.push(_check_frame(frame, shape, index))
        job.src.emit("end-of-stream")
        _wait_eos(job)
        gbytes = job.sink.emit("get-bytes")
    finally:
        job.pipeline.set_state(Gst.State.NULL)
    if gbytes is None or gbytes.get_size() == 0:
        raise RuntimeError("memsink holds no MP4 data")
    mapping = _MappedBuffer(Gst.Buffer.new_wrapped_bytes(gbytes))
    return memoryview(mapping.bytes_view())


def _wait_eos(job: _Encoder) -> None:
    bus = job.pipeline.get_bus()
    while True:
        msg = bus.timed_pop_filtered(
            Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg is None:
            continue
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            raise gst_error_to_exception(err, debug)
        return


def iter_slices(data: Union[bytes, memoryview],
                size: int = 1 << 20) -> Iterator[memoryview]:
    """Consecutive slices of @data of @size bytes (the last may be shorter),
    as memoryviews: no copy. An iterable body for ``urllib.request`` or
    ``requests`` that streams the MP4 (give ``Content-Length`` yourself).

    Raises
    ------
    ValueError
        @size is not a positive integer.
    """
    if not isinstance(size, int) or size <= 0:
        raise ValueError(f"size must be a positive integer, not {size!r}")
    view = memoryview(data)
    for start in range(0, len(view), size):
        yield view[start:start + size]
