/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Eight application threads work on pageable frames while the pipelines
 * push:
 *
 *   appsrc ! memspill max-memory=256 KiB ! memsink (samples)
 *   appsrc (bytes) ! memsink mode=file max-memory=128 KiB
 *
 *   - 3 threads: get-sample at a random index, map, check every byte, unmap
 *   - 1 thread:  get-sample, deep copy and region copy, check the copies
 *   - 2 threads: try-pull-sample, keep the last 16 taken and map them again
 *                at random, check every byte
 *   - 1 thread:  get-bytes on the file sink, check the snapshot
 *   - 1 thread:  the budget monitor: the resident bytes of memspill's pool
 *                and of the file sink's pool never exceed max-memory plus
 *                what may be mapped at that moment
 *
 * Every frame is self-describing (its index in the first four bytes, a
 * pattern of the index and offset after), so any thread can check any frame
 * it gets.  At the end every sample left and the whole file are checked
 * once more.  Runs in the ASan/UBSan stage and under valgrind too (fewer
 * frames there).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsrc.h>

#include "../memvideotest.h"

#define WIDTH 256
#define HEIGHT 120
#define FRAME_SIZE (WIDTH * HEIGHT)
#define SPILL_MAX_MEMORY (256 * 1024)
#define FILE_MAX_MEMORY (128 * 1024)
#define FILE_CHUNK (1024 * 1024)
#define N_KEEP 16

typedef struct
{
  GstElement *spill;
  GstElement *samples;
  GstElement *file;
  guint n_frames;
  gint done;
  gint errors;                  /* set by a worker on the first bad byte */
  gint ops[5];                  /* per worker kind, for the final check */
  GMutex lock;
  GString *failure;             /* guarded by lock */
} Ctx;

static guint8
pattern (guint frame, gsize offset)
{
  return (guint8) (frame * 131 + offset * 7 + (offset >> 8) * 13);
}

static void
fill_frame (guint8 * data, guint frame)
{
  gsize o;

  for (o = 4; o < FRAME_SIZE; o++)
    data[o] = pattern (frame, o);
  GST_WRITE_UINT32_LE (data, frame);
}

static void
record_failure (Ctx * ctx, const gchar * what, guint frame, gsize offset)
{
  g_mutex_lock (&ctx->lock);
  if (ctx->failure->len == 0)
    g_string_printf (ctx->failure, "%s: frame %u differs at byte %"
        G_GSIZE_FORMAT, what, frame, offset);
  g_mutex_unlock (&ctx->lock);
  g_atomic_int_set (&ctx->errors, 1);
}

/* Checks one self-describing frame; returns its index or -1. */
static gint
check_frame (Ctx * ctx, const gchar * what, const guint8 * data, gsize size)
{
  guint frame;
  gsize o;

  if (size != FRAME_SIZE) {
    record_failure (ctx, what, G_MAXUINT, size);
    return -1;
  }
  frame = GST_READ_UINT32_LE (data);
  if (frame >= ctx->n_frames) {
    record_failure (ctx, what, frame, 0);
    return -1;
  }
  for (o = 4; o < size; o++) {
    if (data[o] != pattern (frame, o)) {
      record_failure (ctx, what, frame, o);
      return -1;
    }
  }
  return frame;
}

static void
check_buffer (Ctx * ctx, const gchar * what, GstBuffer * buf)
{
  GstMapInfo map;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    record_failure (ctx, what, G_MAXUINT, 0);
    return;
  }
  check_frame (ctx, what, map.data, map.size);
  gst_buffer_unmap (buf, &map);
}

/* Each worker's random numbers from the run's seed (fixed by default,
 * printed; MEMVIDEO_THREADS_SEED overrides), one stream per worker */
static guint32 run_seed;
static gint next_stream;

static guint32
thread_seed (void)
{
  return run_seed + (guint32) g_atomic_int_add (&next_stream, 1);
}

static GstSample *
get_sample (GstElement * sink, guint index)
{
  GstSample *sample = NULL;

  g_signal_emit_by_name (sink, "get-sample", index, &sample);
  return sample;
}

static guint
get_n_samples (GstElement * sink)
{
  guint n;

  g_object_get (sink, "n-samples", &n, NULL);
  return n;
}

static gpointer
map_worker (gpointer data)
{
  Ctx *ctx = data;
  GRand *rand = g_rand_new_with_seed (thread_seed ());

  while (!g_atomic_int_get (&ctx->done) && !g_atomic_int_get (&ctx->errors)) {
    guint n = get_n_samples (ctx->samples);
    GstSample *sample;

    if (n == 0) {
      g_thread_yield ();
      continue;
    }
    sample = get_sample (ctx->samples, g_rand_int_range (rand, 0, n));
    /* pull-sample threads may have taken it meanwhile */
    if (sample == NULL)
      continue;
    check_buffer (ctx, "get-sample + map", gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
    g_atomic_int_inc (&ctx->ops[0]);
  }
  g_rand_free (rand);
  return NULL;
}

static gpointer
copy_worker (gpointer data)
{
  Ctx *ctx = data;
  GRand *rand = g_rand_new_with_seed (thread_seed ());

  while (!g_atomic_int_get (&ctx->done) && !g_atomic_int_get (&ctx->errors)) {
    guint n = get_n_samples (ctx->samples);
    GstSample *sample;
    GstBuffer *copy, *region;
    GstMapInfo map;
    gsize off, len, i;
    guint frame;

    if (n == 0) {
      g_thread_yield ();
      continue;
    }
    sample = get_sample (ctx->samples, g_rand_int_range (rand, 0, n));
    if (sample == NULL)
      continue;
    copy = gst_buffer_copy_deep (gst_sample_get_buffer (sample));
    check_buffer (ctx, "deep copy", copy);

    /* a region copy of a NO_SHARE memory is a copy too */
    off = g_rand_int_range (rand, 4, FRAME_SIZE - 1);
    len = g_rand_int_range (rand, 1, FRAME_SIZE - off + 1);
    gst_buffer_extract (copy, 0, &frame, 4);
    frame = GUINT32_FROM_LE (frame);
    region = gst_buffer_copy_region (gst_sample_get_buffer (sample),
        GST_BUFFER_COPY_MEMORY, off, len);
    if (!gst_buffer_map (region, &map, GST_MAP_READ)) {
      record_failure (ctx, "region copy map", frame, off);
      map.size = 0;
      len = 0;
    }
    for (i = 0; i < len; i++) {
      if (map.data[i] != pattern (frame, off + i)) {
        record_failure (ctx, "region copy", frame, off + i);
        break;
      }
    }
    if (map.size > 0)
      gst_buffer_unmap (region, &map);
    gst_buffer_unref (region);
    gst_buffer_unref (copy);
    gst_sample_unref (sample);
    g_atomic_int_inc (&ctx->ops[1]);
  }
  g_rand_free (rand);
  return NULL;
}

static gpointer
pull_worker (gpointer data)
{
  Ctx *ctx = data;
  GRand *rand = g_rand_new_with_seed (thread_seed ());
  GstSample *kept[N_KEEP] = { NULL, };
  guint next = 0, i;

  while (!g_atomic_int_get (&ctx->done) && !g_atomic_int_get (&ctx->errors)) {
    GstSample *sample = NULL;

    /* take only every third time, so the get-sample threads find samples */
    if (g_rand_int_range (rand, 0, 3) == 0)
      g_signal_emit_by_name (ctx->samples, "try-pull-sample",
          (GstClockTime) (10 * GST_MSECOND), &sample);
    if (sample) {
      check_buffer (ctx, "pull-sample", gst_sample_get_buffer (sample));
      if (kept[next])
        gst_sample_unref (kept[next]);
      kept[next] = sample;
      next = (next + 1) % N_KEEP;
    }
    /* map a frame taken a while ago: it has most likely been paged out */
    i = g_rand_int_range (rand, 0, N_KEEP);
    if (kept[i])
      check_buffer (ctx, "kept sample", gst_sample_get_buffer (kept[i]));
    g_atomic_int_inc (&ctx->ops[2]);
  }
  for (i = 0; i < N_KEEP; i++) {
    if (kept[i])
      gst_sample_unref (kept[i]);
  }
  g_rand_free (rand);
  return NULL;
}

static void
check_snapshot (Ctx * ctx, GBytes * bytes)
{
  gsize size, off;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  /* whole frames only: appsrc pushes one frame per buffer and a snapshot
   * never shows half a write */
  if (size % FRAME_SIZE != 0 || size / FRAME_SIZE > ctx->n_frames) {
    record_failure (ctx, "get-bytes size", size / FRAME_SIZE, size);
    return;
  }
  for (off = 0; off < size; off += FRAME_SIZE) {
    gint frame = check_frame (ctx, "get-bytes", data + off, FRAME_SIZE);

    if (frame != (gint) (off / FRAME_SIZE)) {
      record_failure (ctx, "get-bytes order", frame, off);
      return;
    }
  }
}

static gpointer
bytes_worker (gpointer data)
{
  Ctx *ctx = data;

  while (!g_atomic_int_get (&ctx->done) && !g_atomic_int_get (&ctx->errors)) {
    GBytes *bytes = NULL;

    g_signal_emit_by_name (ctx->file, "get-bytes", &bytes);
    /* file mode answers at any time, even before the first byte */
    if (bytes == NULL) {
      g_mutex_lock (&ctx->lock);
      if (ctx->failure->len == 0)
        g_string_printf (ctx->failure, "get-bytes returned NULL while the "
            "file sink was running");
      g_mutex_unlock (&ctx->lock);
      g_atomic_int_set (&ctx->errors, 1);
      break;
    }
    check_snapshot (ctx, bytes);
    g_bytes_unref (bytes);
    g_atomic_int_inc (&ctx->ops[3]);
  }
  return NULL;
}

static gpointer
budget_worker (gpointer data)
{
  Ctx *ctx = data;

  while (!g_atomic_int_get (&ctx->done) && !g_atomic_int_get (&ctx->errors)) {
    guint64 spill_resident, file_resident;

    g_object_get (ctx->spill, "resident-bytes", &spill_resident, NULL);
    g_object_get (ctx->file, "resident-bytes", &file_resident, NULL);
    /* what may be mapped at this moment: one frame for each get-sample
     * and pull thread (5), source, deep copy and region for the copy
     * thread (3), the frame the streaming thread copies in and one on its
     * way to eviction */
    if (spill_resident > SPILL_MAX_MEMORY + 10 * FRAME_SIZE) {
      g_mutex_lock (&ctx->lock);
      if (ctx->failure->len == 0)
        g_string_printf (ctx->failure, "memspill resident-bytes %"
            G_GUINT64_FORMAT " > max-memory %d + 10 frames", spill_resident,
            SPILL_MAX_MEMORY);
      g_mutex_unlock (&ctx->lock);
      g_atomic_int_set (&ctx->errors, 1);
    }
    /* the chunk being written and the chunks a snapshot is reading */
    if (file_resident > FILE_MAX_MEMORY + 2 * FILE_CHUNK) {
      g_mutex_lock (&ctx->lock);
      if (ctx->failure->len == 0)
        g_string_printf (ctx->failure, "file memsink resident-bytes %"
            G_GUINT64_FORMAT " > max-memory %d + 2 chunks", file_resident,
            FILE_MAX_MEMORY);
      g_mutex_unlock (&ctx->lock);
      g_atomic_int_set (&ctx->errors, 1);
    }
    g_atomic_int_inc (&ctx->ops[4]);
    g_usleep (500);
  }
  return NULL;
}

static GstElement *
make_pipeline (const gchar * description)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (description, &err);

  fail_unless (pipeline != NULL, "%s: %s", description,
      err ? err->message : "");
  return pipeline;
}

static void
wait_eos (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no EOS within 120 s");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    fail ("error from %s: %s", GST_MESSAGE_SRC_NAME (msg), err->message);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
}

GST_START_TEST (test_eight_threads)
{
  GstElement *p1, *p2, *src1, *src2;
  GThread *threads[8];
  gchar *dir, *desc;
  Ctx ctx = { 0, };
  GBytes *bytes = NULL;
  guint i, n;

  run_seed = mvt_seed ("MEMVIDEO_THREADS_SEED", 20261203);

  ctx.n_frames = g_getenv ("MEMVIDEO_UNDER_VALGRIND") ? 100 : 2000;
  g_mutex_init (&ctx.lock);
  ctx.failure = g_string_new (NULL);
  dir = g_dir_make_tmp ("memvideo-threads-XXXXXX", NULL);
  fail_unless (dir != NULL);

  desc = g_strdup_printf ("appsrc name=src format=time block=true "
      "max-bytes=%d caps=video/x-raw,format=GRAY8,width=%d,height=%d,"
      "framerate=30/1 ! memspill name=spill max-memory=%d "
      "spill-directory=%s ! memsink name=samples max-memory=%d "
      "spill-directory=%s", 4 * FRAME_SIZE, WIDTH, HEIGHT, SPILL_MAX_MEMORY,
      dir, SPILL_MAX_MEMORY, dir);
  p1 = make_pipeline (desc);
  g_free (desc);
  desc = g_strdup_printf ("appsrc name=src format=bytes block=true "
      "max-bytes=%d ! memsink name=file mode=file max-memory=%d "
      "spill-directory=%s", 4 * FRAME_SIZE, FILE_MAX_MEMORY, dir);
  p2 = make_pipeline (desc);
  g_free (desc);

  src1 = gst_bin_get_by_name (GST_BIN (p1), "src");
  src2 = gst_bin_get_by_name (GST_BIN (p2), "src");
  ctx.spill = gst_bin_get_by_name (GST_BIN (p1), "spill");
  ctx.samples = gst_bin_get_by_name (GST_BIN (p1), "samples");
  ctx.file = gst_bin_get_by_name (GST_BIN (p2), "file");

  fail_if (gst_element_set_state (p1, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_if (gst_element_set_state (p2, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  for (i = 0; i < 3; i++)
    threads[i] = g_thread_new ("map", map_worker, &ctx);
  threads[3] = g_thread_new ("copy", copy_worker, &ctx);
  threads[4] = g_thread_new ("pull", pull_worker, &ctx);
  threads[5] = g_thread_new ("pull", pull_worker, &ctx);
  threads[6] = g_thread_new ("bytes", bytes_worker, &ctx);
  threads[7] = g_thread_new ("budget", budget_worker, &ctx);

  for (i = 0; i < ctx.n_frames && !g_atomic_int_get (&ctx.errors); i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, FRAME_SIZE, NULL);
    GstMapInfo map;

    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    fill_frame (map.data, i);
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = i * GST_SECOND / 30;
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src2),
            gst_buffer_copy (buf)), GST_FLOW_OK);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src1),
            buf), GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src1));
  gst_app_src_end_of_stream (GST_APP_SRC (src2));
  wait_eos (p1);
  wait_eos (p2);

  g_atomic_int_set (&ctx.done, 1);
  for (i = 0; i < 8; i++)
    g_thread_join (threads[i]);
  fail_if (g_atomic_int_get (&ctx.errors), "%s", ctx.failure->str);
  GST_INFO ("map %d, copy %d, pull %d, get-bytes %d, budget checks %d",
      ctx.ops[0], ctx.ops[1], ctx.ops[2], ctx.ops[3], ctx.ops[4]);
  /* every kind of worker really ran against the live pipeline */
  for (i = 0; i < 5; i++)
    fail_unless (ctx.ops[i] > 0, "worker kind %u never ran", i);

  /* what is left, once more, single-threaded */
  n = get_n_samples (ctx.samples);
  for (i = 0; i < n; i++) {
    GstSample *sample = get_sample (ctx.samples, i);

    fail_unless (sample != NULL);
    check_buffer (&ctx, "final", gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  g_signal_emit_by_name (ctx.file, "get-bytes", &bytes);
  fail_unless (bytes != NULL);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes),
      (guint64) ctx.n_frames * FRAME_SIZE);
  check_snapshot (&ctx, bytes);
  g_bytes_unref (bytes);
  fail_if (g_atomic_int_get (&ctx.errors), "%s", ctx.failure->str);

  gst_element_set_state (p1, GST_STATE_NULL);
  gst_element_set_state (p2, GST_STATE_NULL);
  gst_object_unref (src1);
  gst_object_unref (src2);
  gst_object_unref (ctx.spill);
  gst_object_unref (ctx.samples);
  gst_object_unref (ctx.file);
  gst_object_unref (p1);
  gst_object_unref (p2);
  fail_unless (g_rmdir (dir) == 0, "%s not empty after the pipelines ended",
      dir);
  g_free (dir);
  g_string_free (ctx.failure, TRUE);
  g_mutex_clear (&ctx.lock);
}

GST_END_TEST;

static Suite *
threads_suite (void)
{
  Suite *s = suite_create ("threads");
  TCase *tc_chain = tcase_create ("general");

  suite_add_tcase (s, tc_chain);
  tcase_set_timeout (tc_chain, 300);
  tcase_add_test (tc_chain, test_eight_threads);

  return s;
}

GST_CHECK_MAIN (threads);
