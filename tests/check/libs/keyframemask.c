/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of gst/memvideo/keyframemask.c: rectangle lists, the cells
 * they exclude, the activity mask (when a region becomes live, that a page
 * change never makes it live, when it settles), the masked score, and the
 * selector with a mask: a live region selects nothing and, once it
 * settles, nothing either.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>
#include "memvideo/keyframemask.h"
#include "memvideo/keyframeselector.h"

#define MS (GST_MSECOND)

/* A 16x8 proxy of 16-pixel cells over a 256x128 frame */
#define PW 16
#define PH 8

static const MemvideoRect full = { 0, 0, 256, 128 };

static void
proxy_set (MemvideoLumaProxy * p, guint8 v)
{
  memvideo_luma_proxy_clear (p);
  p->width = PW;
  p->height = PH;
  p->cells = g_malloc (PW * PH);
  memset (p->cells, v, PW * PH);
}

/* cells x0 <= x < x1, y0 <= y < y1 to @v */
static void
proxy_fill_rect (MemvideoLumaProxy * p, guint x0, guint y0, guint x1,
    guint y1, guint8 v)
{
  guint x, y;

  for (y = y0; y < y1; y++)
    for (x = x0; x < x1; x++)
      p->cells[y * PW + x] = v;
}

GST_START_TEST (test_rects_parse)
{
  MemvideoFracRect r[MEMVIDEO_MAX_EXCLUDE];
  GError *err = NULL;
  gchar *s;
  guint n = 99;

  fail_unless (memvideo_frac_rects_parse ("", r, 8, &n, NULL));
  fail_unless_equals_int (n, 0);
  fail_unless (memvideo_frac_rects_parse (NULL, r, 8, &n, NULL));
  fail_unless_equals_int (n, 0);
  fail_unless (memvideo_frac_rects_parse (" 0.75, 0.75 ,0.25,0.25 ; "
          "0,0,0.1,0.05;", r, 8, &n, NULL));
  fail_unless_equals_int (n, 2);
  fail_unless_equals_float (r[0].x, 0.75);
  fail_unless_equals_float (r[0].height, 0.25);
  fail_unless_equals_float (r[1].width, 0.1);
  s = memvideo_frac_rects_to_string (r, n);
  fail_unless_equals_string (s, "0.75,0.75,0.25,0.25;0,0,0.1,0.05");
  g_free (s);

  /* bad ones are refused whole, with a message naming the part */
  n = 7;
  fail_if (memvideo_frac_rects_parse ("0,0,1,1;0.5,0.5,0.6,0.1", r, 8, &n,
          &err));
  fail_unless_equals_int (n, 0);
  fail_unless (strstr (err->message, "'0.5,0.5,0.6,0.1'") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  fail_if (memvideo_frac_rects_parse ("0,0,1", r, 8, &n, &err));
  g_clear_error (&err);
  fail_if (memvideo_frac_rects_parse ("0,0,0,1", r, 8, &n, &err));
  g_clear_error (&err);
  fail_if (memvideo_frac_rects_parse ("0,0,x,1", r, 8, &n, &err));
  g_clear_error (&err);
  fail_if (memvideo_frac_rects_parse ("-0.1,0,0.5,1", r, 8, &n, &err));
  g_clear_error (&err);
  fail_if (memvideo_frac_rects_parse ("0,0,1,1;0,0,1,1", r, 1, &n, &err));
  fail_unless (strstr (err->message, "more than 1") != NULL, "%s",
      err->message);
  g_clear_error (&err);
}

GST_END_TEST;

GST_START_TEST (test_rect_to_pixels)
{
  MemvideoFracRect f = { 0.75, 0.5, 0.25, 0.5 };
  MemvideoRect r;

  memvideo_frac_rect_to_pixels (&f, 1920, 1080, &r);
  fail_unless (r.x == 1440 && r.y == 540 && r.width == 480 && r.height == 540);
  /* the same fractions at another size: scaled with the picture */
  memvideo_frac_rect_to_pixels (&f, 640, 360, &r);
  fail_unless (r.x == 480 && r.y == 180 && r.width == 160 && r.height == 180);
  /* never empty, never outside */
  f = (MemvideoFracRect) {
  0.999, 0.999, 0.001, 0.001};
  memvideo_frac_rect_to_pixels (&f, 100, 100, &r);
  fail_unless (r.x == 99 && r.y == 99 && r.width == 1 && r.height == 1);
}

GST_END_TEST;

GST_START_TEST (test_exclude_cells)
{
  MemvideoCellMask *m = memvideo_cell_mask_new ();
  MemvideoActivityParams off = { 0, 0.5, 10 };
  MemvideoFracRect ex[2] = { {0.75, 0.75, 0.25, 0.25}, {0.5, 0, 0.01, 0.01}
  };
  MemvideoLumaProxy p;
  const guint8 *cells;
  guint x, y;

  memvideo_luma_proxy_init (&p);
  proxy_set (&p, 100);
  cells = memvideo_cell_mask_update (m, &p, &full, 256, 128, ex, 2, &off, 0);
  /* 4x2 cells bottom right, and the one cell the tiny rectangle touches */
  fail_unless_equals_int (memvideo_cell_mask_count (m), 9);
  for (y = 0; y < PH; y++)
    for (x = 0; x < PW; x++)
      fail_unless_equals_int (cells[y * PW + x], (x >= 12 && y >= 6) ||
          (x == 8 && y == 0));
  fail_unless_equals_int (memvideo_cell_mask_live_count (m), 0);
  memvideo_cell_mask_free (m);
  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

/* A 4x2-cell region that changes every frame at 30 fps, window 1 s, share
 * 0.5: live once 1 - (29/30)^n >= 0.5, n = 21; scored again once its share
 * fell below 0.25 with it still. */
GST_START_TEST (test_activity)
{
  MemvideoCellMask *m = memvideo_cell_mask_new ();
  MemvideoActivityParams a = { GST_SECOND, 0.5, 10 };
  MemvideoLumaProxy p;
  guint i, live_from = 0, still_from = 0;

  memvideo_luma_proxy_init (&p);
  proxy_set (&p, 100);
  for (i = 0; i < 120; i++) {
    GstClockTime t = gst_util_uint64_scale (i, GST_SECOND, 30);

    if (i < 60)
      proxy_fill_rect (&p, 0, 0, 4, 2, i % 2 ? 200 : 20);
    /* a page change of everything else at frame 30, once */
    if (i == 30)
      proxy_fill_rect (&p, 4, 2, PW, PH, 160);
    memvideo_cell_mask_update (m, &p, &full, 256, 128, NULL, 0, &a, t);
    if (!live_from && memvideo_cell_mask_live_count (m) == 8)
      live_from = i;
    if (live_from && !still_from && memvideo_cell_mask_live_count (m) == 0)
      still_from = i;
    /* only the moving region ever becomes live */
    fail_unless (memvideo_cell_mask_live_count (m) <= 8);
    fail_unless_equals_int (memvideo_cell_mask_count (m),
        memvideo_cell_mask_live_count (m));
  }
  /* frame 0 has nothing to compare with: 21 changes by frame 21 */
  fail_unless_equals_int (live_from, 21);
  /* from a share of 1 - (29/30)^60 = 0.87 below 0.25: 37 still frames */
  fail_unless_equals_int (still_from, 60 + 36);

  /* reset forgets; window 0 switches it off */
  memvideo_cell_mask_reset (m);
  fail_unless_equals_int (memvideo_cell_mask_live_count (m), 0);
  a.window = 0;
  for (i = 0; i < 60; i++) {
    proxy_fill_rect (&p, 0, 0, 4, 2, i % 2 ? 200 : 20);
    memvideo_cell_mask_update (m, &p, &full, 256, 128, NULL, 0, &a, i * MS);
    fail_unless_equals_int (memvideo_cell_mask_count (m), 0);
  }
  memvideo_cell_mask_free (m);
  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

GST_START_TEST (test_score_masked)
{
  MemvideoLumaProxy a, b;
  guint8 mask[PW * PH];

  memvideo_luma_proxy_init (&a);
  memvideo_luma_proxy_init (&b);
  proxy_set (&a, 100);
  proxy_set (&b, 100);
  memset (mask, 0, sizeof (mask));
  /* the left half masked and changed: nothing counts */
  memset (mask, 1, PW * PH / 2);
  proxy_fill_rect (&b, 0, 0, PW, PH / 2, 250);
  fail_unless_equals_float (memvideo_keyframe_score_masked
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 10, &a, &b, mask), 0.0);
  fail_unless_equals_float (memvideo_keyframe_score_masked
      (MEMVIDEO_KEYFRAME_METRIC_MEAN, 10, &a, &b, mask), 0.0);
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 10, &a, &b), 0.5);
  /* a quarter of the frame, half of what is scored */
  proxy_fill_rect (&b, 0, PH / 2, PW, PH * 3 / 4, 0);
  fail_unless_equals_float (memvideo_keyframe_score_masked
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 10, &a, &b, mask), 0.5);
  fail_unless_equals_float (memvideo_keyframe_score_masked
      (MEMVIDEO_KEYFRAME_METRIC_MEAN, 10, &a, &b, mask), 50.0 / 255.0);
  /* all masked: 0 */
  memset (mask, 1, sizeof (mask));
  fail_unless_equals_float (memvideo_keyframe_score_masked
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 10, &a, &b, mask), 0.0);
  memvideo_luma_proxy_clear (&a);
  memvideo_luma_proxy_clear (&b);
}

GST_END_TEST;

/* The selector with the mask: a region that keeps moving selects nothing
 * once live, nothing when it stops (it is compared from where it stopped),
 * and a page change elsewhere is still selected. */
GST_START_TEST (test_selector_with_mask)
{
  MemvideoCellMask *m = memvideo_cell_mask_new ();
  MemvideoKeyframeSelector *sel = memvideo_keyframe_selector_new ();
  MemvideoActivityParams a = { GST_SECOND, 0.5, 10 };
  MemvideoKeyframeParams params = { MEMVIDEO_KEYFRAME_METRIC_AREA, 0.04, 10,
    MEMVIDEO_KEYFRAME_REFERENCE_LAST_SELECTED, 0, 0, 0, 0
  };
  MemvideoLumaProxy p;
  GString *got = g_string_new (NULL);
  guint i;

  memvideo_luma_proxy_init (&p);
  proxy_set (&p, 100);
  for (i = 0; i < 200; i++) {
    GstClockTime t = gst_util_uint64_scale (i, GST_SECOND, 30);
    MemvideoKeyframeResult r;
    const guint8 *cells;

    /* an inset of 8 of 128 cells (6%) moving from frame 1 to 120 */
    if (i > 0 && i < 120)
      proxy_fill_rect (&p, 12, 6, PW, PH, (i * 37) % 256);
    if (i == 150)
      proxy_fill_rect (&p, 0, 0, 12, 6, 30);
    cells = memvideo_cell_mask_update (m, &p, &full, 256, 128, NULL, 0, &a, t);
    memvideo_keyframe_selector_push (sel, &params, &p, cells, t, &r);
    if (r.action == MEMVIDEO_KEYFRAME_ACTION_SELECT)
      g_string_append_printf (got, "%s%u", got->len ? "," : "", i);
  }
  /* until it is live (frame 21) the inset counts as change */
  fail_unless (g_str_has_prefix (got->str, "0,1,"), "%s", got->str);
  fail_unless (g_str_has_suffix (got->str, ",20,150"), "%s", got->str);
  g_string_free (got, TRUE);
  memvideo_keyframe_selector_free (sel);
  memvideo_cell_mask_free (m);
  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

/* A masked frame while a cut candidate waits (reference=previous, the
 * adaptive decision): the candidate has no base proxy, only its run
 * follows the mask (found by fuzz_keyframeselect: a NULL write). */
GST_START_TEST (test_selector_mask_with_cut_pending)
{
  MemvideoKeyframeSelector *sel = memvideo_keyframe_selector_new ();
  MemvideoKeyframeParams params = { MEMVIDEO_KEYFRAME_METRIC_AREA, 0.04, 10,
    MEMVIDEO_KEYFRAME_REFERENCE_PREVIOUS, 0, 0, 0, 0, 3.0, 2
  };
  MemvideoKeyframeResult r;
  MemvideoLumaProxy p;
  guint8 mask[PW * PH];
  gdouble score;

  memset (mask, 0, sizeof (mask));
  mask[0] = 1;
  memvideo_luma_proxy_init (&p);
  proxy_set (&p, 0);
  memvideo_keyframe_selector_push (sel, &params, &p, mask, 0, &r);
  fail_unless_equals_int (r.reason, MEMVIDEO_KEYFRAME_REASON_FIRST);
  proxy_set (&p, 200);
  memvideo_keyframe_selector_push (sel, &params, &p, mask, 10 * MS, &r);
  fail_unless_equals_int (r.action, MEMVIDEO_KEYFRAME_ACTION_HOLD);
  memvideo_keyframe_selector_push (sel, &params, &p, mask, 20 * MS, &r);
  fail_unless_equals_int (r.action, MEMVIDEO_KEYFRAME_ACTION_DROP);
  fail_unless_equals_int (r.masked_cells, 1);
  fail_unless (memvideo_keyframe_selector_finish (sel, &params, &score));
  fail_unless_equals_float (score, 1.0);
  memvideo_keyframe_selector_free (sel);
  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

static Suite *
keyframemask_suite (void)
{
  Suite *s = suite_create ("keyframemask");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_rects_parse);
  tcase_add_test (tc, test_rect_to_pixels);
  tcase_add_test (tc, test_exclude_cells);
  tcase_add_test (tc, test_activity);
  tcase_add_test (tc, test_score_masked);
  tcase_add_test (tc, test_selector_with_mask);
  tcase_add_test (tc, test_selector_mask_with_cut_pending);
  return s;
}

GST_CHECK_MAIN (keyframemask);
