/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Tests of gst/memvideo/fastscan.c against the full path (keyframeselect
 * on every decoded frame) on generated screen shares (tests/media/
 * fast-clip.c: 320x180, 30 fps, slides changing at known frames, x264
 * keyframes exactly every GOP frames): the same frames, reasons, scores
 * and pictures (bytes compared) where every change lasts a GOP; the
 * documented differences (a change undone inside one GOP, periodic
 * selections on keyframes); long GOPs flagged; a FIFO and
 * reference=previous refused with their error codes.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "memvideotest.h"
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>
#include "memvideo/fastscan.h"

#define FAST_CLIP TESTS_BUILDDIR "/tests/media/fast-clip"
#define CLIP_DIR TESTS_BUILDDIR "/tests/check/fastscan-clips"

/* slides change at frames 397, 761, 1153: none on a keyframe, each shown
 * for more than 10 s */
#define SLIDES "0:11,397:12,761:13,1153:14"
#define SLIDES_FRAMES 1500

typedef struct
{
  guint64 frame;
  gchar reason[16];
  gdouble score;
  GstBuffer *buffer;
} Pick;

static gchar *
clip_path (const gchar * name)
{
  return g_strdup_printf ("%s/%s.mp4", CLIP_DIR, name);
}

/* Writes CLIP_DIR/@name.mp4 unless it is there. */
static void
make_clip_b (const gchar * name, gint frames, gint gop, const gchar * changes,
    gint bframes)
{
  gchar *path = clip_path (name);
  gchar *argv[9];
  gint status = 0;
  GError *err = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_mkdir_with_parents (CLIP_DIR, 0755);
    argv[0] = (gchar *) FAST_CLIP;
    argv[1] = path;
    argv[2] = (gchar *) "320";
    argv[3] = (gchar *) "180";
    argv[4] = g_strdup_printf ("%d", frames);
    argv[5] = g_strdup_printf ("%d", gop);
    argv[6] = (gchar *) changes;
    argv[7] = g_strdup_printf ("%d", bframes);
    argv[8] = NULL;
    if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
            NULL, &status, &err) || !g_spawn_check_wait_status (status, &err))
      g_error ("fast-clip %s: %s", name, err->message);
    g_free (argv[4]);
    g_free (argv[5]);
    g_free (argv[7]);
  }
  g_free (path);
}

static void
make_clip (const gchar * name, gint frames, gint gop, const gchar * changes)
{
  make_clip_b (name, frames, gop, changes, 0);
}

static gchar *
clip_uri (const gchar * name)
{
  gchar *path = clip_path (name);
  gchar *uri = gst_filename_to_uri (path, NULL);

  g_free (path);
  return uri;
}

static void
picks_free (GArray * picks)
{
  guint i;

  for (i = 0; i < picks->len; i++)
    gst_buffer_unref (g_array_index (picks, Pick, i).buffer);
  g_array_unref (picks);
}

/* The full path: keyframeselect with @props on every frame. */
static GArray *
run_full (const gchar * name, const gchar * props)
{
  gchar *uri = clip_uri (name);
  gchar *desc = g_strdup_printf ("uridecodebin uri=%s ! videoconvert ! "
      "video/x-raw,format=I420 ! keyframeselect %s ! appsink name=sink "
      "sync=false", uri, props);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink;
  GArray *picks = g_array_new (FALSE, TRUE, sizeof (Pick));
  GstSample *sample;

  fail_unless (pipeline != NULL);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstCustomMeta *meta = gst_buffer_get_custom_meta (buf,
        "GstKeyframeSelectMeta");
    GstStructure *s;
    Pick p;

    fail_unless (meta != NULL);
    s = gst_custom_meta_get_structure (meta);
    fail_unless (gst_structure_get_uint64 (s, "frame", &p.frame));
    fail_unless (gst_structure_get_double (s, "score", &p.score));
    g_strlcpy (p.reason, gst_structure_get_string (s, "reason"),
        sizeof (p.reason));
    p.buffer = gst_buffer_ref (buf);
    g_array_append_val (picks, p);
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (uri);
  return picks;
}

static GArray *
picks_from_result (const MemvideoFastScanResult * res)
{
  GArray *picks = g_array_new (FALSE, TRUE, sizeof (Pick));
  guint i;

  for (i = 0; i < res->selections->len; i++) {
    const MemvideoFastSelection *sel = &g_array_index (res->selections,
        MemvideoFastSelection, i);
    Pick p;

    p.frame = sel->frame;
    p.score = sel->score;
    g_strlcpy (p.reason, memvideo_keyframe_reason_name (sel->reason),
        sizeof (p.reason));
    p.buffer = gst_buffer_ref (gst_sample_get_buffer (sel->sample));
    g_array_append_val (picks, p);
  }
  return picks;
}

static MemvideoFastScanResult *
run_fast (const gchar * name, const MemvideoFastScanParams * params)
{
  gchar *uri = clip_uri (name);
  GError *err = NULL;
  MemvideoFastScanResult *res = memvideo_fast_scan (uri, params, &err);

  fail_unless (res != NULL, "fast scan of %s: %s", name,
      err ? err->message : "?");
  g_free (uri);
  return res;
}

/* @picks are exactly @frames with @reasons ("first change ..."). */
static void
assert_picks (GArray * picks, const guint64 * frames, guint n,
    const gchar * reasons, const gchar * what)
{
  gchar **r = g_strsplit (reasons, " ", -1);
  guint i;

  fail_unless_equals_int (picks->len, n);
  fail_unless_equals_int (g_strv_length (r), n);
  for (i = 0; i < n; i++) {
    Pick *p = &g_array_index (picks, Pick, i);

    fail_unless (p->frame == frames[i], "%s: selection %u at frame %"
        G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT, what, i, p->frame,
        frames[i]);
    fail_unless_equals_string (p->reason, r[i]);
  }
  g_strfreev (r);
}

static void
assert_same_picks (GArray * full, GArray * fast)
{
  guint i;

  fail_unless_equals_int (fast->len, full->len);
  for (i = 0; i < full->len; i++) {
    Pick *a = &g_array_index (full, Pick, i);
    Pick *b = &g_array_index (fast, Pick, i);
    GstMapInfo ma, mb;

    fail_unless_equals_uint64 (b->frame, a->frame);
    fail_unless_equals_string (b->reason, a->reason);
    fail_unless_equals_float (b->score, a->score);
    fail_unless (gst_buffer_map (a->buffer, &ma, GST_MAP_READ));
    fail_unless (gst_buffer_map (b->buffer, &mb, GST_MAP_READ));
    fail_unless_equals_uint64 (mb.size, ma.size);
    fail_unless (memcmp (ma.data, mb.data, ma.size) == 0,
        "selection %u (frame %" G_GUINT64_FORMAT ") is another picture", i,
        a->frame);
    gst_buffer_unmap (a->buffer, &ma);
    gst_buffer_unmap (b->buffer, &mb);
  }
}

static const struct
{
  const gchar *clip;
  guint64 keyframes, gop_frames;
} gop_cases[] = {
  /* a change decodes its GOP: the frames after the keyframe before it
   * up to the keyframe after it; and the last GOP is decoded (1499 is the
   * last frame) */
  {"slides-gop30", 50, 3 * 30 + 1499 - 1470},
  {"slides-gop60", 25, 3 * 60 + 1499 - 1440},
  {"slides-gop300", 5, 3 * 300 + 1499 - 1200},
  /* two B-frames between references: the same frames */
  {"slides-gop60-b2", 25, 3 * 60 + 1499 - 1440},
};

GST_START_TEST (test_fast_equals_full)
{
  const guint64 frames[] = { 0, 397, 761, 1153 };
  MemvideoFastScanParams params;
  MemvideoFastScanResult *res;
  GArray *full, *fast;

  /* all defaults: no two selections are 30 s apart, so no periodic */
  memvideo_fast_scan_params_init (&params);
  res = run_fast (gop_cases[__i__].clip, &params);
  full = run_full (gop_cases[__i__].clip, "");
  fast = picks_from_result (res);

  assert_picks (full, frames, 4, "first change change change", "full");
  assert_same_picks (full, fast);
  fail_unless_equals_uint64 (res->keyframes, gop_cases[__i__].keyframes);
  fail_unless_equals_uint64 (res->gop_frames, gop_cases[__i__].gop_frames);
  fail_unless_equals_int (res->gops, 3 + 1);

  picks_free (full);
  picks_free (fast);
  memvideo_fast_scan_result_free (res);
}

GST_END_TEST;

/* Slide 12 shown for frames 70-99 inside the GOP 60-119: both keyframes
 * show slide 11, so the fast path never decodes that GOP. */
GST_START_TEST (test_change_inside_gop_missed)
{
  const guint64 full_frames[] = { 0, 70, 100 };
  const guint64 fast_frames[] = { 0 };
  MemvideoFastScanParams params;
  MemvideoFastScanResult *res;
  GArray *full, *fast;

  memvideo_fast_scan_params_init (&params);
  params.params.interval = 0;
  res = run_fast ("revert-gop60", &params);
  full = run_full ("revert-gop60", "interval=0");
  fast = picks_from_result (res);

  assert_picks (full, full_frames, 3, "first change change", "full");
  assert_picks (fast, fast_frames, 1, "first", "fast");
  /* only the last GOP, 241-299 */
  fail_unless_equals_int (res->gops, 1);
  fail_unless_equals_uint64 (res->gop_frames, 299 - 240);

  picks_free (full);
  picks_free (fast);
  memvideo_fast_scan_result_free (res);
}

GST_END_TEST;

/* The last change (frame 1470) comes after the last keyframe (1440): no
 * keyframe shows it, the last GOP is decoded for it. */
GST_START_TEST (test_change_in_last_gop)
{
  const guint64 frames[] = { 0, 397, 1470 };
  MemvideoFastScanParams params;
  MemvideoFastScanResult *res;
  GArray *full, *fast;

  memvideo_fast_scan_params_init (&params);
  params.params.interval = 0;
  res = run_fast ("tail-gop60", &params);
  full = run_full ("tail-gop60", "interval=0");
  fast = picks_from_result (res);

  assert_picks (full, frames, 3, "first change change", "full");
  assert_same_picks (full, fast);
  fail_unless_equals_int (res->gops, 2);

  picks_free (full);
  picks_free (fast);
  memvideo_fast_scan_result_free (res);
}

GST_END_TEST;

/* interval 4.6 s on a still picture with keyframes every 2 s: the full path
 * selects frames 138 and 276, the fast path the keyframes nearest the time
 * due, measured from the selection it made: 4 s and 8 s. */
GST_START_TEST (test_periodic_on_nearest_keyframe)
{
  const guint64 full_frames[] = { 0, 138, 276 };
  const guint64 fast_frames[] = { 0, 120, 240 };
  MemvideoFastScanParams params;
  MemvideoFastScanResult *res;
  GArray *full, *fast;

  memvideo_fast_scan_params_init (&params);
  params.params.interval = 4600 * GST_MSECOND;
  res = run_fast ("still-gop60", &params);
  full = run_full ("still-gop60", "interval=4600000000");
  fast = picks_from_result (res);

  assert_picks (full, full_frames, 3, "first periodic periodic", "full");
  assert_picks (fast, fast_frames, 3, "first periodic periodic", "fast");
  fail_unless_equals_int (res->gops, 1);

  picks_free (full);
  picks_free (fast);
  memvideo_fast_scan_result_free (res);
}

GST_END_TEST;

/* max-selected=2: the first and the change at 397, then nothing more is
 * decoded. */
GST_START_TEST (test_max_selected)
{
  const guint64 frames[] = { 0, 397 };
  MemvideoFastScanParams params;
  MemvideoFastScanResult *res;
  GArray *full, *fast;

  memvideo_fast_scan_params_init (&params);
  params.params.interval = 0;
  params.params.max_selected = 2;
  res = run_fast ("slides-gop60", &params);
  full = run_full ("slides-gop60", "interval=0 max-selected=2");
  fast = picks_from_result (res);

  assert_picks (full, frames, 2, "first change", "full");
  assert_same_picks (full, fast);
  fail_unless_equals_int (res->gops, 1);

  picks_free (full);
  picks_free (fast);
  memvideo_fast_scan_result_free (res);
}

GST_END_TEST;

GST_START_TEST (test_long_gop_flagged)
{
  MemvideoFastScanParams params;
  MemvideoFastScanResult *res;

  memvideo_fast_scan_params_init (&params);
  params.params.interval = 0;
  /* 10 s GOPs are not longer than the default 10 s */
  res = run_fast ("slides-gop300", &params);
  fail_unless_equals_uint64 (res->longest_gop, 10 * GST_SECOND);
  fail_if (res->long_gop);
  memvideo_fast_scan_result_free (res);

  params.long_gop = 5 * GST_SECOND;
  res = run_fast ("slides-gop300", &params);
  fail_unless (res->long_gop);
  memvideo_fast_scan_result_free (res);

  res = run_fast ("slides-gop30", &params);
  fail_unless_equals_uint64 (res->longest_gop, GST_SECOND);
  fail_if (res->long_gop);
  memvideo_fast_scan_result_free (res);
}

GST_END_TEST;

GST_START_TEST (test_fifo_not_seekable)
{
  gchar *dir = g_dir_make_tmp ("fastscan-XXXXXX", NULL);
  gchar *fifo = g_build_filename (dir, "in.mp4", NULL);
  gchar *uri = gst_filename_to_uri (fifo, NULL);
  gchar *expected = g_strdup_printf ("%s is not a regular file and cannot "
      "seek", fifo);
  MemvideoFastScanParams params;
  GError *err = NULL;

  fail_unless (mkfifo (fifo, 0600) == 0);
  memvideo_fast_scan_params_init (&params);
  /* nothing opens the FIFO: this would block if it did */
  fail_unless (memvideo_fast_scan (uri, &params, &err) == NULL);
  fail_unless (g_error_matches (err, MEMVIDEO_FAST_SCAN_ERROR,
          MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE));
  fail_unless_equals_string (err->message, expected);
  g_clear_error (&err);

  g_unlink (fifo);
  g_rmdir (dir);
  g_free (expected);
  g_free (uri);
  g_free (fifo);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_reference_previous_refused)
{
  MemvideoFastScanParams params;
  GError *err = NULL;
  gchar *uri = clip_uri ("still-gop60");

  memvideo_fast_scan_params_init (&params);
  params.params.reference = MEMVIDEO_KEYFRAME_REFERENCE_PREVIOUS;
  fail_unless (memvideo_fast_scan (uri, &params, &err) == NULL);
  fail_unless (g_error_matches (err, MEMVIDEO_FAST_SCAN_ERROR,
          MEMVIDEO_FAST_SCAN_ERROR_UNSUPPORTED));
  g_clear_error (&err);
  g_free (uri);
}

GST_END_TEST;

/* params_init gives the element's defaults. */
GST_START_TEST (test_defaults_are_the_elements)
{
  MemvideoFastScanParams params;
  GstElement *e = gst_element_factory_make ("keyframeselect", NULL);
  gdouble threshold;
  guint noise, width, max_selected;
  guint64 interval, min_interval, settle;
  gint metric, reference;

  fail_unless (e != NULL);
  memvideo_fast_scan_params_init (&params);
  g_object_get (e, "threshold", &threshold, "noise-level", &noise,
      "analysis-width", &width, "interval", &interval, "min-interval",
      &min_interval, "settle-time", &settle, "max-selected", &max_selected,
      "metric", &metric, "reference", &reference, NULL);
  fail_unless_equals_float (params.params.threshold, threshold);
  fail_unless_equals_int (params.params.noise_level, noise);
  fail_unless_equals_int (params.analysis_width, width);
  fail_unless_equals_uint64 (params.params.interval, interval);
  fail_unless_equals_uint64 (params.params.min_interval, min_interval);
  fail_unless_equals_uint64 (params.params.settle_time, settle);
  fail_unless_equals_int (params.params.max_selected, max_selected);
  fail_unless_equals_int (params.params.metric, metric);
  fail_unless_equals_int (params.params.reference, reference);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
fastscan_suite (void)
{
  Suite *s = suite_create ("fastscan");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_reference_previous_refused);
  tcase_add_test (tc, test_defaults_are_the_elements);
  if (mvt_h264_decoding_unavailable ())
    return s;

  /* once, before check forks the tests */
  make_clip ("slides-gop30", SLIDES_FRAMES, 30, SLIDES);
  make_clip ("slides-gop60", SLIDES_FRAMES, 60, SLIDES);
  make_clip ("slides-gop300", SLIDES_FRAMES, 300, SLIDES);
  make_clip_b ("slides-gop60-b2", SLIDES_FRAMES, 60, SLIDES, 2);
  make_clip ("revert-gop60", 300, 60, "0:11,70:12,100:11");
  make_clip ("still-gop60", 360, 60, "0:11");
  make_clip ("tail-gop60", 1500, 60, "0:11,397:12,1470:13");

  tcase_add_loop_test (tc, test_fast_equals_full, 0, G_N_ELEMENTS (gop_cases));
  tcase_add_test (tc, test_change_inside_gop_missed);
  tcase_add_test (tc, test_change_in_last_gop);
  tcase_add_test (tc, test_periodic_on_nearest_keyframe);
  tcase_add_test (tc, test_max_selected);
  tcase_add_test (tc, test_long_gop_flagged);
  tcase_add_test (tc, test_fifo_not_seekable);
  return s;
}

GST_CHECK_MAIN (fastscan);
