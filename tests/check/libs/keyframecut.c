/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of gst/memvideo/keyframecut.c, the adaptive cut decision:
 * sequences of frame-to-frame scores and which of them are judged cuts,
 * with ratio 3 and a window of 2 unless a case says otherwise.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include "memvideo/keyframecut.h"

typedef struct
{
  const gchar *name;
  gdouble ratio;
  guint window;
  gdouble threshold;
  gdouble scores[16];
  guint n;
  const gchar *cuts;            /* indices judged cuts, in order */
} CutCase;

static const CutCase cases[] = {
  {"isolated spike", 3, 2, 0.3, {0.01, 0.02, 0.9, 0.01, 0.02, 0.01}, 6, "2"},
  /* motion: every neighbour is high, nothing is a cut */
  {"sustained motion", 3, 2, 0.3, {0.3, 0.4, 0.5, 0.45, 0.4, 0.35}, 6, ""},
  /* a cut amid motion still stands out: 0.9 >= 3 * (0.1+0.15+0.1+0.12)/4 */
  {"cut amid motion", 3, 2, 0.05, {0.1, 0.15, 0.9, 0.1, 0.12, 0.1}, 6, "2"},
  /* two frames of one transition: the higher is judged, and is the cut */
  {"two close spikes", 3, 2, 0.3, {0.01, 0.6, 0.8, 0.01, 0.01, 0.01}, 6, "2"},
  /* 0.8 against neighbours of 0.4: a cut at ratio 2 (met exactly), not 3 */
  {"ratio exactly", 3, 1, 0.3, {0.4, 0.8, 0.4, 0.0}, 4, ""},
  {"ratio met", 2, 1, 0.3, {0.4, 0.8, 0.4, 0.0}, 4, "1"},
  /* a wider window looks further: the 0.6s three frames away are the
   * 0.9's neighbours, and it is the one cut */
  {"window 3", 3, 3, 0.3, {0.6, 0.0, 0.0, 0.9, 0.0, 0.0, 0.6, 0.0}, 8, "3"},
  {"window 1", 3, 1, 0.3, {0.6, 0.0, 0.0, 0.9, 0.0, 0.0, 0.6, 0.0}, 8,
      "0,3,6"},
  /* the end: judged on the followers it had (none: the past only) */
  {"at the end", 3, 2, 0.3, {0.01, 0.02, 0.01, 0.9}, 4, "3"},
  /* the first frames have no past: judged on the future only */
  {"at the start", 3, 2, 0.3, {0.9, 0.0, 0.0, 0.0}, 4, "0"},
};

GST_START_TEST (test_cut_window)
{
  const CutCase *c = &cases[__i__];
  MemvideoCutWindow w;
  GString *got = g_string_new (NULL);
  guint i, cand = 0;

  memvideo_cut_window_reset (&w, c->window);
  /* the selector's use: a score at the threshold starts a candidate when
   * none waits, or replaces one it is higher than */
  for (i = 0; i < c->n; i++) {
    gdouble s = c->scores[i];
    gboolean start = !w.candidate;

    if (w.candidate) {
      gboolean higher = s > w.score;

      switch (memvideo_cut_window_follow (&w, s, c->ratio)) {
        case MEMVIDEO_CUT_YES:
          g_string_append_printf (got, "%s%u", got->len ? "," : "", cand);
          break;
        case MEMVIDEO_CUT_NO:
          start = higher;
          break;
        case MEMVIDEO_CUT_WAIT:
          break;
      }
    }
    if (start && s >= c->threshold) {
      memvideo_cut_window_start (&w, s);
      cand = i;
    }
    memvideo_cut_window_past (&w, s);
  }
  if (memvideo_cut_window_finish (&w, c->ratio) == MEMVIDEO_CUT_YES)
    g_string_append_printf (got, "%s%u", got->len ? "," : "", cand);
  fail_unless (g_str_equal (got->str, c->cuts), "%s: cuts %s, expected %s",
      c->name, got->str, c->cuts);
  g_string_free (got, TRUE);
}

GST_END_TEST;

static Suite *
keyframecut_suite (void)
{
  Suite *s = suite_create ("keyframecut");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_cut_window, 0, G_N_ELEMENTS (cases));
  return s;
}

GST_CHECK_MAIN (keyframecut);
