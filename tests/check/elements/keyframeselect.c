/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * keyframeselect in a GstHarness: which input frames come out for each
 * rule, the meta, the messages, force-key-unit events, max-selected EOS,
 * bad input, properties changed while streaming, and the same selection
 * from the same picture in other formats and resolutions.
 *
 * Input buffers carry their index in GST_BUFFER_OFFSET so that the output
 * can be checked frame by frame.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/app.h>
#include <gst/video/video.h>
#include "../keyframepaint.h"

#define MS (GST_MSECOND)
#define SMALL_CAPS "video/x-raw,format=GRAY8,width=64,height=48,framerate=25/1"

typedef struct
{
  GstHarness *h;
  GstBus *bus;
  GstVideoInfo info;
  guint64 index;
} Fixture;

static void
fixture_caps (Fixture * f, const gchar * caps_str)
{
  GstCaps *caps = gst_caps_from_string (caps_str);

  fail_unless (gst_video_info_from_caps (&f->info, caps));
  gst_harness_set_src_caps (f->h, caps);
}

static void
fixture_init (Fixture * f, const gchar * caps_str)
{
  f->h = gst_harness_new ("keyframeselect");
  f->bus = gst_bus_new ();
  gst_element_set_bus (f->h->element, f->bus);
  f->index = 0;
  fixture_caps (f, caps_str);
}

static void
fixture_clear (Fixture * f)
{
  gst_element_set_bus (f->h->element, NULL);
  gst_object_unref (f->bus);
  gst_harness_teardown (f->h);
}

static GstBuffer *
make_frame (Fixture * f, const Picture * pic, GstClockTime pts)
{
  GstBuffer *buf = picture_render (pic, &f->info);

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_IS_VALID (pts) ? 10 * MS :
      GST_CLOCK_TIME_NONE;
  GST_BUFFER_OFFSET (buf) = f->index++;
  return buf;
}

static GstFlowReturn
push_picture (Fixture * f, const Picture * pic, GstClockTime pts)
{
  return gst_harness_push (f->h, make_frame (f, pic, pts));
}

/* a uniform picture */
static GstFlowReturn
push_luma (Fixture * f, guint8 luma, GstClockTime pts)
{
  Picture pic = { luma, 0 };

  return push_picture (f, &pic, pts);
}

static const GstStructure *
result_of (GstBuffer * buf)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf,
      "GstKeyframeSelectMeta");

  return meta ? gst_custom_meta_get_structure (meta) : NULL;
}

/* Pulls everything queued and checks the input indices that came out
 * ("0,3,7", "" for none) and, if @reasons is given, their meta reasons. */
static void
expect_out (Fixture * f, const gchar * indices, const gchar * reasons)
{
  GString *got = g_string_new (NULL), *why = g_string_new (NULL);
  GstBuffer *buf;

  while ((buf = gst_harness_try_pull (f->h)) != NULL) {
    const GstStructure *s = result_of (buf);

    g_string_append_printf (got, "%s%" G_GUINT64_FORMAT, got->len ? "," : "",
        GST_BUFFER_OFFSET (buf));
    g_string_append_printf (why, "%s%s", why->len ? "," : "",
        s ? gst_structure_get_string (s, "reason") : "-");
    gst_buffer_unref (buf);
  }
  fail_unless_equals_string (got->str, indices);
  if (reasons)
    fail_unless_equals_string (why->str, reasons);
  g_string_free (got, TRUE);
  g_string_free (why, TRUE);
}

static guint
count_messages (Fixture * f, GstMessageType type, const gchar * name)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (f->bus, type)) != NULL) {
    if (name == NULL || gst_message_has_name (msg, name))
      n++;
    gst_message_unref (msg);
  }
  return n;
}

static void
set (Fixture * f, const gchar * first, ...)
{
  va_list args;

  va_start (args, first);
  g_object_set_valist (G_OBJECT (f->h->element), first, args);
  va_end (args);
}

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
      80, 0}, 7 * MS);
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
  expect_out (&f, "0,8", NULL);
  fixture_clear (&f);
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

/* The error the filesink way: @text is the whole user message, @fragment
 * a part of the debug string with the numbers. */
static void
check_stream_error (Fixture * f, const gchar * text, const gchar * fragment)
{
  GstMessage *msg = gst_bus_poll (f->bus, GST_MESSAGE_ERROR, 0);
  GError *err = NULL;
  gchar *debug = NULL;

  fail_unless (msg != NULL, "no error posted");
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_FORMAT), "wrong error %s", err->message);
  fail_unless_equals_string (err->message, text);
  fail_unless (debug != NULL && strstr (debug, fragment) != NULL,
      "debug: %s", debug);
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);
}

GST_START_TEST (test_short_buffers)
{
  Fixture f;
  GstBuffer *buf;

  fixture_init (&f, SMALL_CAPS);
  buf = gst_buffer_new ();
  fail_unless_equals_int (gst_harness_push (f.h, buf), GST_FLOW_ERROR);
  check_stream_error (&f, "A video frame is smaller than its caps say.",
      "frame 0 has 0 bytes, but a 64x48 GRAY8 frame needs 3072 bytes");

  buf = gst_buffer_new_allocate (NULL, 3071, NULL);
  fail_unless_equals_int (gst_harness_push (f.h, buf), GST_FLOW_ERROR);
  check_stream_error (&f, "A video frame is smaller than its caps say.",
      "frame 1 has 3071 bytes");
  expect_out (&f, "", NULL);
  fixture_clear (&f);
}

GST_END_TEST;

/* A video meta is the buffer's own description of its planes: it must not
 * make the element read past the memory (found by fuzz_keyframeselect). */
GST_START_TEST (test_video_meta_larger_than_buffer)
{
  Fixture f;
  GstBuffer *buf;
  GstMessage *msg;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0, };
  gint stride[GST_VIDEO_MAX_PLANES] = { 200, };

  fixture_init (&f, SMALL_CAPS);

  /* 3072 bytes are enough for 64x48 GRAY8, but not at a stride of 200 */
  buf = gst_buffer_new_allocate (NULL, 3072, NULL);
  gst_buffer_memset (buf, 0, 0, 3072);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_GRAY8, 64, 48, 1, offset, stride);
  fail_unless_equals_int (gst_harness_push (f.h, buf), GST_FLOW_ERROR);
  check_stream_error (&f, "A video frame is smaller than its video meta "
      "says.", "fewer than the planes of its video meta need (64x48 GRAY8, "
      "plane 0 at offset 0 with stride 200)");

  /* a plane offset beyond the end */
  offset[0] = 4096;
  stride[0] = 64;
  buf = gst_buffer_new_allocate (NULL, 3072, NULL);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_GRAY8, 64, 48, 1, offset, stride);
  fail_unless (gst_harness_push (f.h, buf) == GST_FLOW_ERROR);
  msg = gst_bus_poll (f.bus, GST_MESSAGE_ERROR, 0);
  fail_unless (msg != NULL);
  gst_message_unref (msg);

  /* the same meta with a stride that fits is fine */
  offset[0] = 0;
  stride[0] = 64;
  buf = gst_buffer_new_allocate (NULL, 3072, NULL);
  gst_buffer_memset (buf, 0, 0, 3072);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_GRAY8, 64, 48, 1, offset, stride);
  GST_BUFFER_OFFSET (buf) = 2;
  fail_unless_equals_int (gst_harness_push (f.h, buf), GST_FLOW_OK);
  expect_out (&f, "2", "first");
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_roi)
{
  Fixture f;
  Picture left = { 50, 0 }, right = { 50, 0 };

  picture_add (&left, 0.0, 0.0, 0.5, 1.0, 200);
  picture_add (&right, 0.5, 0.0, 0.5, 1.0, 200);

  /* only the right half is watched */
  fixture_init (&f, SMALL_CAPS);
  set (&f, "interval", (guint64) 0, "roi-x", 32, NULL);
  push_luma (&f, 50, 0);
  push_picture (&f, &left, 10 * MS);
  push_picture (&f, &right, 20 * MS);
  expect_out (&f, "0,2", NULL);
  fail_unless_equals_int (count_messages (&f, GST_MESSAGE_WARNING, NULL), 0);

  /* a region outside the frame: one warning, the whole frame is used.  A
   * new analysis geometry makes the next frame the reference, unselected. */
  set (&f, "roi-x", 1000, "roi-width", 10, NULL);
  push_luma (&f, 50, 30 * MS);
  push_picture (&f, &left, 40 * MS);
  push_picture (&f, &left, 50 * MS);
  expect_out (&f, "4", NULL);
  fail_unless_equals_int (count_messages (&f, GST_MESSAGE_WARNING, NULL), 1);

  /* partly outside: clamped, one warning */
  set (&f, "roi-x", 0, "roi-y", 24, "roi-width", 20, "roi-height", 100, NULL);
  push_picture (&f, &left, 60 * MS);
  push_picture (&f, &right, 70 * MS);
  push_picture (&f, &right, 80 * MS);
  expect_out (&f, "7", NULL);
  fail_unless_equals_int (count_messages (&f, GST_MESSAGE_WARNING, NULL), 1);
  fixture_clear (&f);
}

GST_END_TEST;

/* Slides with typing and a cursor: the default settings select the first
 * frame and the two page changes, the same in every format and size. */
static gchar *
select_slides (const gchar * format, guint w, guint h)
{
  Fixture f;
  Picture pic[9];
  GString *got = g_string_new (NULL);
  GstBuffer *buf;
  gchar *caps;
  guint i;

  picture_slide (&pic[0], 1);
  pic[1] = pic[0];
  pic[2] = pic[0];
  /* typing: a word of 0.3% of the picture */
  picture_add (&pic[2], 0.08, 0.9, 0.1, 0.03, 30);
  pic[3] = pic[2];
  /* a cursor */
  picture_add (&pic[3], 0.5, 0.5, 0.01, 0.02, 16);
  picture_slide (&pic[4], 2);
  pic[5] = pic[4];
  pic[6] = pic[4];
  picture_add (&pic[6], 0.7, 0.3, 0.01, 0.02, 16);
  picture_slide (&pic[7], 3);
  pic[8] = pic[7];

  caps = g_strdup_printf ("video/x-raw,format=%s,width=%u,height=%u,"
      "framerate=25/1", format, w, h);
  fixture_init (&f, caps);
  for (i = 0; i < G_N_ELEMENTS (pic); i++) {
    push_picture (&f, &pic[i], i * 40 * MS);
    while ((buf = gst_harness_try_pull (f.h)) != NULL) {
      g_string_append_printf (got, "%s%" G_GUINT64_FORMAT,
          got->len ? "," : "", GST_BUFFER_OFFSET (buf));
      gst_buffer_unref (buf);
    }
  }
  fixture_clear (&f);
  g_free (caps);
  return g_string_free (got, FALSE);
}

GST_START_TEST (test_same_selection_formats_sizes)
{
  const gchar *formats[] = { "I420", "NV12", "RGB" };
  const guint sizes[][2] = { {854, 480}, {1920, 1080}, {3840, 2160} };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    for (j = 0; j < G_N_ELEMENTS (sizes); j++) {
      gchar *got = select_slides (formats[i], sizes[j][0], sizes[j][1]);

      fail_unless (g_str_equal (got, "0,4,7"), "%s %ux%u selected %s",
          formats[i], sizes[j][0], sizes[j][1], got);
      g_free (got);
    }
  }
}

GST_END_TEST;

GST_START_TEST (test_all_formats)
{
  const gchar *formats[] = {
    "GRAY8", "I420", "YV12", "NV12", "NV21", "Y41B", "Y42B", "Y444", "YUY2",
    "UYVY", "YVYU", "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA",
    "BGRA", "ARGB", "ABGR",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    gchar *got = select_slides (formats[i], 640, 360);

    fail_unless (g_str_equal (got, "0,4,7"), "%s selected %s", formats[i], got);
    g_free (got);
  }
}

GST_END_TEST;

/* While a change settles the element keeps one reference to one input
 * buffer, never more; without settle-time it keeps none. */
GST_START_TEST (test_holds_at_most_one_buffer)
{
  Fixture f;
  GstBuffer *in[40];
  guint i, j, settle;

  for (settle = 0; settle < 2; settle++) {
    fixture_init (&f, SMALL_CAPS);
    set (&f, "interval", (guint64) 0, "settle-time",
        (guint64) (settle ? GST_SECOND : 0), NULL);
    for (i = 0; i < G_N_ELEMENTS (in); i++) {
      Picture pic = { (i * 67) % 256, 0 };
      guint held = 0;
      GstBuffer *out;

      in[i] = make_frame (&f, &pic, i * 10 * MS);
      gst_buffer_ref (in[i]);
      gst_harness_push (f.h, in[i]);
      while ((out = gst_harness_try_pull (f.h)) != NULL)
        gst_buffer_unref (out);
      /* the test's reference makes the element work on a (shallow) copy,
       * so count who else still holds each frame's memory */
      for (j = 0; j <= i; j++)
        held += GST_MINI_OBJECT_REFCOUNT_VALUE (gst_buffer_peek_memory (in[j],
                0)) > 1;
      fail_unless (held <= settle, "frame %u: %u input buffers held", i, held);
    }
    /* the candidate is released at EOS */
    fail_unless (gst_harness_push_event (f.h, gst_event_new_eos ()));
    expect_out (&f, settle ? "39" : "", NULL);
    for (i = 0; i < G_N_ELEMENTS (in); i++) {
      fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT_VALUE (in[i]), 1);
      fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT_VALUE
          (gst_buffer_peek_memory (in[i], 0)), 1);
      gst_buffer_unref (in[i]);
    }
    fixture_clear (&f);
  }
}

GST_END_TEST;

/* Adds sensor-like noise (deterministic) to the Y plane of an I420 frame. */
static void
add_noise (GstBuffer * buf, const GstVideoInfo * info, GRand * rand)
{
  GstVideoFrame frame;
  guint x, y;

  fail_unless (gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE));
  for (y = 0; y < (guint) GST_VIDEO_INFO_HEIGHT (info); y++) {
    guint8 *row = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, 0) +
        y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0);

    for (x = 0; x < (guint) GST_VIDEO_INFO_WIDTH (info); x++) {
      gint v = row[x] + g_rand_int_range (rand, -10, 11);

      row[x] = CLAMP (v, 0, 255);
    }
  }
  gst_video_frame_unmap (&frame);
}

/* The default threshold and noise-level on real compression artefacts:
 * three slides through x264enc and back, with sensor noise, a moving cursor
 * and two typed words; exactly the first frame and the two page changes come
 * out. */
GST_START_TEST (test_defaults_through_x264)
{
  GstElement *pipeline, *src, *sink;
  GstVideoInfo info;
  GRand *rand = g_rand_new_with_seed (42);
  GString *got = g_string_new (NULL);
  GstSample *sample;
  GError *err = NULL;
  guint i;

  if (!gst_registry_check_feature_version (gst_registry_get (), "x264enc", 1,
          0, 0) || !gst_registry_check_feature_version (gst_registry_get (),
          "avdec_h264", 1, 0, 0)) {
    GST_WARNING ("x264enc or avdec_h264 missing, test skipped");
    return;
  }

  pipeline = gst_parse_launch ("appsrc name=src format=time "
      "caps=video/x-raw,format=I420,width=640,height=360,framerate=30/1 "
      "! x264enc threads=1 tune=zerolatency speed-preset=veryfast "
      "bitrate=600 key-int-max=30 ! avdec_h264 ! keyframeselect "
      "! appsink name=sink sync=false", &err);
  fail_unless (pipeline != NULL && err == NULL, "%s", err ? err->message : "");
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 640, 360);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  for (i = 0; i < 90; i++) {
    Picture pic;
    GstBuffer *buf;

    picture_slide (&pic, 1 + i / 30);
    /* two words typed into each slide, 0.3% of the picture each */
    if (i % 30 >= 10)
      picture_add (&pic, 0.08, 0.9, 0.1, 0.03, 30);
    if (i % 30 >= 20)
      picture_add (&pic, 0.2, 0.9, 0.1, 0.03, 30);
    /* the mouse cursor moving across */
    picture_add (&pic, 0.1 + (i % 30) * 0.025, 0.5, 0.01, 0.03, 16);
    buf = picture_render (&pic, &info);
    add_noise (buf, &info, rand);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (i, GST_SECOND, 30);
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), buf),
        GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  /* a pipeline error would leave appsink waiting for EOS: time out */
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
              30 * GST_SECOND)) != NULL) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    guint64 frame = 0;

    fail_unless (gst_structure_get_uint64 (result_of (buf), "frame", &frame));
    g_string_append_printf (got, "%s%" G_GUINT64_FORMAT, got->len ? "," : "",
        frame);
    gst_sample_unref (sample);
  }
  fail_unless (gst_app_sink_is_eos (GST_APP_SINK (sink)),
      "no EOS from the x264 pipeline");
  fail_unless_equals_string (got->str, "0,30,60");

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_string_free (got, TRUE);
  g_rand_free (rand);
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
  tcase_add_test (tc, test_short_buffers);
  tcase_add_test (tc, test_video_meta_larger_than_buffer);
  tcase_add_test (tc, test_roi);
  tcase_add_test (tc, test_same_selection_formats_sizes);
  tcase_add_test (tc, test_all_formats);
  tcase_add_test (tc, test_holds_at_most_one_buffer);
  tcase_add_test (tc, test_defaults_through_x264);
  tcase_add_test (tc, test_stress_properties);
  return s;
}

GST_CHECK_MAIN (keyframeselect);
