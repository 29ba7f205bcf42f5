/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of memsink's history window (gst/memvideo/samplewindow.c):
 * count and age limits, groups of pictures, the ring's indices across
 * wrap-around and growth, age in running time (reverse playback, jumps).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "memvideo/samplewindow.h"

static GstSample *
make_sample (GstCaps * caps, GstClockTime pts, gboolean delta)
{
  GstBuffer *buf = gst_buffer_new ();
  GstSample *sample;

  GST_BUFFER_PTS (buf) = pts;
  if (delta)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  sample = gst_sample_new (buf, caps, NULL, NULL);
  gst_buffer_unref (buf);

  return sample;
}

static GstClockTime
pts_at (MemvideoSampleWindow * w, guint i)
{
  return GST_BUFFER_PTS (gst_sample_get_buffer (memvideo_sample_window_get (w,
              i)));
}

GST_START_TEST (test_window_raw_by_count_and_age)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-raw");
  MemvideoSampleWindow *w = memvideo_sample_window_new ();
  GPtrArray *dropped = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_sample_unref);
  guint i;

  memvideo_sample_window_set_limits (w, 3, GST_CLOCK_TIME_NONE);
  /* raw: the delta flag means nothing, each sample is dropped alone */
  for (i = 0; i < 5; i++)
    fail_unless (memvideo_sample_window_push (w, make_sample (caps,
                i * GST_SECOND, i % 2), dropped));
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 3);
  fail_unless_equals_int (dropped->len, 2);
  fail_unless_equals_uint64 (pts_at (w, 0), 2 * GST_SECOND);

  memvideo_sample_window_set_limits (w, 0, 2500 * GST_MSECOND);
  fail_unless (memvideo_sample_window_push (w, make_sample (caps,
              6 * GST_SECOND, FALSE), dropped));
  /* 6 s - 4 s <= 2.5 s: samples at 4 s and 6 s stay */
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 2);
  fail_unless_equals_uint64 (pts_at (w, 0), 4 * GST_SECOND);
  /* a sample without timestamp takes the one before it */
  fail_unless (memvideo_sample_window_push (w, make_sample (caps,
              GST_CLOCK_TIME_NONE, FALSE), dropped));
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 3);

  memvideo_sample_window_clear (w, dropped);
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 0);
  fail_unless_equals_int (dropped->len, 7);

  g_ptr_array_unref (dropped);
  memvideo_sample_window_free (w);
  gst_caps_unref (caps);
}

GST_END_TEST;

GST_START_TEST (test_window_gop_aware)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-h264");
  MemvideoSampleWindow *w = memvideo_sample_window_new ();
  GPtrArray *dropped = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_sample_unref);
  GstSample *s;
  guint i;

  /* leading delta units cannot be decoded */
  fail_if (memvideo_sample_window_push (w, make_sample (caps, 0, TRUE),
          dropped));
  fail_unless_equals_int (dropped->len, 1);

  /* GOPs of 4: K d d d K d d d ... with max 5 samples */
  memvideo_sample_window_set_limits (w, 5, GST_CLOCK_TIME_NONE);
  for (i = 0; i < 12; i++) {
    fail_unless (memvideo_sample_window_push (w, make_sample (caps,
                i * GST_SECOND, i % 4 != 0), dropped));
    s = memvideo_sample_window_get (w, 0);
    fail_unless (memvideo_sample_is_keyframe (s), "window starts with a "
        "delta unit after %u samples", i + 1);
  }
  /* after 12: GOP 8..11 plus, since 4..11 would be 8 > 5, only the newest
   * GOP remains */
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 4);
  fail_unless_equals_uint64 (pts_at (w, 0), 8 * GST_SECOND);
  fail_unless_equals_int (dropped->len, 1 + 8);

  /* pulling the keyframe leaves deltas at the head; the rest of that GOP
   * goes as one piece */
  s = memvideo_sample_window_pop (w);
  gst_sample_unref (s);
  memvideo_sample_window_set_limits (w, 2, GST_CLOCK_TIME_NONE);
  fail_unless (memvideo_sample_window_push (w, make_sample (caps,
              12 * GST_SECOND, FALSE), dropped));
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 1);
  fail_unless_equals_uint64 (pts_at (w, 0), 12 * GST_SECOND);

  g_ptr_array_unref (dropped);
  memvideo_sample_window_free (w);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* Indices stay right while the ring wraps, grows and shrinks */
GST_START_TEST (test_window_ring_indices)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-raw");
  MemvideoSampleWindow *w = memvideo_sample_window_new ();
  GPtrArray *dropped =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  guint i, j, next = 0, oldest = 0;

  for (i = 0; i < 50; i++) {
    /* push 7, pop 3: the head walks around the ring while it grows */
    for (j = 0; j < 7; j++)
      memvideo_sample_window_push (w, make_sample (caps, next++ * GST_SECOND,
              FALSE), dropped);
    for (j = 0; j < 3; j++) {
      GstSample *s = memvideo_sample_window_pop (w);

      fail_unless_equals_uint64 (GST_BUFFER_PTS (gst_sample_get_buffer (s)),
          oldest++ * GST_SECOND);
      gst_sample_unref (s);
    }
    for (j = 0; j < memvideo_sample_window_get_length (w); j++)
      fail_unless_equals_uint64 (pts_at (w, j), (oldest + j) * GST_SECOND);
    fail_unless (memvideo_sample_window_get (w,
            memvideo_sample_window_get_length (w)) == NULL);
  }
  /* down to 2 samples: the ring shrinks and keeps its order */
  while (memvideo_sample_window_get_length (w) > 2)
    gst_sample_unref (memvideo_sample_window_pop (w));
  fail_unless_equals_uint64 (pts_at (w, 0), (next - 2) * GST_SECOND);
  fail_unless_equals_uint64 (pts_at (w, 1), (next - 1) * GST_SECOND);
  fail_unless_equals_int (dropped->len, 0);

  g_ptr_array_unref (dropped);
  memvideo_sample_window_free (w);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* Age is running time: PTS going down at rate -1 ages forward */
GST_START_TEST (test_window_age_reverse)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-raw");
  MemvideoSampleWindow *w = memvideo_sample_window_new ();
  GPtrArray *dropped =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  GstSegment segment;
  gint i;

  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.rate = -1.0;
  segment.stop = 10 * GST_SECOND;
  memvideo_sample_window_set_limits (w, 0, 2 * GST_SECOND);
  for (i = 9; i >= 0; i--) {
    GstBuffer *buf = gst_buffer_new ();
    GstSample *s;

    GST_BUFFER_PTS (buf) = i * GST_SECOND;
    s = gst_sample_new (buf, caps, &segment, NULL);
    gst_buffer_unref (buf);
    memvideo_sample_window_push (w, s, dropped);
  }
  /* running times 1..10 s; within 2 s of the newest (PTS 0): PTS 0, 1, 2 */
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 3);
  fail_unless_equals_uint64 (pts_at (w, 0), 2 * GST_SECOND);
  fail_unless_equals_uint64 (pts_at (w, 2), 0);

  g_ptr_array_unref (dropped);
  memvideo_sample_window_free (w);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* A jump forward drops the history before it; back on track, the sample
 * of the jump ages out too instead of blocking the head */
GST_START_TEST (test_window_age_jump)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-raw");
  MemvideoSampleWindow *w = memvideo_sample_window_new ();
  GPtrArray *dropped =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  guint i;

  memvideo_sample_window_set_limits (w, 0, 2 * GST_SECOND);
  for (i = 0; i < 5; i++)
    memvideo_sample_window_push (w, make_sample (caps, i * GST_SECOND,
            FALSE), dropped);
  memvideo_sample_window_push (w, make_sample (caps, 3600 * GST_SECOND,
          FALSE), dropped);
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 1);
  for (i = 5; i < 10; i++)
    memvideo_sample_window_push (w, make_sample (caps, i * GST_SECOND,
            FALSE), dropped);
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 3);
  fail_unless_equals_uint64 (pts_at (w, 0), 7 * GST_SECOND);

  g_ptr_array_unref (dropped);
  memvideo_sample_window_free (w);
  gst_caps_unref (caps);
}

GST_END_TEST;

static Suite *
samplewindow_suite (void)
{
  Suite *s = suite_create ("samplewindow");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_window_raw_by_count_and_age);
  tcase_add_test (tc, test_window_gop_aware);
  tcase_add_test (tc, test_window_ring_indices);
  tcase_add_test (tc, test_window_age_reverse);
  tcase_add_test (tc, test_window_age_jump);

  return s;
}

GST_CHECK_MAIN (samplewindow);
