/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "keyframecut.h"

/* @window frames on each side, 1 to MEMVIDEO_CUT_MAX_WINDOW; forgets the
 * scores seen and any candidate. */
void
memvideo_cut_window_reset (MemvideoCutWindow * w, guint window)
{
  memset (w, 0, sizeof (*w));
  w->window = CLAMP (window, 1, MEMVIDEO_CUT_MAX_WINDOW);
}

/* Records @score as seen (it becomes a past neighbour of later frames). */
void
memvideo_cut_window_past (MemvideoCutWindow * w, gdouble score)
{
  w->past[w->past_pos] = score;
  w->past_pos = (w->past_pos + 1) % w->window;
  w->past_n = MIN (w->past_n + 1, w->window);
}

/* @score (not yet recorded as past) becomes the candidate. */
void
memvideo_cut_window_start (MemvideoCutWindow * w, gdouble score)
{
  guint i;

  w->candidate = TRUE;
  w->score = score;
  w->past_sum = 0;
  for (i = 0; i < w->past_n; i++)
    w->past_sum += w->past[i];
  w->past_count = w->past_n;
  w->future_sum = 0;
  w->future_count = 0;
}

static MemvideoCutVerdict
judge (MemvideoCutWindow * w, gdouble ratio)
{
  guint n = w->past_count + w->future_count;
  gdouble mean = n ? (w->past_sum + w->future_sum) / n : 0.0;

  w->candidate = FALSE;
  return w->score >= ratio * mean ? MEMVIDEO_CUT_YES : MEMVIDEO_CUT_NO;
}

/* @score follows the candidate.  NO also when @score is higher than the
 * candidate's: the caller may start it as the new candidate. */
MemvideoCutVerdict
memvideo_cut_window_follow (MemvideoCutWindow * w, gdouble score, gdouble ratio)
{
  g_return_val_if_fail (w->candidate, MEMVIDEO_CUT_NO);

  if (score > w->score) {
    w->candidate = FALSE;
    return MEMVIDEO_CUT_NO;
  }
  w->future_sum += score;
  w->future_count++;
  if (w->future_count < w->window)
    return MEMVIDEO_CUT_WAIT;
  return judge (w, ratio);
}

/* The stream ended: the candidate is judged on the followers it had. */
MemvideoCutVerdict
memvideo_cut_window_finish (MemvideoCutWindow * w, gdouble ratio)
{
  if (!w->candidate)
    return MEMVIDEO_CUT_NO;
  return judge (w, ratio);
}
