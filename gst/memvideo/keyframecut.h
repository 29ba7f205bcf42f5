/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The adaptive cut decision, numbers only: a frame-to-frame score is a cut
 * when it is at least `ratio` times the mean score of the `window` frames
 * before and the `window` frames after it.  A cut is an isolated spike;
 * sustained motion raises its neighbours too.  The caller feeds every
 * score; a candidate waits for its `window` followers (the look-ahead), and
 * a higher score among them takes its place (of two candidates closer than
 * the window only the higher is judged).
 */

#ifndef __MEMVIDEO_KEYFRAME_CUT_H__
#define __MEMVIDEO_KEYFRAME_CUT_H__

#include <glib.h>

G_BEGIN_DECLS

#define MEMVIDEO_CUT_MAX_WINDOW 16

typedef enum
{
  MEMVIDEO_CUT_WAIT,            /* the candidate waits for more followers */
  MEMVIDEO_CUT_YES,             /* the candidate is a cut */
  MEMVIDEO_CUT_NO,              /* the candidate is not a cut */
} MemvideoCutVerdict;

typedef struct
{
  guint window;
  gdouble past[MEMVIDEO_CUT_MAX_WINDOW];
  guint past_n, past_pos;

  gboolean candidate;
  gdouble score;                /* the candidate's */
  gdouble past_sum;             /* of the scores before it */
  guint past_count;
  gdouble future_sum;           /* of the scores after it */
  guint future_count;
} MemvideoCutWindow;

void       memvideo_cut_window_reset            (MemvideoCutWindow * w,
                                                 guint window);
void       memvideo_cut_window_start            (MemvideoCutWindow * w,
                                                 gdouble score);
MemvideoCutVerdict memvideo_cut_window_follow   (MemvideoCutWindow * w,
                                                 gdouble score,
                                                 gdouble ratio);
MemvideoCutVerdict memvideo_cut_window_finish   (MemvideoCutWindow * w,
                                                 gdouble ratio);
void       memvideo_cut_window_past             (MemvideoCutWindow * w,
                                                 gdouble score);

G_END_DECLS

#endif /* __MEMVIDEO_KEYFRAME_CUT_H__ */
