/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The keyframe decision, without a pipeline: per frame, first, change
 * (respecting min-interval and settle-time) or periodic, against the last
 * selected or the previous frame, and the max-selected limit.  It sees only
 * proxies (keyframeproxy.h) and times, which must grow with playback
 * (running time; going back restarts the timers).  It owns the decision
 * state, the pending candidate's existence and the selection counts; the
 * caller keeps the candidate's buffer (at most one) and acts on the
 * returned MemvideoKeyframeResult.  A push may come with a cell mask
 * (keyframemask.h): the cells it leaves out are not scored and follow the
 * current picture in the proxies kept.  With reference=previous and an
 * adaptive ratio a change is a pending candidate (HOLD) until its
 * look-ahead frames are seen, then EMIT_PENDING or released; settle-time
 * does not apply to it.
 */

#ifndef __MEMVIDEO_KEYFRAME_SELECTOR_H__
#define __MEMVIDEO_KEYFRAME_SELECTOR_H__

#include "keyframecut.h"
#include "keyframeproxy.h"

G_BEGIN_DECLS

typedef enum
{
  MEMVIDEO_KEYFRAME_REFERENCE_LAST_SELECTED,
  MEMVIDEO_KEYFRAME_REFERENCE_PREVIOUS,
} MemvideoKeyframeReference;

typedef enum
{
  MEMVIDEO_KEYFRAME_REASON_NONE,
  MEMVIDEO_KEYFRAME_REASON_FIRST,
  MEMVIDEO_KEYFRAME_REASON_CHANGE,
  MEMVIDEO_KEYFRAME_REASON_PERIODIC,
} MemvideoKeyframeReason;

typedef enum
{
  /* the current frame is not selected */
  MEMVIDEO_KEYFRAME_ACTION_DROP,
  /* the current frame is selected with result.reason */
  MEMVIDEO_KEYFRAME_ACTION_SELECT,
  /* the current frame becomes the pending candidate: keep it (it replaces
   * any earlier candidate, see release_pending) and do not output it now */
  MEMVIDEO_KEYFRAME_ACTION_HOLD,
  /* the pending candidate has settled and is selected (reason change); the
   * current frame is not selected */
  MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING,
} MemvideoKeyframeAction;

typedef struct
{
  MemvideoKeyframeMetric metric;
  gdouble threshold;
  guint noise_level;
  MemvideoKeyframeReference reference;
  GstClockTime interval;
  GstClockTime min_interval;
  GstClockTime settle_time;
  /* no selection once this many were made (0 = unlimited) */
  guint max_selected;
  /* reference=previous only: a change must also be at least this many
   * times the mean score of the adaptive_window frames on each side
   * (keyframecut.h; 0 = off); it is held until they are seen */
  gdouble adaptive_ratio;
  guint adaptive_window;
} MemvideoKeyframeParams;

typedef struct
{
  MemvideoKeyframeAction action;
  MemvideoKeyframeReason reason;
  /* score of the selected frame (SELECT, EMIT_PENDING) or of the current
   * frame against the reference (DROP, HOLD) */
  gdouble score;
  /* score of the current frame against the reference, every time */
  gdouble current_score;
  /* the caller must drop the candidate it holds (if any) before acting */
  gboolean release_pending;
  /* cells of the current frame the mask left out */
  guint masked_cells;
} MemvideoKeyframeResult;

/* Selections since the selector was made or reset (restart keeps them). */
typedef struct
{
  guint64 selected;
  guint64 first, change, periodic;
} MemvideoKeyframeCounts;

typedef struct _MemvideoKeyframeSelector MemvideoKeyframeSelector;

MemvideoKeyframeSelector * memvideo_keyframe_selector_new (void);
void       memvideo_keyframe_selector_free      (MemvideoKeyframeSelector * sel);
void       memvideo_keyframe_selector_restart   (MemvideoKeyframeSelector * sel);
void       memvideo_keyframe_selector_reset     (MemvideoKeyframeSelector * sel);
gboolean   memvideo_keyframe_selector_has_pending (const MemvideoKeyframeSelector * sel);
gboolean   memvideo_keyframe_selector_limit_reached (const MemvideoKeyframeSelector * sel,
                                                 const MemvideoKeyframeParams * params);
void       memvideo_keyframe_selector_get_counts (const MemvideoKeyframeSelector * sel,
                                                 MemvideoKeyframeCounts * counts);
void       memvideo_keyframe_selector_push      (MemvideoKeyframeSelector * sel,
                                                 const MemvideoKeyframeParams * params,
                                                 const MemvideoLumaProxy * proxy,
                                                 const guint8 * mask,
                                                 GstClockTime t,
                                                 MemvideoKeyframeResult * result);
gboolean   memvideo_keyframe_selector_finish    (MemvideoKeyframeSelector * sel,
                                                 const MemvideoKeyframeParams * params,
                                                 gdouble * score);

const gchar * memvideo_keyframe_reason_name     (MemvideoKeyframeReason reason);

G_END_DECLS

#endif /* __MEMVIDEO_KEYFRAME_SELECTOR_H__ */
