/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of gst/memvideo/keyframeselector.c: the decision rules as one
 * table of frame sequences (each frame a uniform 4x4 proxy of one luma, at
 * a time, with the expected action), then what does not fit the table: a
 * change of proxy geometry, the counts, reset against restart.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>
#include "memvideo/keyframeselector.h"

#define MS (GST_MSECOND)

/* Step kinds besides a frame (luma >= 0) */
#define FINISH (-1)             /* selector_finish: action EMIT_PENDING or DROP */
#define RESTART (-2)            /* selector_restart */
#define PREVIOUS (-3)           /* from here on reference=previous */
#define ADAPTIVE (-4)           /* from here on adaptive ratio 3, window 2 */
#define NO_TIME (-1)

#define ANY (-1)

typedef struct
{
  gint luma;
  gint64 t_ms;                  /* NO_TIME: GST_CLOCK_TIME_NONE */
  MemvideoKeyframeAction action;
  MemvideoKeyframeReason reason;
  gint release;                 /* expected release_pending, or ANY */
  gdouble score;                /* expected result score, or ANY */
} Step;

#define DROP(l, t) { l, t, MEMVIDEO_KEYFRAME_ACTION_DROP, \
    MEMVIDEO_KEYFRAME_REASON_NONE, ANY, ANY }
#define SEL(l, t, why) { l, t, MEMVIDEO_KEYFRAME_ACTION_SELECT, \
    MEMVIDEO_KEYFRAME_REASON_ ## why, ANY, ANY }
#define HOLD(l, t, rel) { l, t, MEMVIDEO_KEYFRAME_ACTION_HOLD, \
    MEMVIDEO_KEYFRAME_REASON_NONE, rel, ANY }
#define EMIT(l, t, sc) { l, t, MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING, \
    MEMVIDEO_KEYFRAME_REASON_CHANGE, ANY, sc }
#define END_OF_CASE (-99)
#define END { END_OF_CASE }

typedef struct
{
  const gchar *name;
  GstClockTime interval, min_interval, settle_time;
  guint max_selected;
  Step steps[24];
} Case;

/* threshold 0.5, noise-level 10, reference last-selected unless a case
 * switches it */
static const Case cases[] = {
  {"change", 0, 0, 0, 0, {
              SEL (50, 0, FIRST),
              DROP (55, 10),
              {70, 20, MEMVIDEO_KEYFRAME_ACTION_SELECT,
                  MEMVIDEO_KEYFRAME_REASON_CHANGE, ANY, 1.0},
              /* last-selected: a drift of 6 per frame adds up */
              DROP (76, 30),
              SEL (82, 40, CHANGE),
              /* previous: the same drift never counts */
              {PREVIOUS},
              DROP (88, 50), DROP (94, 60), DROP (100, 70),
              SEL (200, 80, CHANGE),
              /* restart: the next frame is a first again */
              {RESTART},
              SEL (200, 90, FIRST),
          END}},
  {"min-interval", 0, 25 * MS, 0, 0, {
              SEL (0, 0, FIRST),
              DROP (100, 10), DROP (0, 20),
              SEL (100, 30, CHANGE),
              DROP (0, 40),
              SEL (0, 55, CHANGE),
          END}},
  {"periodic", 100 * MS, 0, 0, 0, {
              SEL (0, 0, FIRST),
              DROP (0, 40), DROP (0, 80),
              SEL (0, 120, PERIODIC),
              /* a change restarts the timer */
              SEL (200, 160, CHANGE),
              DROP (200, 240),
              SEL (200, 260, PERIODIC),
              /* time going backwards restarts the timer instead of firing */
              DROP (200, 0), DROP (200, 80),
              SEL (200, 100, PERIODIC),
              /* without time the periodic rule is off, changes still count */
              DROP (200, NO_TIME),
              SEL (0, NO_TIME, CHANGE),
          END}},
  {"settle", 0, 0, 30 * MS, 0, {
              SEL (0, 0, FIRST),
              /* a build in three steps, then stable */
              HOLD (60, 10, FALSE), HOLD (120, 20, TRUE), HOLD (180, 30, TRUE),
              DROP (182, 40), DROP (181, 50),
              EMIT (180, 60, 1.0),
              /* the settled frame is the new reference */
              DROP (185, 70),
              /* a one-frame flash that returns to the reference: nothing */
              HOLD (0, 80, FALSE), HOLD (180, 90, TRUE), DROP (180, 100),
              {180, 120, MEMVIDEO_KEYFRAME_ACTION_DROP,
                  MEMVIDEO_KEYFRAME_REASON_NONE, TRUE, ANY},
              /* the end of the stream emits a pending change, once */
              HOLD (40, 130, FALSE),
              {FINISH, 0, MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING,
                  MEMVIDEO_KEYFRAME_REASON_CHANGE, ANY, 1.0},
              {FINISH, 0, MEMVIDEO_KEYFRAME_ACTION_DROP},
              /* without time there is nothing to wait for */
              SEL (200, NO_TIME, CHANGE),
          END}},
  {"settle never settles", 100 * MS, 0, 50 * MS, 0, {
              SEL (0, 0, FIRST),
              HOLD (200, 10, FALSE), HOLD (0, 20, TRUE), HOLD (200, 30, TRUE),
              HOLD (0, 40, TRUE), HOLD (200, 50, TRUE), HOLD (0, 60, TRUE),
              HOLD (200, 70, TRUE), HOLD (0, 80, TRUE), HOLD (200, 90, TRUE),
              /* it still gets its heartbeat, and the candidate goes */
              {0, 100, MEMVIDEO_KEYFRAME_ACTION_SELECT,
                  MEMVIDEO_KEYFRAME_REASON_PERIODIC, TRUE, ANY},
          END}},
  {"a fresh change settles before the heartbeat", 100 * MS, 0, 30 * MS, 0, {
              SEL (0, 0, FIRST),
              HOLD (200, 95, FALSE),
              /* the heartbeat is due, but the change has not had its
               * settle-time: it waits */
              DROP (200, 100),
              EMIT (200, 125, 1.0),
          END}},
  {"max-selected", 60 * MS, 0, 0, 2, {
              SEL (0, 0, FIRST),
              SEL (200, 10, CHANGE),
              DROP (0, 20), DROP (200, 100),
              {FINISH, 0, MEMVIDEO_KEYFRAME_ACTION_DROP},
          END}},
  {"max-selected reached by a settled change", 0, 0, 20 * MS, 2, {
              SEL (0, 0, FIRST),
              HOLD (200, 10, FALSE), DROP (200, 20),
              EMIT (200, 30, 1.0),
              DROP (0, 40), DROP (0, 100),
          END}},
  {"adaptive cut", 0, 0, 0, 0, {
              {PREVIOUS}, {ADAPTIVE},
              SEL (0, 0, FIRST),
              DROP (0, 10),
              /* a cut waits for its two followers, then goes out */
              HOLD (200, 20, FALSE), DROP (200, 30), EMIT (200, 40, 1.0),
              /* flicker: every frame changes, the candidate's neighbours
               * are as high as it is: released, not a cut */
              HOLD (0, 50, FALSE), DROP (200, 60),
              {0, 70, MEMVIDEO_KEYFRAME_ACTION_DROP,
                  MEMVIDEO_KEYFRAME_REASON_NONE, TRUE, ANY},
              /* the end judges a waiting cut on the followers it had */
              DROP (0, 80), DROP (0, 90), DROP (0, 100),
              HOLD (200, 110, FALSE),
              {FINISH, 0, MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING,
                  MEMVIDEO_KEYFRAME_REASON_CHANGE, ANY, 1.0},
          END}},
  {"max-selected at the end", 0, 0, 20 * MS, 1, {
              SEL (0, 0, FIRST),
              DROP (200, 10),
              {FINISH, 0, MEMVIDEO_KEYFRAME_ACTION_DROP},
          END}},
};

static void
params_of (const Case * c, MemvideoKeyframeParams * p)
{
  memset (p, 0, sizeof (*p));
  p->metric = MEMVIDEO_KEYFRAME_METRIC_AREA;
  p->threshold = 0.5;
  p->noise_level = 10;
  p->reference = MEMVIDEO_KEYFRAME_REFERENCE_LAST_SELECTED;
  p->interval = c->interval;
  p->min_interval = c->min_interval;
  p->settle_time = c->settle_time;
  p->max_selected = c->max_selected;
}

static void
proxy_fill (MemvideoLumaProxy * p, guint w, guint h, guint8 v)
{
  memvideo_luma_proxy_clear (p);
  p->width = w;
  p->height = h;
  p->cells = g_malloc (w * h);
  memset (p->cells, v, w * h);
}

/* Runs one step; special steps leave @r as the table expects them. */
static void
run_step (MemvideoKeyframeSelector * sel, MemvideoKeyframeParams * params,
    const Step * st, MemvideoLumaProxy * proxy, MemvideoKeyframeResult * r)
{
  memset (r, 0, sizeof (*r));
  r->action = MEMVIDEO_KEYFRAME_ACTION_DROP;
  if (st->luma == FINISH) {
    if (memvideo_keyframe_selector_finish (sel, params, &r->score)) {
      r->action = MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING;
      r->reason = MEMVIDEO_KEYFRAME_REASON_CHANGE;
    }
  } else if (st->luma == RESTART) {
    memvideo_keyframe_selector_restart (sel);
  } else if (st->luma == PREVIOUS) {
    params->reference = MEMVIDEO_KEYFRAME_REFERENCE_PREVIOUS;
  } else if (st->luma == ADAPTIVE) {
    params->adaptive_ratio = 3.0;
    params->adaptive_window = 2;
  } else {
    proxy_fill (proxy, 4, 4, (guint8) st->luma);
    memvideo_keyframe_selector_push (sel, params, proxy, NULL,
        st->t_ms ==
        NO_TIME ? GST_CLOCK_TIME_NONE : (GstClockTime) st->t_ms * MS, r);
  }
}

GST_START_TEST (test_selector_rules)
{
  const Case *c = &cases[__i__];
  MemvideoKeyframeSelector *sel = memvideo_keyframe_selector_new ();
  MemvideoKeyframeParams params;
  MemvideoLumaProxy proxy;
  guint i;

  memvideo_luma_proxy_init (&proxy);
  params_of (c, &params);
  for (i = 0; i < G_N_ELEMENTS (c->steps); i++) {
    const Step *st = &c->steps[i];
    MemvideoKeyframeResult r;

    if (st->luma == END_OF_CASE)
      break;
    run_step (sel, &params, st, &proxy, &r);
    if (st->luma < 0 && st->luma != FINISH)
      continue;                 /* a setting, nothing to check */
    fail_unless (r.action == st->action && r.reason == st->reason,
        "%s, step %u: action %d reason %s, expected %d %s", c->name, i,
        r.action, memvideo_keyframe_reason_name (r.reason), st->action,
        memvideo_keyframe_reason_name (st->reason));
    if (st->release != ANY)
      fail_unless (r.release_pending == st->release,
          "%s, step %u: release_pending %d", c->name, i, r.release_pending);
    if (st->score != ANY)
      fail_unless (G_APPROX_VALUE (r.score, st->score, 1e-9),
          "%s, step %u: score %f, expected %f", c->name, i, r.score, st->score);
    /* the selector says whether a candidate waits: after a HOLD, always */
    if (st->action == MEMVIDEO_KEYFRAME_ACTION_HOLD)
      fail_unless (memvideo_keyframe_selector_has_pending (sel));
    if (st->action == MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING)
      fail_if (memvideo_keyframe_selector_has_pending (sel));
  }
  memvideo_keyframe_selector_free (sel);
  memvideo_luma_proxy_clear (&proxy);
}

GST_END_TEST;

GST_START_TEST (test_selector_geometry_change)
{
  MemvideoKeyframeSelector *sel = memvideo_keyframe_selector_new ();
  MemvideoKeyframeParams params;
  MemvideoKeyframeResult r;
  MemvideoLumaProxy p;

  /* a new proxy size becomes the reference silently and drops a pending
   * candidate */
  params_of (&cases[0], &params);
  params.settle_time = GST_SECOND;
  memvideo_luma_proxy_init (&p);
  proxy_fill (&p, 4, 4, 0);
  memvideo_keyframe_selector_push (sel, &params, &p, NULL, 0, &r);
  fail_unless_equals_int (r.action, MEMVIDEO_KEYFRAME_ACTION_SELECT);
  proxy_fill (&p, 4, 4, 200);
  memvideo_keyframe_selector_push (sel, &params, &p, NULL, 10 * MS, &r);
  fail_unless_equals_int (r.action, MEMVIDEO_KEYFRAME_ACTION_HOLD);
  proxy_fill (&p, 8, 8, 255);
  memvideo_keyframe_selector_push (sel, &params, &p, NULL, 20 * MS, &r);
  fail_unless_equals_int (r.action, MEMVIDEO_KEYFRAME_ACTION_DROP);
  fail_unless (r.release_pending);
  fail_if (memvideo_keyframe_selector_has_pending (sel));
  memvideo_keyframe_selector_push (sel, &params, &p, NULL, 30 * MS, &r);
  fail_unless_equals_int (r.action, MEMVIDEO_KEYFRAME_ACTION_DROP);
  params.settle_time = 0;
  proxy_fill (&p, 8, 8, 0);
  memvideo_keyframe_selector_push (sel, &params, &p, NULL, 40 * MS, &r);
  fail_unless_equals_int (r.action, MEMVIDEO_KEYFRAME_ACTION_SELECT);
  fail_unless_equals_int (r.reason, MEMVIDEO_KEYFRAME_REASON_CHANGE);
  memvideo_keyframe_selector_free (sel);
  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

GST_START_TEST (test_selector_counts)
{
  MemvideoKeyframeSelector *sel = memvideo_keyframe_selector_new ();
  MemvideoKeyframeParams params;
  MemvideoKeyframeCounts counts;
  MemvideoKeyframeResult r;
  MemvideoLumaProxy p;
  const guint8 lumas[] = { 0, 0, 200, 200, 0, 0, 0 };
  guint i;

  params_of (&cases[0], &params);
  params.interval = 20 * MS;
  memvideo_luma_proxy_init (&p);
  for (i = 0; i < G_N_ELEMENTS (lumas); i++) {
    proxy_fill (&p, 4, 4, lumas[i]);
    memvideo_keyframe_selector_push (sel, &params, &p, NULL, i * 10 * MS, &r);
  }
  memvideo_keyframe_selector_get_counts (sel, &counts);
  /* 0: first, 2: change, 4: change, 6: periodic */
  fail_unless_equals_uint64 (counts.selected, 4);
  fail_unless_equals_uint64 (counts.first, 1);
  fail_unless_equals_uint64 (counts.change, 2);
  fail_unless_equals_uint64 (counts.periodic, 1);

  /* restart keeps the counts, reset clears them */
  memvideo_keyframe_selector_restart (sel);
  memvideo_keyframe_selector_push (sel, &params, &p, NULL, 0, &r);
  fail_unless_equals_int (r.reason, MEMVIDEO_KEYFRAME_REASON_FIRST);
  memvideo_keyframe_selector_get_counts (sel, &counts);
  fail_unless_equals_uint64 (counts.selected, 5);
  fail_unless_equals_uint64 (counts.first, 2);
  memvideo_keyframe_selector_reset (sel);
  memvideo_keyframe_selector_get_counts (sel, &counts);
  fail_unless_equals_uint64 (counts.selected, 0);
  fail_unless_equals_uint64 (counts.first + counts.change + counts.periodic, 0);
  memvideo_keyframe_selector_free (sel);
  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

static Suite *
keyframeselector_suite (void)
{
  Suite *s = suite_create ("keyframeselector");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_selector_rules, 0, G_N_ELEMENTS (cases));
  tcase_add_test (tc, test_selector_geometry_change);
  tcase_add_test (tc, test_selector_counts);
  return s;
}

GST_CHECK_MAIN (keyframeselector);
