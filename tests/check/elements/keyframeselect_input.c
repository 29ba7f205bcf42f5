/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * keyframeselect's input in a GstHarness: bad buffers and video metas
 * (errors checked by domain, message and debug string), the region of
 * interest, the same selection from the same picture in every format and
 * in other resolutions, how many input buffers it holds, and the defaults
 * on frames through a real codec.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/app/app.h>
#include "keyframeselectfixture.h"
#include "memvideotest.h"

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

/* exclude and the fractional roi, set as gst-launch sets them (strings),
 * follow the picture when it is scaled: the same selection at 64x48 and
 * 640x480. */
static gchar *
select_regions (const gchar * prop, const gchar * value, guint w, guint h)
{
  Fixture f;
  Picture left = { 50, 0 }, right = { 50, 0 }, corner = { 50, 0 };
  GString *got = g_string_new (NULL);
  GstBuffer *buf;
  gchar *caps = g_strdup_printf ("video/x-raw,format=GRAY8,width=%u,"
      "height=%u,framerate=25/1", w, h);
  guint i;

  picture_add (&left, 0.0, 0.0, 0.5, 1.0, 200);
  picture_add (&right, 0.5, 0.0, 0.5, 1.0, 200);
  picture_add (&corner, 0.75, 0.75, 0.25, 0.25, 200);
  fixture_init (&f, caps);
  set (&f, "interval", (guint64) 0, "activity-window", (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (f.h->element), prop, value);
  push_luma (&f, 50, 0);
  push_picture (&f, &left, 10 * MS);
  push_luma (&f, 50, 20 * MS);
  push_picture (&f, &right, 30 * MS);
  push_luma (&f, 50, 40 * MS);
  push_picture (&f, &corner, 50 * MS);
  for (i = 0; (buf = gst_harness_try_pull (f.h)) != NULL; i++) {
    g_string_append_printf (got, "%s%" G_GUINT64_FORMAT, i ? "," : "",
        GST_BUFFER_OFFSET (buf));
    gst_buffer_unref (buf);
  }
  fixture_clear (&f);
  g_free (caps);
  return g_string_free (got, FALSE);
}

/* Counts the warnings that name the refused value. */
static void
count_log (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer data)
{
  if (strstr (message, "ignoring exclude=\"0.5,0.5,0.6,0.1\": "
          "'0.5,0.5,0.6,0.1' is not x,y,width,height") != NULL)
    (*(guint *) data)++;
}

GST_START_TEST (test_exclude_and_fractional_roi)
{
  const struct
  {
    const gchar *prop, *value, *expected;
  } cases[] = {
    /* the left half is not watched: its change and its return select
     * nothing, the right half's (and the corner in it) do */
    {"exclude", "0,0,0.5,1", "0,3,4,5"},
    {"roi", "0.5,0,0.5,1", "0,3,4,5"},
    /* a corner excluded: the corner-only change is not seen */
    {"exclude", "0.75,0.75,0.25,0.25", "0,1,2,3,4"},
    {"exclude", "0.75,0.75,0.25,0.25;0,0,0.5,1", "0,3,4"},
  };
  const guint sizes[][2] = { {64, 48}, {640, 480} };
  guint i, j, warnings = 0;
  gchar *read;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    for (j = 0; j < G_N_ELEMENTS (sizes); j++) {
      gchar *got = select_regions (cases[i].prop, cases[i].value,
          sizes[j][0], sizes[j][1]);

      fail_unless (g_str_equal (got, cases[i].expected),
          "%s=%s at %ux%u selected %s", cases[i].prop, cases[i].value,
          sizes[j][0], sizes[j][1], got);
      g_free (got);
    }
  }

  /* the property reads back in the same syntax; a bad value is refused
   * with a warning and the old one kept */
  {
    GstElement *e = gst_element_factory_make ("keyframeselect", NULL);
    guint handler;

    g_object_set (e, "exclude", "0.75,0.75,0.25,0.25;0,0,0.1,0.05", NULL);
    g_object_get (e, "exclude", &read, NULL);
    fail_unless_equals_string (read, "0.75,0.75,0.25,0.25;0,0,0.1,0.05");
    g_free (read);
    handler = g_log_set_handler ("GStreamer-memvideo",
        G_LOG_LEVEL_WARNING, count_log, &warnings);

    g_object_set (e, "exclude", "0.5,0.5,0.6,0.1", NULL);
    g_log_remove_handler ("GStreamer-memvideo", handler);
    fail_unless_equals_int (warnings, 1);
    g_object_get (e, "exclude", &read, NULL);
    fail_unless_equals_string (read, "0.75,0.75,0.25,0.25;0,0,0.1,0.05");
    g_free (read);
    gst_object_unref (e);
  }
}

GST_END_TEST;

/* The activity mask at its defaults: a webcam-like inset (6% of the frame)
 * that never stops moving is left out once live, a page change is still
 * selected, and masked-cells says how many cells are out. */
GST_START_TEST (test_activity_mask_default)
{
  Fixture f;
  GString *got = g_string_new (NULL);
  GstBuffer *buf;
  guint i, masked = 0;

  fixture_init (&f, "video/x-raw,format=GRAY8,width=320,height=240,"
      "framerate=30/1");
  set (&f, "interval", (guint64) 0, NULL);
  for (i = 0; i < 300; i++) {
    Picture pic = { i < 200 ? 60 : 180, 0 };

    picture_add (&pic, 0.75, 0.75, 0.25, 0.25, (i * 67) % 256);
    push_picture (&f, &pic, gst_util_uint64_scale (i, GST_SECOND, 30));
    while ((buf = gst_harness_try_pull (f.h)) != NULL) {
      const GstStructure *s = result_of (buf);

      if (GST_BUFFER_OFFSET (buf) == 200)
        fail_unless (gst_structure_get_uint (s, "masked-cells", &masked));
      g_string_append_printf (got, "%s%" G_GUINT64_FORMAT,
          got->len ? "," : "", GST_BUFFER_OFFSET (buf));
      gst_buffer_unref (buf);
    }
  }
  /* the inset counts until it is live: about 2 s (61 frames at 3 s and a
   * share of 0.5), then only the page change at 200 */
  fail_unless (g_str_has_suffix (got->str, ",200"), "selected %s", got->str);
  fail_unless (strstr (got->str, ",70,") == NULL, "selected %s", got->str);
  /* 160x120 cells of 2 pixels, the inset a quarter of each side */
  fail_unless_equals_int (masked, 40 * 30);
  g_object_get (f.h->element, "masked-cells", &masked, NULL);
  fail_unless_equals_int (masked, 40 * 30);
  g_string_free (got, TRUE);
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
  /* every default, settle-time included (the fixture sets it to 0): a
   * frame every 0.4 s, so that each page settles, and EOS for the last */
  {
    GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS
        (f.h->element), "settle-time");

    fail_unless_equals_uint64 (G_PARAM_SPEC_UINT64 (ps)->default_value,
        300 * MS);
    g_object_set (f.h->element, "settle-time",
        G_PARAM_SPEC_UINT64 (ps)->default_value, NULL);
  }
  for (i = 0; i <= G_N_ELEMENTS (pic); i++) {
    if (i < G_N_ELEMENTS (pic))
      push_picture (&f, &pic[i], i * 400 * MS);
    else
      fail_unless (gst_harness_push_event (f.h, gst_event_new_eos ()));
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
  GRand *rand = g_rand_new_with_seed (test_seed ("KEYFRAMESELECT_NOISE_SEED",
          42));
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

static Suite *
keyframeselect_input_suite (void)
{
  Suite *s = suite_create ("keyframeselect_input");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_short_buffers);
  tcase_add_test (tc, test_video_meta_larger_than_buffer);
  tcase_add_test (tc, test_roi);
  tcase_add_test (tc, test_exclude_and_fractional_roi);
  tcase_add_test (tc, test_activity_mask_default);
  tcase_add_test (tc, test_same_selection_formats_sizes);
  tcase_add_test (tc, test_all_formats);
  tcase_add_test (tc, test_holds_at_most_one_buffer);
  if (!mvt_h264_decoding_unavailable ())
    tcase_add_test (tc, test_defaults_through_x264);
  return s;
}

GST_CHECK_MAIN (keyframeselect_input);
