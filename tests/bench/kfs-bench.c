/* gst-memvideo
 * Benchmark: what keyframeselect adds per frame, next to its peers.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* kfs-bench [--frames N] [--reps R] [--sizes 1080,2160] [--upstream-ref]
 *
 * For each size, a set of lecture-like I420 frames is drawn once and held
 * in RAM.  Each element under test gets them pushed straight into its sink
 * pad from this thread (no source thread, no copies: every buffer wraps the
 * frame in RAM) and hands them to fakesink; the time per frame minus that
 * of `identity` is what the element adds.  ffmpeg (when installed) reads the
 * same frames from tmpfs, looped, with select='gt(scene,0.3)', minus a plain
 * -vf null run.  Every number is the best of R runs.  It prints a table and
 * never asserts a time: the targets are judged by whoever reads it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gst/gst.h>

#include "draw.h"

#define FPS 30
#define DISTINCT 30

/* --upstream-ref: the bench keeps a reference on every buffer while it is
 * pushed, as a decoder keeps its reference frames; an element that maps
 * the frame for writing then gets a copy of its memory. */
static gboolean upstream_ref;

/* --pooled: frames as a decoder hands them out: POOLED buffers of their own
 * memory, each allocated on its own (not cut from one block), filled once
 * with the drawn pictures and pushed in turn; ffmpeg is not run. */
#define POOLED 120
static gboolean pooled;
static GstBuffer *pool_bufs[POOLED];

static void
make_pooled (DrawFrame ** frames)
{
  gint k;

  for (k = 0; k < POOLED; k++) {
    DrawFrame *f = frames[k % DISTINCT];

    pool_bufs[k] = gst_buffer_new_allocate (NULL, f->size, NULL);
    gst_buffer_fill (pool_bufs[k], 0, f->data, f->size);
  }
}

static void
free_pooled (void)
{
  gint k;

  for (k = 0; k < POOLED; k++)
    gst_clear_buffer (&pool_bufs[k]);
}

typedef struct
{
  const gchar *label;
  const gchar *factory;
  const gchar *props;
  gdouble ms;                   /* per frame, < 0 when not available */
  guint64 selected;
} Row;

static DrawFrame **
make_frames (gint width, gint height)
{
  DrawFrame **frames = g_new0 (DrawFrame *, DISTINCT);
  DrawCanvas *canvas = draw_canvas_new (width, height);
  gint s = width / 640, k;

  /* two slides, half a second each, with a moving pointer and webcam */
  for (k = 0; k < DISTINCT; k++) {
    frames[k] = draw_frame_new (width, height);
    if (k == 0 || k == DISTINCT / 2)
      draw_slide (canvas, k == 0 ? 31 : 32, 0);
    draw_canvas_to_frame (frames[k], canvas, 0);
    draw_cursor (frames[k], (200 + 9 * k) * s, (100 + 5 * k) * s, s);
    draw_webcam (frames[k], width - 176 * s, height - 136 * s, 160 * s,
        120 * s, (gdouble) k / FPS);
  }
  draw_canvas_free (canvas);
  return frames;
}

/* Pushes @n buffers through @factory ! fakesink; returns ms per frame or
 * -1 when the element does not exist or fails. */
static gdouble
run_element (const gchar * factory, const gchar * props, DrawFrame ** frames,
    gint n, guint64 * selected)
{
  GstElement *pipeline, *elem, *sink;
  GstPad *src, *sinkpad;
  GstCaps *caps;
  GstSegment seg;
  gint64 t0, t1;
  gint i;
  gboolean ok = TRUE;

  elem = gst_element_factory_make (factory, NULL);
  if (elem == NULL)
    return -1;
  if (props != NULL) {
    gchar **kv = g_strsplit (props, "=", 2);

    gst_util_set_object_arg (G_OBJECT (elem), kv[0], kv[1]);
    g_strfreev (kv);
  }
  pipeline = gst_pipeline_new (NULL);
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), elem, sink, NULL);
  g_assert (gst_element_link (elem, sink));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  src = gst_pad_new ("src", GST_PAD_SRC);
  sinkpad = gst_element_get_static_pad (elem, "sink");
  gst_pad_set_active (src, TRUE);
  g_assert (gst_pad_link (src, sinkpad) == GST_PAD_LINK_OK);
  gst_pad_push_event (src, gst_event_new_stream_start ("bench"));
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420",
      "width", G_TYPE_INT, frames[0]->width, "height", G_TYPE_INT,
      frames[0]->height, "framerate", GST_TYPE_FRACTION, FPS, 1,
      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  gst_pad_push_event (src, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (src, gst_event_new_segment (&seg));

  t0 = g_get_monotonic_time ();
  for (i = 0; i < n && ok; i++) {
    DrawFrame *f = frames[i % DISTINCT];
    GstBuffer *buf = pooled ? gst_buffer_copy (pool_bufs[i % POOLED]) :
        gst_buffer_new_wrapped_full (0, f->data, f->size, 0, f->size, NULL,
        NULL);
    GstFlowReturn ret;

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (i, GST_SECOND, FPS);
    GST_BUFFER_DURATION (buf) = GST_SECOND / FPS;
    if (upstream_ref)
      gst_buffer_ref (buf);
    ret = gst_pad_push (src, buf);
    if (upstream_ref)
      gst_buffer_unref (buf);
    ok = ret == GST_FLOW_OK;
  }
  gst_pad_push_event (src, gst_event_new_eos ());
  t1 = g_get_monotonic_time ();

  if (selected != NULL
      && g_object_class_find_property (G_OBJECT_GET_CLASS (elem),
          "frames-selected"))
    g_object_get (elem, "frames-selected", selected, NULL);

  gst_pad_unlink (src, sinkpad);
  gst_object_unref (sinkpad);
  gst_object_unref (src);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  if (!ok) {
    g_printerr ("kfs-bench: %s stopped after %d frames\n", factory, i);
    return -1;
  }
  return (t1 - t0) / 1000.0 / n;
}

static gchar *
write_raw (DrawFrame ** frames)
{
  const gchar *dir = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ?
      "/dev/shm" : g_get_tmp_dir ();
  gchar *path = g_strdup_printf ("%s/memvideo-bench-%d.yuv", dir, getpid ());
  FILE *fp = fopen (path, "wb");
  gint k;

  if (fp == NULL) {
    g_printerr ("kfs-bench: cannot write %s, ffmpeg skipped\n", path);
    g_free (path);
    return NULL;
  }
  for (k = 0; k < DISTINCT; k++) {
    if (fwrite (frames[k]->data, 1, frames[k]->size, fp) != frames[k]->size) {
      g_printerr ("kfs-bench: writing %s failed (tmpfs full?), ffmpeg "
          "skipped\n", path);
      fclose (fp);
      unlink (path);
      g_free (path);
      return NULL;
    }
  }
  fclose (fp);
  return path;
}

/* ms per frame of ffmpeg reading the raw file looped to @n frames through
 * @filter, single-threaded like a GStreamer streaming thread. */
static gdouble
run_ffmpeg (const gchar * ffmpeg, const gchar * raw, gint width, gint height,
    gint n, const gchar * filter)
{
  gchar *size = g_strdup_printf ("%dx%d", width, height);
  gchar *loops = g_strdup_printf ("%d", n / DISTINCT - 1);
  gchar *rate = g_strdup_printf ("%d", FPS);
  const gchar *argv[] = { ffmpeg, "-hide_banner", "-nostats", "-loglevel",
    "error", "-threads", "1", "-filter_threads", "1", "-f", "rawvideo",
    "-pix_fmt", "yuv420p", "-s", size, "-r", rate, "-stream_loop", loops,
    "-i", raw, "-vf", filter, "-fps_mode", "passthrough", "-f", "null", "-",
    NULL
  };
  gint64 t0 = g_get_monotonic_time (), t1;
  gint status = 0;
  GError *err = NULL;
  gchar *errout = NULL;
  gdouble ms = -1;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
          NULL, NULL, NULL, &errout, &status, &err)) {
    g_printerr ("kfs-bench: cannot run %s: %s\n", ffmpeg, err->message);
    g_clear_error (&err);
  } else if (!g_spawn_check_wait_status (status, NULL)) {
    g_printerr ("kfs-bench: ffmpeg -vf %s failed: %s\n", filter, errout);
  } else {
    t1 = g_get_monotonic_time ();
    ms = (t1 - t0) / 1000.0 / n;
  }
  g_free (errout);
  g_free (rate);
  g_free (loops);
  g_free (size);
  return ms;
}

static void
print_row (const gchar * size, const Row * r, const Row * base,
    const Row * sc, gdouble ff_added)
{
  gdouble added;

  if (r->ms < 0) {
    printf ("%-6s %-34s %10s\n", size, r->label, "n/a");
    return;
  }
  if (base == NULL) {
    printf ("%-6s %-34s %10.4f %10s\n", size, r->label, r->ms, "-");
    return;
  }
  added = r->ms - base->ms;
  printf ("%-6s %-34s %10.4f %10.4f", size, r->label, r->ms, added);
  if (sc != NULL && sc->ms >= 0 && sc->ms - base->ms > 0)
    printf (" %9.3fx", added / (sc->ms - base->ms));
  else
    printf (" %10s", "-");
  if (ff_added > 0)
    printf (" %9.3fx", added / ff_added);
  else
    printf (" %10s", "-");
  if (r->selected)
    printf ("  %" G_GUINT64_FORMAT " selected", r->selected);
  printf ("\n");
}

static gdouble
best_of (gint reps, const gchar * factory, const gchar * props,
    DrawFrame ** frames, gint n, guint64 * selected)
{
  gdouble best = -1;
  gint r;

  for (r = 0; r < reps; r++) {
    gdouble ms = run_element (factory, props, frames, n, selected);

    if (ms < 0)
      return -1;
    if (best < 0 || ms < best)
      best = ms;
  }
  return best;
}

static gdouble
best_of_ffmpeg (gint reps, const gchar * ffmpeg, const gchar * raw, gint w,
    gint h, gint n, const gchar * filter)
{
  gdouble best = -1;
  gint r;

  for (r = 0; r < reps; r++) {
    gdouble ms = run_ffmpeg (ffmpeg, raw, w, h, n, filter);

    if (ms < 0)
      return -1;
    if (best < 0 || ms < best)
      best = ms;
  }
  return best;
}

int
main (int argc, char **argv)
{
  gint frames_n = 600, reps = 3;
  gchar *sizes = NULL;
  GOptionEntry entries[] = {
    {"frames", 0, 0, G_OPTION_ARG_INT, &frames_n,
        "Frames per run (default 600, a multiple of 30)", "N"},
    {"reps", 0, 0, G_OPTION_ARG_INT, &reps,
        "Runs per measurement, the best counts (default 3)", "R"},
    {"sizes", 0, 0, G_OPTION_ARG_STRING, &sizes,
        "Frame heights to measure (default 1080,2160)", "LIST"},
    {"pooled", 0, 0, G_OPTION_ARG_NONE, &pooled,
        "Push 120 separately allocated buffers in turn, as a decoder's "
          "pool hands them out (no ffmpeg)", NULL},
    {"upstream-ref", 0, 0, G_OPTION_ARG_NONE, &upstream_ref,
        "Keep a reference on each buffer while it is pushed, as a decoder "
          "keeps its reference frames", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new (NULL);
  GError *err = NULL;
  gchar *ffmpeg = g_find_program_in_path ("ffmpeg");
  gchar **heights;
  gchar **h;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("kfs-bench: %s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (frames_n < DISTINCT || frames_n % DISTINCT || reps < 1) {
    g_printerr ("kfs-bench: --frames must be a multiple of %d and --reps at "
        "least 1\n", DISTINCT);
    return 2;
  }
  heights = g_strsplit (sizes ? sizes : "1080,2160", ",", -1);

  printf ("keyframeselect benchmark: %d I420 frames per run (%d distinct "
      "lecture-like pictures held in RAM, looped%s), best of %d runs\n"
      "added = ms/frame minus identity (GStreamer) or minus ffmpeg -vf null "
      "(ffmpeg, raw frames from tmpfs, -threads 1 -filter_threads 1)\n"
      "ratio = added / added by scenechange, added / added by ffmpeg "
      "select='gt(scene,0.3)' (target: <= 0.25x; <= 0.05 ms at 1080p)\n\n",
      frames_n, DISTINCT, pooled ? "; pushed from 120 buffers allocated one "
      "by one, as from a decoder's pool" : "", reps);
  printf ("%-6s %-34s %10s %10s %10s %10s\n", "size", "element", "ms/frame",
      "added", "/scenechg", "/ffmpeg");

  for (h = heights; *h != NULL; h++) {
    gint height = atoi (*h), width = height * 16 / 9;
    DrawFrame **frames;
    Row rows[] = {
      {"identity", "identity", NULL, 0, 0},
      {"keyframeselect metric=area", "keyframeselect", "metric=area", 0, 0},
      {"keyframeselect metric=mean", "keyframeselect", "metric=mean", 0, 0},
      {"keyframeselect activity-window=0", "keyframeselect",
          "activity-window=0", 0, 0},
      {"keyframeselect reference=previous", "keyframeselect",
          "reference=previous", 0, 0},
      {"scenechange", "scenechange", NULL, 0, 0},
    };
    gdouble ff_base = -1, ff_scene = -1, ff_added = -1;
    gchar *raw = NULL, *label;
    guint i;

    if (height < 360 || width % 640 != 0) {
      g_printerr ("kfs-bench: unsupported size %s (use 360, 720, 1080, "
          "1440, 2160)\n", *h);
      return 2;
    }
    label = g_strdup_printf ("%dp", height);
    frames = make_frames (width, height);

    if (pooled)
      make_pooled (frames);
    for (i = 0; i < G_N_ELEMENTS (rows); i++)
      rows[i].ms = best_of (reps, rows[i].factory, rows[i].props, frames,
          frames_n, &rows[i].selected);
    if (!pooled && ffmpeg != NULL && (raw = write_raw (frames)) != NULL) {
      ff_base = best_of_ffmpeg (reps, ffmpeg, raw, width, height, frames_n,
          "null");
      ff_scene = best_of_ffmpeg (reps, ffmpeg, raw, width, height, frames_n,
          "select='gt(scene,0.3)'");
      unlink (raw);
      g_free (raw);
      if (ff_base >= 0 && ff_scene >= 0)
        ff_added = ff_scene - ff_base;
    }

    print_row (label, &rows[0], NULL, NULL, -1);
    for (i = 1; i < G_N_ELEMENTS (rows); i++)
      print_row (label, &rows[i], &rows[0], &rows[G_N_ELEMENTS (rows) - 1],
          ff_added);
    if (pooled) {
      printf ("%-6s %-34s %10s\n", label, "ffmpeg", "not run (--pooled)");
      free_pooled ();
    } else if (ffmpeg == NULL) {
      printf ("%-6s %-34s %10s\n", label, "ffmpeg", "not installed");
    } else {
      Row base = { "ffmpeg -vf null", NULL, NULL, ff_base, 0 };
      Row scene = { "ffmpeg select='gt(scene,0.3)'", NULL, NULL, ff_scene, 0 };

      print_row (label, &base, NULL, NULL, -1);
      print_row (label, &scene, ff_base >= 0 ? &base : NULL,
          &rows[G_N_ELEMENTS (rows) - 1], ff_added);
    }
    printf ("\n");
    fflush (stdout);

    for (i = 0; i < DISTINCT; i++)
      draw_frame_free (frames[i]);
    g_free (frames);
    g_free (label);
  }
  g_strfreev (heights);
  g_free (sizes);
  g_free (ffmpeg);
  return 0;
}
