/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Restarts of memsink while other threads use it (issue 17 item 1):
 *
 *   videotestsrc ! memsink max-memory=0 max-disk=1 max-samples=20
 *
 * Every spill fails (max-disk is one byte), so the pool calls memsink's
 * error function all the time, and setting max-disk lets the pool write
 * (and fail) again.  While the main thread cycles the pipeline between
 * NULL/READY and PLAYING,
 *
 *   - 1 thread sets max-disk to 1 or 2 in a loop,
 *   - 2 threads call get-sample + map, try-pull-sample, clear, get-bytes.
 *
 * memsink used to replace the pool's error function (and free the weak
 * reference it was given) at every start while the old pool could still
 * be calling it: a use-after-free within a few cycles.  The run is bounded
 * by the number of cycles, not by time; it runs under ASan too.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#define N_CYCLES 300
#define N_WORKERS 2

typedef struct
{
  GstElement *pipeline;
  GstElement *sink;
  gint done;
  gint sets;
  gint ops;
  gint bad_maps;                /* a sample whose buffer did not map */
} Ctx;

static gpointer
setter (gpointer data)
{
  Ctx *ctx = data;
  guint64 v = 1;

  while (!g_atomic_int_get (&ctx->done)) {
    g_object_set (ctx->sink, "max-disk", v, NULL);
    v = v == 1 ? 2 : 1;
    g_atomic_int_inc (&ctx->sets);
  }
  return NULL;
}

static void
map_sample (Ctx * ctx, GstSample * sample)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstMapInfo map;

  /* a reload may fail (nothing was spilled, but the map of a resident
   * memory must work) */
  if (buf && gst_buffer_get_size (buf) > 0) {
    if (gst_buffer_map (buf, &map, GST_MAP_READ))
      gst_buffer_unmap (buf, &map);
    else
      g_atomic_int_inc (&ctx->bad_maps);
  }
  gst_sample_unref (sample);
}

static gpointer
worker (gpointer data)
{
  Ctx *ctx = data;
  guint i = 0;

  while (!g_atomic_int_get (&ctx->done)) {
    GstSample *sample = NULL;
    GBytes *bytes = NULL;

    g_signal_emit_by_name (ctx->sink, "get-sample", i % 20, &sample);
    if (sample)
      map_sample (ctx, sample);
    sample = NULL;
    g_signal_emit_by_name (ctx->sink, "try-pull-sample", (GstClockTime) 0,
        &sample);
    if (sample)
      map_sample (ctx, sample);
    if (i % 8 == 0)
      g_signal_emit_by_name (ctx->sink, "clear");
    g_signal_emit_by_name (ctx->sink, "get-bytes", &bytes);
    if (bytes)
      g_bytes_unref (bytes);
    g_atomic_int_inc (&ctx->ops);
    i++;
  }
  return NULL;
}

/* Pops every message; an ERROR fails the test (spill failures are
 * warnings). */
static void
drain_bus (GstBus * bus)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *err = NULL;

      gst_message_parse_error (msg, &err, NULL);
      fail ("unexpected error: %s", err->message);
    }
    gst_message_unref (msg);
  }
}

/* Waits until memsink has rendered at least one buffer of this run. */
static void
wait_rendered (Ctx * ctx)
{
  guint64 dropped = 0;
  guint n = 0;
  guint spins = 0;

  while (n == 0 && dropped == 0 && spins++ < 1000000) {
    g_object_get (ctx->sink, "n-samples", &n, "dropped", &dropped, NULL);
    if (n == 0 && dropped == 0)
      g_thread_yield ();
  }
}

GST_START_TEST (test_restart_with_threads)
{
  GThread *threads[N_WORKERS + 1];
  GstBus *bus;
  Ctx ctx = { 0 };
  guint i;

  ctx.pipeline = gst_parse_launch ("videotestsrc ! video/x-raw,width=64,"
      "height=48 ! memsink name=sink max-memory=0 max-disk=1 "
      "max-samples=20", NULL);
  fail_unless (ctx.pipeline != NULL);
  ctx.sink = gst_bin_get_by_name (GST_BIN (ctx.pipeline), "sink");
  bus = gst_element_get_bus (ctx.pipeline);

  threads[0] = g_thread_new ("setter", setter, &ctx);
  for (i = 0; i < N_WORKERS; i++)
    threads[i + 1] = g_thread_new ("worker", worker, &ctx);

  for (i = 0; i < N_CYCLES; i++) {
    fail_unless (gst_element_set_state (ctx.pipeline, GST_STATE_PLAYING)
        != GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_element_get_state (ctx.pipeline, NULL, NULL,
            GST_CLOCK_TIME_NONE) == GST_STATE_CHANGE_SUCCESS);
    wait_rendered (&ctx);
    fail_unless (gst_element_set_state (ctx.pipeline,
            i % 2 ? GST_STATE_NULL : GST_STATE_READY)
        == GST_STATE_CHANGE_SUCCESS);
    drain_bus (bus);
  }

  g_atomic_int_set (&ctx.done, 1);
  for (i = 0; i < N_WORKERS + 1; i++)
    g_thread_join (threads[i]);

  GST_INFO ("%d sets, %d worker rounds", ctx.sets, ctx.ops);
  fail_unless (ctx.sets > 0 && ctx.ops > 0);
  fail_unless_equals_int (ctx.bad_maps, 0);

  fail_unless (gst_element_set_state (ctx.pipeline, GST_STATE_NULL)
      == GST_STATE_CHANGE_SUCCESS);
  drain_bus (bus);
  gst_object_unref (bus);
  gst_object_unref (ctx.sink);
  gst_object_unref (ctx.pipeline);
}

GST_END_TEST;

static Suite *
restart_suite (void)
{
  Suite *s = suite_create ("restart");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_restart_with_threads);

  return s;
}

GST_CHECK_MAIN (restart);
