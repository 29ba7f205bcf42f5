# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pre-event recording: the seconds before an event, and a few after.

A live source is encoded into memsink's history window (``max-age``);
:meth:`PreEventRecorder.trigger` asks memsink's ``save`` action for the
window's last ``before`` seconds (from the keyframe at or before them) and
the ``after`` seconds still to come, written off the streaming thread as
one playable file whose container follows the extension (.mp4, .mov,
.mkv, .ts)::

    with PreEventRecorder("v4l2src", window=30) as rec:
        ...                                   # something happens
        clip = rec.trigger("/var/cam/event.mp4", before=10, after=5)
        info = clip.wait()                    # {'location': ..., 'size': ...}
"""

import threading
from typing import Dict, Optional

from ._gst import GLib, Gst

__all__ = ["PreEventRecorder", "Clip"]

_DEFAULT_ENCODER = ("x264enc tune=zerolatency speed-preset=veryfast "
                    "key-int-max=30 ! h264parse")


class Clip:
    """A requested clip; :meth:`wait` blocks until it is written."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._done = threading.Event()
        self._info: Optional[Dict[str, object]] = None
        self._error: Optional[str] = None

    def _finish(self, info: Optional[Dict[str, object]],
                error: Optional[str]) -> None:
        self._info, self._error = info, error
        self._done.set()

    def wait(self, timeout: Optional[float] = None) -> Dict[str, object]:
        """The ``memsink-saved`` fields: location, start and stop (stream
        time, ns), n-samples, size.

        Raises
        ------
        TimeoutError
            The file was not written within ``timeout`` seconds.
        OSError
            memsink could not write it (GStreamer's message).
        """
        if not self._done.wait(timeout):
            raise TimeoutError(f"{self.location}: not written within "
                               f"{timeout} s")
        if self._error is not None:
            raise OSError(self._error)
        assert self._info is not None
        return self._info


class PreEventRecorder:
    """A live source encoded into a window of the recent past.

    Parameters
    ----------
    source : str
        A gst-launch description of the live source and what it needs
        (``"v4l2src"``, ``"rtspsrc location=... ! rtph264depay"``...).
    window : float, default 30.0
        Seconds of history memsink keeps at least (``max-age``).
    encoder : str, optional
        The encoder and parser between source and memsink (H.264 with a
        keyframe a second by default); empty when ``source`` is encoded.
    max_memory_mb : float, default 64
        memsink's RAM budget; beyond it the window spills to disk.
    """

    def __init__(self, source: str, window: float = 30.0,
                 encoder: Optional[str] = None,
                 max_memory_mb: float = 64) -> None:
        if window <= 0:
            raise ValueError(f"window must be above 0, not {window!r}")
        parts = [source] + (["videoconvert", _DEFAULT_ENCODER]
                            if encoder is None else [encoder])
        chain = " ! ".join(p for p in parts if p)
        try:
            self.pipeline = Gst.parse_launch(
                f"{chain} ! memsink name=sink mode=samples max-age="
                f"{int(window * Gst.SECOND)} max-memory="
                f"{int(max_memory_mb * 1024 * 1024)}")
        except GLib.Error as e:
            raise ValueError(f"{source}: {e.message}") from None
        self.sink = self.pipeline.get_by_name("sink")
        self._clips: Dict[str, Clip] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watch: Optional[threading.Thread] = None

    def start(self) -> "PreEventRecorder":
        """Starts the pipeline and the thread that reads its bus."""
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            raise RuntimeError("the recording pipeline did not start")
        self._watch = threading.Thread(target=self._read_bus, daemon=True)
        self._watch.start()
        return self

    def trigger(self, location: str, before: float,
                after: float = 0.0) -> Clip:
        """Saves ``before`` seconds of the past and ``after`` to come.

        Raises
        ------
        ValueError
            memsink refused the request (unknown extension, nothing held
            yet, negative times).
        """
        if before < 0 or after < 0:
            raise ValueError("before and after are seconds, 0 or more")
        clip = Clip(str(location))
        with self._lock:
            self._clips[clip.location] = clip
        if not self.sink.emit("save", clip.location,
                              int(before * Gst.SECOND),
                              int(after * Gst.SECOND)):
            with self._lock:
                del self._clips[clip.location]
            raise ValueError(f"{location}: memsink cannot save it (unknown "
                             f"extension, or nothing held yet)")
        return clip

    def _read_bus(self) -> None:
        bus = self.pipeline.get_bus()
        kinds = (Gst.MessageType.ELEMENT | Gst.MessageType.WARNING
                 | Gst.MessageType.ERROR)
        while not self._stop.is_set():
            msg = bus.timed_pop_filtered(100 * Gst.MSECOND, kinds)
            if msg is not None:
                self._dispatch(msg)

    def _dispatch(self, msg: "Gst.Message") -> None:
        if msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s is None or s.get_name() != "memsink-saved":
                return
            info = {s.nth_field_name(i): s.get_value(s.nth_field_name(i))
                    for i in range(s.n_fields())}
            self._finish(str(info.get("location")), info, None)
            return
        err = (msg.parse_warning() if msg.type == Gst.MessageType.WARNING
               else msg.parse_error())[0].message
        with self._lock:
            named = [loc for loc in self._clips if loc in err]
        for loc in named if msg.type == Gst.MessageType.WARNING \
                else list(self._clips):
            self._finish(loc, None, err)

    def _finish(self, location: str, info: Optional[Dict[str, object]],
                error: Optional[str]) -> None:
        with self._lock:
            clip = self._clips.pop(location, None)
        if clip is not None:
            clip._finish(info, error)

    def close(self, timeout: float = 30.0) -> None:
        """Ends the stream (an ``after`` part still due is saved with what
        there is), waits up to ``timeout`` seconds for the pending clips,
        then stops the pipeline and the bus thread."""
        self.pipeline.send_event(Gst.Event.new_eos())
        with self._lock:
            pending = list(self._clips.values())
        for clip in pending:
            clip._done.wait(timeout)
        self._stop.set()
        if self._watch is not None:
            self._watch.join()
        self.pipeline.set_state(Gst.State.NULL)

    def __enter__(self) -> "PreEventRecorder":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
