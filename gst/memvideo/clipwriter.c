/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "clipwriter.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/app/app.h>

static const struct
{
  const gchar *extension;
  const gchar *muxer;
} muxers[] = {
  {".mp4", "mp4mux"},
  {".mov", "qtmux"},
  {".mkv", "matroskamux"},
  {".ts", "mpegtsmux"},
};

static const struct
{
  const gchar *media_type;
  const gchar *parser;
} parsers[] = {
  {"video/x-h264", "h264parse"},
  {"video/x-h265", "h265parse"},
  {"video/mpeg", "mpeg4videoparse"},
  {"video/x-vp9", "vp9parse"},
  {"video/x-av1", "av1parse"},
  {"audio/mpeg", "aacparse"},
};

typedef struct
{
  GPtrArray *samples;           /* GstSample, references */
  gchar *location;
  gchar *muxer;
  MemvideoClipDoneFunc done;
  gpointer user_data;
  GDestroyNotify notify;
} Job;

const gchar *
memvideo_clip_muxer_for_location (const gchar * location)
{
  gchar *lower;
  const gchar *muxer = NULL;
  guint i;

  g_return_val_if_fail (location != NULL, NULL);

  lower = g_ascii_strdown (location, -1);
  for (i = 0; i < G_N_ELEMENTS (muxers); i++) {
    if (g_str_has_suffix (lower, muxers[i].extension))
      muxer = muxers[i].muxer;
  }
  g_free (lower);

  return muxer;
}

gboolean
memvideo_clip_check (const GstCaps * caps, const gchar * location,
    GError ** error)
{
  const gchar *muxer = memvideo_clip_muxer_for_location (location);
  GstElementFactory *factory;
  const gchar *name;

  if (muxer == NULL) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "no muxer for the extension of \"%s\" (.mp4, .mov, .mkv or .ts)",
        location);
    return FALSE;
  }
  if (caps == NULL || gst_caps_get_size (caps) == 0) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "the samples have no caps");
    return FALSE;
  }
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (g_str_has_suffix (name, "/x-raw")) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "%s samples are not encoded: put an encoder before memsink", name);
    return FALSE;
  }
  factory = gst_element_factory_find (muxer);
  if (factory == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "%s is not installed", muxer);
    return FALSE;
  }
  gst_object_unref (factory);

  return TRUE;
}

static const gchar *
parser_for_caps (GstCaps * caps)
{
  const gchar *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  guint i;

  for (i = 0; i < G_N_ELEMENTS (parsers); i++) {
    if (strcmp (name, parsers[i].media_type) == 0)
      return parsers[i].parser;
  }

  return NULL;
}

/* Running time of @ts in @segment, signed (a DTS may lie before the
 * segment's start); the timestamp itself in a segment of another format */
static gboolean
signed_time (const GstSegment * segment, GstClockTime ts, gint64 * out)
{
  guint64 rt;
  gint sign;

  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return FALSE;
  if (segment == NULL || segment->format != GST_FORMAT_TIME) {
    *out = ts;
    return TRUE;
  }
  sign = gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, ts, &rt);
  if (sign == 0)
    return FALSE;
  *out = sign > 0 ? (gint64) rt : -(gint64) rt;

  return TRUE;
}

static gint64
clip_base (GPtrArray * samples)
{
  gint64 base = G_MAXINT64, t;
  guint i;

  for (i = 0; i < samples->len; i++) {
    GstSample *s = g_ptr_array_index (samples, i);
    GstBuffer *b = gst_sample_get_buffer (s);
    const GstSegment *seg = gst_sample_get_segment (s);

    if (signed_time (seg, GST_BUFFER_PTS (b), &t))
      base = MIN (base, t);
    if (signed_time (seg, GST_BUFFER_DTS (b), &t))
      base = MIN (base, t);
  }

  return base == G_MAXINT64 ? 0 : base;
}

/* A buffer sharing @s's memories (no copy of the data: the muxer maps
 * them) with its timestamps rebased by @base. */
static GstBuffer *
rebased_buffer (GstSample * s, gint64 base)
{
  GstBuffer *src = gst_sample_get_buffer (s);
  const GstSegment *seg = gst_sample_get_segment (s);
  GstBuffer *buf = gst_buffer_new ();
  guint i, n = gst_buffer_n_memory (src);
  gint64 t;

  for (i = 0; i < n; i++)
    gst_buffer_append_memory (buf, gst_memory_ref (gst_buffer_peek_memory (src,
                i)));
  gst_buffer_copy_into (buf, src, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_META,
      0, -1);
  GST_BUFFER_PTS (buf) = signed_time (seg, GST_BUFFER_PTS (src), &t)
      ? (GstClockTime) MAX (t - base, 0) : GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (buf) = signed_time (seg, GST_BUFFER_DTS (src), &t)
      ? (GstClockTime) MAX (t - base, 0) : GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = GST_BUFFER_DURATION (src);
  GST_BUFFER_OFFSET (buf) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (buf) = GST_BUFFER_OFFSET_NONE;

  return buf;
}

static GstElement *
build_pipeline (Job * job, const gchar * tmp, GstElement ** src,
    GError ** error)
{
  GstSample *first = g_ptr_array_index (job->samples, 0);
  GstCaps *caps = gst_sample_get_caps (first);
  const gchar *parser_name = parser_for_caps (caps);
  GstElement *pipeline = gst_pipeline_new ("memvideo-clip");
  GstElement *parser = NULL, *mux, *sink;

  *src = gst_element_factory_make ("appsrc", NULL);
  mux = gst_element_factory_make (job->muxer, NULL);
  sink = gst_element_factory_make ("filesink", NULL);
  if (parser_name)
    parser = gst_element_factory_make (parser_name, NULL);
  if (*src == NULL || mux == NULL || sink == NULL)
    goto missing;
  g_object_set (*src, "format", GST_FORMAT_TIME, "max-bytes",
      (guint64) 0, "caps", caps, NULL);
  g_object_set (sink, "location", tmp, "async", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), *src, mux, sink, NULL);
  if (parser) {
    gst_bin_add (GST_BIN (pipeline), parser);
    if (!gst_element_link_many (*src, parser, mux, NULL))
      goto not_linked;
  } else if (!gst_element_link (*src, mux)) {
    goto not_linked;
  }
  if (!gst_element_link (mux, sink))
    goto not_linked;

  return pipeline;

missing:
  {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "appsrc, %s or filesink is not installed", job->muxer);
    gst_clear_object (src);
    gst_clear_object (&mux);
    gst_clear_object (&sink);
    gst_clear_object (&parser);
    gst_object_unref (pipeline);
    return NULL;
  }
not_linked:
  {
    gchar *s = gst_caps_to_string (caps);

    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "%s cannot hold %s", job->muxer, s);
    g_free (s);
    gst_object_unref (pipeline);
    return NULL;
  }
}

static void
push_samples (Job * job, GstElement * src)
{
  gint64 base = clip_base (job->samples);
  GstCaps *caps = NULL;
  guint i;

  for (i = 0; i < job->samples->len; i++) {
    GstSample *s = g_ptr_array_index (job->samples, i);
    GstCaps *c = gst_sample_get_caps (s);

    if (c && (caps == NULL || !gst_caps_is_equal (c, caps))) {
      gst_app_src_set_caps (GST_APP_SRC (src), c);
      caps = c;
    }
    if (gst_app_src_push_buffer (GST_APP_SRC (src),
            rebased_buffer (s, base)) != GST_FLOW_OK)
      break;
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
}

/* Runs the pipeline to EOS; FALSE with @error on an ERROR message. */
static gboolean
run_pipeline (Job * job, const gchar * tmp, GError ** error)
{
  GstElement *src, *pipeline = build_pipeline (job, tmp, &src, error);
  GstMessage *msg;
  GstBus *bus;
  gboolean ok = TRUE;

  if (pipeline == NULL)
    return FALSE;
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE)
    push_samples (job, src);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *e = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &e, &debug);
    g_set_error (error, e->domain, e->code, "%s (%s)", e->message,
        debug ? debug : "no details");
    g_error_free (e);
    g_free (debug);
    ok = FALSE;
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  return ok;
}

static gboolean
sync_file (const gchar * path, guint64 * size, GError ** error)
{
  GStatBuf st;
  gint fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fsync (fd) != 0 || fstat (fd, &st) != 0) {
    gint e = errno;

    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
        "syncing \"%s\": %s", path, g_strerror (e));
    if (fd >= 0)
      close (fd);
    return FALSE;
  }
  *size = st.st_size;
  close (fd);

  return TRUE;
}

/* The temporary file beside @location, created (and closed) so its name
 * is ours; NULL with @error when the directory cannot take it. */
static gchar *
make_temporary (const gchar * location, GError ** error)
{
  gchar *dir = g_path_get_dirname (location);
  gchar *base = g_path_get_basename (location);
  gchar *name = g_strdup_printf (".%s.XXXXXX", base);
  gchar *tmp = g_build_filename (dir, name, NULL);
  gint fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);

  if (fd < 0) {
    gint e = errno;

    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE,
        "creating a file in \"%s\": %s", dir, g_strerror (e));
    g_clear_pointer (&tmp, g_free);
  } else {
    close (fd);
  }
  g_free (dir);
  g_free (base);
  g_free (name);

  return tmp;
}

static gpointer
clip_thread (gpointer data)
{
  Job *job = data;
  GError *error = NULL;
  guint64 size = 0;
  gchar *tmp = make_temporary (job->location, &error);

  if (tmp && run_pipeline (job, tmp, &error)
      && sync_file (tmp, &size, &error)
      && g_rename (tmp, job->location) != 0) {
    gint e = errno;

    g_set_error (&error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
        "renaming \"%s\" to \"%s\": %s", tmp, job->location, g_strerror (e));
  }
  if (tmp && error)
    g_unlink (tmp);
  g_free (tmp);

  /* the samples go back first: whoever waits for @done may end the
   * program (or check for leaks) at once */
  g_clear_pointer (&job->samples, g_ptr_array_unref);
  job->done (job->location, size, error, job->user_data);
  if (job->notify)
    job->notify (job->user_data);
  g_clear_error (&error);
  g_free (job->location);
  g_free (job->muxer);
  g_free (job);

  return NULL;
}

gboolean
memvideo_clip_write (GPtrArray * samples, const gchar * location,
    MemvideoClipDoneFunc done, gpointer user_data, GDestroyNotify notify,
    GError ** error)
{
  Job *job;
  GThread *thread;
  guint i;

  g_return_val_if_fail (samples != NULL, FALSE);
  g_return_val_if_fail (location != NULL, FALSE);
  g_return_val_if_fail (done != NULL, FALSE);

  if (samples->len == 0) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "no samples to write to \"%s\"", location);
    return FALSE;
  }
  if (!memvideo_clip_check (gst_sample_get_caps (g_ptr_array_index (samples,
                  0)), location, error))
    return FALSE;

  job = g_new0 (Job, 1);
  job->samples = g_ptr_array_new_full (samples->len,
      (GDestroyNotify) gst_sample_unref);
  for (i = 0; i < samples->len; i++)
    g_ptr_array_add (job->samples,
        gst_sample_ref (g_ptr_array_index (samples, i)));
  job->location = g_strdup (location);
  job->muxer = g_strdup (memvideo_clip_muxer_for_location (location));
  job->done = done;
  job->user_data = user_data;
  job->notify = notify;

  thread = g_thread_new ("memvideo-clip", clip_thread, job);
  g_thread_unref (thread);

  return TRUE;
}
