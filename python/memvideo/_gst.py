# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""GStreamer plumbing shared by the modules: initialisation, running a
pipeline to its end, and turning GStreamer errors into Python exceptions."""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Optional

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, GObject, Gst, GstVideo  # noqa: E402,F401

Gst.init(None)

_PLUGIN_HINT = ("build gst-memvideo and set GST_PLUGIN_PATH to its "
                "build/plugins directory, or meson install it")


def make_element(factory: str, name: Optional[str] = None) -> Gst.Element:
    """``Gst.ElementFactory.make`` that raises instead of returning None.

    Raises
    ------
    RuntimeError
        The element is not installed; the message names it.
    """
    element = Gst.ElementFactory.make(factory, name)
    if element is None:
        hint = (": " + _PLUGIN_HINT
                if factory in ("keyframeselect", "memspill", "memsink")
                else "")
        raise RuntimeError(
            f"GStreamer element '{factory}' is not installed{hint}")
    return element


def set_properties(element: Gst.Element, properties: dict,
                   what: str) -> None:
    """Sets ``name=value`` pairs on @element, Python names allowed
    (``settle_time`` for ``settle-time``, ``pass_`` for ``pass``).

    Raises
    ------
    TypeError
        @element has no writable property of that name.
    ValueError
        The value does not fit the property (type or range).
    """
    for key, value in properties.items():
        name = key.rstrip("_").replace("_", "-")
        pspec = element.find_property(name)
        if pspec is None or not pspec.flags & GObject.ParamFlags.WRITABLE:
            raise TypeError(
                f"{what} has no writable property '{name}' "
                f"(see gst-inspect-1.0 {element.get_factory().get_name()})")
        try:
            if pspec.value_type.fundamental == GObject.TYPE_ENUM and \
                    isinstance(value, str):
                value = _enum_value(pspec, value)
            _check_range(pspec, value)
            element.set_property(name, value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                f"{value!r} is not a valid value for {what}'s property "
                f"'{name}' ({pspec.blurb})") from None


def _enum_value(pspec: GObject.ParamSpec, text: str) -> int:
    for number, v in pspec.enum_class.__enum_values__.items():
        if text in (v.value_nick, v.value_name):
            return number
    raise ValueError


def _check_range(pspec: GObject.ParamSpec, value: Any) -> None:
    lo = getattr(pspec, "minimum", None)
    hi = getattr(pspec, "maximum", None)
    if lo is not None and isinstance(value, (int, float)) \
            and not isinstance(value, bool) and not lo <= value <= hi:
        raise ValueError


# strerror() texts in an error's debug string -> the OSError subclass
_SYSTEM_ERRORS = (
    ("Permission denied", PermissionError),
    ("No such file or directory", FileNotFoundError),
    ("Not a directory", NotADirectoryError),
    ("Is a directory", IsADirectoryError),
)


def gst_error_to_exception(err: GLib.Error, debug: Optional[str],
                           path: Optional[str] = None) -> Exception:
    """The built-in exception a Python user expects for a GStreamer error.

    The exception's message is GStreamer's; its ``gst_debug`` attribute holds
    the debug string (element, file and line, the system error).

    ``RESOURCE`` NOT_FOUND becomes FileNotFoundError, other ``RESOURCE``
    errors OSError (PermissionError, FileNotFoundError, NotADirectoryError
    or IsADirectoryError when the system error in the debug string says
    so), ``STREAM``
    errors about the data (not a video, a decoder or demuxer failure)
    ValueError, everything else RuntimeError.
    """
    message = err.message
    domain = err.domain
    exc: Exception
    if err.matches(Gst.ResourceError.quark(), Gst.ResourceError.NOT_FOUND):
        exc = FileNotFoundError(2, message, path)
    elif domain == GLib.quark_to_string(Gst.ResourceError.quark()):
        exc = OSError(message)
        for reason, kind in _SYSTEM_ERRORS:
            if debug and reason in debug:
                exc = kind(message)
                break
    elif domain == GLib.quark_to_string(Gst.StreamError.quark()):
        exc = ValueError(message)
    else:
        exc = RuntimeError(message)
    exc.gst_debug = debug  # type: ignore[attr-defined]
    return exc


class PipelineRunner:
    """Runs a pipeline until EOS or ERROR on the calling thread.

    ``on_tick`` is called about every ``tick`` seconds while it plays (for a
    progress bar), ``on_message`` for every element message.
    """

    def __init__(self, pipeline: Gst.Pipeline, path: Optional[str] = None):
        self.pipeline = pipeline
        self.path = path
        self.error: Optional[Exception] = None

    def fail(self, exc: Exception) -> None:
        """Records @exc (from any thread) and makes run() raise it."""
        if self.error is None:
            self.error = exc
        self.pipeline.post_message(Gst.Message.new_application(
            self.pipeline, Gst.Structure.new_empty("memvideo-failed")))

    def run(self, on_tick: Optional[Callable[[], None]] = None,
            tick: float = 0.25, timeout: Optional[float] = None) -> None:
        """Plays the pipeline to its end; raises the first error."""
        bus = self.pipeline.get_bus()
        types = (Gst.MessageType.EOS | Gst.MessageType.ERROR
                 | Gst.MessageType.APPLICATION)
        start = time.monotonic()
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            self._raise(msg, "the pipeline could not start")
        while True:
            msg = bus.timed_pop_filtered(int(tick * Gst.SECOND), types)
            if msg is None:
                if on_tick is not None:
                    on_tick()
                if timeout is not None and \
                        time.monotonic() - start > timeout:
                    raise TimeoutError(
                        f"the pipeline did not finish in {timeout} s")
                continue
            if msg.type == Gst.MessageType.EOS:
                return
            self._raise(msg, "the pipeline failed")

    def _raise(self, msg: Optional[Gst.Message], fallback: str) -> None:
        if self.error is not None:
            raise self.error
        if msg is not None and msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            raise gst_error_to_exception(err, debug, self.path)
        raise RuntimeError(fallback)

    def stop(self) -> None:
        self.pipeline.set_state(Gst.State.NULL)


def as_location(video_path: "os.PathLike[str] | str") -> tuple[str, str]:
    """(URI, local path or URI) of a path or URI.

    Raises
    ------
    FileNotFoundError
        A local path that does not exist.
    IsADirectoryError
        A local path that is a directory.
    """
    text = os.fspath(video_path)
    if Gst.uri_is_valid(text) and not text.startswith("file:"):
        return text, text
    if text.startswith("file:"):
        text = Gst.uri_get_location(text) or text
    if not os.path.exists(text):
        raise FileNotFoundError(2, "No such video file", text)
    if os.path.isdir(text):
        raise IsADirectoryError(21, "Expected a video file, got a directory",
                                text)
    return Gst.filename_to_uri(os.path.abspath(text)), text
