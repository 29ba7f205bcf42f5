/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The keyframeselect harness shared by the element tests: frames carry
 * their input index in GST_BUFFER_OFFSET, expect_out() checks which came
 * out and why.
 */

#ifndef __KEYFRAMESELECT_FIXTURE_H__
#define __KEYFRAMESELECT_FIXTURE_H__

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
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

static inline void
fixture_caps (Fixture * f, const gchar * caps_str)
{
  GstCaps *caps = gst_caps_from_string (caps_str);

  fail_unless (gst_video_info_from_caps (&f->info, caps));
  gst_harness_set_src_caps (f->h, caps);
}

static inline void
fixture_init (Fixture * f, const gchar * caps_str)
{
  f->h = gst_harness_new ("keyframeselect");
  /* the rules are tested one at a time: settle-time (0.3 s by default) is
   * set by the tests that are about it; the defaults are tested as they
   * are by select_slides, the x264 test and the quality test */
  g_object_set (f->h->element, "settle-time", (guint64) 0, NULL);
  f->bus = gst_bus_new ();
  gst_element_set_bus (f->h->element, f->bus);
  f->index = 0;
  fixture_caps (f, caps_str);
}

static inline void
fixture_clear (Fixture * f)
{
  gst_element_set_bus (f->h->element, NULL);
  gst_object_unref (f->bus);
  gst_harness_teardown (f->h);
}

static inline GstBuffer *
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

static inline GstFlowReturn
push_picture (Fixture * f, const Picture * pic, GstClockTime pts)
{
  return gst_harness_push (f->h, make_frame (f, pic, pts));
}

/* a uniform picture */
static inline GstFlowReturn
push_luma (Fixture * f, guint8 luma, GstClockTime pts)
{
  Picture pic = { luma, 0 };

  return push_picture (f, &pic, pts);
}

static inline const GstStructure *
result_of (GstBuffer * buf)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf,
      "GstKeyframeSelectMeta");

  return meta ? gst_custom_meta_get_structure (meta) : NULL;
}

/* Pulls everything queued and checks the input indices that came out
 * ("0,3,7", "" for none) and, if @reasons is given, their meta reasons. */
static inline void
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

static inline guint
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

static inline void
set (Fixture * f, const gchar * first, ...)
{
  va_list args;

  va_start (args, first);
  g_object_set_valist (G_OBJECT (f->h->element), first, args);
  va_end (args);
}

#endif /* __KEYFRAMESELECT_FIXTURE_H__ */
