/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * extract: write the keyframes of a video as JPEG files.
 *
 *   extract INPUT OUTDIR [--threshold T] [--interval SECONDS]
 *           [--max-memory BYTES] [--spill jpeg|raw] [--fast] [NAME=VALUE ...]
 *
 * NAME=VALUE arguments set any other keyframeselect property, e.g.
 * roi-width=1000 or settle-time=500000000 (in the element's units).
 *
 * Runs
 *
 *   uridecodebin ! videoconvert ! video/x-raw,format=I420
 *     ! keyframeselect ! memspill ! memsink mode=samples
 *
 * to the end of the input.  Every selected frame stays held in memsink, in
 * memspill's pageable memory: at most --max-memory bytes of them in RAM,
 * the rest spilled to an unlinked file.  At EOS the samples are pulled in
 * order, each one (reloaded from disk if it was spilled) is compressed
 * with TurboJPEG and written as OUTDIR/keyframe-NNNN.jpg, and
 * OUTDIR/index.json lists stream time (the position a player shows),
 * PTS, reason, score and file of each.
 *
 * While running, a progress bar on stderr shows position/duration, the
 * number of selected frames and the RAM and disk used by the spill pool.
 * When stderr is not a terminal a progress line is printed every two
 * seconds instead.  The summary goes to stdout.
 *
 * With --fast the keyframes come from the fast path (gst/memvideo/fastscan.h,
 * docs/design.md "The fast path"): only keyframes are decoded, and a GOP
 * only where its two keyframes differ; periodic selections fall on
 * keyframes.  The held pictures stay in RAM.  An input that cannot seek (a
 * pipe) or reference=previous falls back to the full path with one message.
 *
 * Exit codes:
 *   0  success (also when no frame was selected)
 *   1  the pipeline failed for another reason (e.g. the spill disk is full)
 *   2  bad command line: unknown option or an option value out of range
 *   3  INPUT does not exist or cannot be read
 *   4  INPUT is not a video GStreamer can decode
 *   5  OUTDIR cannot be created or written to
 *   6  a required element is missing (set GST_PLUGIN_PATH to the plugin)
 *   130 interrupted with Ctrl-C (the keyframes found so far are written)
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <turbojpeg.h>

#include "memvideo/fastscan.h"

enum
{
  EXIT_OK = 0,
  EXIT_PIPELINE = 1,
  EXIT_USAGE = 2,
  EXIT_INPUT_MISSING = 3,
  EXIT_INPUT_UNDECODABLE = 4,
  EXIT_OUTDIR = 5,
  EXIT_MISSING_ELEMENT = 6,
  EXIT_INTERRUPTED = 130
};

#define KEYFRAME_META_NAME "GstKeyframeSelectMeta"
#define OUTPUT_JPEG_QUALITY 92
#define DEFAULT_MAX_MEMORY (64 * 1024 * 1024)

typedef struct
{
  /* command line, validated */
  const gchar *input;
  const gchar *outdir;
  gboolean have_threshold;
  gdouble threshold;
  gboolean have_interval;
  GstClockTime interval;
  guint64 max_memory;
  const gchar *spill;
  gchar **properties;           /* NAME=VALUE for keyframeselect */
  gboolean fast;

  /* the pipeline; everything below is only touched from the main loop */
  GstElement *pipeline;
  GstElement *select;
  GstElement *spiller;
  GstElement *sink;
  GMainLoop *loop;
  gboolean have_video;
  gboolean interrupted;
  int exit_code;

  /* PTS of the last frame keyframeselect received: the progress through
   * the input (memsink only sees selected frames).  Guarded by lock. */
  GMutex lock;
  GstClockTime analysed;

  gboolean tty;
  gint64 start_time;
  gint64 last_line_time;
  guint64 peak_resident;
  guint64 peak_spilled;
} Extract;

static void
print_usage_hint (void)
{
  g_printerr ("Try 'extract --help' for more information.\n");
}

static gboolean
parse_double (const gchar * s, gdouble * out)
{
  gchar *end = NULL;
  gdouble v;

  if (s == NULL || *s == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtod (s, &end);
  if (errno != 0 || end == s || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

/* Bytes, with an optional binary suffix: 512K, 64M, 2G. */
static gboolean
parse_bytes (const gchar * s, guint64 * out)
{
  gchar *end = NULL;
  guint64 v, mult = 1;

  if (s == NULL || !g_ascii_isdigit (*s))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (s, &end, 10);
  if (errno != 0 || end == s)
    return FALSE;
  switch (*end) {
    case '\0':
      break;
    case 'k':
    case 'K':
      mult = 1024;
      end++;
      break;
    case 'm':
    case 'M':
      mult = 1024 * 1024;
      end++;
      break;
    case 'g':
    case 'G':
      mult = 1024 * 1024 * 1024;
      end++;
      break;
    default:
      return FALSE;
  }
  if (*end == 'i' && mult > 1)
    end++;
  if ((*end == 'B' || *end == 'b') && mult > 1)
    end++;
  if (*end != '\0' || (mult > 1 && v > G_MAXUINT64 / mult))
    return FALSE;
  *out = v * mult;
  return TRUE;
}

static gchar *
format_bytes (guint64 bytes)
{
  if (bytes >= 1024 * 1024 * 1024)
    return g_strdup_printf ("%.1f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  if (bytes >= 1024 * 1024)
    return g_strdup_printf ("%.1f MiB", bytes / (1024.0 * 1024.0));
  if (bytes >= 1024)
    return g_strdup_printf ("%.1f KiB", bytes / 1024.0);
  return g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes);
}

static gchar *
format_time (GstClockTime t)
{
  guint64 ms;

  if (!GST_CLOCK_TIME_IS_VALID (t))
    return g_strdup ("--:--:--.---");
  ms = t / GST_MSECOND;
  return g_strdup_printf ("%02u:%02u:%02u.%03u",
      (guint) (ms / 3600000), (guint) (ms / 60000 % 60),
      (guint) (ms / 1000 % 60), (guint) (ms % 1000));
}

static int
parse_command_line (Extract * ex, int argc, char **argv)
{
  gchar *threshold = NULL, *interval = NULL, *max_memory = NULL;
  gchar *spill = NULL;
  GOptionEntry entries[] = {
    {"threshold", 0, 0, G_OPTION_ARG_STRING, &threshold,
          "Change score (0-1) that selects a frame (default: the element's)",
        "T"},
    {"interval", 0, 0, G_OPTION_ARG_STRING, &interval,
          "Select a frame at least every SECONDS (0 = off; default: the "
          "element's, 30)",
        "SECONDS"},
    {"max-memory", 0, 0, G_OPTION_ARG_STRING, &max_memory,
          "RAM budget for held keyframes in bytes, suffixes K, M, G "
          "allowed (default: 64M)",
        "BYTES"},
    {"spill", 0, 0, G_OPTION_ARG_STRING, &spill,
          "How frames beyond the budget go to disk: raw or jpeg (default: raw)",
        "FORMAT"},
    {"fast", 0, 0, G_OPTION_ARG_NONE, &ex->fast,
        "Decode only keyframes, and a GOP only where it changes "
          "(seekable files; periodic selections on keyframes)", NULL},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  GPtrArray *props;
  gint i, n_pos;
  int ret = EXIT_OK;

  ctx = g_option_context_new ("INPUT OUTDIR [NAME=VALUE ...]");
  g_option_context_set_summary (ctx,
      "Select the keyframes of a video (visual change plus a periodic "
      "heartbeat),\nhold them under a RAM budget and write them to OUTDIR "
      "as JPEG files\nplus index.json.  NAME=VALUE sets any other "
      "keyframeselect property\n(e.g. roi-width=1000, settle-time=500000000; "
      "sizes in bytes, times in ns).");
  g_option_context_set_description (ctx,
      "Exit codes: 0 success, 1 pipeline error, 2 bad command line, "
      "3 INPUT missing\nor unreadable, 4 INPUT not a decodable video, "
      "5 OUTDIR not writable,\n6 a required GStreamer element is missing, "
      "130 interrupted.\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());

  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("extract: %s\n", err->message);
    print_usage_hint ();
    g_clear_error (&err);
    ret = EXIT_USAGE;
    goto done;
  }
  n_pos = 0;
  for (i = 1; i < argc; i++)
    if (strchr (argv[i], '=') == NULL)
      n_pos++;
  if (n_pos != 2) {
    g_printerr ("extract: expected INPUT and OUTDIR, got %d argument%s\n",
        n_pos, n_pos == 1 ? "" : "s");
    print_usage_hint ();
    ret = EXIT_USAGE;
    goto done;
  }
  props = g_ptr_array_new ();
  for (i = 1; i < argc; i++) {
    if (strchr (argv[i], '=') != NULL)
      g_ptr_array_add (props, g_strdup (argv[i]));
    else if (ex->input == NULL)
      ex->input = argv[i];
    else
      ex->outdir = argv[i];
  }
  g_ptr_array_add (props, NULL);
  ex->properties = (gchar **) g_ptr_array_free (props, FALSE);

  if (threshold != NULL) {
    if (!parse_double (threshold, &ex->threshold) || ex->threshold < 0.0
        || ex->threshold > 1.0) {
      g_printerr ("extract: --threshold '%s': expected a number from 0 to 1"
          " (the fraction of the picture that changed)\n", threshold);
      ret = EXIT_USAGE;
      goto done;
    }
    ex->have_threshold = TRUE;
  }
  if (interval != NULL) {
    gdouble secs;

    if (!parse_double (interval, &secs) || secs < 0.0 || secs > 1e9) {
      g_printerr ("extract: --interval '%s': expected seconds, 0 or more"
          " (0 turns the periodic selection off)\n", interval);
      ret = EXIT_USAGE;
      goto done;
    }
    ex->interval = (GstClockTime) llround (secs * GST_SECOND);
    ex->have_interval = TRUE;
  }
  ex->max_memory = DEFAULT_MAX_MEMORY;
  if (max_memory != NULL && !parse_bytes (max_memory, &ex->max_memory)) {
    g_printerr ("extract: --max-memory '%s': expected bytes, e.g. 67108864,"
        " 65536K, 64M or 1G\n", max_memory);
    ret = EXIT_USAGE;
    goto done;
  }
  ex->spill = "raw";
  if (spill != NULL) {
    if (strcmp (spill, "raw") != 0 && strcmp (spill, "jpeg") != 0) {
      g_printerr ("extract: --spill '%s': expected raw or jpeg\n", spill);
      ret = EXIT_USAGE;
      goto done;
    }
    ex->spill = g_intern_string (spill);
  }

done:
  g_free (threshold);
  g_free (interval);
  g_free (max_memory);
  g_free (spill);
  g_option_context_free (ctx);
  return ret;
}

static int
check_input (Extract * ex, gchar ** uri)
{
  GError *err = NULL;

  if (gst_uri_is_valid (ex->input) && !g_str_has_prefix (ex->input, "file:")) {
    *uri = g_strdup (ex->input);
    return EXIT_OK;
  }
  if (gst_uri_is_valid (ex->input)) {
    gchar *path = g_filename_from_uri (ex->input, NULL, NULL);

    if (path == NULL) {
      g_printerr ("extract: %s: not a valid file URI\n", ex->input);
      return EXIT_INPUT_MISSING;
    }
    ex->input = g_intern_string (path);
    g_free (path);
  }
  if (!g_file_test (ex->input, G_FILE_TEST_EXISTS)) {
    g_printerr ("extract: %s: no such file\n", ex->input);
    return EXIT_INPUT_MISSING;
  }
  if (g_file_test (ex->input, G_FILE_TEST_IS_DIR)) {
    g_printerr ("extract: %s: is a directory, expected a video file\n",
        ex->input);
    return EXIT_INPUT_MISSING;
  }
  if (g_access (ex->input, R_OK) != 0) {
    g_printerr ("extract: %s: cannot be read: %s\n", ex->input,
        g_strerror (errno));
    return EXIT_INPUT_MISSING;
  }
  *uri = gst_filename_to_uri (ex->input, &err);
  if (*uri == NULL) {
    g_printerr ("extract: %s: %s\n", ex->input, err->message);
    g_clear_error (&err);
    return EXIT_INPUT_MISSING;
  }
  return EXIT_OK;
}

/* Creates OUTDIR if needed, proves it is writable with a scratch file and
 * removes keyframe files left by an earlier run, so that OUTDIR holds
 * exactly this run's keyframes afterwards. */
static int
prepare_outdir (Extract * ex)
{
  gchar *probe;
  GDir *dir;
  gint fd;

  if (g_mkdir_with_parents (ex->outdir, 0755) != 0) {
    g_printerr ("extract: cannot create output directory %s: %s\n",
        ex->outdir, g_strerror (errno));
    return EXIT_OUTDIR;
  }
  probe = g_build_filename (ex->outdir, ".extract-XXXXXX", NULL);
  fd = g_mkstemp (probe);
  if (fd < 0) {
    g_printerr ("extract: cannot write to output directory %s: %s\n",
        ex->outdir, g_strerror (errno));
    g_free (probe);
    return EXIT_OUTDIR;
  }
  close (fd);
  g_unlink (probe);
  g_free (probe);

  dir = g_dir_open (ex->outdir, 0, NULL);
  if (dir != NULL) {
    const gchar *name;

    while ((name = g_dir_read_name (dir)) != NULL) {
      if (g_str_has_prefix (name, "keyframe-")
          && g_str_has_suffix (name, ".jpg")) {
        gchar *path = g_build_filename (ex->outdir, name, NULL);

        g_unlink (path);
        g_free (path);
      }
    }
    g_dir_close (dir);
  }
  return EXIT_OK;
}

static GstElement *
make_element (const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (e == NULL) {
    g_printerr ("extract: GStreamer element '%s' is not installed", factory);
    if (g_str_equal (factory, "keyframeselect")
        || g_str_equal (factory, "memspill")
        || g_str_equal (factory, "memsink"))
      g_printerr (": build gst-memvideo and run with "
          "GST_PLUGIN_PATH=<source dir>/build/plugins, or meson install it");
    g_printerr ("\n");
  }
  return e;
}

static void
on_pad_added (GstElement * decodebin, GstPad * pad, gpointer user_data)
{
  GstElement *convert = user_data;
  GstPad *sinkpad;
  GstCaps *caps;
  const gchar *media;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  media = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (g_str_has_prefix (media, "video/")) {
    sinkpad = gst_element_get_static_pad (convert, "sink");
    if (!gst_pad_is_linked (sinkpad))
      gst_pad_link (pad, sinkpad);
    gst_object_unref (sinkpad);
  }
  gst_caps_unref (caps);
}

/* Runs in a streaming thread: tell the main loop through the bus. */
static void
on_no_more_pads (GstElement * decodebin, gpointer user_data)
{
  GstElement *convert = user_data;
  GstPad *sinkpad = gst_element_get_static_pad (convert, "sink");

  if (!gst_pad_is_linked (sinkpad)) {
    gst_element_post_message (decodebin,
        gst_message_new_application (GST_OBJECT (decodebin),
            gst_structure_new_empty ("extract-no-video")));
  }
  gst_object_unref (sinkpad);
}

/* NAME=VALUE arguments: any keyframeselect property, checked the way
 * gst-launch-1.0 would parse it, but refusing unknown names and values out
 * of range instead of warning. */
static gboolean
set_properties (Extract * ex)
{
  gchar **p;

  for (p = ex->properties; p != NULL && *p != NULL; p++) {
    gchar **kv = g_strsplit (*p, "=", 2);
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS
        (ex->select), kv[0]);
    GValue v = G_VALUE_INIT;
    gboolean ok = FALSE;

    if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE)) {
      g_printerr ("extract: '%s': keyframeselect has no writable property "
          "'%s' (see gst-inspect-1.0 keyframeselect)\n", *p, kv[0]);
    } else {
      g_value_init (&v, pspec->value_type);
      if (!gst_value_deserialize_with_pspec (&v, kv[1], pspec)
          || g_param_value_validate (pspec, &v))
        g_printerr ("extract: '%s': not a valid value for keyframeselect's "
            "%s (%s)\n", *p, kv[0], g_param_spec_get_blurb (pspec));
      else
        ok = TRUE;
      if (ok)
        g_object_set_property (G_OBJECT (ex->select), kv[0], &v);
      g_value_unset (&v);
    }
    g_strfreev (kv);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* Runs in the streaming thread for every decoded frame. */
static GstPadProbeReturn
on_frame (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Extract *ex = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  if (GST_BUFFER_PTS_IS_VALID (buf)) {
    g_mutex_lock (&ex->lock);
    ex->analysed = GST_BUFFER_PTS (buf);
    g_mutex_unlock (&ex->lock);
  }
  return GST_PAD_PROBE_OK;
}

static int
build_pipeline (Extract * ex, const gchar * uri)
{
  GstElement *src, *convert, *filter;
  GstCaps *caps;
  GstPad *pad;

  ex->pipeline = gst_pipeline_new ("extract");
  src = make_element ("uridecodebin", "src");
  convert = make_element ("videoconvert", "convert");
  filter = make_element ("capsfilter", "i420");
  ex->select = make_element ("keyframeselect", "select");
  ex->spiller = make_element ("memspill", "spill");
  ex->sink = make_element ("memsink", "sink");
  if (!src || !convert || !filter || !ex->select || !ex->spiller || !ex->sink) {
    g_clear_object (&src);
    g_clear_object (&convert);
    g_clear_object (&filter);
    g_clear_object (&ex->select);
    g_clear_object (&ex->spiller);
    g_clear_object (&ex->sink);
    return EXIT_MISSING_ELEMENT;
  }

  g_object_set (src, "uri", uri, NULL);
  /* I420: the layout TurboJPEG compresses straight from the planes, both
   * when memspill spills as JPEG and when the keyframes are written. */
  caps = gst_caps_from_string ("video/x-raw,format=I420");
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  if (ex->have_threshold)
    g_object_set (ex->select, "threshold", ex->threshold, NULL);
  if (ex->have_interval)
    g_object_set (ex->select, "interval", (guint64) ex->interval, NULL);
  gst_util_set_object_arg (G_OBJECT (ex->spiller), "spill-format", ex->spill);
  g_object_set (ex->spiller, "max-memory", ex->max_memory, NULL);
  /* Held frames arrive already pageable, so memsink keeps them in
   * memspill's pool (its own budget only matters for other buffers). */
  gst_util_set_object_arg (G_OBJECT (ex->sink), "mode", "samples");
  g_object_set (ex->sink, "max-memory", ex->max_memory, NULL);
  if (!set_properties (ex))
    return EXIT_USAGE;

  gst_bin_add_many (GST_BIN (ex->pipeline), src, convert, filter, ex->select,
      ex->spiller, ex->sink, NULL);
  if (!gst_element_link_many (convert, filter, ex->select, ex->spiller,
          ex->sink, NULL)) {
    g_printerr ("extract: could not link videoconvert ! keyframeselect ! "
        "memspill ! memsink\n");
    return EXIT_PIPELINE;
  }
  pad = gst_element_get_static_pad (ex->select, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, ex, NULL);
  gst_object_unref (pad);
  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad_added), convert);
  g_signal_connect (src, "no-more-pads", G_CALLBACK (on_no_more_pads), convert);
  return EXIT_OK;
}

static void
get_pool_stats (Extract * ex, guint64 * resident, guint64 * spilled)
{
  g_object_get (ex->spiller, "resident-bytes", resident, "spilled-bytes",
      spilled, NULL);
  ex->peak_resident = MAX (ex->peak_resident, *resident);
  ex->peak_spilled = MAX (ex->peak_spilled, *spilled);
}

static void
print_progress (Extract * ex, gboolean final)
{
  gint64 pos = -1, dur = -1;
  guint64 selected = 0, resident = 0, spilled = 0;
  gchar *spos, *sdur, *sram, *sdisk, *bar;
  gint64 now = g_get_monotonic_time ();

  if (!ex->tty && !final && now - ex->last_line_time < 2 * G_USEC_PER_SEC)
    return;
  ex->last_line_time = now;

  g_mutex_lock (&ex->lock);
  if (GST_CLOCK_TIME_IS_VALID (ex->analysed))
    pos = (gint64) ex->analysed;
  g_mutex_unlock (&ex->lock);
  gst_element_query_duration (ex->pipeline, GST_FORMAT_TIME, &dur);
  if (final && dur > 0)
    pos = dur;
  g_object_get (ex->select, "frames-selected", &selected, NULL);
  get_pool_stats (ex, &resident, &spilled);

  spos = format_time (pos >= 0 ? (GstClockTime) pos : GST_CLOCK_TIME_NONE);
  sdur = format_time (dur > 0 ? (GstClockTime) dur : GST_CLOCK_TIME_NONE);
  sram = format_bytes (resident);
  sdisk = format_bytes (spilled);

  if (ex->tty) {
    const gint width = 24;
    gint filled = 0;

    if (dur > 0 && pos >= 0)
      filled = (gint) MIN (width, (pos * width) / dur);
    bar = g_strnfill (width, '.');
    memset (bar, '#', filled);
    /* \r and erase-to-end-of-line redraw the bar in place */
    g_printerr ("\r\033[K[%s] %s / %s  selected %" G_GUINT64_FORMAT
        "  RAM %s  disk %s%s", bar, spos, sdur, selected, sram, sdisk,
        final ? "\n" : "");
    g_free (bar);
  } else {
    g_printerr ("extract: %s / %s, %" G_GUINT64_FORMAT
        " selected, RAM %s, disk %s\n", spos, sdur, selected, sram, sdisk);
  }
  g_free (spos);
  g_free (sdur);
  g_free (sram);
  g_free (sdisk);
}

static gboolean
on_progress_timer (gpointer user_data)
{
  print_progress (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  Extract *ex = user_data;

  if (ex->interrupted) {
    /* second Ctrl-C: give up at once */
    g_main_loop_quit (ex->loop);
    return G_SOURCE_REMOVE;
  }
  ex->interrupted = TRUE;
  if (ex->tty)
    g_printerr ("\n");
  g_printerr ("extract: interrupted, writing the keyframes found so far "
      "(Ctrl-C again to quit at once)\n");
  gst_element_send_event (ex->pipeline, gst_event_new_eos ());
  return G_SOURCE_CONTINUE;
}

static int
exit_code_for_error (Extract * ex, GstMessage * msg, const GError * err)
{
  GstObject *src = GST_MESSAGE_SRC (msg);

  if (err->domain == GST_RESOURCE_ERROR) {
    /* a resource error upstream of the decoder is about INPUT */
    if (src != NULL && src != GST_OBJECT (ex->select)
        && src != GST_OBJECT (ex->spiller) && src != GST_OBJECT (ex->sink)
        && (err->code == GST_RESOURCE_ERROR_NOT_FOUND
            || err->code == GST_RESOURCE_ERROR_OPEN_READ
            || err->code == GST_RESOURCE_ERROR_READ))
      return EXIT_INPUT_MISSING;
    return EXIT_PIPELINE;
  }
  if (err->domain == GST_STREAM_ERROR) {
    switch (err->code) {
      case GST_STREAM_ERROR_TYPE_NOT_FOUND:
      case GST_STREAM_ERROR_WRONG_TYPE:
      case GST_STREAM_ERROR_CODEC_NOT_FOUND:
      case GST_STREAM_ERROR_DECODE:
      case GST_STREAM_ERROR_DEMUX:
      case GST_STREAM_ERROR_FORMAT:
        return EXIT_INPUT_UNDECODABLE;
      default:
        return EXIT_PIPELINE;
    }
  }
  if (err->domain == GST_CORE_ERROR
      && err->code == GST_CORE_ERROR_MISSING_PLUGIN)
    return EXIT_INPUT_UNDECODABLE;
  return EXIT_PIPELINE;
}

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  Extract *ex = user_data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      if (ex->tty)
        g_printerr ("\n");
      g_printerr ("extract: %s: %s\n", ex->input, err->message);
      if (dbg != NULL)
        g_printerr ("extract: (details: %s)\n", dbg);
      ex->exit_code = exit_code_for_error (ex, msg, err);
      g_clear_error (&err);
      g_free (dbg);
      g_main_loop_quit (ex->loop);
      break;
    }
    case GST_MESSAGE_APPLICATION:
      if (gst_message_has_name (msg, "extract-no-video")) {
        if (ex->tty)
          g_printerr ("\n");
        g_printerr ("extract: %s: has no video stream\n", ex->input);
        ex->exit_code = EXIT_INPUT_UNDECODABLE;
        g_main_loop_quit (ex->loop);
      }
      break;
    case GST_MESSAGE_EOS:
      print_progress (ex, TRUE);
      g_main_loop_quit (ex->loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gchar *
json_escape (const gchar * s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++) {
    guchar c = (guchar) * s;

    if (c == '"' || c == '\\')
      g_string_append_printf (out, "\\%c", c);
    else if (c < 0x20)
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_c (out, c);
  }
  return g_string_free (out, FALSE);
}

/* The selection result memspill and memsink carried along with the frame:
 * score, reason and input frame index from keyframeselect's meta. */
static void
read_selection (GstBuffer * buf, gdouble * score, gchar ** reason,
    guint64 * frame, GstClockTime * stream_time)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, KEYFRAME_META_NAME);
  GstStructure *s;
  const GValue *v;

  *score = -1.0;
  *reason = g_strdup ("unknown");
  *frame = G_MAXUINT64;
  /* the position a player shows; the PTS when the meta has none */
  *stream_time = GST_BUFFER_PTS (buf);
  if (meta == NULL)
    return;
  s = gst_custom_meta_get_structure (meta);
  gst_structure_get_uint64 (s, "stream-time", stream_time);
  gst_structure_get_double (s, "score", score);
  v = gst_structure_get_value (s, "reason");
  if (v != NULL) {
    g_free (*reason);
    *reason = G_VALUE_HOLDS_STRING (v) ? g_value_dup_string (v)
        : gst_value_serialize (v);
  }
  v = gst_structure_get_value (s, "frame");
  if (v != NULL) {
    GValue u = G_VALUE_INIT;

    g_value_init (&u, G_TYPE_UINT64);
    if (g_value_transform (v, &u))
      *frame = g_value_get_uint64 (&u);
    g_value_unset (&u);
  }
}

static void
count_reason (GPtrArray * reasons, GArray * counts, const gchar * reason)
{
  guint i, one = 1;

  for (i = 0; i < reasons->len; i++) {
    if (g_str_equal (g_ptr_array_index (reasons, i), reason)) {
      g_array_index (counts, guint, i)++;
      return;
    }
  }
  g_ptr_array_add (reasons, g_strdup (reason));
  g_array_append_val (counts, one);
}

/* Compresses one I420 frame with TurboJPEG straight from its planes,
 * honouring the strides of the (possibly reloaded) memory. */
static gboolean
write_jpeg (tjhandle tj, GstSample * sample, const gchar * path,
    GError ** error)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo info;
  GstVideoFrame frame;
  const unsigned char *planes[3];
  int strides[3];
  unsigned char *jpeg = NULL;
  unsigned long jpeg_size = 0;
  gboolean ok;
  guint i;

  if (caps == NULL || !gst_video_info_from_caps (&info, caps)
      || GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_I420) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "sample is not I420 video");
    return FALSE;
  }
  /* Mapping a spilled frame reloads it from the spill file. */
  if (!gst_video_frame_map (&frame, &info, buf, GST_MAP_READ)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
        "could not map the frame (reload from the spill file failed)");
    return FALSE;
  }
  for (i = 0; i < 3; i++) {
    planes[i] = GST_VIDEO_FRAME_PLANE_DATA (&frame, i);
    strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, i);
  }
  ok = tjCompressFromYUVPlanes (tj, planes, GST_VIDEO_INFO_WIDTH (&info),
      strides, GST_VIDEO_INFO_HEIGHT (&info), TJSAMP_420, &jpeg, &jpeg_size,
      OUTPUT_JPEG_QUALITY, 0) == 0;
  gst_video_frame_unmap (&frame);
  if (!ok) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_ENCODE,
        "JPEG compression failed: %s", tjGetErrorStr2 (tj));
    tjFree (jpeg);
    return FALSE;
  }
  ok = g_file_set_contents (path, (const gchar *) jpeg, jpeg_size, error);
  tjFree (jpeg);
  return ok;
}

/* Entry @n (from 1) of index.json. */
static void
append_entry (GString * index, guint n, GstClockTime st, GstClockTime pts,
    const gchar * reason, gdouble score, guint64 frame, const gchar * name)
{
  gchar *reason_json = json_escape (reason);

  g_string_append_printf (index, "%s\n    {\"time\": %.6f, \"stream_time\": %"
      G_GUINT64_FORMAT ", \"pts\": %" G_GUINT64_FORMAT ", \"reason\": "
      "\"%s\", \"score\": %.6f, ", n > 1 ? "," : "",
      GST_CLOCK_TIME_IS_VALID (st) ? (gdouble) st / GST_SECOND : -1.0,
      GST_CLOCK_TIME_IS_VALID (st) ? st : 0,
      GST_CLOCK_TIME_IS_VALID (pts) ? pts : 0, reason_json, score);
  if (frame != G_MAXUINT64)
    g_string_append_printf (index, "\"frame\": %" G_GUINT64_FORMAT ", ", frame);
  g_string_append_printf (index, "\"file\": \"%s\"}", name);
  g_free (reason_json);
}

/* --fast: keyframeselect's settings (defaults, --threshold, --interval,
 * NAME=VALUE) for the fast path. */
static void
fast_params (Extract * ex, MemvideoFastScanParams * p)
{
  guint roi_x, roi_y, roi_w, roi_h;
  gint metric, reference;

  memvideo_fast_scan_params_init (p);
  g_object_get (ex->select, "threshold", &p->params.threshold,
      "noise-level", &p->params.noise_level, "interval", &p->params.interval,
      "min-interval", &p->params.min_interval, "settle-time",
      &p->params.settle_time, "max-selected", &p->params.max_selected,
      "metric", &metric, "reference", &reference, "analysis-width",
      &p->analysis_width, "roi-x", &roi_x, "roi-y", &roi_y, "roi-width",
      &roi_w, "roi-height", &roi_h, NULL);
  p->params.metric = metric;
  p->params.reference = reference;
  p->roi.x = roi_x;
  p->roi.y = roi_y;
  p->roi.width = roi_w;
  p->roi.height = roi_h;
}

/* --fast: the selections written as the full path writes them; -1 when the
 * input needs the full path (after saying so once). */
static int
write_fast (Extract * ex, const gchar * uri)
{
  MemvideoFastScanParams params;
  MemvideoFastScanResult *res;
  GString *index = g_string_new (NULL);
  tjhandle tj;
  GError *err = NULL;
  gchar *path, *input_json;
  guint i;
  int ret = EXIT_OK;

  fast_params (ex, &params);
  res = memvideo_fast_scan (uri, &params, &err);
  if (res == NULL) {
    gboolean fallback = err->domain == MEMVIDEO_FAST_SCAN_ERROR &&
        (err->code == MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE ||
        err->code == MEMVIDEO_FAST_SCAN_ERROR_UNSUPPORTED);

    g_printerr ("extract: --fast: %s%s\n", err->message,
        fallback ? "; decoding every frame instead" : "");
    ret = fallback ? -1 : err->code == MEMVIDEO_FAST_SCAN_ERROR_NO_VIDEO ?
        EXIT_INPUT_UNDECODABLE : EXIT_PIPELINE;
    g_clear_error (&err);
    g_string_free (index, TRUE);
    return ret;
  }
  if (res->long_gop)
    g_printerr ("extract: --fast: keyframes up to %.1f s apart: a change "
        "shorter than that may be missed\n",
        (gdouble) res->longest_gop / GST_SECOND);

  tj = tjInitCompress ();
  input_json = json_escape (ex->input);
  g_string_append_printf (index, "{\n  \"input\": \"%s\",\n  \"fast\": true,"
      "\n  \"frames_in\": %" G_GUINT64_FORMAT ",\n  \"keyframes\": [",
      input_json, res->keyframes + res->gop_frames);
  g_free (input_json);
  for (i = 0; i < res->selections->len && ret == EXIT_OK; i++) {
    MemvideoFastSelection *sel = &g_array_index (res->selections,
        MemvideoFastSelection, i);
    const gchar *reason = memvideo_keyframe_reason_name (sel->reason);
    gchar *name = g_strdup_printf ("keyframe-%04u.jpg", i + 1);

    path = g_build_filename (ex->outdir, name, NULL);
    if (!write_jpeg (tj, sel->sample, path, &err)) {
      g_printerr ("extract: %s: %s\n", path, err->message);
      ret = (err->domain == G_FILE_ERROR) ? EXIT_OUTDIR : EXIT_PIPELINE;
      g_clear_error (&err);
    }
    append_entry (index, i + 1, sel->stream_time, sel->pts, reason,
        sel->score, sel->frame, name);
    g_free (path);
    g_free (name);
  }
  g_string_append (index, i > 0 ? "\n  ]\n}\n" : "]\n}\n");
  path = g_build_filename (ex->outdir, "index.json", NULL);
  if (ret == EXIT_OK && !g_file_set_contents (path, index->str, index->len,
          &err)) {
    g_printerr ("extract: %s: %s\n", path, err->message);
    g_clear_error (&err);
    ret = EXIT_OUTDIR;
  }
  if (ret == EXIT_OK)
    g_print ("extract: %u keyframes (fast: %" G_GUINT64_FORMAT " keyframes "
        "and %" G_GUINT64_FORMAT " frames of %u GOPs decoded) in %.1f s\n",
        res->selections->len, res->keyframes, res->gop_frames, res->gops,
        (g_get_monotonic_time () - ex->start_time) / (gdouble) G_USEC_PER_SEC);
  g_free (path);
  tjDestroy (tj);
  g_string_free (index, TRUE);
  memvideo_fast_scan_result_free (res);
  return ret;
}

/* Pulls the held keyframes in order, writes each as a JPEG file and the
 * index.  Each sample is released once written, so its memory (RAM or
 * spill file) is freed while the next one is reloaded. */
static int
write_keyframes (Extract * ex)
{
  GString *index = g_string_new (NULL);
  /* counts per reason, in the order the reasons are first seen */
  GArray *counts = g_array_new (FALSE, TRUE, sizeof (guint));
  GPtrArray *reasons = g_ptr_array_new_with_free_func (g_free);
  tjhandle tj = tjInitCompress ();
  gchar *path, *input_json;
  GError *err = NULL;
  guint64 frames_in = 0;
  guint n = 0;
  int ret = EXIT_OK;

  g_object_get (ex->select, "frames-in", &frames_in, NULL);
  input_json = json_escape (ex->input);
  g_string_append_printf (index, "{\n  \"input\": \"%s\",\n"
      "  \"frames_in\": %" G_GUINT64_FORMAT ",\n  \"keyframes\": [",
      input_json, frames_in);
  g_free (input_json);

  g_print ("%-4s  %-12s  %-9s  %-6s  %s\n", "#", "time", "reason", "score",
      "file");
  for (;;) {
    GstSample *sample = NULL;
    GstBuffer *buf;
    gchar *name, *reason, *stime;
    gdouble score;
    guint64 frame;
    GstClockTime pts, st;

    g_signal_emit_by_name (ex->sink, "try-pull-sample", (guint64) 0, &sample);
    if (sample == NULL)
      break;
    buf = gst_sample_get_buffer (sample);
    pts = GST_BUFFER_PTS (buf);
    read_selection (buf, &score, &reason, &frame, &st);
    n++;
    name = g_strdup_printf ("keyframe-%04u.jpg", n);
    path = g_build_filename (ex->outdir, name, NULL);
    if (!write_jpeg (tj, sample, path, &err)) {
      g_printerr ("extract: %s: %s\n", path, err->message);
      ret = (err->domain == G_FILE_ERROR) ? EXIT_OUTDIR : EXIT_PIPELINE;
      g_clear_error (&err);
      g_free (path);
      g_free (name);
      g_free (reason);
      gst_sample_unref (sample);
      break;
    }
    count_reason (reasons, counts, reason);

    append_entry (index, n, st, pts, reason, score, frame, name);

    stime = format_time (st);
    g_print ("%-4u  %-12s  %-9s  %6.3f  %s\n", n, stime, reason, score, name);
    g_free (stime);
    g_free (path);
    g_free (name);
    g_free (reason);
    gst_sample_unref (sample);
  }
  g_string_append (index, n > 0 ? "\n  ]\n}\n" : "]\n}\n");

  if (ret == EXIT_OK) {
    path = g_build_filename (ex->outdir, "index.json", NULL);
    if (!g_file_set_contents (path, index->str, index->len, &err)) {
      g_printerr ("extract: %s: %s\n", path, err->message);
      g_clear_error (&err);
      ret = EXIT_OUTDIR;
    }
    g_free (path);
  }

  if (ret == EXIT_OK) {
    GString *text = g_string_new (NULL);
    guint i;
    guint64 spills = 0, reloads = 0;
    gchar *budget = format_bytes (ex->max_memory);
    gchar *peak_ram = format_bytes (ex->peak_resident);
    gchar *peak_disk = format_bytes (ex->peak_spilled);

    for (i = 0; i < reasons->len; i++)
      g_string_append_printf (text, "%s%s %u", i ? ", " : "",
          (const gchar *) g_ptr_array_index (reasons, i),
          g_array_index (counts, guint, i));
    g_object_get (ex->spiller, "spills", &spills, "reloads", &reloads, NULL);
    g_print ("\nextract: %u keyframes from %" G_GUINT64_FORMAT
        " frames in %.1f s%s%s%s\n", n, frames_in,
        (g_get_monotonic_time () - ex->start_time) / (gdouble) G_USEC_PER_SEC,
        text->len ? " (" : "", text->str, text->len ? ")" : "");
    g_print ("extract: spill pool: budget %s, peak RAM %s, peak disk %s, "
        "%" G_GUINT64_FORMAT " spills, %" G_GUINT64_FORMAT " reloads (%s)\n",
        budget, peak_ram, peak_disk, spills, reloads, ex->spill);
    g_print ("extract: JPEG files and index.json are in %s\n", ex->outdir);
    g_string_free (text, TRUE);
    g_free (budget);
    g_free (peak_ram);
    g_free (peak_disk);
  }

  tjDestroy (tj);
  g_ptr_array_unref (reasons);
  g_array_unref (counts);
  g_string_free (index, TRUE);
  return ret;
}

int
main (int argc, char **argv)
{
  Extract ex = { 0, };
  gchar *uri = NULL;
  GstBus *bus;
  guint progress_id, sigint_id;
  int ret;

  g_mutex_init (&ex.lock);
  ex.analysed = GST_CLOCK_TIME_NONE;
  ret = parse_command_line (&ex, argc, argv);
  if (ret != EXIT_OK)
    return ret;
  ret = check_input (&ex, &uri);
  if (ret != EXIT_OK)
    return ret;
  ret = build_pipeline (&ex, uri);
  if (ret == EXIT_OK)
    ret = prepare_outdir (&ex);
  if (ret != EXIT_OK)
    goto out;

  ex.tty = isatty (STDERR_FILENO);
  ex.start_time = g_get_monotonic_time ();
  if (ex.fast) {
    ret = write_fast (&ex, uri);
    if (ret != -1) {
      gst_object_unref (ex.pipeline);
      ex.pipeline = NULL;
      goto out;
    }
    ret = EXIT_OK;
  }
  ex.last_line_time = ex.start_time;
  ex.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (ex.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &ex);
  progress_id = g_timeout_add (ex.tty ? 200 : 500, on_progress_timer, &ex);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &ex);

  if (gst_element_set_state (ex.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* the error message on the bus says why */
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    ex.exit_code = EXIT_PIPELINE;
    if (msg != NULL) {
      on_bus_message (bus, msg, &ex);
      gst_message_unref (msg);
    } else {
      g_printerr ("extract: the pipeline could not start\n");
    }
  } else {
    g_main_loop_run (ex.loop);
  }
  g_source_remove (progress_id);
  g_source_remove (sigint_id);

  ret = ex.exit_code;
  if (ret == EXIT_OK) {
    ret = write_keyframes (&ex);
    if (ret == EXIT_OK && ex.interrupted)
      ret = EXIT_INTERRUPTED;
  }

  gst_element_set_state (ex.pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (ex.pipeline);
  g_main_loop_unref (ex.loop);
out:
  if (ex.pipeline != NULL && ret != EXIT_OK && ex.loop == NULL)
    gst_object_unref (ex.pipeline);
  g_strfreev (ex.properties);
  g_free (uri);
  g_mutex_clear (&ex.lock);
  /* lets GST_TRACERS=leaks report anything left alive */
  gst_deinit ();
  return ret;
}
