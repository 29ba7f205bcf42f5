# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A progress bar on stderr when it is a terminal: tqdm when it is
installed, a plain one otherwise, nothing when stderr is not a terminal."""

from __future__ import annotations

import sys
from typing import Optional, TextIO


class Progress:
    """Shows ``done / total`` (seconds of stream) and a status text."""

    def __init__(self, total: float, description: str,
                 enabled: Optional[bool] = None,
                 stream: Optional[TextIO] = None):
        self._stream = stream or sys.stderr
        if enabled is None:
            enabled = self._stream.isatty()
        self._enabled = enabled
        self._total = total
        self._description = description
        self._tqdm = None
        self._done = 0.0
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._tqdm = tqdm(total=round(total, 1) or None,
                                  desc=description, unit="s",
                                  file=self._stream)

    def update(self, done: float, total: Optional[float] = None,
               status: str = "") -> None:
        """Moves the bar to @done seconds out of @total."""
        if not self._enabled:
            return
        if total:
            self._total = total
        if self._tqdm is not None:
            if total and self._tqdm.total != round(total, 1):
                self._tqdm.total = round(total, 1)
            self._tqdm.update(round(done - self._done, 1))
            self._tqdm.set_postfix_str(status, refresh=True)
        else:
            width = 30
            filled = int(width * min(done / self._total, 1.0)) \
                if self._total else 0
            self._stream.write(
                f"\r\033[K{self._description} [{'#' * filled}"
                f"{'.' * (width - filled)}] {done:.0f}/{self._total:.0f} s"
                f"  {status}")
            self._stream.flush()
        self._done = done

    def close(self) -> None:
        """Ends the bar's line."""
        if not self._enabled:
            return
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            self._stream.write("\n")
            self._stream.flush()
        self._enabled = False
