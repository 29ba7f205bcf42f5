/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The fast path of keyframe selection: the keyframes of a seekable file or
 * URI without decoding every frame.  Pass 1 decodes only the keyframes
 * (delta units are dropped on the decoder's sink pad) and scores each
 * against the last selected picture with keyframeselect's proxy and
 * metric (keyframeproxy.h); where a keyframe differs by the threshold or
 * more, pass 2 seeks to the keyframe before it and runs that GOP (and on,
 * while a change settles) through the decision (keyframeselector.h), which
 * finds the first frame of the change as the full path does.  Periodic
 * selections fall on the keyframe nearest the interval.  What it cannot
 * see is in docs/design.md, "The fast path".
 *
 * One call runs both passes to the end of the input in the calling thread
 * and returns the selections with their decoded I420 pictures (held in
 * RAM).
 */

#ifndef __MEMVIDEO_FAST_SCAN_H__
#define __MEMVIDEO_FAST_SCAN_H__

#include "keyframeselector.h"

G_BEGIN_DECLS

#define MEMVIDEO_FAST_SCAN_ERROR (memvideo_fast_scan_error_quark ())

typedef enum
{
  /* the input cannot seek (a pipe, a live stream): use the full path */
  MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE,
  /* the settings need every frame (reference=previous) */
  MEMVIDEO_FAST_SCAN_ERROR_UNSUPPORTED,
  /* the input has no video stream */
  MEMVIDEO_FAST_SCAN_ERROR_NO_VIDEO,
  /* the pipeline failed (the message of its error) */
  MEMVIDEO_FAST_SCAN_ERROR_FAILED,
} MemvideoFastScanError;

typedef struct
{
  /* the decision's settings; reference must be last-selected */
  MemvideoKeyframeParams params;
  /* region analysed in pixels (width or height 0: to the frame's edge) */
  MemvideoRect roi;
  guint analysis_width;
  /* a GOP longer than this sets long_gop in the result (0: never) */
  GstClockTime long_gop;
} MemvideoFastScanParams;

typedef struct
{
  /* decoded frame number (stream time x framerate); G_MAXUINT64 when the
   * caps have no framerate (VFR) */
  guint64 frame;
  GstClockTime pts;
  GstClockTime stream_time;
  MemvideoKeyframeReason reason;
  gdouble score;
  /* the decoded picture, I420 */
  GstSample *sample;
} MemvideoFastSelection;

typedef struct
{
  /* MemvideoFastSelection, in stream order */
  GArray *selections;
  /* keyframes decoded in pass 1, frames decoded in pass 2, GOPs pass 2 ran */
  guint64 keyframes;
  guint64 gop_frames;
  guint gops;
  GstClockTime longest_gop;
  gboolean long_gop;
} MemvideoFastScanResult;

GQuark     memvideo_fast_scan_error_quark       (void);

void       memvideo_fast_scan_params_init       (MemvideoFastScanParams * params);

MemvideoFastScanResult * memvideo_fast_scan     (const gchar * uri,
                                                 const MemvideoFastScanParams * params,
                                                 GError ** error);

void       memvideo_fast_scan_result_free       (MemvideoFastScanResult * result);

G_END_DECLS

#endif /* __MEMVIDEO_FAST_SCAN_H__ */
