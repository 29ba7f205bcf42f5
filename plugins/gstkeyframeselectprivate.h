/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* keyframeselect's instance, shared by its files: gstkeyframeselect.c (the
 * element: properties, events, the decision carried out),
 * gstkeyframeselectinput.c (an input frame checked, mapped and turned into
 * a proxy; the time the rules measure) and gstkeyframeselectoutput.c (what
 * goes downstream and to the bus). */

#ifndef __GST_KEYFRAME_SELECT_PRIVATE_H__
#define __GST_KEYFRAME_SELECT_PRIVATE_H__

#include <gst/video/video.h>

#include "gstkeyframeselect.h"
#include "memvideo/keyframemask.h"
#include "memvideo/keyframeselector.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_keyframe_select_debug);

/* The element's enums are the library's, value for value. */
G_STATIC_ASSERT ((gint) GST_KEYFRAME_SELECT_METRIC_AREA ==
    (gint) MEMVIDEO_KEYFRAME_METRIC_AREA);
G_STATIC_ASSERT ((gint) GST_KEYFRAME_SELECT_METRIC_MEAN ==
    (gint) MEMVIDEO_KEYFRAME_METRIC_MEAN);
G_STATIC_ASSERT ((gint) GST_KEYFRAME_SELECT_REFERENCE_LAST_SELECTED ==
    (gint) MEMVIDEO_KEYFRAME_REFERENCE_LAST_SELECTED);
G_STATIC_ASSERT ((gint) GST_KEYFRAME_SELECT_REFERENCE_PREVIOUS ==
    (gint) MEMVIDEO_KEYFRAME_REFERENCE_PREVIOUS);

typedef struct
{
  MemvideoKeyframeParams params;        /* the decision's settings */
  MemvideoRect roi;             /* pixels; the whole frame when roi_frac is set */
  gboolean have_roi_frac;
  MemvideoFracRect roi_frac;
  MemvideoFracRect exclude[MEMVIDEO_MAX_EXCLUDE];
  guint n_exclude;
  MemvideoActivityParams activity;      /* noise_level from params */
  guint analysis_width;
  gboolean drop;
  gboolean force_keyunit;
  gboolean post_messages;
} Settings;

/* What the element keeps of the candidate while a change settles; whether
 * there is one is the selector's to say.  buffer is NULL with drop=false
 * (only the description is kept) and once drop=false sent it on. */
typedef struct
{
  GstBuffer *buffer;
  guint64 frame;
  GstClockTime pts;
  GstClockTime duration;
} Held;

typedef struct
{
  GstVideoInfo info;
  gboolean have_info;

  MemvideoProxyBuilder *builder;
  MemvideoLumaProxy proxy;
  MemvideoRect roi;             /* where st->proxy was built */
  guint frame_width, frame_height;
  MemvideoCellMask *mask;

  guint64 timing_base;          /* frame index where frame-count time is 0 */
  gboolean have_out;
  guint64 last_out;             /* index of the last frame sent downstream */
  Held held;

  gboolean warned_timing;
  gboolean warned_roi;
  MemvideoRect warned_roi_rect;
  guint warned_roi_w, warned_roi_h;
} State;

struct _GstKeyframeSelect
{
  GstBaseTransform parent;

  /* Guarded by the object lock: the settings (written by the property
   * setters, copied by the streaming thread at the top of every frame), the
   * selector (its decision and its counts, read by frames-selected and the
   * EOS summary; a push costs a few microseconds on a 120x67 proxy),
   * frames_in (also the index of the next input frame), last_score and
   * masked_cells. */
  Settings settings;
  MemvideoKeyframeSelector *selector;
  guint64 frames_in;
  gdouble last_score;
  guint masked_cells;

  /* Streaming thread only; start/stop run while it is not streaming. */
  State state;
};

/* Everything known about one selection; turned into the meta, message and
 * event outside any lock. */
typedef struct
{
  guint64 frame;
  GstClockTime pts;
  GstClockTime duration;
  MemvideoKeyframeReason reason;
  gdouble score;
  guint masked_cells;           /* of the frame the decision was made on */
} Selection;

/* gstkeyframeselectinput.c */
GstFlowReturn gst_keyframe_select_analyse (GstKeyframeSelect * self,
    const Settings * settings, GstBuffer * buf, guint64 index);
GstClockTime gst_keyframe_select_timing (GstKeyframeSelect * self,
    const Settings * s, GstBuffer * buf, guint64 frame);

/* gstkeyframeselectoutput.c */
void gst_keyframe_select_announce (GstKeyframeSelect * self,
    const Settings * settings, const Selection * sel, GstBuffer * buf);
void gst_keyframe_select_mark_out (GstKeyframeSelect * self, GstBuffer * buf,
    guint64 frame);
GstFlowReturn gst_keyframe_select_emit_held (GstKeyframeSelect * self,
    const Settings * settings, gdouble score, guint masked_cells);
GstFlowReturn gst_keyframe_select_pass_held (GstKeyframeSelect * self);
void gst_keyframe_select_post_summary (GstKeyframeSelect * self);

G_END_DECLS

#endif /* __GST_KEYFRAME_SELECT_PRIVATE_H__ */
