# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Raw video buffers as numpy arrays.

:func:`to_ndarray` reads the layout of a frame from its ``GstVideoMeta``
(plane offsets and row strides, which decoders pad: a 1280x720 I420 frame
from ``avdec_h264`` is 1420800 bytes, not 1382400) or, without one, from the
caps, and returns the array OpenCV expects for that format.
"""

from __future__ import annotations

import sys
from typing import NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from ._gst import Gst, GstVideo

__all__ = ["to_ndarray", "SUPPORTED_FORMATS"]

_PACKED_CHANNELS = {
    "RGB": 3, "BGR": 3,
    "RGBx": 4, "BGRx": 4, "xRGB": 4, "xBGR": 4,
    "RGBA": 4, "BGRA": 4, "ARGB": 4, "ABGR": 4,
    "YUY2": 2, "UYVY": 2, "YVYU": 2,
    "GRAY8": 1,
}
_PLANAR_420 = ("I420", "YV12")
_SEMI_PLANAR_420 = ("NV12", "NV21")

#: Formats :func:`to_ndarray` converts.
SUPPORTED_FORMATS: Tuple[str, ...] = (tuple(_PACKED_CHANNELS) + _PLANAR_420
                                      + _SEMI_PLANAR_420)


class _Plane(NamedTuple):
    """Rows of one plane: where they start in the buffer and in the array."""
    src_offset: int
    src_stride: int
    rows: int
    row_bytes: int


class _MappedBuffer:
    """A ``Gst.Buffer`` mapped for reading for as long as this object lives.

    Arrays made by :meth:`array` hold a reference to it (through the object
    whose ``__array_interface__`` they were made from), so the buffer is
    unmapped when the last of them is garbage-collected.
    """

    def __init__(self, buffer: Gst.Buffer):
        # A buffer of our own sharing the memories: PyGObject does not take
        # a reference on a buffer returned with transfer none (as
        # Gst.Sample.get_buffer() does), which would go away with its
        # sample while an array still reads it.
        buffer = buffer.copy()
        ok, info = buffer.map(Gst.MapFlags.READ)
        if not ok:
            raise OSError("Could not map the buffer for reading (a spilled "
                          "frame that cannot be read back?)")
        self._buffer = buffer
        self._info = info
        self.size = info.size
        self.address = (np.frombuffer(info.data, np.uint8)
                        .__array_interface__["data"][0]
                        if info.size else 0)

    def array(self, offset: int, shape: Tuple[int, ...],
              strides: Tuple[int, ...]) -> np.ndarray:
        """A read-only uint8 view of the mapped data."""
        return np.asarray(_View(self, offset, shape, strides))

    def bytes_view(self) -> np.ndarray:
        """The whole mapping as a flat read-only uint8 array."""
        return self.array(0, (self.size,), (1,))

    def __del__(self, _finalizing=sys.is_finalizing) -> None:
        info, self._info = getattr(self, "_info", None), None
        # At interpreter exit PyGObject's types may be gone already; the
        # mapping dies with the process.
        if info is not None and not _finalizing():
            self._buffer.unmap(info)


class _View:
    """Describes one array over a :class:`_MappedBuffer` to numpy."""

    def __init__(self, mapping: _MappedBuffer, offset: int,
                 shape: Tuple[int, ...], strides: Tuple[int, ...]):
        self._mapping = mapping
        self.__array_interface__ = {
            "version": 3, "typestr": "|u1", "shape": shape,
            "strides": strides, "data": (mapping.address + offset, True),
        }


def _buffer_and_caps(sample_or_buffer: Union[Gst.Sample, Gst.Buffer],
                     caps: Optional[Gst.Caps]):
    if isinstance(sample_or_buffer, Gst.Sample):
        buffer = sample_or_buffer.get_buffer()
        if caps is None:
            caps = sample_or_buffer.get_caps()
        if buffer is None:
            raise ValueError("The sample holds no buffer")
        return buffer, caps
    if isinstance(sample_or_buffer, Gst.Buffer):
        return sample_or_buffer, caps
    raise TypeError("to_ndarray() expects a Gst.Sample or a Gst.Buffer, not "
                    f"{type(sample_or_buffer).__name__}")


def _layout(buffer: Gst.Buffer, caps: Optional[Gst.Caps]):
    """(format name, width, height, offsets, strides) of the frame."""
    meta = GstVideo.buffer_get_video_meta(buffer)
    if meta is not None:
        fmt = GstVideo.VideoFormat.to_string(meta.format)
        return (fmt, meta.width, meta.height, list(meta.offset),
                list(meta.stride))
    if caps is None:
        raise ValueError("The buffer has no GstVideoMeta: pass its caps "
                         "(or the Gst.Sample) to to_ndarray()")
    info = None
    if caps.get_size() and caps.get_structure(0).get_name() == "video/x-raw":
        info = GstVideo.VideoInfo.new_from_caps(caps)
    if info is None:
        raise ValueError(f"Not raw video caps: {caps.to_string()}")
    fmt = GstVideo.VideoFormat.to_string(info.finfo.format)
    return fmt, info.width, info.height, list(info.offset), list(info.stride)


def _planes(fmt: str, width: int, height: int, offsets: Sequence[int],
            strides: Sequence[int]):
    """The planes to read and the shape of the result."""
    if fmt in _PACKED_CHANNELS:
        channels = _PACKED_CHANNELS[fmt]
        shape = (height, width) if channels == 1 else \
            (height, width, channels)
        return shape, [_Plane(offsets[0], strides[0], height,
                              width * channels)]
    if fmt not in _PLANAR_420 + _SEMI_PLANAR_420:
        raise ValueError(f"to_ndarray() does not support video format {fmt} "
                         f"(supported: {', '.join(SUPPORTED_FORMATS)})")
    if width % 2 or height % 2:
        raise ValueError(f"A {width}x{height} {fmt} frame has no OpenCV "
                         "layout: width and height must be even")
    shape = (height * 3 // 2, width)
    planes = [_Plane(offsets[0], strides[0], height, width)]
    if fmt in _PLANAR_420:
        planes += [_Plane(offsets[i], strides[i], height // 2, width // 2)
                   for i in (1, 2)]
    else:
        planes.append(_Plane(offsets[1], strides[1], height // 2, width))
    return shape, planes


def to_ndarray(sample_or_buffer: Union[Gst.Sample, Gst.Buffer],
               caps: Optional[Gst.Caps] = None) -> np.ndarray:
    """A raw video frame as a uint8 numpy array in OpenCV's layout.

    The frame's layout comes from its ``GstVideoMeta`` (plane offsets and
    strides, as decoders and memspill set them) or, without one, from the
    caps.

    Parameters
    ----------
    sample_or_buffer : Gst.Sample or Gst.Buffer
        The frame. A sample brings its caps.
    caps : Gst.Caps, optional
        Caps of a buffer without a ``GstVideoMeta`` (for a sample, they
        replace the sample's caps).

    Returns
    -------
    numpy.ndarray
        uint8, read-only when it is a view. Shapes by format:

        - RGB, BGR: ``(height, width, 3)``; RGBx, BGRx, xRGB, xBGR, RGBA,
          BGRA, ARGB, ABGR: ``(height, width, 4)``;
        - YUY2, UYVY, YVYU: ``(height, width, 2)`` (``cv2.COLOR_YUV2BGR_YUY2``
          and friends);
        - GRAY8: ``(height, width)``, as ``cv2.cvtColor`` returns gray;
        - I420, YV12, NV12, NV21: ``(height * 3 // 2, width)``, the planes one
          after the other (chroma rows of I420/YV12 packed two per row), the
          layout of ``cv2.COLOR_YUV2BGR_I420`` and its YV12/NV12/NV21
          siblings. Width and height must be even.

        When the rows and planes lie in the buffer without padding, the
        array is a **zero-copy view** of the buffer's memory. The buffer
        then stays mapped as long as the array or any view of it is alive:
        the data is valid exactly that long, and a frame of a spill pool
        (memspill, memsink) stays resident in RAM for that time, counted
        against the pool's budget, until the array is garbage-collected.
        Keep only the arrays you use, or ``.copy()`` them. When rows or
        planes are padded (strides or offsets of the meta), the result is
        one compact, writable copy and the buffer is unmapped at once.

    Raises
    ------
    TypeError
        Not a Gst.Sample or Gst.Buffer.
    ValueError
        No layout (a buffer without meta and caps), not raw video, an
        unsupported format, odd sizes for 4:2:0 formats, or a buffer too
        small for its layout.
    OSError
        The buffer cannot be mapped (e.g. a spilled frame that cannot be
        read back from the spill file).
    """
    buffer, caps = _buffer_and_caps(sample_or_buffer, caps)
    fmt, width, height, offsets, strides = _layout(buffer, caps)
    shape, planes = _planes(fmt, width, height, offsets, strides)
    needed = max(p.src_offset + (p.rows - 1) * p.src_stride + p.row_bytes
                 for p in planes)
    size = buffer.get_size()
    if size < needed:
        raise ValueError(f"A {width}x{height} {fmt} frame needs {needed} "
                         f"bytes, the buffer has {size}")
    mapping = _MappedBuffer(buffer)
    compact = all(p.src_stride == p.row_bytes for p in planes) and all(
        b.src_offset == a.src_offset + a.rows * a.row_bytes
        for a, b in zip(planes, planes[1:]))
    if compact:
        strides_out = (width * shape[2], shape[2], 1) if len(shape) == 3 \
            else (shape[1], 1)
        return mapping.array(planes[0].src_offset, shape, strides_out)
    out = np.empty(shape, np.uint8)
    flat = out.reshape(-1)
    pos = 0
    for p in planes:
        rows = mapping.array(p.src_offset, (p.rows, p.row_bytes),
                             (p.src_stride, 1))
        flat[pos:pos + p.rows * p.row_bytes].reshape(
            p.rows, p.row_bytes)[...] = rows
        pos += p.rows * p.row_bytes
        del rows
    return out
