/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * memsink's pre-event recording: "save" on H.264 from x264enc with
 * tune=zerolatency and a GOP of 30 and of 250 frames, each file demuxed
 * (starts on a keyframe, exact frames) and decoded again; overlapping
 * saves and the pin; EOS during the after part; a directory that does not
 * exist; the refusals; auto mode with mpegtsmux and a location.  And the
 * stable sample numbers, walked by a reader
 * thread while the window slides.
 *
 * The saves are requested from the new-sample handler at an exact frame,
 * so the expected ranges are exact: frame i has PTS i/30 s.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/app.h>
#include <glib/gstdio.h>

#include "../memvideotest.h"

#define FRAME (GST_SECOND / 30)

static gchar *tmpdir;

/* ELEMENT and WARNING messages seen while waiting for EOS, in order (a
 * filtered pop drops what it does not match) */
static GQueue kept_messages = G_QUEUE_INIT;

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("memsink-save-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
}

static void
teardown (void)
{
  GDir *dir = g_dir_open (tmpdir, 0, NULL);
  const gchar *name;

  g_queue_clear_full (&kept_messages, (GDestroyNotify) gst_message_unref);
  while (dir && (name = g_dir_read_name (dir))) {
    gchar *p = g_build_filename (tmpdir, name, NULL);

    g_unlink (p);
    g_free (p);
  }
  if (dir)
    g_dir_close (dir);
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

/* A save requested when frame @at (0-based) has arrived */
typedef struct
{
  guint at;
  const gchar *name;
  guint64 before, after;
  gboolean expect;
  /* optional: first-sample-number checked at frame @check_at */
  guint check_at;
  guint64 check_first;
} SaveRequest;

typedef struct
{
  SaveRequest *requests;
  guint n_requests;
  guint frames;
} Run;

/* The next message of @types: kept ones first, then from @bus */
static GstMessage *
next_message (GstBus * bus, GstMessageType types)
{
  GList *l;

  for (l = kept_messages.head; l; l = l->next) {
    GstMessage *msg = l->data;

    if (GST_MESSAGE_TYPE (msg) & types) {
      g_queue_delete_link (&kept_messages, l);
      return msg;
    }
  }

  return gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, types);
}

static gchar *
path_of (const gchar * name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* Stream time of the last run's first frame */
static GstClockTime camera_first_pts;

static GstFlowReturn
on_new_sample (GstElement * sink, Run * run)
{
  guint i, frame = run->frames++;

  if (frame == 0) {
    GstSample *s = NULL;

    g_signal_emit_by_name (sink, "get-sample-by-number", (guint64) 1, &s);
    camera_first_pts = gst_segment_to_stream_time (gst_sample_get_segment (s),
        GST_FORMAT_TIME, GST_BUFFER_PTS (gst_sample_get_buffer (s)));
    gst_sample_unref (s);
  }

  for (i = 0; i < run->n_requests; i++) {
    SaveRequest *r = &run->requests[i];
    gboolean ok = FALSE;
    guint64 fnum = 0;

    if (r->at == frame) {
      gchar *path = path_of (r->name);

      g_signal_emit_by_name (sink, "save", path, r->before, r->after, &ok);
      fail_unless (ok == r->expect, "save %s at frame %u", r->name, frame);
      g_free (path);
    }
    if (r->check_first && r->check_at == frame) {
      g_object_get (sink, "first-sample-number", &fnum, NULL);
      fail_unless_equals_uint64 (fnum, r->check_first);
    }
  }

  return GST_FLOW_OK;
}

/* @frames of 320x240 at 30/1 through x264enc (GOP @gop) into a memsink
 * with @props; @requests are made on the way.  Returns the pipeline,
 * stopped, and its bus in @bus. */
static GstElement *
run_camera_full (gboolean live, guint frames, guint gop, const gchar * props,
    SaveRequest * requests, guint n_requests, GstBus ** bus)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=%d num-buffers=%u "
      "pattern=ball ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! x264enc threads=1 "
      "speed-preset=ultrafast tune=zerolatency key-int-max=%u "
      "option-string=scenecut=0 ! h264parse ! memsink name=sink "
      "emit-signals=true spill-directory=%s %s", live, frames, gop, tmpdir,
      props);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  Run run = { requests, n_requests, 0 };
  GstMessage *msg;

  fail_unless (pipeline != NULL);
  g_signal_connect (sink, "new-sample", G_CALLBACK (on_new_sample), &run);
  *bus = gst_element_get_bus (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((msg = gst_bus_timed_pop_filtered (*bus, 120 * GST_SECOND,
              GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT |
              GST_MESSAGE_WARNING))) {
    if (GST_MESSAGE_TYPE (msg) & (GST_MESSAGE_EOS | GST_MESSAGE_ERROR))
      break;
    g_queue_push_tail (&kept_messages, msg);
  }
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "the pipeline did not reach EOS");
  gst_message_unref (msg);
  fail_unless_equals_int (run.frames, frames);
  gst_object_unref (sink);
  g_free (desc);

  return pipeline;
}

static GstElement *
run_camera (guint frames, guint gop, const gchar * props,
    SaveRequest * requests, guint n_requests, GstBus ** bus)
{
  return run_camera_full (FALSE, frames, gop, props, requests, n_requests, bus);
}

/* The next memsink-saved message for @name (others are kept in order);
 * fails on a WARNING */
static GstStructure *
wait_saved (GstBus * bus, const gchar * name)
{
  gchar *path = path_of (name);
  GstStructure *found = NULL;
  GQueue skipped = G_QUEUE_INIT;

  while (found == NULL) {
    GstMessage *msg = next_message (bus,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING);
    const GstStructure *s;

    fail_unless (msg != NULL, "no memsink-saved for %s", name);
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING, "warning");
    s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "memsink-saved")
        && g_strcmp0 (gst_structure_get_string (s, "location"), path) == 0) {
      found = gst_structure_copy (s);
      gst_message_unref (msg);
    } else {
      g_queue_push_tail (&skipped, msg);
    }
  }
  /* the others stay for the next wait, in order */
  while (!g_queue_is_empty (&skipped))
    g_queue_push_head (&kept_messages, g_queue_pop_tail (&skipped));
  g_free (path);

  return found;
}

static void
on_handoff (GstElement * fakesink, GstBuffer * buf, GstPad * pad,
    gint * decoded)
{
  g_atomic_int_inc (decoded);
}

/* Demuxes @path: the number of frames, whether the first is a keyframe,
 * and the number of frames a decoder makes of it (no error allowed) */
static void
inspect_clip (const gchar * path, guint * n_demuxed, gboolean * key_first,
    guint * n_decoded)
{
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! qtdemux ! tee "
      "name=t t. ! queue ! appsink name=raw sync=false t. ! queue ! "
      "avdec_h264 ! fakesink name=dec signal-handoffs=true sync=false", path);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *raw = gst_bin_get_by_name (GST_BIN (pipeline), "raw");
  GstElement *dec = gst_bin_get_by_name (GST_BIN (pipeline), "dec");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstSample *s;
  GstMessage *msg;
  gint decoded = 0;

  fail_unless (pipeline != NULL);
  g_signal_connect (dec, "handoff", G_CALLBACK (on_handoff), &decoded);
  *n_demuxed = 0;
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (raw)))) {
    if (*n_demuxed == 0)
      *key_first = !GST_BUFFER_FLAG_IS_SET (gst_sample_get_buffer (s),
          GST_BUFFER_FLAG_DELTA_UNIT);
    (*n_demuxed)++;
    gst_sample_unref (s);
  }
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "decoding %s failed", path);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  *n_decoded = g_atomic_int_get (&decoded);
  gst_object_unref (bus);
  gst_object_unref (raw);
  gst_object_unref (dec);
  gst_object_unref (pipeline);
  g_free (desc);
}

/* The clip @name holds frames @fnum..@last exactly: message fields, the
 * demuxed frames, the fnum a keyframe, every frame decoded */
static void
check_clip_full (GstBus * bus, const gchar * name, GstClockTime base,
    guint fnum, guint last)
{
  GstStructure *s = wait_saved (bus, name);
  gchar *path = path_of (name);
  guint n = 0, demuxed = 0, decoded = 0;
  guint64 start = 0, stop = 0, size = 0, expected_stop;
  gboolean key_first = FALSE;
  GStatBuf st;

  fail_unless (gst_structure_get_uint (s, "n-samples", &n));
  fail_unless (gst_structure_get_uint64 (s, "start", &start));
  fail_unless (gst_structure_get_uint64 (s, "stop", &stop));
  fail_unless (gst_structure_get_uint64 (s, "size", &size));
  fail_unless_equals_int (n, last - fnum + 1);
  fail_unless_equals_uint64 (start, base + gst_util_uint64_scale (fnum,
          GST_SECOND, 30));
  /* PTS plus duration, each rounded by videotestsrc: 1 ns either way */
  expected_stop = base + gst_util_uint64_scale (last + 1, GST_SECOND, 30);
  fail_unless (stop + 1 >= expected_stop && stop <= expected_stop + 1,
      "stop %" G_GUINT64_FORMAT " for frame %u", stop, last);
  fail_unless (g_stat (path, &st) == 0);
  fail_unless_equals_uint64 (size, st.st_size);

  inspect_clip (path, &demuxed, &key_first, &decoded);
  fail_unless_equals_int (demuxed, n);
  fail_unless (key_first, "%s starts with a delta unit", name);
  fail_unless_equals_int (decoded, n);

  gst_structure_free (s);
  g_free (path);
}

static void
check_clip (GstBus * bus, const gchar * name, guint fnum, guint last)
{
  check_clip_full (bus, name, 0, fnum, last);
}

/* GOP of 30, at least 4 s held: at frame 200 (6.67 s) 2 s back is frame
 * 140, back to keyframe 120; 1 s on is frame 230 */
GST_START_TEST (test_save_gop_30)
{
  SaveRequest r[] = {
    {200, "gop30.mp4", 2 * GST_SECOND, GST_SECOND, TRUE},
  };
  GstBus *bus;
  GstElement *pipeline = run_camera (300, 30, "max-age=4000000000", r, 1,
      &bus);

  check_clip (bus, "gop30.mp4", 120, 230);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* The same from a live source (frames come in real time, 4 s; their
 * timestamps start at the running time of the first capture, read from
 * the first sample): at frame 60 (2 s) 1 s back is keyframe 30; 1 s on is
 * frame 90 */
GST_START_TEST (test_save_live_gop_30)
{
  SaveRequest r[] = {
    {60, "live.mp4", GST_SECOND, GST_SECOND, TRUE},
  };
  GstBus *bus;
  GstElement *pipeline = run_camera_full (TRUE, 120, 30,
      "max-age=1000000000", r, 1, &bus);

  check_clip_full (bus, "live.mp4", camera_first_pts, 30, 90);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* GOP of 250 (x264enc's default), at least 4 s: at frame 280 (9.33 s) 2 s
 * back is frame 220, whose keyframe is frame 0, still held because GOP
 * 250.. alone spans 1 s; 0.5 s on is frame 295 */
GST_START_TEST (test_save_gop_250)
{
  SaveRequest r[] = {
    {280, "gop250.mov", 2 * GST_SECOND, GST_SECOND / 2, TRUE},
  };
  GstBus *bus;
  GstElement *pipeline = run_camera (300, 250, "max-age=4000000000", r, 1,
      &bus);

  check_clip (bus, "gop250.mov", 0, 295);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* Two saves waiting at once, at least 1 s held: the fnum pins frame 60
 * (number 61) until frame 160 arrives, though the window alone would
 * drop GOP 60.. at frame 150; afterwards the window slides again */
GST_START_TEST (test_save_overlapping)
{
  SaveRequest r[] = {
    {100, "a.mp4", GST_SECOND, 2 * GST_SECOND, TRUE, 159, 61},
    {130, "b.mp4", GST_SECOND, GST_SECOND, TRUE},
  };
  GstBus *bus;
  GstElement *pipeline = run_camera (300, 30, "max-age=1000000000", r, 2,
      &bus);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint64 fnum = 0;

  check_clip (bus, "a.mp4", 60, 160);
  check_clip (bus, "b.mp4", 90, 160);
  /* at frame 299, GOP 270.. spans 0.97 s: 240.. stays */
  g_object_get (sink, "first-sample-number", &fnum, NULL);
  fail_unless_equals_uint64 (fnum, 241);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* EOS before the after part is complete: what there is is saved */
GST_START_TEST (test_save_eos_during_after)
{
  SaveRequest r[] = {
    {280, "eos.mkv", GST_SECOND / 2, 10 * GST_SECOND, TRUE},
  };
  GstBus *bus;
  GstElement *pipeline = run_camera (300, 30, "max-age=4000000000", r, 1,
      &bus);
  GstStructure *s = wait_saved (bus, "eos.mkv");
  guint n = 0;

  /* 9.33 s - 0.5 s is frame 265, keyframe 240; to the last frame, 299 */
  fail_unless (gst_structure_get_uint (s, "n-samples", &n));
  fail_unless_equals_int (n, 60);
  gst_structure_free (s);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* A directory that does not exist: a WARNING naming the file, and the
 * stream went on to EOS (run_camera checks every frame arrived) */
GST_START_TEST (test_save_unwritable_directory)
{
  SaveRequest r[] = {
    {60, "missing/clip.mp4", GST_SECOND, GST_SECOND / 3, TRUE},
  };
  GstBus *bus;
  GstElement *pipeline = run_camera (150, 30, "max-age=4000000000", r, 1,
      &bus);
  gchar *path = path_of ("missing/clip.mp4");
  gchar *text = g_strdup_printf ("Could not save the clip \"%s\": its "
      "directory does not take new files.", path);
  GstMessage *msg = next_message (bus, GST_MESSAGE_WARNING);
  GError *error = NULL;
  gchar *debug = NULL;

  fail_unless (msg != NULL, "no WARNING");
  gst_message_parse_warning (msg, &error, &debug);
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_WRITE), "%s", error->message);
  fail_unless_equals_string (error->message, text);
  fail_unless (strstr (debug, "No such file or directory") != NULL, "%s",
      debug);
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_ERROR), 0);
  g_free (text);
  g_free (path);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static gboolean
try_save (GstElement * sink, const gchar * name)
{
  gchar *path = path_of (name);
  gboolean ok = TRUE;

  g_signal_emit_by_name (sink, "save", path, GST_SECOND, GST_SECOND, &ok);
  g_free (path);

  return ok;
}

/* Refused at once: unknown extension, nothing held, raw caps, file mode */
GST_START_TEST (test_save_refused)
{
  SaveRequest r[] = {
    {10, "clip.avi", GST_SECOND, GST_SECOND, FALSE},
    {10, "clip", GST_SECOND, GST_SECOND, FALSE},
  };
  GstBus *bus;
  GstElement *pipeline = run_camera (20, 30, "", r, 2, &bus);
  GstHarness *h;
  GstElement *file;
  GstBuffer *buf;

  gst_element_set_state (pipeline, GST_STATE_NULL);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_WARNING), 0);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  h = gst_harness_new ("memsink");
  g_object_set (h->element, "spill-directory", tmpdir, NULL);
  fail_if (try_save (h->element, "none.mp4"));
  gst_harness_set_src_caps_str (h, "video/x-raw,format=GRAY8,width=4,"
      "height=4,framerate=30/1");
  buf = gst_buffer_new_allocate (NULL, 16, NULL);
  GST_BUFFER_PTS (buf) = 0;
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  fail_if (try_save (h->element, "raw.mp4"));
  gst_harness_teardown (h);

  file = gst_parse_launch ("videotestsrc num-buffers=5 ! x264enc ! mp4mux ! "
      "memsink name=sink", NULL);
  bus = gst_element_get_bus (file);
  fail_unless (gst_element_set_state (file, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  gst_message_unref (gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
          GST_MESSAGE_EOS));
  {
    GstElement *sink = gst_bin_get_by_name (GST_BIN (file), "sink");

    fail_if (try_save (sink, "file.mp4"));
    gst_object_unref (sink);
  }
  gst_element_set_state (file, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (file);
  {
    GDir *dir = g_dir_open (tmpdir, 0, NULL);

    fail_unless (g_dir_read_name (dir) == NULL, "a file was written");
    g_dir_close (dir);
  }
}

GST_END_TEST;

/* Auto mode with mpegtsmux (a TIME segment, video/mpegts caps) and a
 * location: file mode, the file saved at EOS equal to get-bytes, no
 * "put a muxer before memsink" error */
GST_START_TEST (test_auto_mpegtsmux_location)
{
  gchar *path = path_of ("auto.ts");
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=30 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! x264enc threads=1 "
      "tune=zerolatency ! mpegtsmux ! memsink name=sink location=%s", path);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GBytes *bytes;
  gchar *contents;
  gsize size;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  bytes = mvt_get_bytes (sink);
  fail_unless (bytes != NULL, "auto mode picked samples for mpegtsmux");
  fail_unless (g_file_get_contents (path, &contents, &size, NULL));
  fail_unless (size > 0);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), size);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), contents, size) == 0);

  g_free (contents);
  g_bytes_unref (bytes);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (path);
}

GST_END_TEST;

/* ---- stable numbers: a reader walks the window while it slides ---- */

#define N_FRAMES 3000
#define WINDOW 10

typedef struct
{
  GstElement *sink;
  MvtThreadCheck check;
  GMutex lock;
  GCond cond;
  guint64 read_up_to;           /* lock: the reader has looked at these */
  guint held, left;
} Walker;

/* Reads every number from 1 to N_FRAMES: each is the exact sample with
 * that number, or NULL because it already left (below the fnum held). */
static gpointer
walk (gpointer data)
{
  Walker *w = data;
  guint64 next = 1;

  while (next <= N_FRAMES) {
    guint64 fnum = 0, last = 0, n;

    g_object_get (w->sink, "first-sample-number", &fnum,
        "last-sample-number", &last, NULL);
    for (n = next; n <= last; n++) {
      GstSample *s = NULL;
      guint64 now_first = 0;

      g_signal_emit_by_name (w->sink, "get-sample-by-number", n, &s);
      if (s) {
        if (GST_BUFFER_PTS (gst_sample_get_buffer (s)) != (n - 1) * FRAME)
          mvt_thread_fail (&w->check, "a number gave another sample");
        gst_sample_unref (s);
        w->held++;
        continue;
      }
      g_object_get (w->sink, "first-sample-number", &now_first, NULL);
      if (n >= now_first)
        mvt_thread_fail (&w->check, "NULL for a number still held");
      w->left++;
    }
    next = MAX (next, last + 1);
    g_mutex_lock (&w->lock);
    w->read_up_to = next - 1;
    g_cond_broadcast (&w->cond);
    g_mutex_unlock (&w->lock);
  }

  return NULL;
}

GST_START_TEST (test_numbers_walked_while_sliding)
{
  GstHarness *h = gst_harness_new ("memsink");
  Walker w = { 0 };
  GThread *thread;
  guint64 fnum = 0, last = 0;
  guint i;

  g_object_set (h->element, "max-samples", WINDOW, NULL);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=GRAY8,width=4,"
      "height=4,framerate=30/1");
  g_object_get (h->element, "first-sample-number", &fnum,
      "last-sample-number", &last, NULL);
  fail_unless_equals_uint64 (fnum, 1);
  fail_unless_equals_uint64 (last, 0);

  w.sink = h->element;
  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  g_mutex_init (&w.check.lock);
  thread = g_thread_new ("walker", walk, &w);
  for (i = 0; i < N_FRAMES; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 16, NULL);

    GST_BUFFER_PTS (buf) = i * FRAME;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    /* every 100 frames the writer lets the reader catch up, so the two
     * really interleave (and some numbers are read while held) */
    if (i % 100 == 99) {
      g_mutex_lock (&w.lock);
      while (w.read_up_to < i + 1)
        g_cond_wait (&w.cond, &w.lock);
      g_mutex_unlock (&w.lock);
    }
  }
  g_thread_join (thread);
  mvt_thread_check (&w.check);
  fail_unless_equals_int (w.held + w.left, N_FRAMES);
  fail_unless (w.held >= N_FRAMES / 100, "only %u read while held", w.held);
  g_print ("walker: %u read, %u had left\n", w.held, w.left);

  g_object_get (h->element, "first-sample-number", &fnum,
      "last-sample-number", &last, NULL);
  fail_unless_equals_uint64 (fnum, N_FRAMES - WINDOW + 1);
  fail_unless_equals_uint64 (last, N_FRAMES);
  /* pull-sample takes the oldest; the others keep their numbers */
  {
    GstSample *s = NULL;

    g_signal_emit_by_name (h->element, "pull-sample", &s);
    fail_unless (s != NULL);
    gst_sample_unref (s);
    g_object_get (h->element, "first-sample-number", &fnum, NULL);
    fail_unless_equals_uint64 (fnum, N_FRAMES - WINDOW + 2);
    g_signal_emit_by_name (h->element, "get-sample-by-number", fnum, &s);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (gst_sample_get_buffer (s)),
        (fnum - 1) * FRAME);
    gst_sample_unref (s);
  }
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
  g_mutex_clear (&w.check.lock);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
memsink_save_suite (void)
{
  Suite *s = suite_create ("memsink_save");
  TCase *tc = tcase_create ("save");
  TCase *tc_numbers = tcase_create ("numbers");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_save_gop_30);
  tcase_add_test (tc, test_save_live_gop_30);
  tcase_add_test (tc, test_save_gop_250);
  tcase_add_test (tc, test_save_overlapping);
  tcase_add_test (tc, test_save_eos_during_after);
  tcase_add_test (tc, test_save_unwritable_directory);
  tcase_add_test (tc, test_save_refused);
  tcase_add_test (tc, test_auto_mpegtsmux_location);

  suite_add_tcase (s, tc_numbers);
  tcase_add_test (tc_numbers, test_numbers_walked_while_sliding);

  return s;
}

GST_CHECK_MAIN (memsink_save);
