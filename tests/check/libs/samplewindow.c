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
  /* at least 2.5 s: 4..6 s spans only 2 s, so 3 s stays, 2 s goes */
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 3);
  fail_unless_equals_uint64 (pts_at (w, 0), 3 * GST_SECOND);
  /* a sample without timestamp takes the one before it */
  fail_unless (memvideo_sample_window_push (w, make_sample (caps,
              GST_CLOCK_TIME_NONE, FALSE), dropped));
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 4);

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
  /* after 12: at least 5 kept, and without GOP 4..7 only 4 would be
   * left, so 4..11 stay */
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 8);
  fail_unless_equals_uint64 (pts_at (w, 0), 4 * GST_SECOND);
  fail_unless_equals_int (dropped->len, 1 + 4);

  /* pulling the keyframe leaves deltas at the head; the rest of that GOP
   * goes as one piece */
  s = memvideo_sample_window_pop (w);
  gst_sample_unref (s);
  memvideo_sample_window_set_limits (w, 2, GST_CLOCK_TIME_NONE);
  fail_unless (memvideo_sample_window_push (w, make_sample (caps,
              12 * GST_SECOND, FALSE), dropped));
  /* 5..7 go (8..12 still holds 2), GOP 8..11 stays (12 alone is 1) */
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 5);
  fail_unless_equals_uint64 (pts_at (w, 0), 8 * GST_SECOND);

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

/* A jump forward drops the history before it but the last sample (the
 * newest alone spans nothing); back on track, the sample of the jump ages
 * out too instead of blocking the head */
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
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 2);
  fail_unless_equals_uint64 (pts_at (w, 0), 4 * GST_SECOND);
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

/* max-age with GOPs longer than it: at least max-age stays, at most one
 * GOP more; the oldest GOP goes once the rest spans max-age */
GST_START_TEST (test_window_at_least_age_long_gop)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-h264");
  MemvideoSampleWindow *w = memvideo_sample_window_new ();
  GPtrArray *dropped =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  guint i;

  /* 10 frames a second, a keyframe every 25 (2.5 s), at least 1 s */
  memvideo_sample_window_set_limits (w, 0, GST_SECOND);
  for (i = 0; i < 200; i++) {
    GstClockTime oldest, newest = i * GST_SECOND / 10;

    memvideo_sample_window_push (w, make_sample (caps, newest, i % 25 != 0),
        dropped);
    oldest = pts_at (w, 0);
    fail_unless (newest - oldest >= MIN (newest, GST_SECOND),
        "frame %u: %" G_GUINT64_FORMAT " ns held", i, newest - oldest);
    fail_unless (newest - oldest < GST_SECOND + 2500 * GST_MSECOND,
        "frame %u: %" G_GUINT64_FORMAT " ns held", i, newest - oldest);
    fail_unless ((oldest / (GST_SECOND / 10)) % 25 == 0);
  }
  /* frame 199: GOP 175.. spans 2.4 s alone, so GOP 150..174 went at 185 */
  fail_unless_equals_uint64 (pts_at (w, 0), 175 * GST_SECOND / 10);

  g_ptr_array_unref (dropped);
  memvideo_sample_window_free (w);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* Numbers stay with their samples through drops, pops and clear; a pin
 * keeps its range; find_keyframe looks back from a time */
GST_START_TEST (test_window_numbers_and_pin)
{
  GstCaps *caps = gst_caps_new_empty_simple ("video/x-h264");
  MemvideoSampleWindow *w = memvideo_sample_window_new ();
  GPtrArray *dropped =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  guint i;

  fail_unless_equals_uint64 (memvideo_sample_window_get_first_number (w), 1);
  fail_unless (memvideo_sample_window_get_by_number (w, 1) == NULL);
  /* GOPs of 4 at 1 s, at least 4 samples */
  memvideo_sample_window_set_limits (w, 4, GST_CLOCK_TIME_NONE);
  for (i = 0; i < 10; i++)
    memvideo_sample_window_push (w, make_sample (caps, i * GST_SECOND,
            i % 4 != 0), dropped);
  /* 4..9 held (numbers 5..10): dropping GOP 4..7 would leave 2 */
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 6);
  fail_unless_equals_uint64 (memvideo_sample_window_get_first_number (w), 5);
  for (i = 5; i <= 10; i++)
    fail_unless_equals_uint64 (GST_BUFFER_PTS (gst_sample_get_buffer
            (memvideo_sample_window_get_by_number (w, i))),
        (i - 1) * GST_SECOND);
  fail_unless (memvideo_sample_window_get_by_number (w, 4) == NULL);
  fail_unless (memvideo_sample_window_get_by_number (w, 11) == NULL);
  fail_unless_equals_uint64 (memvideo_sample_window_get_time (w, 1),
      5 * GST_SECOND);
  fail_unless_equals_int (memvideo_sample_window_find_keyframe (w,
          7 * GST_SECOND), 0);
  fail_unless_equals_int (memvideo_sample_window_find_keyframe (w,
          8 * GST_SECOND), 4);
  fail_unless_equals_int (memvideo_sample_window_find_keyframe (w, 0), 0);

  /* pinned at number 5: nothing goes however far the window grows */
  memvideo_sample_window_set_pin (w, 5);
  for (i = 10; i < 30; i++)
    memvideo_sample_window_push (w, make_sample (caps, i * GST_SECOND,
            i % 4 != 0), dropped);
  fail_unless_equals_int (memvideo_sample_window_get_length (w), 26);
  fail_unless_equals_uint64 (memvideo_sample_window_get_first_number (w), 5);
  /* pinned at 13 (PTS 12): GOPs 4.. and 8.. go, 12.. stays */
  memvideo_sample_window_set_pin (w, 13);
  memvideo_sample_window_push (w, make_sample (caps, 30 * GST_SECOND, TRUE),
      dropped);
  fail_unless_equals_uint64 (memvideo_sample_window_get_first_number (w), 13);
  fail_unless_equals_uint64 (pts_at (w, 0), 12 * GST_SECOND);

  /* pop and clear keep counting */
  gst_sample_unref (memvideo_sample_window_pop (w));
  fail_unless_equals_uint64 (memvideo_sample_window_get_first_number (w), 14);
  memvideo_sample_window_clear (w, dropped);
  fail_unless_equals_uint64 (memvideo_sample_window_get_first_number (w), 32);
  memvideo_sample_window_set_pin (w, G_MAXUINT64);
  memvideo_sample_window_push (w, make_sample (caps, 40 * GST_SECOND, FALSE),
      dropped);
  fail_unless (memvideo_sample_window_get_by_number (w, 32) != NULL);

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
  tcase_add_test (tc, test_window_at_least_age_long_gop);
  tcase_add_test (tc, test_window_numbers_and_pin);

  return s;
}

GST_CHECK_MAIN (samplewindow);
