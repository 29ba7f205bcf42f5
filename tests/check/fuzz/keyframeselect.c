/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * libFuzzer target: keyframeselect's buffer and caps handling.  The input
 * picks the properties (each mapped into its declared range), then a
 * stream of caps (any of the 8-bit layouts, odd and tiny sizes, missing or
 * zero framerate, a few formats it does not accept), buffers of the right,
 * short, empty or oversized length with or without a GstVideoMeta whose
 * strides and offsets may be malformed, PTS that go missing or backwards,
 * flushes and EOS.  The element may refuse caps or error on a buffer; it
 * must never crash, read out of bounds, leak or output more than it got.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/check/gstharness.h>

int LLVMFuzzerTestOneInput (const guint8 * data, size_t size);

static const gchar *formats[] = {
  "GRAY8", "I420", "YV12", "NV12", "NV21", "Y41B", "Y42B", "Y444", "YUY2",
  "UYVY", "YVYU", "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA",
  "BGRA", "ARGB", "ABGR",
  /* not in the template: negotiation must fail cleanly */
  "GRAY16_LE", "v210", "NV12_4L4", "P010_10LE",
};

static const gchar *properties[] = {
  "threshold", "noise-level", "interval", "min-interval", "settle-time",
  "roi-x", "roi-y", "roi-width", "roi-height", "analysis-width", "metric",
  "reference", "drop", "max-selected", "force-keyunit", "activity-window",
  "activity-share", "adaptive-ratio", "adaptive-window", "roi", "exclude",
};

/* rectangle lists for roi and exclude, good and bad ones */
static const gchar *rect_lists[] = {
  "", "0,0,1,1", "0.75,0.75,0.25,0.25", "0,0,0.5,1;0.5,0,0.5,1",
  "0.999,0.999,0.001,0.001", "0,0,0.01,0.01;0.2,0.2,0.01,0.9;0.9,0,0.1,1",
  "0.5,0.5,0.6,0.1", "1,1,0,0", "x", "0,0,1", ";;;",
};

/* MEMVIDEO_FUZZ_VERBOSE=1 prints what each input does, to read a crash */
static gboolean verbose;

typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
} Reader;

static guint32
reader_uint (Reader * r, guint n)
{
  guint32 v = 0;
  guint i;

  for (i = 0; i < n; i++) {
    guint32 b = r->pos < r->len ? r->data[r->pos] : 0;

    r->pos++;
    v |= b << (8 * i);
  }
  return v;
}

static void
init_once (void)
{
  static gboolean initialized = FALSE;
  GError *err = NULL;
  GstPlugin *plugin;

  if (initialized)
    return;
  initialized = TRUE;
  verbose = g_getenv ("MEMVIDEO_FUZZ_VERBOSE") != NULL;
  gst_init (NULL, NULL);
  plugin = gst_plugin_load_file (TESTS_BUILDDIR "/plugins/libgstmemvideo.so",
      &err);
  if (plugin == NULL) {
    fprintf (stderr, "cannot load the memvideo plugin: %s\n", err->message);
    abort ();
  }
  gst_object_unref (plugin);
}

/* Maps @v (0..65535) into the declared range of a numeric, boolean or enum
 * property, so every value set is one the element must accept; strings
 * (roi, exclude) get one of rect_lists, which it must refuse or take. */
static void
set_property_in_range (GstElement * element, const gchar * name, guint32 v)
{
  GParamSpec *pspec;
  GValue value = G_VALUE_INIT;
  gdouble f = v / 65535.0;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), name);
  if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE))
    return;
  g_value_init (&value, pspec->value_type);
  if (G_IS_PARAM_SPEC_DOUBLE (pspec)) {
    GParamSpecDouble *p = G_PARAM_SPEC_DOUBLE (pspec);

    g_value_set_double (&value, p->minimum + f * (p->maximum - p->minimum));
  } else if (G_IS_PARAM_SPEC_UINT (pspec)) {
    GParamSpecUInt *p = G_PARAM_SPEC_UINT (pspec);

    g_value_set_uint (&value, p->minimum + (guint) (f * MIN (p->maximum -
                p->minimum, 4096)));
  } else if (G_IS_PARAM_SPEC_INT (pspec)) {
    GParamSpecInt *p = G_PARAM_SPEC_INT (pspec);

    g_value_set_int (&value, MAX (p->minimum, 0) + (gint) (f * MIN ((gint64)
                p->maximum - MAX (p->minimum, 0), 4096)));
  } else if (G_IS_PARAM_SPEC_UINT64 (pspec)) {
    GParamSpecUInt64 *p = G_PARAM_SPEC_UINT64 (pspec);
    guint64 span = MIN (p->maximum - p->minimum, 3 * GST_SECOND);

    /* clock times: up to 3 s, so intervals and settle times trigger */
    g_value_set_uint64 (&value, p->minimum + (guint64) (f * span));
  } else if (G_IS_PARAM_SPEC_BOOLEAN (pspec)) {
    g_value_set_boolean (&value, v & 1);
  } else if (G_IS_PARAM_SPEC_ENUM (pspec)) {
    GEnumClass *klass = G_PARAM_SPEC_ENUM (pspec)->enum_class;

    g_value_set_enum (&value, klass->values[v % klass->n_values].value);
  } else if (G_IS_PARAM_SPEC_STRING (pspec)) {
    g_value_set_string (&value, rect_lists[v % G_N_ELEMENTS (rect_lists)]);
  } else {
    g_value_unset (&value);
    return;
  }
  g_object_set_property (G_OBJECT (element), name, &value);
  g_value_unset (&value);
}

static gboolean
push_caps (GstHarness * h, Reader * r, GstVideoInfo * info)
{
  guint32 fmt = reader_uint (r, 1);
  guint32 w = reader_uint (r, 2);
  guint32 hgt = reader_uint (r, 1);
  guint32 flags = reader_uint (r, 1);
  GstCaps *caps;
  gboolean ok;

  caps = gst_caps_new_simple ("video/x-raw",
      "format", G_TYPE_STRING, formats[fmt % G_N_ELEMENTS (formats)],
      "width", G_TYPE_INT, (gint) (w % 1024) + ((flags & 1) ? 0 : 1),
      "height", G_TYPE_INT, (gint) (hgt % 96) + ((flags & 2) ? 0 : 1), NULL);
  switch ((flags >> 2) & 3) {
    case 0:
      gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
      break;
    case 1:
      gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
      break;
    case 2:
      gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION,
          (gint) (flags >> 4) + 1, 1001, NULL);
      break;
    default:
      /* no framerate at all */
      break;
  }
  if (flags & 0x40)
    gst_caps_set_simple (caps, "interlace-mode", G_TYPE_STRING, "interleaved",
        NULL);
  if (!gst_video_info_from_caps (info, caps))
    gst_video_info_init (info);
  if (verbose) {
    gchar *str = gst_caps_to_string (caps);

    fprintf (stderr, "caps %s\n", str);
    g_free (str);
  }
  ok = gst_harness_push_event (h, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  return ok;
}

static GstBuffer *
make_buffer (Reader * r, const GstVideoInfo * info, guint index,
    GstClockTime * pts)
{
  guint32 mode = reader_uint (r, 1);
  guint32 fill = reader_uint (r, 1);
  gsize size = GST_VIDEO_INFO_SIZE (info);
  GstBuffer *buf;
  GstMapInfo map;
  gsize i;

  switch (mode & 3) {
    case 0:
      break;
    case 1:
      /* short */
      size = size * reader_uint (r, 1) / 256;
      break;
    case 2:
      size = 0;
      break;
    default:
      size += reader_uint (r, 1);
      break;
  }
  size = MIN (size, 4 * 1024 * 1024);
  buf = gst_buffer_new_allocate (NULL, size, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  /* a flat picture whose level the input chooses, plus a block of noise, so
   * the change score moves */
  if (size > 0)
    memset (map.data, fill, size);
  for (i = 0; i < size && i < 64; i++)
    map.data[(i * 7919) % size] = reader_uint (r, 1);
  gst_buffer_unmap (buf, &map);

  if ((mode & 4) && GST_VIDEO_INFO_FORMAT (info) != GST_VIDEO_FORMAT_UNKNOWN) {
    gsize offset[GST_VIDEO_MAX_PLANES];
    gint stride[GST_VIDEO_MAX_PLANES];
    guint p;

    for (p = 0; p < GST_VIDEO_MAX_PLANES; p++) {
      offset[p] = GST_VIDEO_INFO_PLANE_OFFSET (info, p);
      stride[p] = GST_VIDEO_INFO_PLANE_STRIDE (info, p);
      if (mode & 8) {
        /* malformed layout: strides and offsets the input chooses */
        offset[p] = reader_uint (r, 3);
        stride[p] = (gint16) reader_uint (r, 2);
      }
    }
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
        GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info), offset,
        stride);
  }

  if (verbose)
    fprintf (stderr, "buffer %u: %" G_GSIZE_FORMAT " bytes (frame %"
        G_GSIZE_FORMAT "), %s\n", index, size, GST_VIDEO_INFO_SIZE (info),
        !(mode & 4) ? "no meta" : (mode & 8) ? "malformed meta" : "meta");
  switch ((mode >> 4) & 3) {
    case 0:
    case 1:
      *pts += 40 * GST_MSECOND * (1 + ((mode >> 6) & 3) * 10);
      GST_BUFFER_PTS (buf) = *pts;
      break;
    case 2:
      /* missing */
      break;
    default:
      /* backwards */
      *pts = *pts > GST_SECOND ? *pts - GST_SECOND : 0;
      GST_BUFFER_PTS (buf) = *pts;
      break;
  }
  GST_BUFFER_OFFSET (buf) = index;
  return buf;
}

int
LLVMFuzzerTestOneInput (const guint8 * data, size_t size)
{
  Reader r = { data, size, 0 };
  GstElement *element;
  GstHarness *h;
  GstVideoInfo info;
  GstSegment segment;
  GstClockTime pts = 0;
  GstBuffer *out;
  guint i, n_props, pushed = 0, pulled = 0, index = 0;

  init_once ();
  element = gst_element_factory_make ("keyframeselect", NULL);
  if (element == NULL)
    abort ();
  gst_object_ref_sink (element);

  n_props = reader_uint (&r, 1) % 8;
  for (i = 0; i < n_props; i++) {
    guint32 which = reader_uint (&r, 1);

    set_property_in_range (element,
        properties[which % G_N_ELEMENTS (properties)], reader_uint (&r, 2));
  }

  h = gst_harness_new_with_element (element, "sink", "src");
  push_caps (h, &r, &info);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));

  while (r.pos < r.len) {
    guint32 op = reader_uint (&r, 1) % 16;

    if (op == 0) {
      push_caps (h, &r, &info);
    } else if (op == 1) {
      gst_harness_push_event (h, gst_event_new_flush_start ());
      gst_harness_push_event (h, gst_event_new_flush_stop (TRUE));
      gst_harness_push_event (h, gst_event_new_segment (&segment));
    } else if (op == 2) {
      set_property_in_range (element,
          properties[reader_uint (&r, 1) % G_N_ELEMENTS (properties)],
          reader_uint (&r, 2));
    } else {
      gst_harness_push (h, make_buffer (&r, &info, index++, &pts));
      pushed++;
    }
    while ((out = gst_harness_try_pull (h))) {
      gst_buffer_unref (out);
      pulled++;
    }
  }
  gst_harness_push_event (h, gst_event_new_eos ());
  while ((out = gst_harness_try_pull (h))) {
    gst_buffer_unref (out);
    pulled++;
  }
  /* a held settle candidate comes out at EOS at the latest, and nothing is
   * ever duplicated */
  if (pulled > pushed) {
    fprintf (stderr, "keyframeselect output %u buffers for %u input\n",
        pulled, pushed);
    abort ();
  }
  gst_harness_teardown (h);
  gst_object_unref (element);
  return 0;
}
