# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PlanOpticon's ``extract_frames`` on keyframeselect and the spill pool.

::

    uridecodebin ! videoconvert ! keyframeselect ! [videoscale !]
      videoconvert ! video/x-raw,format=BGR ! memsink

The selected frames stay in memsink's spill pool (at most
``max_memory_mb`` in RAM, the rest in an unlinked spill file) and become
numpy arrays only when they are accessed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import (Any, Iterator, NamedTuple, Optional, Tuple, Union,
                    overload)

import numpy as np

from ._gst import (Gst, PipelineRunner, as_location, make_element,
                   set_properties)
from ._progress import Progress
from .frames import to_ndarray

__all__ = ["extract_frames", "ExtractedFrames", "PoolStats"]

_META = "GstKeyframeSelectMeta"
_MIB = 1024 * 1024


class PoolStats(NamedTuple):
    """Statistics of the spill pool holding the frames, as memsink reported
    them at the end of the extraction (bytes and counts)."""

    #: RAM budget of the pool (``max_memory_mb`` in bytes).
    max_memory: int
    #: Bytes of frames in RAM at the end.
    resident_bytes: int
    #: Largest ``resident_bytes`` seen while the video was read.
    peak_resident_bytes: int
    #: Bytes the spilled frames occupy in the spill file.
    spilled_bytes: int
    #: Frames in RAM, and frames only on disk, at the end.
    frames_resident: int
    frames_spilled: int
    #: Writes to and reads from the spill file during the extraction.
    spills: int
    reloads: int


class _Record(NamedTuple):
    time: float
    reason: str
    score: float
    frame: int


class _Store:
    """The memsink holding the samples, shared by a sequence and its
    slices."""

    def __init__(self, pipeline: Gst.Pipeline, sink: Gst.Element):
        self.pipeline: Optional[Gst.Pipeline] = pipeline
        self.sink: Optional[Gst.Element] = sink

    def sample(self, index: int) -> Gst.Sample:
        if self.sink is None:
            raise ValueError("I/O operation on closed ExtractedFrames")
        sample = self.sink.emit("get-sample", index)
        if sample is None:
            raise IndexError(f"frame {index} is no longer held")
        return sample

    def close(self) -> None:
        if self.sink is not None:
            self.sink.emit("clear")
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
        self.sink = None
        self.pipeline = None


class ExtractedFrames(Sequence):
    """The frames :func:`extract_frames` selected, held in a spill pool.

    A :class:`collections.abc.Sequence` of BGR ``uint8`` arrays of shape
    ``(height, width, 3)``: ``len``, indexing (negative too), slicing (a
    slice is an ``ExtractedFrames`` over the same pool) and iteration. Each
    access converts the frame with :func:`memvideo.to_ndarray`: a read-only
    view of the frame in the pool, which stays resident in RAM while the
    array (or a view of it) is alive; ``.copy()`` it to keep a writable
    frame independent of the pool. A loop that uses one frame at a time
    therefore stays within the pool's budget, whatever the number of frames.

    Close it (``close()`` or a ``with`` block) to free the pool's RAM and
    spill file at once rather than when the object is collected.

    Attributes
    ----------
    times : tuple of float
        Stream time of each frame, in seconds (from the buffer's PTS and the
        segment, so an edit list or a seek start is taken into account).
    reasons : tuple of str
        Why keyframeselect selected each frame: ``"first"``, ``"change"``
        or ``"periodic"``.
    scores : tuple of float
        keyframeselect's score of each frame (0 to 1; 0 for ``"first"``).
    frame_numbers : tuple of int
        Index of each frame among the decoded frames, from 0.
    stats : PoolStats
        The spill pool's statistics at the end of the extraction.
    frames_in : int
        Number of decoded frames read.
    """

    def __init__(self, store: _Store, records: Tuple[_Record, ...],
                 indices: range, stats: PoolStats, frames_in: int):
        self._store = store
        self._records = records
        self._indices = indices
        self.stats = stats
        self.frames_in = frames_in

    def __len__(self) -> int:
        return len(self._indices)

    @overload
    def __getitem__(self, index: int) -> np.ndarray: ...

    @overload
    def __getitem__(self, index: slice) -> "ExtractedFrames": ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ExtractedFrames(self._store, self._records,
                                   self._indices[index], self.stats,
                                   self.frames_in)
        try:
            position = self._indices[index]
        except IndexError:
            raise IndexError("ExtractedFrames index out of range") from None
        except TypeError:
            raise TypeError("ExtractedFrames indices must be integers or "
                            f"slices, not {type(index).__name__}") from None
        return to_ndarray(self._store.sample(position))

    def __iter__(self) -> Iterator[np.ndarray]:
        for position in self._indices:
            yield to_ndarray(self._store.sample(position))

    def __contains__(self, value: Any) -> bool:
        return any(np.array_equal(frame, value) for frame in self)

    def index(self, value: Any, start: int = 0,
              stop: Optional[int] = None) -> int:
        """Index of the first frame equal to @value (``np.array_equal``)."""
        stop = len(self) if stop is None else stop
        for i in range(*slice(start, stop).indices(len(self))):
            if np.array_equal(self[i], value):
                return i
        raise ValueError("frame not in ExtractedFrames")

    def count(self, value: Any) -> int:
        """Number of frames equal to @value (``np.array_equal``)."""
        return sum(1 for frame in self if np.array_equal(frame, value))

    def _field(self, name: str) -> tuple:
        return tuple(getattr(self._records[i], name) for i in self._indices)

    @property
    def times(self) -> Tuple[float, ...]:
        return self._field("time")

    @property
    def reasons(self) -> Tuple[str, ...]:
        return self._field("reason")

    @property
    def scores(self) -> Tuple[float, ...]:
        return self._field("score")

    @property
    def frame_numbers(self) -> Tuple[int, ...]:
        return self._field("frame")

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (on this or a slice)."""
        return self._store.sink is None

    def close(self) -> None:
        """Releases the frames: their RAM and spill file are freed once no
        array returned by this sequence uses them. Further access raises
        ValueError. Closing a slice closes the whole set."""
        self._store.close()

    def __enter__(self) -> "ExtractedFrames":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self)} frames"
        return f"<ExtractedFrames: {state}>"


def _check_arguments(sampling_rate, change_threshold,
                     periodic_capture_seconds, max_frames, resize_to,
                     max_memory_mb, spill_format) -> None:
    def number(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if sampling_rate is not None and not (number(sampling_rate)
                                          and sampling_rate > 0):
        raise ValueError(f"sampling_rate must be a number of frames per "
                         f"second above 0, or None, not {sampling_rate!r}")
    if change_threshold is not None and not (
            number(change_threshold) and 0.0 <= change_threshold <= 1.0):
        raise ValueError("change_threshold must be a number from 0 to 1, "
                         f"or None, not {change_threshold!r}")
    if periodic_capture_seconds is not None and not (
            number(periodic_capture_seconds)
            and periodic_capture_seconds >= 0):
        raise ValueError("periodic_capture_seconds must be 0 or more "
                         f"seconds, or None, not {periodic_capture_seconds!r}")
    if max_frames is not None and not (isinstance(max_frames, int)
                                       and max_frames >= 1):
        raise ValueError(f"max_frames must be an integer of 1 or more, or "
                         f"None, not {max_frames!r}")
    if resize_to is not None and not (
            isinstance(resize_to, (tuple, list)) and len(resize_to) == 2
            and all(isinstance(v, int) and v > 0 for v in resize_to)):
        raise ValueError("resize_to must be (width, height) in pixels, or "
                         f"None, not {resize_to!r}")
    if not (number(max_memory_mb) and max_memory_mb >= 0):
        raise ValueError("max_memory_mb must be 0 or more MiB, not "
                         f"{max_memory_mb!r}")
    if spill_format not in ("raw", "jpeg"):
        raise ValueError("spill_format must be 'raw' or 'jpeg', not "
                         f"{spill_format!r}")


class _Extraction:
    """Builds and runs the pipeline of one extract_frames() call."""

    def __init__(self, uri: str, path: str, sampling_rate: Optional[float],
                 resize_to: Optional[Tuple[int, int]], max_memory: int,
                 spill_format: str, spill_directory: Optional[str]):
        self.path = path
        self.sampling_rate = sampling_rate
        self.frame_interval = 1
        self.decoded = 0
        self.pipeline = Gst.Pipeline.new("extract-frames")
        src = make_element("uridecodebin")
        self.convert = make_element("videoconvert")
        self.select = make_element("keyframeselect")
        self.user_properties: set = set()
        scale = make_element("videoscale")
        convert = make_element("videoconvert")
        bgr = make_element("capsfilter")
        self.sink = make_element("memsink")
        src.set_property("uri", uri)
        caps = "video/x-raw,format=BGR"
        if resize_to is not None:
            caps += f",width={resize_to[0]},height={resize_to[1]}"
        bgr.set_property("caps", Gst.Caps.from_string(caps))
        self.sink.set_property("max-memory", max_memory)
        Gst.util_set_object_arg(self.sink, "spill-format", spill_format)
        if spill_directory is not None:
            self.sink.set_property("spill-directory",
                                   os.fspath(spill_directory))
        Gst.util_set_object_arg(self.sink, "mode", "samples")
        chain = [self.convert, self.select, scale, convert, bgr, self.sink]
        self.pipeline.add(src)
        for element in chain:
            self.pipeline.add(element)
        for a, b in zip(chain, chain[1:]):
            a.link(b)
        src.connect("pad-added", self._on_pad_added)
        src.connect("no-more-pads", self._on_no_more_pads)
        self.convert.get_static_pad("sink").add_probe(
            Gst.PadProbeType.BUFFER, self._on_frame)
        self.runner = PipelineRunner(self.pipeline, path)
        self.peak_resident = 0

    def _on_pad_added(self, decodebin: Gst.Element, pad: Gst.Pad) -> None:
        caps = pad.get_current_caps() or pad.query_caps(None)
        sinkpad = self.convert.get_static_pad("sink")
        if caps.get_structure(0).get_name() == "video/x-raw" and \
                not sinkpad.is_linked():
            pad.link(sinkpad)
            return
        # audio, subtitles, a second video stream: read and dropped
        sink = make_element("fakesink")
        sink.set_property("sync", False)
        sink.set_property("async", False)
        self.pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    def _on_no_more_pads(self, decodebin: Gst.Element) -> None:
        if not self.convert.get_static_pad("sink").is_linked():
            self.runner.fail(ValueError(
                f"{self.path}: the file has no video stream"))

    def _on_frame(self, pad: Gst.Pad, info: Gst.PadProbeInfo):
        """Keeps one decoded frame in frame_interval, as PlanOpticon's
        ``frame_idx % frame_interval == 0``."""
        if self.decoded == 0 and self.sampling_rate is not None:
            s = pad.get_current_caps().get_structure(0)
            ok, num, den = s.get_fraction("framerate")
            if ok and num > 0 and den > 0:
                self.frame_interval = max(
                    1, int(num / den / self.sampling_rate))
            if self.frame_interval > 1:
                self._sampled_timing()
        index = self.decoded
        self.decoded += 1
        if index % self.frame_interval:
            return Gst.PadProbeReturn.DROP
        return Gst.PadProbeReturn.OK

    def _sampled_timing(self) -> None:
        """Analysed frames are frame_interval frames apart, longer than
        keyframeselect's settle-time and than its activity mask's notion
        of a frame: a slide per analysed frame would look like a picture
        that never settles and a region that never stops moving.  Both
        are turned off unless the caller set them."""
        for name in ("settle-time", "activity-window"):
            if name not in self.user_properties:
                self.select.set_property(name, 0)

    def run(self, progress: Progress) -> None:
        def tick():
            resident = self.sink.get_property("resident-bytes")
            self.peak_resident = max(self.peak_resident, resident)
            ok, pos = self.pipeline.query_position(Gst.Format.TIME)
            okd, dur = self.pipeline.query_duration(Gst.Format.TIME)
            if ok and pos >= 0:
                progress.update(
                    pos / Gst.SECOND, dur / Gst.SECOND if okd else None,
                    f"{self.select.get_property('frames-selected')} frames, "
                    f"RAM {resident / _MIB:.0f} MiB, disk "
                    f"{self.sink.get_property('spilled-bytes') / _MIB:.0f}"
                    " MiB")
        try:
            self.runner.run(tick)
            tick()
        except BaseException:
            self.runner.stop()
            raise
        finally:
            progress.close()

    def records(self) -> Tuple[_Record, ...]:
        out = []
        for i in range(self.sink.get_property("n-samples")):
            sample = self.sink.emit("get-sample", i)
            buf = sample.get_buffer()
            time = sample.get_segment().to_stream_time(Gst.Format.TIME,
                                                       buf.pts)
            meta = buf.get_custom_meta(_META)
            s = meta.get_structure() if meta is not None else None
            reason = s.get_string("reason") if s is not None else "unknown"
            score = s.get_value("score") if s is not None else float("nan")
            frame = s.get_value("frame") if s is not None else -1
            out.append(_Record(
                time / Gst.SECOND if time != Gst.CLOCK_TIME_NONE
                else float("nan"), reason, score,
                frame * self.frame_interval))
        return tuple(out)

    def stats(self, max_memory: int) -> PoolStats:
        get = self.sink.get_property
        resident = get("resident-bytes")
        return PoolStats(max_memory, resident,
                         max(self.peak_resident, resident),
                         get("spilled-bytes"), get("frames-resident"),
                         get("frames-spilled"), get("spills"),
                         get("reloads"))


def extract_frames(video_path: Union[str, "os.PathLike[str]"],
                   sampling_rate: Optional[float] = 1.0,
                   change_threshold: Optional[float] = None,
                   periodic_capture_seconds: Optional[float] = 30.0,
                   max_frames: Optional[int] = None,
                   resize_to: Optional[Tuple[int, int]] = None,
                   max_memory_mb: float = 1024,
                   *, spill_format: str = "raw",
                   spill_directory: Optional[str] = None,
                   progress: Optional[bool] = None,
                   **keyframeselect_properties: Any) -> ExtractedFrames:
    """The frames of a video that matter, held within a RAM budget.

    PlanOpticon's ``extract_frames`` on GStreamer: the first frame, every
    frame whose picture changed, and one every ``periodic_capture_seconds``
    of an unchanging picture, decided by keyframeselect. The selected frames
    are kept in a spill pool: at most ``max_memory_mb`` of them in RAM, the
    rest in an unlinked temporary file, read back when they are accessed.

    Parameters
    ----------
    video_path : str or os.PathLike
        The video file (or a URI GStreamer can read).
    sampling_rate : float or None, default 1.0
        Frames per second that are analysed, as PlanOpticon: one decoded
        frame out of ``int(fps / sampling_rate)``. None analyses every frame.
        When frames are skipped, keyframeselect's ``settle_time`` and
        activity mask (``activity_window``) are off unless given: at one
        analysed frame a second, a new slide every frame would look like a
        picture that never settles.
    change_threshold : float or None, default None
        keyframeselect's ``threshold`` (0 to 1); None keeps its default
        (0.017). With keyframeselect's default ``metric="area"`` it is the
        *fraction of the picture* whose luma changed by more than
        ``noise_level`` steps, which ignores noise and a moving pointer but
        catches a changed line of text. PlanOpticon's threshold (0.15) is
        the *mean* absolute luma difference / 255 instead; pass
        ``metric="mean", change_threshold=0.15`` for its exact rule.
    periodic_capture_seconds : float or None, default 30.0
        Select a frame when this many seconds passed since the last
        selection (keyframeselect's ``interval``); 0 or None turns it off.
    max_frames : int or None, default None
        Stop reading the video after this many frames were selected.
    resize_to : (int, int) or None, default None
        ``(width, height)`` of the returned frames, as ``cv2.resize`` takes
        it; None keeps the video's size.
    max_memory_mb : float, default 1024
        RAM budget of the held frames in MiB. Frames beyond it are spilled
        to disk; iterating over all frames stays within it plus the
        decoder's own frames.
    spill_format : {"raw", "jpeg"}, default "raw"
        How spilled frames are written (``jpeg`` is lossy and about 20x
        smaller on disk).
    spill_directory : str or None, default None
        Where the spill file is created (unlinked); None: the system's
        temporary directory.
    progress : bool or None, default None
        Show a progress bar on stderr (tqdm when installed); None: only when
        stderr is a terminal.
    **keyframeselect_properties
        Any other keyframeselect property, with ``_`` for ``-``:
        ``metric="mean"``, ``settle_time=500_000_000`` (ns), ``roi_width``,
        ... (see ``gst-inspect-1.0 keyframeselect``; times in nanoseconds,
        ROI in pixels of the decoded video).

    Returns
    -------
    ExtractedFrames
        A sequence of BGR uint8 arrays ``(height, width, 3)`` with
        ``.times``, ``.reasons``, ``.scores``, ``.frame_numbers`` and
        ``.stats``.

    Raises
    ------
    FileNotFoundError
        ``video_path`` does not exist (IsADirectoryError: a directory).
    ValueError
        A bad argument, or the file is not a video GStreamer can decode
        (the message is GStreamer's).
    TypeError
        A keyword that is no keyframeselect property.
    OSError
        The spill directory cannot be used, or the disk is full (the
        message is memsink's).
    RuntimeError
        Another GStreamer error, e.g. a missing element.

    Examples
    --------
    >>> from memvideo import extract_frames
    >>> with extract_frames("talk.mp4", max_memory_mb=64) as frames:
    ...     for frame, t in zip(frames, frames.times):
    ...         cv2.imwrite(f"frame-{t:08.2f}.jpg", frame)
    """
    _check_arguments(sampling_rate, change_threshold,
                     periodic_capture_seconds, max_frames, resize_to,
                     max_memory_mb, spill_format)
    uri, path = as_location(video_path)
    max_memory = int(max_memory_mb * _MIB)
    job = _Extraction(uri, path, sampling_rate,
                      tuple(resize_to) if resize_to else None, max_memory,
                      spill_format, spill_directory)
    select = job.select
    if change_threshold is not None:
        select.set_property("threshold", float(change_threshold))
    select.set_property("interval",
                        int(round((periodic_capture_seconds or 0)
                                  * Gst.SECOND)))
    if max_frames is not None:
        select.set_property("max-selected", max_frames)
    select.set_property("post-messages", False)
    set_properties(select, keyframeselect_properties, "keyframeselect")
    job.user_properties = {k.replace("_", "-")
                           for k in keyframeselect_properties}
    job.run(Progress(0.0, "extract_frames", progress))
    records = job.records()
    stats = job.stats(max_memory)
    frames_in = job.decoded
    job.runner.stop()
    store = _Store(job.pipeline, job.sink)
    return ExtractedFrames(store, records, range(len(records)), stats,
                           frames_in)
