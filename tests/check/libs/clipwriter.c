/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The clip writer: H.264 samples (byte-stream and avc, timestamps far
 * from 0) into every muxer of the table, each file decoded again frame by
 * frame; refusals (extension, raw caps, empty list); a directory that
 * cannot be written; an existing file replaced whole, no temporary left.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/app/app.h>
#include <glib/gstdio.h>

#include "memvideo/clipwriter.h"
#include "memvideotest.h"

static gchar *tmpdir;

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("clipwriter-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
}

static void
teardown (void)
{
  GDir *dir = g_dir_open (tmpdir, 0, NULL);
  const gchar *name;

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

/* @n frames of H.264 in @format, every 10th a keyframe, PTS moved 100 s
 * on so that the clip must be rebased */
static GPtrArray *
encode (guint n, const gchar * format)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=%u pattern=ball ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! x264enc threads=1 "
      "key-int-max=10 tune=zerolatency ! video/x-h264,stream-format=%s ! "
      "appsink name=out sync=false", n, format);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *out = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  GPtrArray *samples =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  GstSample *s;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (out)))) {
    GstBuffer *b = gst_buffer_copy (gst_sample_get_buffer (s));
    GstSample *moved;

    GST_BUFFER_PTS (b) += 100 * GST_SECOND;
    GST_BUFFER_DTS (b) = GST_BUFFER_PTS (b);
    moved = gst_sample_new (b, gst_sample_get_caps (s),
        gst_sample_get_segment (s), NULL);
    g_ptr_array_add (samples, moved);
    gst_buffer_unref (b);
    gst_sample_unref (s);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (out);
  gst_object_unref (pipeline);
  g_free (desc);
  fail_unless_equals_int (samples->len, n);

  return samples;
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean done, notified;
  guint64 size;
  GError *error;
} Result;

static void
on_done (const gchar * location, guint64 size, const GError * error,
    gpointer user_data)
{
  Result *r = user_data;

  g_mutex_lock (&r->lock);
  fail_if (r->done, "done called twice");
  r->done = TRUE;
  r->size = size;
  r->error = error ? g_error_copy (error) : NULL;
  g_cond_broadcast (&r->cond);
  g_mutex_unlock (&r->lock);
}

static void
on_notify (gpointer user_data)
{
  Result *r = user_data;

  g_mutex_lock (&r->lock);
  fail_unless (r->done, "notify before done");
  r->notified = TRUE;
  g_cond_broadcast (&r->cond);
  g_mutex_unlock (&r->lock);
}

/* Writes @samples to @location and waits for the writer; returns its
 * error (or NULL), the file's size in @size. */
static GError *
write_and_wait (GPtrArray * samples, const gchar * location, guint64 * size)
{
  Result r = { 0 };
  GError *error = NULL;

  g_mutex_init (&r.lock);
  g_cond_init (&r.cond);
  fail_unless (memvideo_clip_write (samples, location, on_done, &r,
          on_notify, &error), "%s", error ? error->message : "");
  g_mutex_lock (&r.lock);
  while (!r.notified)
    g_cond_wait (&r.cond, &r.lock);
  g_mutex_unlock (&r.lock);
  g_mutex_clear (&r.lock);
  g_cond_clear (&r.cond);
  if (size)
    *size = r.size;

  return r.error;
}

/* Decodes @path, returning the number of frames; the first PTS in
 * @first_pts */
static guint
count_frames (const gchar * path, GstClockTime * first_pts)
{
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "video/x-raw ! appsink name=out sync=false", path);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *out = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstSample *s;
  guint n = 0;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (out)))) {
    if (n == 0 && first_pts)
      *first_pts = GST_BUFFER_PTS (gst_sample_get_buffer (s));
    n++;
    gst_sample_unref (s);
  }
  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) != NULL,
      "decoding %s failed", path);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (out);
  gst_object_unref (pipeline);
  g_free (desc);

  return n;
}

static guint
count_dir_entries (void)
{
  GDir *dir = g_dir_open (tmpdir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir))
    n++;
  g_dir_close (dir);

  return n;
}

static void
check_clip (GPtrArray * samples, const gchar * name, gboolean check_pts)
{
  gchar *path = g_build_filename (tmpdir, name, NULL);
  GstClockTime first_pts = GST_CLOCK_TIME_NONE;
  GError *error;
  guint64 size = 0;
  GStatBuf st;

  error = write_and_wait (samples, path, &size);
  fail_unless (error == NULL, "%s: %s", name, error ? error->message : "");
  fail_unless (g_stat (path, &st) == 0);
  fail_unless_equals_uint64 (size, st.st_size);
  fail_unless_equals_int (count_frames (path, &first_pts), samples->len);
  if (check_pts)
    fail_unless_equals_uint64 (first_pts, 0);
  /* the target only: the temporary was renamed */
  fail_unless_equals_int (count_dir_entries (), 1);
  g_unlink (path);
  g_free (path);
}

GST_START_TEST (test_clip_every_muxer_byte_stream)
{
  GPtrArray *samples = encode (45, "byte-stream");

  fail_unless_equals_string (memvideo_clip_muxer_for_location ("a/b.MP4"),
      "mp4mux");
  check_clip (samples, "clip.mp4", TRUE);
  check_clip (samples, "clip.mov", TRUE);
  check_clip (samples, "clip.mkv", TRUE);
  check_clip (samples, "clip.ts", FALSE);
  g_ptr_array_unref (samples);
}

GST_END_TEST;

GST_START_TEST (test_clip_avc_input)
{
  GPtrArray *samples = encode (25, "avc");

  check_clip (samples, "clip.mp4", TRUE);
  check_clip (samples, "clip.ts", FALSE);
  g_ptr_array_unref (samples);
}

GST_END_TEST;

GST_START_TEST (test_clip_refused)
{
  GPtrArray *samples = encode (5, "byte-stream");
  GPtrArray *raw = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_sample_unref);
  GPtrArray *empty = g_ptr_array_new ();
  GstCaps *caps = gst_caps_from_string ("video/x-raw,format=I420,width=2,"
      "height=2,framerate=30/1");
  GstBuffer *b = gst_buffer_new_allocate (NULL, 6, NULL);
  gchar *path = g_build_filename (tmpdir, "clip.avi", NULL);
  GError *error = NULL;

  fail_if (memvideo_clip_write (samples, path, on_done, NULL, NULL, &error));
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  fail_unless (strstr (error->message, "clip.avi") != NULL);
  g_clear_error (&error);
  fail_if (memvideo_clip_write (samples, "noextension", on_done, NULL, NULL,
          &error));
  g_clear_error (&error);

  g_ptr_array_add (raw, gst_sample_new (b, caps, NULL, NULL));
  fail_if (memvideo_clip_write (raw, "x.mp4", on_done, NULL, NULL, &error));
  fail_unless (g_error_matches (error, GST_STREAM_ERROR,
          GST_STREAM_ERROR_FORMAT));
  fail_unless_equals_string (error->message, "video/x-raw samples are not "
      "encoded: put an encoder before memsink");
  g_clear_error (&error);

  fail_if (memvideo_clip_write (empty, "x.mp4", on_done, NULL, NULL, &error));
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  g_clear_error (&error);
  fail_unless_equals_int (count_dir_entries (), 0);

  gst_buffer_unref (b);
  gst_caps_unref (caps);
  g_free (path);
  g_ptr_array_unref (empty);
  g_ptr_array_unref (raw);
  g_ptr_array_unref (samples);
}

GST_END_TEST;

GST_START_TEST (test_clip_unwritable_directory)
{
  GPtrArray *samples = encode (5, "byte-stream");
  gchar *path = g_build_filename (tmpdir, "missing", "clip.mp4", NULL);
  GError *error = write_and_wait (samples, path, NULL);

  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_WRITE), "%s", error ? error->message : "");
  fail_unless (strstr (error->message, "missing") != NULL, "%s",
      error->message);
  g_error_free (error);
  g_free (path);
  g_ptr_array_unref (samples);
}

GST_END_TEST;

/* An old file at the location is replaced whole by the clip */
GST_START_TEST (test_clip_replaces_existing)
{
  GPtrArray *samples = encode (15, "byte-stream");
  gchar *path = g_build_filename (tmpdir, "clip.mkv", NULL);
  GError *error;

  fail_unless (g_file_set_contents (path, "old contents", -1, NULL));
  error = write_and_wait (samples, path, NULL);
  fail_unless (error == NULL);
  fail_unless_equals_int (count_frames (path, NULL), 15);
  fail_unless_equals_int (count_dir_entries (), 1);
  g_free (path);
  g_ptr_array_unref (samples);
}

GST_END_TEST;

static Suite *
clipwriter_suite (void)
{
  Suite *s = suite_create ("clipwriter");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_clip_refused);
  if (!mvt_h264_decoding_unavailable ()) {
    tcase_add_test (tc, test_clip_every_muxer_byte_stream);
    tcase_add_test (tc, test_clip_avc_input);
    tcase_add_test (tc, test_clip_unwritable_directory);
    tcase_add_test (tc, test_clip_replaces_existing);
  }

  return s;
}

GST_CHECK_MAIN (clipwriter);
