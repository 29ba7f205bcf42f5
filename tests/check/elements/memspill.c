/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * memspill: data, metas and statistics through spill and reload, the
 * ALLOCATION query, JPEG, and the faults (unwritable directory, max-disk,
 * a file size limit, SIGKILL) with exact expectations.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

#include "../memvideotest.h"
#include "../stress/spillfd.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Only through the plugin: the test binary must not carry a second copy
 * of the spill store (its GTypes are registered by the plugin). */
#define SPILL_MEMORY_TYPE "MemvideoSpillMemory"

#define WIDTH 64
#define HEIGHT 48
#define I420_SIZE (WIDTH * HEIGHT * 3 / 2)
#define I420_CAPS "video/x-raw,format=I420,width=64,height=48,framerate=30/1"
/* 3 x 4096 bytes: disk limits in whole frames, whatever the block size */
#define BLOCK_SIZE (128 * 64 * 3 / 2)
#define BLOCK_CAPS "video/x-raw,format=I420,width=128,height=64,framerate=30/1"

/* A memspill in a harness, configured before it starts. */
static GstHarness *
harness_new (const gchar * caps, const gchar * first_property, ...)
{
  GstElement *element = gst_element_factory_make ("memspill", NULL);
  GstHarness *h;
  va_list args;

  fail_unless (element != NULL);
  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (element), first_property, args);
  va_end (args);

  h = gst_harness_new_with_element (element, "sink", "src");
  gst_object_unref (element);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

/* Frame @n of a sequence: every byte depends on @n and its position. */
static void
fill_frame (guint8 * data, gsize size, guint n)
{
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) ((i * 7 + n * 13 + (i >> 8) * 3) & 0xff);
}

static GstBuffer *
make_frame (gsize size, guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  fill_frame (map.data, map.size, n);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = n * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

/* TRUE when @buf holds exactly frame @n. */
static gboolean
frame_is (GstBuffer * buf, gsize size, guint n)
{
  guint8 *expected = g_malloc (size);
  gboolean same;
  GstMapInfo map;

  fill_frame (expected, size, n);
  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    g_free (expected);
    return FALSE;
  }
  same = map.size == size && memcmp (map.data, expected, size) == 0;
  gst_buffer_unmap (buf, &map);
  g_free (expected);
  return same;
}

static guint64
get_stat (GstHarness * h, const gchar * name)
{
  guint64 v;

  g_object_get (h->element, name, &v, NULL);
  return v;
}

static gboolean
buffer_is_pageable (GstBuffer * buf)
{
  guint i;

  for (i = 0; i < gst_buffer_n_memory (buf); i++) {
    if (!gst_memory_is_type (gst_buffer_peek_memory (buf, i),
            SPILL_MEMORY_TYPE))
      return FALSE;
  }
  return gst_buffer_n_memory (buf) > 0;
}

GST_START_TEST (test_data_identical_after_spill)
{
  GstHarness *h = harness_new (I420_CAPS, "max-memory", (guint64) 0, NULL);
  guint i;

  for (i = 0; i < 10; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (I420_SIZE, i)),
        GST_FLOW_OK);

  /* max-memory=0: every frame went to disk once unmapped */
  fail_unless_equals_uint64 (get_stat (h, "frames-spilled"), 10);
  fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 0);
  fail_unless_equals_uint64 (get_stat (h, "resident-bytes"), 0);
  fail_unless_equals_uint64 (get_stat (h, "spilled-bytes"), 10 * I420_SIZE);
  fail_unless_equals_uint64 (get_stat (h, "spills"), 10);
  fail_unless_equals_uint64 (get_stat (h, "reloads"), 0);

  for (i = 0; i < 10; i++) {
    GstBuffer *out = gst_harness_pull (h);
    GstMapInfo map;

    fail_unless (buffer_is_pageable (out));
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), i * GST_SECOND / 30);
    fail_unless (frame_is (out, I420_SIZE, i));

    /* while mapped it stays in RAM even with a budget of 0 */
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 1);
    gst_buffer_unmap (out, &map);
    fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 0);
    gst_buffer_unref (out);
  }
  /* each frame was mapped twice, and evicted in between */
  fail_unless_equals_uint64 (get_stat (h, "reloads"), 20);
  /* a clean reload kept its disk copy: evicting it again wrote nothing */
  fail_unless_equals_uint64 (get_stat (h, "spills"), 10);
  fail_unless_equals_uint64 (get_stat (h, "frames-spilled"), 0);
  fail_unless_equals_uint64 (get_stat (h, "spilled-bytes"), 0);

  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_metas_timestamps_flags_kept)
{
  GstHarness *h = harness_new (I420_CAPS, "max-memory", (guint64) 0, NULL);
  gsize offset[GST_VIDEO_MAX_PLANES] = { 16, 16 + 80 * HEIGHT,
    16 + 80 * HEIGHT + 48 * HEIGHT / 2, 0
  };
  gint stride[GST_VIDEO_MAX_PLANES] = { 80, 48, 48, 0 };
  gsize size = offset[2] + 48 * HEIGHT / 2 + 8;
  GstCaps *ref_caps = gst_caps_new_empty_simple ("timestamp/x-test");
  GstReferenceTimestampMeta *rmeta;
  GstVideoMeta *vmeta;
  GstBuffer *in, *out;

  in = make_frame (size, 3);
  GST_BUFFER_PTS (in) = 5 * GST_SECOND;
  GST_BUFFER_DTS (in) = 4 * GST_SECOND;
  GST_BUFFER_DURATION (in) = 40 * GST_MSECOND;
  GST_BUFFER_OFFSET (in) = 125;
  GST_BUFFER_OFFSET_END (in) = 126;
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DELTA_UNIT | GST_BUFFER_FLAG_MARKER
      | GST_BUFFER_FLAG_DISCONT);
  gst_buffer_add_video_meta_full (in, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT, 3, offset, stride);
  gst_buffer_add_reference_timestamp_meta (in, ref_caps, 77 * GST_SECOND,
      GST_CLOCK_TIME_NONE);

  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (h, "frames-spilled"), 1);
  out = gst_harness_pull (h);

  fail_unless (buffer_is_pageable (out));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 5 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (out), 4 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 40 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 125);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), 126);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DELTA_UNIT));
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_MARKER));
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));

  vmeta = gst_buffer_get_video_meta (out);
  fail_unless (vmeta != NULL);
  fail_unless_equals_int (vmeta->format, GST_VIDEO_FORMAT_I420);
  fail_unless_equals_int (vmeta->width, WIDTH);
  fail_unless_equals_int (vmeta->height, HEIGHT);
  fail_unless_equals_int (vmeta->n_planes, 3);
  fail_unless_equals_uint64 (vmeta->offset[0], offset[0]);
  fail_unless_equals_uint64 (vmeta->offset[1], offset[1]);
  fail_unless_equals_uint64 (vmeta->offset[2], offset[2]);
  fail_unless_equals_int (vmeta->stride[0], stride[0]);
  fail_unless_equals_int (vmeta->stride[1], stride[1]);
  fail_unless_equals_int (vmeta->stride[2], stride[2]);

  rmeta = gst_buffer_get_reference_timestamp_meta (out, NULL);
  fail_unless (rmeta != NULL);
  fail_unless_equals_uint64 (rmeta->timestamp, 77 * GST_SECOND);
  fail_unless (gst_caps_is_equal (rmeta->reference, ref_caps));

  fail_unless (frame_is (out, size, 3));
  fail_unless_equals_uint64 (get_stat (h, "reloads"), 1);

  gst_buffer_unref (out);
  gst_caps_unref (ref_caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The allocator memspill offers upstream, or NULL. */
static GstAllocator *
query_allocator (GstHarness * h, const gchar * caps_str)
{
  GstCaps *caps = gst_caps_from_string (caps_str);
  GstQuery *query = gst_query_new_allocation (caps, TRUE);
  GstAllocator *allocator = NULL;

  fail_unless (gst_pad_peer_query (h->srcpad, query));
  if (gst_query_get_n_allocation_params (query) > 0)
    gst_query_parse_nth_allocation_param (query, 0, &allocator, NULL);
  fail_unless_equals_int (gst_query_get_n_allocation_pools (query), 0);

  gst_query_unref (query);
  gst_caps_unref (caps);
  return allocator;
}

GST_START_TEST (test_allocation_query_and_passthrough)
{
  GstHarness *h = harness_new (I420_CAPS, "max-memory", (guint64) 0, NULL);
  GstAllocator *allocator = query_allocator (h, I420_CAPS);
  GstAllocator *other;
  GstHarness *h2;
  GstBufferPool *bpool;
  GstStructure *config;
  GstBuffer *in, *out;
  GstMapInfo map;
  GstMemory *mem;

  fail_unless (allocator != NULL);
  mem = gst_allocator_alloc (allocator, I420_SIZE, NULL);
  fail_unless (gst_memory_is_type (mem, SPILL_MEMORY_TYPE));

  /* a buffer made with the offered allocator leaves untouched */
  in = gst_buffer_new ();
  gst_buffer_append_memory (in, mem);
  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  fill_frame (map.data, map.size, 1);
  gst_buffer_unmap (in, &map);
  gst_buffer_ref (in);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  fail_unless (gst_buffer_peek_memory (out, 0) == mem);
  fail_unless (frame_is (out, I420_SIZE, 1));
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  /* an empty buffer has nothing to page */
  in = gst_buffer_ref (gst_buffer_new ());
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  /* pageable memory of another pool (another memspill's) is kept: it is
   * held under that pool's budget */
  h2 = harness_new (I420_CAPS, NULL);
  other = query_allocator (h2, I420_CAPS);
  fail_unless (other != NULL && other != allocator);
  in = gst_buffer_new ();
  gst_buffer_append_memory (in, gst_allocator_alloc (other, I420_SIZE, NULL));
  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  fill_frame (map.data, map.size, 2);
  gst_buffer_unmap (in, &map);
  gst_buffer_ref (in);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  fail_unless (gst_buffer_peek_memory (out, 0)->allocator == other);
  fail_unless (frame_is (out, I420_SIZE, 2));
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_object_unref (other);
  gst_harness_teardown (h2);

  /* a bounded upstream pool, even with our allocator, gets its buffers
   * back at once: memspill copies */
  bpool = gst_buffer_pool_new ();
  config = gst_buffer_pool_get_config (bpool);
  gst_buffer_pool_config_set_params (config, NULL, I420_SIZE, 1, 1);
  gst_buffer_pool_config_set_allocator (config, allocator, NULL);
  fail_unless (gst_buffer_pool_set_config (bpool, config));
  fail_unless (gst_buffer_pool_set_active (bpool, TRUE));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (bpool, &in, NULL),
      GST_FLOW_OK);
  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  fill_frame (map.data, map.size, 3);
  gst_buffer_unmap (in, &map);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  /* the pool's only buffer is free again while memspill's copy is held */
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (bpool, &in, NULL),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out != in);
  fail_unless (out->pool == NULL);
  fail_unless (frame_is (out, I420_SIZE, 3));
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  fail_unless (gst_buffer_pool_set_active (bpool, FALSE));
  gst_object_unref (bpool);

  /* with spill-format=jpeg raw video is copied into memories that know
   * their layout (even ours), so the allocator is not offered; other data
   * gets it */
  g_object_set (h->element, "spill-format", 1, NULL);
  fail_unless (query_allocator (h, I420_CAPS) == NULL);
  in = gst_buffer_new ();
  gst_buffer_append_memory (in, gst_allocator_alloc (allocator, I420_SIZE,
          NULL));
  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  fill_frame (map.data, map.size, 4);
  gst_buffer_unmap (in, &map);
  gst_buffer_ref (in);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out != in);
  fail_unless (buffer_is_pageable (out));
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_object_unref (allocator);

  allocator = query_allocator (h, "application/octet-stream");
  fail_unless (allocator != NULL);
  gst_object_unref (allocator);

  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_stats_newest)
{
  GstHarness *h = harness_new (I420_CAPS,
      "max-memory", (guint64) 3 * I420_SIZE, NULL);
  /* reloads after pulling frame i: 2-8 come back from disk */
  const guint64 reloads[10] = { 0, 0, 1, 2, 3, 4, 5, 6, 7, 7 };
  guint i;

  for (i = 0; i < 10; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (I420_SIZE, i)),
        GST_FLOW_OK);

  /* newest-first, and room is made before a frame is copied in: frames 0
   * and 1 stay resident, 2-8 were spilled to make room for their successor,
   * 9 is in RAM */
  fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 3);
  fail_unless_equals_uint64 (get_stat (h, "resident-bytes"), 3 * I420_SIZE);
  fail_unless_equals_uint64 (get_stat (h, "frames-spilled"), 7);
  fail_unless_equals_uint64 (get_stat (h, "spilled-bytes"), 7 * I420_SIZE);
  fail_unless_equals_uint64 (get_stat (h, "spills"), 7);
  fail_unless_equals_uint64 (get_stat (h, "reloads"), 0);

  for (i = 0; i < 10; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (frame_is (out, I420_SIZE, i));
    gst_buffer_unref (out);
    fail_unless_equals_uint64 (get_stat (h, "reloads"), reloads[i]);
  }
  fail_unless_equals_uint64 (get_stat (h, "spills"), 7);
  fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 0);
  fail_unless_equals_uint64 (get_stat (h, "frames-spilled"), 0);
  fail_unless_equals_uint64 (get_stat (h, "resident-bytes"), 0);

  /* after stop the last statistics stay readable */
  fail_unless_equals_int (gst_element_set_state (h->element, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_uint64 (get_stat (h, "spills"), 7);
  fail_unless_equals_uint64 (get_stat (h, "reloads"), 7);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_budget_change_while_playing)
{
  GstHarness *h = harness_new (I420_CAPS, NULL);
  guint i;

  for (i = 0; i < 8; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (I420_SIZE, i)),
        GST_FLOW_OK);
  /* default budget of 512 MiB: nothing spilled */
  fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 8);
  fail_unless_equals_uint64 (get_stat (h, "spills"), 0);

  /* lowering the budget evicts at once */
  g_object_set (h->element, "max-memory", (guint64) 2 * I420_SIZE, NULL);
  fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 2);
  fail_unless_equals_uint64 (get_stat (h, "frames-spilled"), 6);
  fail_unless_equals_uint64 (get_stat (h, "spills"), 6);

  for (i = 0; i < 8; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (frame_is (out, I420_SIZE, i));
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_stress_properties)
{
  GstHarness *h = harness_new (I420_CAPS, NULL);
  GValue zero = G_VALUE_INIT, lru = G_VALUE_INIT;
  GParamSpec *pspec;
  GstHarnessThread *t1, *t2;
  GstBuffer *out;
  guint i;

  /* the streaming thread copies while another thread flips the budget
   * between 512 MiB and 0 and the policy between newest and lru */
  g_value_init (&zero, G_TYPE_UINT64);
  g_value_set_uint64 (&zero, 0);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (h->element),
      "eviction");
  g_value_init (&lru, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_value_set_enum (&lru, 1);
  t1 = gst_harness_stress_property_start_full (h, "max-memory", &zero, 100);
  t2 = gst_harness_stress_property_start_full (h, "eviction", &lru, 100);

  for (i = 0; i < 200; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (I420_SIZE, i)),
        GST_FLOW_OK);
  gst_harness_stress_thread_stop (t1);
  gst_harness_stress_thread_stop (t2);

  for (i = 0; i < 200; i++) {
    out = gst_harness_pull (h);
    fail_unless (frame_is (out, I420_SIZE, i));
    gst_buffer_unref (out);
  }
  g_value_unset (&zero);
  g_value_unset (&lru);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Smooth I420 content (JPEG's good case, like most video) */
static GstBuffer *
make_smooth_i420 (gint w, gint h, guint n)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buf;
  gint x, y, p;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, w, h);
  buf = gst_buffer_new_allocate (NULL, info.size, NULL);
  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_WRITE));
  for (p = 0; p < 3; p++) {
    guint8 *d = GST_VIDEO_FRAME_PLANE_DATA (&frame, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p);
    gint pw = GST_VIDEO_FRAME_COMP_WIDTH (&frame, p);
    gint ph = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, p);

    for (y = 0; y < ph; y++)
      for (x = 0; x < pw; x++)
        d[y * stride + x] = (guint8) (p == 0 ?
            64 + 100 * (x + y + (gint) n) / (pw + ph) : 100 + 30 * p * x / pw);
  }
  gst_video_frame_unmap (&frame);
  return buf;
}

static gdouble
psnr (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gdouble se = 0;
  gsize i;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  fail_unless_equals_uint64 (ma.size, mb.size);
  for (i = 0; i < ma.size; i++) {
    gdouble d = (gdouble) ma.data[i] - mb.data[i];
    se += d * d;
  }
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  if (se == 0)
    return 99.0;
  return 10.0 * log10 (255.0 * 255.0 / (se / ma.size));
}

GST_START_TEST (test_jpeg_i420_psnr)
{
  GstHarness *h = harness_new
      ("video/x-raw,format=I420,width=320,height=240,framerate=30/1",
      "max-memory", (guint64) 0, "spill-format", 1, NULL);
  const gsize size = 320 * 240 * 3 / 2;
  guint i;

  for (i = 0; i < 5; i++)
    fail_unless_equals_int (gst_harness_push (h, make_smooth_i420 (320, 240,
                i)), GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (h, "frames-spilled"), 5);
  /* compressed on disk */
  fail_unless (get_stat (h, "spilled-bytes") < 5 * size / 4);
  fail_unless (get_stat (h, "spilled-bytes") > 0);

  for (i = 0; i < 5; i++) {
    GstBuffer *out = gst_harness_pull (h);
    GstBuffer *ref = make_smooth_i420 (320, 240, i);
    gdouble q = psnr (out, ref);

    GST_INFO ("frame %u: PSNR %.2f dB", i, q);
    fail_unless (q >= 38.0, "frame %u: PSNR %.2f dB < 38", i, q);
    gst_buffer_unref (ref);
    gst_buffer_unref (out);
  }
  fail_unless_equals_uint64 (get_stat (h, "reloads"), 5);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_jpeg_nv12_falls_back_to_raw)
{
  GstHarness *h = harness_new
      ("video/x-raw,format=NV12,width=64,height=48,framerate=30/1",
      "max-memory", (guint64) 0, "spill-format", 1, NULL);
  GstBus *bus = gst_bus_new ();
  guint i;

  gst_element_set_bus (h->element, bus);
  for (i = 0; i < 5; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (I420_SIZE, i)),
        GST_FLOW_OK);

  mvt_expect_message (bus, GST_MESSAGE_WARNING, GST_STREAM_ERROR,
      GST_STREAM_ERROR_FORMAT, "spill-format=jpeg does not support video "
      "format NV12: frames are spilled raw.", "I420, YV12");
  /* one warning, not one per frame */
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING), 0);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_ERROR), 0);

  /* raw: the full size on disk, and lossless */
  fail_unless_equals_uint64 (get_stat (h, "spilled-bytes"), 5 * I420_SIZE);
  for (i = 0; i < 5; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (frame_is (out, I420_SIZE, i));
    gst_buffer_unref (out);
  }

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Data that is not raw video is spilled raw, and the element says so once
 * per caps (memsink says the same: the binding posts it for both). */
GST_START_TEST (test_jpeg_not_video_warns_once_per_caps)
{
  GstHarness *h = harness_new ("application/x-data", "max-memory",
      (guint64) 0, "spill-format", 1, NULL);
  GstBus *bus = gst_bus_new ();
  guint i;

  gst_element_set_bus (h->element, bus);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (100, i)),
        GST_FLOW_OK);
  mvt_expect_message (bus, GST_MESSAGE_WARNING, GST_STREAM_ERROR,
      GST_STREAM_ERROR_FORMAT, "spill-format=jpeg applies to raw video only: "
      "buffers are spilled raw.", NULL);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING), 0);

  /* JPEG-able caps: no warning; other caps again: one more */
  gst_harness_set_src_caps_str (h, I420_CAPS);
  fail_unless_equals_int (gst_harness_push (h, make_frame (I420_SIZE, 3)),
      GST_FLOW_OK);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING), 0);
  gst_harness_set_src_caps_str (h, "application/x-other");
  fail_unless_equals_int (gst_harness_push (h, make_frame (100, 4)),
      GST_FLOW_OK);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING), 1);

  /* spilled raw, lossless (frame 3 went through JPEG) */
  for (i = 0; i < 5; i++) {
    GstBuffer *out = gst_harness_pull (h);

    if (i == 3) {
      fail_unless_equals_uint64 (gst_buffer_get_size (out), I420_SIZE);
    } else {
      fail_unless (frame_is (out, 100, i), "frame %u differs", i);
    }
    gst_buffer_unref (out);
  }
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_unwritable_spill_directory)
{
  GstElement *element = gst_element_factory_make ("memspill", NULL);
  gchar *dir = g_build_filename (TESTS_BUILDDIR, "memspill-not-a-dir", NULL);
  GstBus *bus = gst_bus_new ();
  gchar *text;

  fail_unless (element != NULL);
  /* a regular file where the directory should be: fails even for root */
  fail_unless (g_file_set_contents (dir, "x", 1, NULL));
  g_object_set (element, "spill-directory", dir, NULL);
  gst_element_set_bus (element, bus);

  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);

  /* the reason, from the store, is in the debug string */
  text = g_strdup_printf ("Could not create a spill file in "
      "spill-directory \"%s\".", dir);
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_WRITE, text, "Cannot use spill directory");
  g_free (text);

  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
  g_unlink (dir);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_max_disk_reached)
{
  const guint64 max_disk = 2 * BLOCK_SIZE + BLOCK_SIZE / 2;
  GstHarness *h = harness_new (BLOCK_CAPS, "max-memory", (guint64) 0,
      "max-disk", max_disk, NULL);
  GstBus *bus = gst_bus_new ();
  gchar *expected;
  GstBuffer *out;
  guint i;

  gst_element_set_bus (h->element, bus);
  /* the third frame does not fit: it stays in RAM, and so does the fourth;
   * the stream goes on */
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (BLOCK_SIZE, i)),
        GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (h, "spills"), 2);
  fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 2);

  /* the user text says what to do, the numbers are in the debug string */
  expected = g_strdup_printf ("max-disk %" G_GUINT64_FORMAT, max_disk);
  mvt_expect_message (bus, GST_MESSAGE_WARNING, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NO_SPACE_LEFT, "The spill file reached max-disk: "
      "frames stay in memory; raise max-disk to spill them.", expected);
  g_free (expected);
  /* one warning, however many writes failed, and no error */
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING), 0);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_ERROR), 0);

  /* the frames read back; freeing the spilled ones makes room, and the
   * pool writes again (without another warning) */
  for (i = 0; i < 2; i++) {
    out = gst_harness_pull (h);
    fail_unless (frame_is (out, BLOCK_SIZE, i));
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (gst_harness_push (h, make_frame (BLOCK_SIZE, 4)),
      GST_FLOW_OK);
  fail_unless_equals_uint64 (get_stat (h, "spills"), 4);
  for (i = 2; i < 5; i++) {
    out = gst_harness_pull (h);
    fail_unless (frame_is (out, BLOCK_SIZE, i));
    gst_buffer_unref (out);
  }
  fail_unless (gst_harness_try_pull (h) == NULL);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING), 0);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_ERROR), 0);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* In a forked child: exit status 0 = all good, else the failing line. */
#define CHILD_CHECK(cond) G_STMT_START { \
  if (!(cond)) { g_printerr ("child check failed at line %d: %s\n", \
      __LINE__, #cond); _exit (__LINE__ & 0x7f ? __LINE__ & 0x7f : 1); } \
} G_STMT_END

static void
child_full_disk (void)
{
  struct rlimit rl;
  GstElement *element;
  GstHarness *h;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  GstBuffer *out;
  guint i;
  guint64 spills;

  /* writes past 4.5 frames fail with EFBIG instead of killing us */
  signal (SIGXFSZ, SIG_IGN);
  rl.rlim_cur = rl.rlim_max = 4 * BLOCK_SIZE + BLOCK_SIZE / 2;
  CHILD_CHECK (setrlimit (RLIMIT_FSIZE, &rl) == 0);

  element = gst_element_factory_make ("memspill", NULL);
  g_object_set (element, "max-memory", (guint64) 0, NULL);
  h = gst_harness_new_with_element (element, "sink", "src");
  gst_object_unref (element);
  bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  gst_harness_play (h);
  gst_harness_set_src_caps_str (h, BLOCK_CAPS);

  for (i = 0; i < 20 && ret == GST_FLOW_OK; i++)
    ret = gst_harness_push (h, make_frame (BLOCK_SIZE, i));
  /* nothing is refused: what did not fit under the limit stays in RAM */
  CHILD_CHECK (ret == GST_FLOW_OK);
  g_object_get (h->element, "spills", &spills, NULL);
  CHILD_CHECK (spills >= 1 && spills <= 4);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  CHILD_CHECK (msg != NULL);
  gst_message_parse_warning (msg, &err, NULL);
  CHILD_CHECK (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NO_SPACE_LEFT));
  CHILD_CHECK (strstr (err->message, "No space left in spill directory ") ==
      err->message);
  CHILD_CHECK (g_str_has_suffix (err->message, ": frames stay in memory "
          "until space is freed."));
  g_clear_error (&err);
  gst_message_unref (msg);
  CHILD_CHECK (gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING |
          GST_MESSAGE_ERROR) == NULL);

  for (i = 0; i < 20; i++) {
    out = gst_harness_pull (h);
    CHILD_CHECK (frame_is (out, BLOCK_SIZE, i));
    gst_buffer_unref (out);
  }
  CHILD_CHECK (gst_harness_try_pull (h) == NULL);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  _exit (0);
}

GST_START_TEST (test_full_disk_rlimit)
{
  int status;
  pid_t pid = fork ();

  fail_unless (pid >= 0);
  if (pid == 0)
    child_full_disk ();
  fail_unless_equals_int (waitpid (pid, &status, 0), pid);
  fail_unless (WIFEXITED (status), "child died (signal %d)",
      WIFSIGNALED (status) ? WTERMSIG (status) : 0);
  fail_unless_equals_int (WEXITSTATUS (status), 0);
}

GST_END_TEST;

/* The streaming side of the killed child: pushes frames forever, keeping
 * a window of them held on disk so that spills never stop, and says so
 * after each frame. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GstHarness *h;
} Spiller;

static gpointer
spill_forever (gpointer data)
{
  Spiller *sp = data;
  GQueue held = G_QUEUE_INIT;
  guint i;

  for (i = 0;; i++) {
    CHILD_CHECK (gst_harness_push (sp->h, make_frame (640 * 480 * 3 / 2,
                i)) == GST_FLOW_OK);
    g_queue_push_tail (&held, gst_harness_pull (sp->h));
    if (held.length > 40)
      gst_buffer_unref (g_queue_pop_head (&held));
    g_mutex_lock (&sp->lock);
    g_cond_broadcast (&sp->cond);
    g_mutex_unlock (&sp->lock);
  }
  return NULL;
}

/* In a child: spill from another thread and SIGKILL the process in the
 * middle of it, once 100 frames went to disk (polling the spills counter
 * after each frame, as the library's test does). */
static void
child_killed_while_spilling (const gchar * dir)
{
  GstElement *element = gst_element_factory_make ("memspill", NULL);
  Spiller sp;
  guint64 spills = 0;

  g_object_set (element, "max-memory", (guint64) 0, "spill-directory", dir,
      NULL);
  g_mutex_init (&sp.lock);
  g_cond_init (&sp.cond);
  sp.h = gst_harness_new_with_element (element, "sink", "src");
  gst_object_unref (element);
  gst_harness_play (sp.h);
  gst_harness_set_src_caps_str (sp.h,
      "video/x-raw,format=I420,width=640,height=480,framerate=30/1");

  g_mutex_lock (&sp.lock);
  g_thread_new ("spiller", spill_forever, &sp);
  while (spills < 100) {
    g_cond_wait (&sp.cond, &sp.lock);
    g_object_get (sp.h->element, "spills", &spills, NULL);
  }
  /* frames on disk, one being written: die now */
  raise (SIGKILL);
  _exit (1);
}

GST_START_TEST (test_sigkill_leaves_nothing)
{
  gchar *dir = g_build_filename (TESTS_BUILDDIR, "memspill-kill-XXXXXX",
      NULL);
  int status;
  GDir *d;
  pid_t pid;

  fail_unless (g_mkdtemp (dir) != NULL);
  pid = fork ();
  fail_unless (pid >= 0);
  if (pid == 0)
    child_killed_while_spilling (dir);
  fail_unless_equals_int (waitpid (pid, &status, 0), pid);
  fail_unless (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
      "child did not die of SIGKILL (exit status %d)",
      WIFEXITED (status) ? WEXITSTATUS (status) : -1);

  d = g_dir_open (dir, 0, NULL);
  fail_unless (d != NULL);
  fail_unless (g_dir_read_name (d) == NULL, "left behind in %s", dir);
  g_dir_close (d);
  fail_unless (g_rmdir (dir) == 0);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_avdec_h264_upstream_does_not_stall)
{
  GstElement *pipeline, *sink, *spill;
  GstMessage *msg;
  GstBus *bus;
  GstSample *sample;
  guint n = 0;
  GError *err = NULL;

  pipeline = gst_parse_launch ("videotestsrc num-buffers=300 "
      "! video/x-raw,format=I420,width=320,height=240,framerate=30/1 "
      "! x264enc speed-preset=ultrafast key-int-max=30 ! h264parse "
      "! avdec_h264 ! memspill name=spill max-memory=4000000 "
      "! appsink name=sink sync=false wait-on-eos=false", &err);
  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  spill = gst_bin_get_by_name (GST_BIN (pipeline), "spill");
  bus = gst_element_get_bus (pipeline);

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  /* nothing is pulled before EOS: memspill holds all 300 frames */
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "stalled: no EOS within 60 s");
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);

  {
    guint64 resident, spilled, resident_bytes;

    g_object_get (spill, "frames-resident", &resident, "frames-spilled",
        &spilled, "resident-bytes", &resident_bytes, NULL);
    fail_unless (resident + spilled >= 300);
    fail_unless (spilled > 0);
    fail_unless (resident_bytes <= 4000000);
  }

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstMapInfo map;

    fail_unless (buffer_is_pageable (buf));
    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    fail_unless (map.size >= 320 * 240 * 3 / 2);
    gst_buffer_unmap (buf, &map);
    gst_sample_unref (sample);
    n++;
  }
  fail_unless_equals_int (n, 300);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (spill);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static GstPadProbeReturn
count_reconfigure (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_RECONFIGURE)
    g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

static void
set_spill_format (GstHarness * h, const gchar * nick)
{
  gst_util_set_object_arg (G_OBJECT (h->element), "spill-format", nick);
}

/* Issue 17 item 9: spill-format sends RECONFIGURE upstream only when its
 * value changes and the caps are raw video (the only case where the
 * ALLOCATION answer depends on it). */
GST_START_TEST (test_reconfigure_only_on_change)
{
  GstHarness *h = harness_new (I420_CAPS, NULL);
  gint n = 0;

  gst_pad_add_probe (h->srcpad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      count_reconfigure, &n, NULL);
  fail_unless_equals_int (gst_harness_push (h, make_frame (I420_SIZE, 0)),
      GST_FLOW_OK);

  set_spill_format (h, "raw");
  fail_unless_equals_int (g_atomic_int_get (&n), 0);
  set_spill_format (h, "jpeg");
  fail_unless_equals_int (g_atomic_int_get (&n), 1);
  set_spill_format (h, "jpeg");
  fail_unless_equals_int (g_atomic_int_get (&n), 1);
  set_spill_format (h, "raw");
  fail_unless_equals_int (g_atomic_int_get (&n), 2);
  /* other properties never reconfigure */
  g_object_set (h->element, "max-memory", (guint64) 0, "jpeg-quality", 50,
      NULL);
  fail_unless_equals_int (g_atomic_int_get (&n), 2);

  /* not raw video: the allocator is offered whatever the format */
  gst_harness_set_src_caps_str (h, "application/octet-stream");
  fail_unless_equals_int (gst_harness_push (h, make_frame (100, 1)),
      GST_FLOW_OK);
  set_spill_format (h, "jpeg");
  set_spill_format (h, "raw");
  fail_unless_equals_int (g_atomic_int_get (&n), 2);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* An input buffer that cannot be read (here: a frame of another memspill
 * whose spill file lost its data, with a plain memory appended, so that
 * it must be copied: pageable memory alone would pass through) is a
 * stream error of the element that needed to read it. */
GST_START_TEST (test_unreadable_input_is_error)
{
  gchar *dir = g_build_filename (TESTS_BUILDDIR, "memspill-input-XXXXXX",
      NULL);
  GstHarness *spiller, *reader;
  GstBus *bus = gst_bus_new ();
  GstBuffer *spilled;

  fail_unless (g_mkdtemp (dir) != NULL);
  spiller = harness_new (BLOCK_CAPS, "max-memory", (guint64) 0,
      "spill-directory", dir, NULL);
  reader = harness_new (BLOCK_CAPS, NULL);
  gst_element_set_bus (reader->element, bus);
  fail_unless_equals_int (gst_harness_push (spiller, make_frame (BLOCK_SIZE,
              0)), GST_FLOW_OK);
  spilled = gst_harness_pull (spiller);
  gst_buffer_append_memory (spilled, gst_allocator_alloc (NULL, 16, NULL));
  truncate_spill_files (dir);

  fail_unless_equals_int (gst_harness_push (reader, spilled), GST_FLOW_ERROR);
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_STREAM_ERROR,
      GST_STREAM_ERROR_FAILED, "Could not read an input buffer.",
      "12304 bytes");
  fail_unless (gst_harness_try_pull (reader) == NULL);

  gst_element_set_bus (reader->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (reader);
  gst_harness_teardown (spiller);
  fail_unless (g_rmdir (dir) == 0);
  g_free (dir);
}

GST_END_TEST;

/* Issue 17 item 8: 16-byte buffers (audio, subtitles, metadata) with a
 * one-MiB max-disk.  Each used to take a 4 KiB extent of the spill file,
 * so max-disk was "reached" with 4096 bytes spilled.  Thousands of them,
 * held downstream with max-memory=0, go through without a message, and
 * the disk holds about what the statistics say. */
GST_START_TEST (test_tiny_buffers_within_max_disk)
{
  GstHarness *h = harness_new ("application/x-tiny", "max-memory",
      (guint64) 0, "max-disk", (guint64) 1048576, NULL);
  const guint n = 5000;
  GstBus *bus = gst_bus_new ();
  GstBuffer *out;
  guint i;

  gst_element_set_bus (h->element, bus);
  for (i = 0; i < n; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (16, i)),
        GST_FLOW_OK);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING |
          GST_MESSAGE_ERROR), 0);
  fail_unless (get_stat (h, "spilled-bytes") <= (guint64) n * 16,
      "%" G_GUINT64_FORMAT " bytes spilled", get_stat (h, "spilled-bytes"));
  for (i = 0; i < n; i++) {
    out = gst_harness_pull (h);
    fail_unless (frame_is (out, 16, i), "frame %u differs", i);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING |
          GST_MESSAGE_ERROR), 0);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A spill that fails in an application thread (lowering max-memory evicts
 * there) is posted without waiting for another buffer. */
GST_START_TEST (test_write_failure_in_app_thread)
{
  GstHarness *h = harness_new (BLOCK_CAPS, "max-disk", (guint64) 1, NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  guint i;

  gst_element_set_bus (h->element, bus);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (BLOCK_SIZE, i)),
        GST_FLOW_OK);
  fail_unless (gst_bus_pop (bus) == NULL);

  g_object_set (h->element, "max-memory", (guint64) 0, NULL);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no message within 30 s");
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_WARNING);
  gst_message_parse_warning (msg, &err, NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NO_SPACE_LEFT), "%s", err->message);
  fail_unless_equals_string (err->message, "The spill file reached "
      "max-disk: frames stay in memory; raise max-disk to spill them.");
  g_clear_error (&err);
  gst_message_unref (msg);

  /* nothing lost: all three in RAM, over budget */
  fail_unless_equals_uint64 (get_stat (h, "frames-resident"), 3);
  for (i = 0; i < 3; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless (frame_is (out, BLOCK_SIZE, i));
    gst_buffer_unref (out);
  }
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Issue 17 item 1 on memspill: restarts while one thread sets max-disk
 * (every spill fails, so the pool calls the error function all the time)
 * and two threads pull, map and read statistics.  Bounded by cycles, not
 * time; helper threads only count, the main thread checks. */
#define RESTART_CYCLES 60

typedef struct
{
  GstElement *spill;
  GstElement *sink;
  gint done;
  gint pulled;
  gint bad_maps;
} Restart;

static gpointer
restart_setter (gpointer data)
{
  Restart *r = data;
  guint64 v = 1;

  while (!g_atomic_int_get (&r->done)) {
    g_object_set (r->spill, "max-disk", v, NULL);
    v = v == 1 ? 2 : 1;
  }
  return NULL;
}

static gpointer
restart_reader (gpointer data)
{
  Restart *r = data;
  guint64 resident, spills;

  while (!g_atomic_int_get (&r->done)) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (r->sink),
        10 * GST_MSECOND);
    GstMapInfo map;

    g_object_get (r->spill, "resident-bytes", &resident, "spills", &spills,
        NULL);
    if (sample == NULL)
      continue;
    if (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ))
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
    else
      g_atomic_int_inc (&r->bad_maps);
    gst_sample_unref (sample);
    g_atomic_int_inc (&r->pulled);
  }
  return NULL;
}

GST_START_TEST (test_restart_while_max_disk_changes)
{
  GstElement *pipeline;
  GThread *threads[3];
  GstMessage *msg;
  GstBus *bus;
  Restart r = { 0, };
  guint i, errors = 0;

  pipeline = gst_parse_launch ("videotestsrc ! " I420_CAPS " ! memspill "
      "name=spill max-memory=0 max-disk=1 ! appsink name=sink sync=false "
      "max-buffers=20 drop=true", NULL);
  fail_unless (pipeline != NULL);
  r.spill = gst_bin_get_by_name (GST_BIN (pipeline), "spill");
  r.sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  bus = gst_element_get_bus (pipeline);
  threads[0] = g_thread_new ("setter", restart_setter, &r);
  threads[1] = g_thread_new ("reader", restart_reader, &r);
  threads[2] = g_thread_new ("reader", restart_reader, &r);

  for (i = 0; i < RESTART_CYCLES; i++) {
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    /* prerolled: frames went through memspill */
    fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
            30 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
    fail_unless (gst_element_set_state (pipeline, i % 2 ? GST_STATE_NULL :
            GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS);
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
      errors++;
      gst_message_unref (msg);
    }
  }

  g_atomic_int_set (&r.done, 1);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  GST_INFO ("%d samples pulled", r.pulled);
  fail_unless_equals_int (errors, 0);
  fail_unless_equals_int (g_atomic_int_get (&r.bad_maps), 0);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (r.spill);
  gst_object_unref (r.sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static Suite *
memspill_suite (void)
{
  Suite *s = suite_create ("memspill");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_data_identical_after_spill);
  tcase_add_test (tc, test_metas_timestamps_flags_kept);
  tcase_add_test (tc, test_allocation_query_and_passthrough);
  tcase_add_test (tc, test_stats_newest);
  tcase_add_test (tc, test_budget_change_while_playing);
  tcase_add_test (tc, test_stress_properties);
  tcase_add_test (tc, test_jpeg_i420_psnr);
  tcase_add_test (tc, test_jpeg_nv12_falls_back_to_raw);
  tcase_add_test (tc, test_jpeg_not_video_warns_once_per_caps);
  tcase_add_test (tc, test_unwritable_spill_directory);
  tcase_add_test (tc, test_max_disk_reached);
  tcase_add_test (tc, test_full_disk_rlimit);
  tcase_add_test (tc, test_sigkill_leaves_nothing);
  if (!mvt_h264_decoding_unavailable ())
    tcase_add_test (tc, test_avdec_h264_upstream_does_not_stall);
  tcase_add_test (tc, test_reconfigure_only_on_change);
  tcase_add_test (tc, test_write_failure_in_app_thread);
  tcase_add_test (tc, test_unreadable_input_is_error);
  tcase_add_test (tc, test_tiny_buffers_within_max_disk);
  tcase_add_test (tc, test_restart_while_max_disk_changes);
  return s;
}

GST_CHECK_MAIN (memspill);
