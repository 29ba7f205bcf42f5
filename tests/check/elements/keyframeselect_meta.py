#!/usr/bin/python3
# gst-memvideo
# Copyright (C) 2026 gst-memvideo developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The keyframeselect result meta read from Python with
# Gst.Buffer.get_custom_meta(), as the element documentation promises.

import sys

import gi

gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

Gst.init(None)

pipeline = Gst.parse_launch(
    'videotestsrc pattern=colors num-buffers=90 '
    '! video/x-raw,format=I420,width=320,height=240,framerate=30/1 '
    '! keyframeselect interval=1000000000 '
    '! appsink name=sink sync=false')
sink = pipeline.get_by_name('sink')
pipeline.set_state(Gst.State.PLAYING)

got = []
while True:
    sample = sink.emit('try-pull-sample', 10 * Gst.SECOND)
    if sample is None:
        break
    buf = sample.get_buffer()
    meta = buf.get_custom_meta('GstKeyframeSelectMeta')
    if meta is None:
        print('selected buffer without GstKeyframeSelectMeta')
        sys.exit(1)
    s = meta.get_structure()
    got.append((buf.pts, s.get_value('stream-time'),
                s.get_value('running-time'), s.get_value('reason'),
                s.get_value('frame'), s.get_value('score')))
pipeline.set_state(Gst.State.NULL)

# videotestsrc starts its segment at 0: stream and running time are the PTS
expected = [(0, 0, 0, 'first', 0, 0.0),
            (Gst.SECOND, Gst.SECOND, Gst.SECOND, 'periodic', 30, 0.0),
            (2 * Gst.SECOND, 2 * Gst.SECOND, 2 * Gst.SECOND, 'periodic', 60,
             0.0)]
if got != expected:
    print('expected %s, got %s' % (expected, got))
    sys.exit(1)
print('ok: %s' % got)
