/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * Which proxy cells keyframe selection leaves out of the score, without a
 * pipeline: cells that overlap an excluded rectangle (given in fractions of
 * the frame, so it survives scaling), and live cells, the activity mask: a
 * cell that changed (beyond noise-level, frame to frame) in at least
 * `share` of the frames of about the last `window` is live and left out
 * until its share falls below half of that.  The share is an exponentially
 * weighted average with time constant `window`: a frame counts by the time
 * since the previous one, so one page change (one frame) adds
 * frame-duration / window and never makes a region live.
 *
 * Also the text form of rectangle lists for properties:
 * "x,y,w,h[;x,y,w,h...]", each number a fraction 0-1 of the frame.
 */

#ifndef __MEMVIDEO_KEYFRAME_MASK_H__
#define __MEMVIDEO_KEYFRAME_MASK_H__

#include "keyframeproxy.h"

G_BEGIN_DECLS

#define MEMVIDEO_MAX_EXCLUDE 8

/* A rectangle in fractions of the frame: x + width <= 1, y + height <= 1 */
typedef struct
{
  gdouble x, y, width, height;
} MemvideoFracRect;

typedef struct
{
  GstClockTime window;          /* 0: no activity mask */
  gdouble share;                /* 0-1 */
  guint noise_level;
} MemvideoActivityParams;

typedef struct _MemvideoCellMask MemvideoCellMask;

gboolean   memvideo_frac_rects_parse            (const gchar * str,
                                                 MemvideoFracRect * rects,
                                                 guint max,
                                                 guint * n,
                                                 GError ** error);
gchar *    memvideo_frac_rects_to_string        (const MemvideoFracRect * rects,
                                                 guint n);
void       memvideo_frac_rect_to_pixels         (const MemvideoFracRect * frac,
                                                 guint frame_width,
                                                 guint frame_height,
                                                 MemvideoRect * rect);

MemvideoCellMask * memvideo_cell_mask_new       (void);
void       memvideo_cell_mask_free              (MemvideoCellMask * mask);
void       memvideo_cell_mask_reset             (MemvideoCellMask * mask);
const guint8 * memvideo_cell_mask_update        (MemvideoCellMask * mask,
                                                 const MemvideoLumaProxy * proxy,
                                                 const MemvideoRect * roi,
                                                 guint frame_width,
                                                 guint frame_height,
                                                 const MemvideoFracRect * exclude,
                                                 guint n_exclude,
                                                 const MemvideoActivityParams * activity,
                                                 GstClockTime t);
/* update returns the mask of @proxy's cells (1 = left out), or NULL when
 * no cell is left out (the common case costs nothing downstream). */
guint      memvideo_cell_mask_count             (const MemvideoCellMask * mask);
guint      memvideo_cell_mask_live_count        (const MemvideoCellMask * mask);

G_END_DECLS

#endif /* __MEMVIDEO_KEYFRAME_MASK_H__ */
