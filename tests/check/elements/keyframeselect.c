/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * keyframeselect in a GstHarness: which input frames come out for each
 * rule (forward and in reverse playback), the meta, the messages,
 * force-key-unit events, max-selected EOS, caps changes, flushes and
 * properties changed while streaming.  Input (formats, sizes, bad buffers,
 * ROI, buffers held, a real codec) is in keyframeselect_input.c.
 *
 * Input buffers carry their index in GST_BUFFER_OFFSET so that the output
 * can be checked frame by frame.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif


#include "keyframeselectfixture.h"

GST_START_TEST (test_first_and_change)
{
  Fixture f;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, NULL);
  fail_unless_equals_int (push_luma (&f, 50, 0), GST_FLOW_OK);
  push_luma (&f, 50, 10 * MS);
  push_luma (&f, 55, 20 * MS);  /* below noise-level */
  push_luma (&f, 150, 30 * MS);
  push_luma (&f, 150, 40 * MS);
  push_luma (&f, 50, 50 * MS);
  expect_out (&f, "0,3,5", "first,change,change");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_timestamps_and_flags_kept)
{
  Fixture f;
  GstBuffer *in, *out;

  fixture_init (&f, SMALL_CAPS);
  in = make_frame (&f, &(Picture) {
      80, 0}
      , 7 * MS);
  GST_BUFFER_DTS (in) = 5 * MS;
  GST_BUFFER_DURATION (in) = 33 * MS;
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_MARKER | GST_BUFFER_FLAG_GAP);
  fail_unless_equals_int (gst_harness_push (f.h, in), GST_FLOW_OK);
  out = gst_harness_pull (f.h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 7 * MS);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (out), 5 * MS);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 33 * MS);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_MARKER));
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_GAP));
  gst_buffer_unref (out);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_reference)
{
  Fixture f;
  guint i;

  /* luma drifting by 6 a frame: last-selected adds it up (noise-level 16:
   * selected once 18 apart), previous never sees it */
  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, NULL);
  for (i = 0; i < 8; i++)
    push_luma (&f, 50 + 6 * i, i * 10 * MS);
  expect_out (&f, "0,3,6", NULL);
  fixture_clear (&f);

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "reference", 1, NULL);
  for (i = 0; i < 8; i++)
    push_luma (&f, 50 + 6 * i, i * 10 * MS);
  push_luma (&f, 200, 80 * MS);
  push_luma (&f, 200, 90 * MS);
  /* the cut waits for its adaptive-window (2) followers */
  expect_out (&f, "0", NULL);
  push_luma (&f, 200, 100 * MS);
  expect_out (&f, "8", NULL);
  fixture_clear (&f);
}

GST_END_TEST;

/* reference=previous with the adaptive decision at its defaults, fed from
 * a fixed pool of two buffers as a decoder with a small pool would: a bar
 * moving 3 px a frame (9% of the picture changes every frame) is motion,
 * not a cut; the two hard cuts are selected at their exact frames, two
 * frames late (the look-ahead); and the element never holds more than the
 * one candidate, or the pool would run dry (acquire does not wait).  With
 * adaptive-ratio=0 every frame of the motion is selected. */
GST_START_TEST (test_adaptive_cuts_small_pool)
{
  Fixture f;
  GstBufferPool *pool = gst_video_buffer_pool_new ();
  GstStructure *config;
  GstCaps *caps;
  GString *got = g_string_new (NULL);
  guint i;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "reference", 1, NULL);
  caps = gst_video_info_to_caps (&f.info);
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, f.info.size, 2, 2);
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  gst_caps_unref (caps);

  for (i = 0; i < 90; i++) {
    GstBufferPoolAcquireParams params = { 0, };
    GstBuffer *buf = NULL, *out;
    GstVideoFrame frame;
    guint x, y, bar = (i * 3) % 56;
    guint8 bg = i < 30 ? 40 : i < 60 ? 220 : 120;

    params.flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT;
    fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf,
            &params), GST_FLOW_OK);
    fail_unless (gst_video_frame_map (&frame, &f.info, buf, GST_MAP_WRITE));
    for (y = 0; y < 48; y++) {
      guint8 *row = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
          y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);

      for (x = 0; x < 64; x++)
        row[x] = x >= bar && x < bar + 8 ? 255 - bg : bg;
    }
    gst_video_frame_unmap (&frame);
    GST_BUFFER_PTS (buf) = i * 40 * MS;
    GST_BUFFER_OFFSET (buf) = i;
    fail_unless_equals_int (gst_harness_push (f.h, buf), GST_FLOW_OK);
    while ((out = gst_harness_try_pull (f.h)) != NULL) {
      g_string_append_printf (got, "%s%" G_GUINT64_FORMAT "@%u",
          got->len ? "," : "", GST_BUFFER_OFFSET (out), i);
      gst_buffer_unref (out);
    }
  }
  fail_unless_equals_string (got->str, "0@0,30@32,60@62");
  g_string_free (got, TRUE);
  fixture_clear (&f);
  gst_buffer_pool_set_active (pool, FALSE);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_min_interval)
{
  Fixture f;
  guint i;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "min-interval", (guint64) (25 * MS), NULL);
  for (i = 0; i < 8; i++)
    push_luma (&f, i % 2 ? 200 : 50, i * 10 * MS);
  expect_out (&f, "0,3,6", "first,change,change");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_periodic)
{
  Fixture f;
  guint i;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) (100 * MS), NULL);
  for (i = 0; i < 5; i++)
    push_luma (&f, 50, i * 40 * MS);
  /* a change at frame 5 restarts the timer */
  for (i = 5; i < 11; i++)
    push_luma (&f, 200, i * 40 * MS);
  expect_out (&f, "0,3,5,8", "first,periodic,change,periodic");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_no_pts_uses_framerate)
{
  Fixture f;
  guint i;

  /* 25 fps: frame n is at n * 40 ms */
  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) (100 * MS), NULL);
  for (i = 0; i < 8; i++)
    push_luma (&f, 50, GST_CLOCK_TIME_NONE);
  expect_out (&f, "0,3,6", "first,periodic,periodic");
  fail_unless_equals_int (count_messages (&f, GST_MESSAGE_WARNING, NULL), 0);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_no_pts_no_framerate)
{
  Fixture f;
  guint i;

  fixture_init (&f,
      "video/x-raw,format=GRAY8,width=64,height=48,framerate=0/1");
  set (&f, "interval", (guint64) (100 * MS), NULL);
  for (i = 0; i < 6; i++)
    push_luma (&f, 50, GST_CLOCK_TIME_NONE);
  push_luma (&f, 200, GST_CLOCK_TIME_NONE);
  /* periodic is off, changes still count, and it was said once */
  expect_out (&f, "0,6", "first,change");
  fail_unless_equals_int (count_messages (&f, GST_MESSAGE_WARNING, NULL), 1);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_pts_backwards)
{
  Fixture f;
  guint i;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) (100 * MS), NULL);
  for (i = 0; i < 4; i++)
    push_luma (&f, 50, i * 40 * MS);
  /* a seek without flush: time starts again at 0 */
  for (i = 0; i < 4; i++)
    push_luma (&f, 50, i * 40 * MS);
  expect_out (&f, "0,3,7", "first,periodic,periodic");
  fixture_clear (&f);
}

GST_END_TEST;

/* Reverse playback (rate -1): PTS goes down while running time goes up.
 * The timing rules measure running time, so they select the same frames as
 * forward playback of the same pictures does. */
typedef struct
{
  gdouble threshold;
  GstClockTime interval, min_interval, settle_time;
  gboolean still;               /* one picture throughout */
  const gchar *expected;
} TimedCase;

static gchar *
select_timed (const TimedCase * c, gdouble rate)
{
  Fixture f;
  GstSegment segment;
  GString *got = g_string_new (NULL);
  GstBuffer *buf;
  guint i;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "threshold", c->threshold, "interval", c->interval,
      "min-interval", c->min_interval, "settle-time", c->settle_time, NULL);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.rate = rate;
  segment.stop = 20 * GST_SECOND;
  fail_unless (gst_harness_push_event (f.h, gst_event_new_segment (&segment)));

  /* 20 s at 10 fps, in playback order: the picture flips at frame 100 and
   * flashes for one frame at 5, 15 and 25 */
  for (i = 0; i < 200; i++) {
    guint8 luma = i < 100 || c->still ? 50 : 200;

    if (i % 10 == 5 && i < 30 && !c->still)
      luma = 120;
    push_luma (&f, luma, (rate < 0 ? 199 - i : i) * 100 * MS);
    while ((buf = gst_harness_try_pull (f.h)) != NULL) {
      g_string_append_printf (got, "%s%" G_GUINT64_FORMAT ":%s",
          got->len ? "," : "", GST_BUFFER_OFFSET (buf),
          gst_structure_get_string (result_of (buf), "reason"));
      gst_buffer_unref (buf);
    }
  }
  fixture_clear (&f);
  return g_string_free (got, FALSE);
}

GST_START_TEST (test_reverse_playback)
{
  const TimedCase cases[] = {
    /* the case: first + 9 periodic over 20 s */
    {1.0, 2 * GST_SECOND, 0, 0, TRUE, "0:first,20:periodic,40:periodic,"
          "60:periodic,80:periodic,100:periodic,120:periodic,140:periodic,"
          "160:periodic,180:periodic"},
    /* interval restarted by every change */
    {0.04, 2 * GST_SECOND, 0, 0, FALSE, "0:first,5:change,6:change,"
          "15:change,16:change,25:change,26:change,46:periodic,66:periodic,"
          "86:periodic,100:change,120:periodic,140:periodic,160:periodic,"
          "180:periodic"},
    /* min-interval: nothing within 2.5 s of the last selection */
    {0.04, 0, 2500 * MS, 0, FALSE, "0:first,25:change,50:change,100:change"},
    /* settle-time: flashes come back and are dropped, the flip settles */
    {0.04, 0, 0, GST_SECOND, FALSE, "0:first,100:change"},
  };
  GString *wrong = g_string_new (NULL);
  guint i, r;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    for (r = 0; r < 2; r++) {
      gdouble rate = r ? -1.0 : 1.0;
      gchar *got = select_timed (&cases[i], rate);

      if (!g_str_equal (got, cases[i].expected))
        g_string_append_printf (wrong, "\ncase %u, rate %.0f: selected %s", i,
            rate, got);
      g_free (got);
    }
  }
  fail_unless (wrong->len == 0, "%s", wrong->str);
  g_string_free (wrong, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_settle)
{
  Fixture f;
  GstBuffer *out;
  const guint8 lumas[] = { 20, 80, 140, 200, 201, 200, 199, 200 };
  guint i;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "settle-time", (guint64) (30 * MS), NULL);
  for (i = 0; i < G_N_ELEMENTS (lumas); i++)
    push_luma (&f, lumas[i], i * 10 * MS);

  fail_unless_equals_int (gst_harness_buffers_in_queue (f.h), 2);
  gst_buffer_unref (gst_harness_pull (f.h));
  out = gst_harness_pull (f.h);
  /* the first frame of the stable run, with its own timestamps, DISCONT
   * because frames before it were dropped */
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 3);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 30 * MS);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  fail_unless_equals_string (gst_structure_get_string (result_of (out),
          "reason"), "change");
  gst_buffer_unref (out);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_settle_drop_false)
{
  Fixture f;
  const guint8 lumas[] = { 20, 80, 140, 200, 201, 200, 199, 200 };
  guint i;

  /* nothing is held: every frame passes, the result goes on the frame that
   * completes the settle window */
  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "settle-time", (guint64) (30 * MS),
      "drop", FALSE, NULL);
  for (i = 0; i < G_N_ELEMENTS (lumas); i++)
    push_luma (&f, lumas[i], i * 10 * MS);
  expect_out (&f, "0,1,2,3,4,5,6,7", "first,-,-,-,-,-,change,-");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_settle_longer_than_clip)
{
  Fixture f;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "settle-time", (guint64) (10 * GST_SECOND), NULL);
  push_luma (&f, 20, 0);
  push_luma (&f, 200, 10 * MS);
  push_luma (&f, 200, 20 * MS);
  expect_out (&f, "0", NULL);
  fail_unless (gst_harness_push_event (f.h, gst_event_new_eos ()));
  expect_out (&f, "1", "change");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_settle_flash)
{
  Fixture f;
  guint i;

  /* a one-frame flash that returns to the same picture selects nothing */
  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "settle-time", (guint64) (30 * MS), NULL);
  push_luma (&f, 50, 0);
  push_luma (&f, 250, 10 * MS);
  for (i = 2; i < 8; i++)
    push_luma (&f, 50, i * 10 * MS);
  fail_unless (gst_harness_push_event (f.h, gst_event_new_eos ()));
  expect_out (&f, "0", NULL);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_drop_false)
{
  Fixture f;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "drop", FALSE, NULL);
  push_luma (&f, 50, 0);
  push_luma (&f, 50, 10 * MS);
  push_luma (&f, 200, 20 * MS);
  push_luma (&f, 200, 30 * MS);
  expect_out (&f, "0,1,2,3", "first,-,change,-");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_meta_and_messages)
{
  Fixture f;
  GstBuffer *out;
  const GstStructure *s;
  GstMessage *msg;
  GstSegment segment;
  guint64 v;
  gdouble score;

  fixture_init (&f, SMALL_CAPS);
  /* a segment starting at 1 s: running time = pts - 1 s, stream time =
   * pts - 1 s + 5 s */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.start = GST_SECOND;
  segment.time = 5 * GST_SECOND;
  fail_unless (gst_harness_push_event (f.h, gst_event_new_segment (&segment)));

  push_luma (&f, 50, GST_SECOND);
  push_luma (&f, 50, GST_SECOND + 10 * MS);
  push_luma (&f, 200, GST_SECOND + 20 * MS);
  fail_unless (gst_harness_push_event (f.h, gst_event_new_eos ()));

  gst_buffer_unref (gst_harness_pull (f.h));
  out = gst_harness_pull (f.h);
  s = result_of (out);
  fail_unless (s != NULL);
  fail_unless (gst_structure_get_uint64 (s, "frame", &v));
  fail_unless_equals_uint64 (v, 2);
  fail_unless (gst_structure_get_double (s, "score", &score));
  fail_unless_equals_float (score, 1.0);
  fail_unless_equals_string (gst_structure_get_string (s, "reason"), "change");
  /* the times a player and the clock use, beside the PTS */
  fail_unless (gst_structure_get_uint64 (s, "stream-time", &v));
  fail_unless_equals_uint64 (v, 5 * GST_SECOND + 20 * MS);
  fail_unless (gst_structure_get_uint64 (s, "running-time", &v));
  fail_unless_equals_uint64 (v, 20 * MS);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), GST_SECOND + 20 * MS);
  gst_buffer_unref (out);

  msg = gst_bus_poll (f.bus, GST_MESSAGE_ELEMENT, 0);
  fail_unless (gst_message_has_name (msg, "keyframeselect"));
  s = gst_message_get_structure (msg);
  fail_unless_equals_string (gst_structure_get_string (s, "reason"), "first");
  gst_message_unref (msg);

  msg = gst_bus_poll (f.bus, GST_MESSAGE_ELEMENT, 0);
  fail_unless (gst_message_has_name (msg, "keyframeselect"));
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_get_uint64 (s, "timestamp", &v));
  fail_unless_equals_uint64 (v, GST_SECOND + 20 * MS);
  fail_unless (gst_structure_get_uint64 (s, "running-time", &v));
  fail_unless_equals_uint64 (v, 20 * MS);
  fail_unless (gst_structure_get_uint64 (s, "stream-time", &v));
  fail_unless_equals_uint64 (v, 5 * GST_SECOND + 20 * MS);
  fail_unless (gst_structure_get_uint64 (s, "duration", &v));
  fail_unless_equals_uint64 (v, 10 * MS);
  fail_unless (gst_structure_get_uint64 (s, "frame", &v));
  fail_unless_equals_uint64 (v, 2);
  fail_unless (gst_structure_get_double (s, "score", &score));
  fail_unless_equals_float (score, 1.0);
  fail_unless_equals_string (gst_structure_get_string (s, "reason"), "change");
  gst_message_unref (msg);

  msg = gst_bus_poll (f.bus, GST_MESSAGE_ELEMENT, 0);
  fail_unless (gst_message_has_name (msg, "keyframeselect-summary"));
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_get_uint64 (s, "frames-in", &v) && v == 3);
  fail_unless (gst_structure_get_uint64 (s, "frames-selected", &v) && v == 2);
  fail_unless (gst_structure_get_uint64 (s, "first", &v) && v == 1);
  fail_unless (gst_structure_get_uint64 (s, "change", &v) && v == 1);
  fail_unless (gst_structure_get_uint64 (s, "periodic", &v) && v == 0);
  gst_message_unref (msg);

  g_object_get (f.h->element, "frames-in", &v, NULL);
  fail_unless_equals_uint64 (v, 3);
  g_object_get (f.h->element, "frames-selected", &v, NULL);
  fail_unless_equals_uint64 (v, 2);
  g_object_get (f.h->element, "last-score", &score, NULL);
  fail_unless_equals_float (score, 1.0);

  fixture_clear (&f);

  /* post-messages=false: results still in the meta, no messages */
  fixture_init (&f, SMALL_CAPS);
  set (&f, "post-messages", FALSE, NULL);
  push_luma (&f, 50, 0);
  push_luma (&f, 200, 10 * MS);
  expect_out (&f, "0,1", "first,change");
  fail_unless_equals_int (count_messages (&f, GST_MESSAGE_ELEMENT, NULL), 0);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_force_keyunit)
{
  Fixture f;
  GstEvent *ev;
  GString *times = g_string_new (NULL);
  guint i;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "force-keyunit", TRUE, NULL);
  for (i = 0; i < 6; i++)
    push_luma (&f, i < 3 ? 50 : 200, i * 10 * MS);
  expect_out (&f, "0,3", NULL);

  while ((ev = gst_harness_try_pull_event (f.h)) != NULL) {
    if (gst_video_event_is_force_key_unit (ev)) {
      GstClockTime ts, st, rt;
      gboolean all;
      guint count;

      fail_unless (gst_video_event_parse_downstream_force_key_unit (ev, &ts,
              &st, &rt, &all, &count));
      /* running time unset: "the next frame", i.e. the selected one */
      fail_if (GST_CLOCK_TIME_IS_VALID (rt));
      fail_unless (all);
      g_string_append_printf (times, "%s%" G_GUINT64_FORMAT "/%u",
          times->len ? "," : "", ts / MS, count);
    }
    gst_event_unref (ev);
  }
  fail_unless_equals_string (times->str, "0/1,30/2");
  g_string_free (times, TRUE);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_max_selected)
{
  Fixture f;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "max-selected", 2, NULL);
  fail_unless_equals_int (push_luma (&f, 50, 0), GST_FLOW_OK);
  fail_unless_equals_int (push_luma (&f, 50, 10 * MS), GST_FLOW_OK);
  fail_unless_equals_int (push_luma (&f, 200, 20 * MS), GST_FLOW_OK);
  fail_unless_equals_int (push_luma (&f, 200, 30 * MS), GST_FLOW_EOS);
  fail_unless_equals_int (push_luma (&f, 50, 40 * MS), GST_FLOW_EOS);
  expect_out (&f, "0,2", NULL);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_caps_change)
{
  Fixture f;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, NULL);
  push_luma (&f, 50, 0);
  push_luma (&f, 50, 10 * MS);
  fixture_caps (&f,
      "video/x-raw,format=I420,width=128,height=96,framerate=25/1");
  push_luma (&f, 50, 20 * MS);
  push_luma (&f, 50, 30 * MS);
  expect_out (&f, "0,2", "first,first");

  /* a held candidate belongs to the old caps: it goes out before them */
  set (&f, "settle-time", (guint64) GST_SECOND, NULL);
  push_luma (&f, 200, 40 * MS);
  expect_out (&f, "", NULL);
  fixture_caps (&f, SMALL_CAPS);
  expect_out (&f, "4", "change");
  push_luma (&f, 200, 50 * MS);
  expect_out (&f, "5", "first");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_flush_stop)
{
  Fixture f;
  GstSegment segment;

  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "settle-time", (guint64) GST_SECOND, NULL);
  push_luma (&f, 50, 0);
  push_luma (&f, 200, 10 * MS); /* held */
  fail_unless (gst_harness_push_event (f.h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (f.h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (f.h, gst_event_new_segment (&segment)));
  /* the held candidate is gone, the state is new: a first */
  push_luma (&f, 200, 0);
  push_luma (&f, 200, 10 * MS);
  fail_unless (gst_harness_push_event (f.h, gst_event_new_eos ()));
  expect_out (&f, "0,2", "first,first");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_stress_properties)
{
  Fixture f;
  GstHarnessThread *threads[8];
  GValue v = G_VALUE_INIT;
  guint i, n = 0;
  guint64 in;

  fixture_init (&f, SMALL_CAPS);

  g_value_init (&v, G_TYPE_DOUBLE);
  g_value_set_double (&v, 0.3);
  threads[n++] = gst_harness_stress_property_start_full (f.h, "threshold",
      &v, G_USEC_PER_SEC / 1000);
  g_value_unset (&v);
  g_value_init (&v, G_TYPE_UINT);
  g_value_set_uint (&v, 16);
  threads[n++] = gst_harness_stress_property_start_full (f.h,
      "analysis-width", &v, G_USEC_PER_SEC / 1000);
  threads[n++] = gst_harness_stress_property_start_full (f.h, "roi-x",
      &v, G_USEC_PER_SEC / 1000);
  threads[n++] = gst_harness_stress_property_start_full (f.h, "max-selected",
      &v, G_USEC_PER_SEC / 1000);
  g_value_unset (&v);
  g_value_init (&v, G_TYPE_UINT64);
  g_value_set_uint64 (&v, 20 * MS);
  threads[n++] = gst_harness_stress_property_start_full (f.h, "settle-time",
      &v, G_USEC_PER_SEC / 1000);
  threads[n++] = gst_harness_stress_property_start_full (f.h, "interval",
      &v, G_USEC_PER_SEC / 1000);
  g_value_unset (&v);
  g_value_init (&v, G_TYPE_BOOLEAN);
  g_value_set_boolean (&v, FALSE);
  threads[n++] = gst_harness_stress_property_start_full (f.h, "drop",
      &v, G_USEC_PER_SEC / 1000);
  g_value_unset (&v);
  g_value_init (&v, g_object_class_find_property (G_OBJECT_GET_CLASS
          (f.h->element), "metric")->value_type);
  g_value_set_enum (&v, 1);
  threads[n++] = gst_harness_stress_property_start_full (f.h, "metric",
      &v, G_USEC_PER_SEC / 1000);
  g_value_unset (&v);

  for (i = 0; i < 200; i++) {
    GstFlowReturn ret = push_luma (&f, (i * 37) % 256, i * 10 * MS);
    GstBuffer *buf;

    fail_unless (ret == GST_FLOW_OK || ret == GST_FLOW_EOS);
    while ((buf = gst_harness_try_pull (f.h)) != NULL)
      gst_buffer_unref (buf);
  }

  for (i = 0; i < n; i++)
    gst_harness_stress_thread_stop (threads[i]);

  g_object_get (f.h->element, "frames-in", &in, NULL);
  fail_unless (in > 0 && in <= 200);
  fixture_clear (&f);
}

GST_END_TEST;

static Suite *
keyframeselect_suite (void)
{
  Suite *s = suite_create ("keyframeselect");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_first_and_change);
  tcase_add_test (tc, test_timestamps_and_flags_kept);
  tcase_add_test (tc, test_reference);
  tcase_add_test (tc, test_adaptive_cuts_small_pool);
  tcase_add_test (tc, test_min_interval);
  tcase_add_test (tc, test_periodic);
  tcase_add_test (tc, test_no_pts_uses_framerate);
  tcase_add_test (tc, test_no_pts_no_framerate);
  tcase_add_test (tc, test_pts_backwards);
  tcase_add_test (tc, test_reverse_playback);
  tcase_add_test (tc, test_settle);
  tcase_add_test (tc, test_settle_drop_false);
  tcase_add_test (tc, test_settle_longer_than_clip);
  tcase_add_test (tc, test_settle_flash);
  tcase_add_test (tc, test_drop_false);
  tcase_add_test (tc, test_meta_and_messages);
  tcase_add_test (tc, test_force_keyunit);
  tcase_add_test (tc, test_max_selected);
  tcase_add_test (tc, test_caps_change);
  tcase_add_test (tc, test_flush_stop);
  tcase_add_test (tc, test_stress_properties);
  return s;
}

GST_CHECK_MAIN (keyframeselect);
