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

#include "keyframeselector.h"

struct _MemvideoKeyframeSelector
{
  gboolean have_ref;
  MemvideoLumaProxy ref;        /* last selected or previous frame */
  GstClockTime last_t;          /* time of the last selection */

  gboolean pending;
  MemvideoLumaProxy base;       /* reference when the change was detected */
  MemvideoLumaProxy run;        /* first frame of the current stable run */
  GstClockTime run_t;
  GstClockTime pending_since;   /* when the change was detected */

  /* the adaptive cut decision (reference=previous): pending_cut says the
   * pending candidate is a cut waiting for its look-ahead */
  MemvideoCutWindow cut;
  gboolean pending_cut;

  /* the mask of the last push, for finish (cells as 0/1 bytes) */
  gboolean have_mask;
  MemvideoLumaProxy mask;

  MemvideoKeyframeCounts counts;
};

static guint
count_masked (const guint8 * restrict mask, gsize n)
{
  guint count = 0;
  gsize i;

  for (i = 0; i < n; i++)
    count += mask[i];
  return count;
}

MemvideoKeyframeSelector *
memvideo_keyframe_selector_new (void)
{
  MemvideoKeyframeSelector *sel = g_new0 (MemvideoKeyframeSelector, 1);

  memvideo_keyframe_selector_reset (sel);
  return sel;
}

void
memvideo_keyframe_selector_free (MemvideoKeyframeSelector * sel)
{
  if (sel == NULL)
    return;
  memvideo_luma_proxy_clear (&sel->ref);
  memvideo_luma_proxy_clear (&sel->base);
  memvideo_luma_proxy_clear (&sel->run);
  memvideo_luma_proxy_clear (&sel->mask);
  g_free (sel);
}

/* A new stream (flush, new caps): the next frame is a first, nothing is
 * pending; the counts go on. */
void
memvideo_keyframe_selector_restart (MemvideoKeyframeSelector * sel)
{
  sel->have_ref = FALSE;
  sel->have_mask = FALSE;
  sel->pending = FALSE;
  sel->pending_cut = FALSE;
  memvideo_cut_window_reset (&sel->cut, sel->cut.window);
  sel->last_t = GST_CLOCK_TIME_NONE;
  sel->run_t = GST_CLOCK_TIME_NONE;
}

/* As new: restart, and the counts from zero. */
void
memvideo_keyframe_selector_reset (MemvideoKeyframeSelector * sel)
{
  memvideo_keyframe_selector_restart (sel);
  memset (&sel->counts, 0, sizeof (sel->counts));
}

gboolean
memvideo_keyframe_selector_has_pending (const MemvideoKeyframeSelector * sel)
{
  return sel->pending;
}

gboolean
memvideo_keyframe_selector_limit_reached (const MemvideoKeyframeSelector *
    sel, const MemvideoKeyframeParams * params)
{
  return params->max_selected > 0 &&
      sel->counts.selected >= params->max_selected;
}

void
memvideo_keyframe_selector_get_counts (const MemvideoKeyframeSelector * sel,
    MemvideoKeyframeCounts * counts)
{
  *counts = sel->counts;
}

/* @proxy at @t becomes the reference of a selection for @reason. */
static void
selected (MemvideoKeyframeSelector * sel, MemvideoKeyframeReason reason,
    const MemvideoLumaProxy * proxy, GstClockTime t)
{
  memvideo_luma_proxy_copy (&sel->ref, proxy);
  sel->have_ref = TRUE;
  sel->last_t = t;
  sel->counts.selected++;
  switch (reason) {
    case MEMVIDEO_KEYFRAME_REASON_FIRST:
      sel->counts.first++;
      break;
    case MEMVIDEO_KEYFRAME_REASON_CHANGE:
      sel->counts.change++;
      break;
    case MEMVIDEO_KEYFRAME_REASON_PERIODIC:
      sel->counts.periodic++;
      break;
    case MEMVIDEO_KEYFRAME_REASON_NONE:
      g_assert_not_reached ();
  }
}

static void
select_current (MemvideoKeyframeSelector * sel, MemvideoKeyframeReason reason,
    const MemvideoLumaProxy * proxy, GstClockTime t,
    MemvideoKeyframeResult * res)
{
  res->action = MEMVIDEO_KEYFRAME_ACTION_SELECT;
  res->reason = reason;
  selected (sel, reason, proxy, t);
}

static gdouble
score (const MemvideoKeyframeParams * params, const MemvideoLumaProxy * a,
    const MemvideoLumaProxy * b, const guint8 * mask)
{
  return memvideo_keyframe_score_masked (params->metric, params->noise_level,
      a, b, mask);
}

/* The cells left out follow the current picture in every proxy kept, so
 * that a cell coming back (a region that settled) is compared from where
 * it is, not from where it was when it was left out. */
static void
follow_masked (guint8 * restrict dst, const guint8 * restrict src,
    const guint8 * restrict mask, gsize n)
{
  gsize i;

  /* a select through 0x00/0xff, which vectorizes where ?: does not */
  for (i = 0; i < n; i++) {
    guint8 m = (guint8) - mask[i];

    dst[i] = (guint8) ((dst[i] & ~m) | (src[i] & m));
  }
}

static void
adopt_masked (MemvideoKeyframeSelector * sel, const MemvideoLumaProxy * p,
    const guint8 * mask)
{
  gsize n = (gsize) p->width * p->height;

  follow_masked (sel->ref.cells, p->cells, mask, n);
  if (sel->pending)
    follow_masked (sel->run.cells, p->cells, mask, n);
  /* a cut candidate has no base */
  if (sel->pending && !sel->pending_cut)
    follow_masked (sel->base.cells, p->cells, mask, n);
}

static gboolean
periodic_due (const MemvideoKeyframeSelector * sel,
    const MemvideoKeyframeParams * params, GstClockTime t)
{
  return GST_CLOCK_TIME_IS_VALID (t) && params->interval > 0 &&
      t - sel->last_t >= params->interval;
}

static gboolean
adaptive (const MemvideoKeyframeParams * params)
{
  return params->reference == MEMVIDEO_KEYFRAME_REFERENCE_PREVIOUS &&
      params->adaptive_ratio > 0;
}

static void push_idle (MemvideoKeyframeSelector * sel,
    const MemvideoKeyframeParams * params, const MemvideoLumaProxy * proxy,
    GstClockTime t, gdouble current, MemvideoKeyframeResult * res);

/* A cut candidate waits for its followers: a cut is emitted, a spike that
 * was not one released; a higher follower is judged as a candidate itself.
 * A heartbeat due meanwhile waits for the verdict (a few frames). */
static void
push_cut_pending (MemvideoKeyframeSelector * sel,
    const MemvideoKeyframeParams * params, const MemvideoLumaProxy * proxy,
    GstClockTime t, gdouble current, MemvideoKeyframeResult * res)
{
  gboolean higher = current > sel->cut.score;

  switch (memvideo_cut_window_follow (&sel->cut, current,
          params->adaptive_ratio)) {
    case MEMVIDEO_CUT_WAIT:
      break;
    case MEMVIDEO_CUT_YES:
      sel->pending = sel->pending_cut = FALSE;
      res->action = MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING;
      res->reason = MEMVIDEO_KEYFRAME_REASON_CHANGE;
      res->score = sel->cut.score;
      selected (sel, MEMVIDEO_KEYFRAME_REASON_CHANGE, &sel->run, sel->run_t);
      return;
    case MEMVIDEO_CUT_NO:
      sel->pending = sel->pending_cut = FALSE;
      res->release_pending = TRUE;
      if (higher)
        push_idle (sel, params, proxy, t, current, res);
      return;
  }
}

/* While a candidate is pending: a frame that moved starts a new stable run,
 * a run that lasted settle-time is emitted (unless it came back to the
 * reference), a run that never settles still gets its heartbeat. */
static void
push_pending (MemvideoKeyframeSelector * sel,
    const MemvideoKeyframeParams * params, const MemvideoLumaProxy * proxy,
    const guint8 * mask, GstClockTime t, MemvideoKeyframeResult * res)
{
  gboolean timed = GST_CLOCK_TIME_IS_VALID (t);

  if (score (params, &sel->run, proxy, mask) >= params->threshold) {
    res->action = MEMVIDEO_KEYFRAME_ACTION_HOLD;
    res->release_pending = TRUE;
    memvideo_luma_proxy_copy (&sel->run, proxy);
    sel->run_t = t;
  } else if (!timed || t - sel->run_t >= params->settle_time) {
    gdouble final = score (params, &sel->base, &sel->run, mask);

    sel->pending = FALSE;
    if (final >= params->threshold) {
      res->action = MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING;
      res->reason = MEMVIDEO_KEYFRAME_REASON_CHANGE;
      res->score = final;
      selected (sel, MEMVIDEO_KEYFRAME_REASON_CHANGE, &sel->run, sel->run_t);
    } else {
      /* it came back to where it was (a flash): nothing changed */
      res->release_pending = TRUE;
    }
  }

  /* the heartbeat of a picture that keeps changing comes once the change
   * had its settle-time, not while a fresh change settles */
  if (sel->pending && periodic_due (sel, params, t) &&
      t - sel->pending_since >= params->settle_time) {
    sel->pending = FALSE;
    res->release_pending = TRUE;
    select_current (sel, MEMVIDEO_KEYFRAME_REASON_PERIODIC, proxy, t, res);
  }
}

/* Nothing pending: a change (after min-interval) is selected or, with a
 * settle time, becomes the candidate; else the heartbeat may be due. */
static void
push_idle (MemvideoKeyframeSelector * sel,
    const MemvideoKeyframeParams * params, const MemvideoLumaProxy * proxy,
    GstClockTime t, gdouble current, MemvideoKeyframeResult * res)
{
  gboolean timed = GST_CLOCK_TIME_IS_VALID (t);

  if (current >= params->threshold && (!timed || params->min_interval == 0
          || t - sel->last_t >= params->min_interval)) {
    if (adaptive (params)) {
      res->action = MEMVIDEO_KEYFRAME_ACTION_HOLD;
      sel->pending = sel->pending_cut = TRUE;
      memvideo_cut_window_start (&sel->cut, current);
      memvideo_luma_proxy_copy (&sel->run, proxy);
      sel->run_t = t;
    } else if (timed && params->settle_time > 0) {
      res->action = MEMVIDEO_KEYFRAME_ACTION_HOLD;
      sel->pending = TRUE;
      sel->pending_since = t;
      memvideo_luma_proxy_copy (&sel->base, &sel->ref);
      memvideo_luma_proxy_copy (&sel->run, proxy);
      sel->run_t = t;
    } else {
      select_current (sel, MEMVIDEO_KEYFRAME_REASON_CHANGE, proxy, t, res);
    }
  } else if (periodic_due (sel, params, t)) {
    select_current (sel, MEMVIDEO_KEYFRAME_REASON_PERIODIC, proxy, t, res);
  }
}

void
memvideo_keyframe_selector_push (MemvideoKeyframeSelector * sel,
    const MemvideoKeyframeParams * params, const MemvideoLumaProxy * proxy,
    const guint8 * mask, GstClockTime t, MemvideoKeyframeResult * res)
{
  res->action = MEMVIDEO_KEYFRAME_ACTION_DROP;
  res->reason = MEMVIDEO_KEYFRAME_REASON_NONE;
  res->score = res->current_score = 0.0;
  res->release_pending = FALSE;
  res->masked_cells = mask ? count_masked (mask,
      (gsize) proxy->width * proxy->height) : 0;

  if (memvideo_keyframe_selector_limit_reached (sel, params)) {
    /* max-selected lowered while a candidate was pending */
    res->release_pending = sel->pending;
    sel->pending = FALSE;
    return;
  }

  if (!sel->have_ref) {
    select_current (sel, MEMVIDEO_KEYFRAME_REASON_FIRST, proxy, t, res);
    return;
  }

  if (sel->ref.width != proxy->width || sel->ref.height != proxy->height) {
    /* analysis geometry changed (roi, analysis-width): the old proxies
     * cannot be compared, this frame becomes the reference silently */
    res->release_pending = sel->pending;
    sel->pending = FALSE;
    memvideo_luma_proxy_copy (&sel->ref, proxy);
    return;
  }

  if (sel->cut.window != CLAMP (params->adaptive_window, 1,
          MEMVIDEO_CUT_MAX_WINDOW) || (sel->pending_cut
          && !adaptive (params))) {
    /* the window changed or the decision was switched off: the scores
     * seen do not apply, a waiting cut is dropped */
    memvideo_cut_window_reset (&sel->cut, params->adaptive_window);
    res->release_pending = sel->pending_cut;
    sel->pending = sel->pending && !sel->pending_cut;
    sel->pending_cut = FALSE;
  }

  if (GST_CLOCK_TIME_IS_VALID (t)) {
    /* Time going backwards (a looped source) restarts the timers from here
     * instead of stalling them. */
    if (!GST_CLOCK_TIME_IS_VALID (sel->last_t) || t < sel->last_t)
      sel->last_t = t;
    if (sel->pending && (!GST_CLOCK_TIME_IS_VALID (sel->run_t)
            || t < sel->run_t))
      sel->run_t = t;
    if (sel->pending && (!GST_CLOCK_TIME_IS_VALID (sel->pending_since)
            || t < sel->pending_since))
      sel->pending_since = t;
  }

  sel->have_mask = mask != NULL;
  if (mask != NULL) {
    MemvideoLumaProxy m = { proxy->width, proxy->height, (guint8 *) mask };

    memvideo_luma_proxy_copy (&sel->mask, &m);
    adopt_masked (sel, proxy, mask);
  }
  res->score = res->current_score = score (params, &sel->ref, proxy, mask);
  if (sel->pending && sel->pending_cut)
    push_cut_pending (sel, params, proxy, t, res->current_score, res);
  else if (sel->pending)
    push_pending (sel, params, proxy, mask, t, res);
  else
    push_idle (sel, params, proxy, t, res->current_score, res);
  memvideo_cut_window_past (&sel->cut, res->current_score);

  if (params->reference == MEMVIDEO_KEYFRAME_REFERENCE_PREVIOUS)
    memvideo_luma_proxy_copy (&sel->ref, proxy);
}

gboolean
memvideo_keyframe_selector_finish (MemvideoKeyframeSelector * sel,
    const MemvideoKeyframeParams * params, gdouble * final)
{
  gboolean cut = sel->pending_cut;
  gdouble s;

  if (!sel->pending)
    return FALSE;

  sel->pending = sel->pending_cut = FALSE;
  if (memvideo_keyframe_selector_limit_reached (sel, params))
    return FALSE;
  if (cut) {
    /* judged on the followers it had */
    if (memvideo_cut_window_finish (&sel->cut, params->adaptive_ratio) !=
        MEMVIDEO_CUT_YES)
      return FALSE;
    s = sel->cut.score;
  } else {
    s = score (params, &sel->base, &sel->run,
        sel->have_mask ? sel->mask.cells : NULL);
    if (s < params->threshold)
      return FALSE;
  }

  *final = s;
  selected (sel, MEMVIDEO_KEYFRAME_REASON_CHANGE, &sel->run, sel->run_t);
  return TRUE;
}

const gchar *
memvideo_keyframe_reason_name (MemvideoKeyframeReason reason)
{
  switch (reason) {
    case MEMVIDEO_KEYFRAME_REASON_FIRST:
      return "first";
    case MEMVIDEO_KEYFRAME_REASON_CHANGE:
      return "change";
    case MEMVIDEO_KEYFRAME_REASON_PERIODIC:
      return "periodic";
    case MEMVIDEO_KEYFRAME_REASON_NONE:
      break;
  }
  return "none";
}
