/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Pre-event recording under a long live stream (tests/bench/event.sh):
 * a simulated 1080p30 H.264 camera (one real GOP of x264enc output at
 * 4 Mbit/s, of noise so that the bitrate is reached, its
 * frames pushed again and again with running timestamps, as fast as the
 * sink takes them) into SINK, for MINUTES of stream time.  memsink runs
 * with max-age=60 s and a save (30 s before, 10 s after, .mp4) every 5
 * minutes of stream time.  Prints one line of key=value: RSS every
 * minute of stream, CPU time, wall time, the longest push (the longest
 * the streaming thread was held by the sink) and the saves written.
 *
 *   event-bench SINK MINUTES DIR
 */

#include <gst/gst.h>
#include <gst/app/app.h>
#include <gst/check/gstharness.h>

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define FPS 30
#define FRAME (GST_SECOND / FPS)
#define GOP 60

static GPtrArray *
encode_gop (GstCaps ** caps)
{
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=60 "
      "pattern=snow ! video/x-raw,width=1920,height=1080,framerate=30/1 ! "
      "x264enc threads=1 speed-preset=ultrafast tune=zerolatency "
      "key-int-max=60 bitrate=4000 ! h264parse ! "
      "video/x-h264,stream-format=byte-stream,alignment=au ! "
      "appsink name=out sync=false", NULL);
  GstElement *out = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  GPtrArray *frames =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  GstSample *s;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (out)))) {
    if (*caps == NULL)
      *caps = gst_caps_ref (gst_sample_get_caps (s));
    g_ptr_array_add (frames, gst_buffer_ref (gst_sample_get_buffer (s)));
    gst_sample_unref (s);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (out);
  gst_object_unref (pipeline);

  return frames;
}

static guint64
rss_kib (void)
{
  gchar *statm = NULL;
  guint64 pages = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    pages = g_ascii_strtoull (strchr (statm, ' ') + 1, NULL, 10);
  g_free (statm);

  return pages * (sysconf (_SC_PAGESIZE) / 1024);
}

static gdouble
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec +
      ru.ru_stime.tv_usec) / 1e6;
}

static void
save (GstElement * sink, const gchar * dir, guint k)
{
  gchar *path = g_strdup_printf ("%s/event-%02u.mp4", dir, k);
  gboolean ok = FALSE;

  g_signal_emit_by_name (sink, "save", path, 30 * GST_SECOND,
      10 * GST_SECOND, &ok);
  if (!ok)
    g_printerr ("save %s refused\n", path);
  g_free (path);
}

/* Waits for the result of one save (memsink-saved or WARNING); TRUE
 * when it was written, its number of frames appended to @frames */
static gboolean
wait_save (GstBus * bus, GString * frames)
{
  for (;;) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING);
    guint n = 0;

    if (msg == NULL)
      return FALSE;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
      gst_message_unref (msg);
      return FALSE;
    }
    if (gst_message_has_name (msg, "memsink-saved")) {
      gst_structure_get_uint (gst_message_get_structure (msg), "n-samples", &n);
      g_string_append_printf (frames, "%s%u", frames->len ? "," : "", n);
      gst_message_unref (msg);
      return TRUE;
    }
    gst_message_unref (msg);
  }
}

int
main (int argc, char **argv)
{
  GstCaps *caps = NULL;
  GPtrArray *gop;
  GstHarness *h;
  GstBus *bus;
  gboolean memsink;
  guint64 i, n, max_gap = 0;
  guint minutes, requested = 0, saved = 0;
  gint64 wall;
  gdouble cpu;
  GString *rss = g_string_new (""), *frames = g_string_new ("");
  guint64 save_end = G_MAXUINT64;

  gst_init (&argc, &argv);
  bus = gst_bus_new ();
  if (argc != 4) {
    g_printerr ("usage: event-bench SINK MINUTES DIR\n");
    return 2;
  }
  memsink = g_str_equal (argv[1], "memsink");
  minutes = atoi (argv[2]);
  gop = encode_gop (&caps);
  if (gop->len != GOP)
    return 1;

  h = gst_harness_new (argv[1]);
  gst_element_set_bus (h->element, bus);
  if (memsink)
    g_object_set (h->element, "max-age", 60 * GST_SECOND, "spill-directory",
        argv[3], NULL);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));

  n = (guint64) minutes *60 * FPS;
  cpu = cpu_seconds ();
  wall = g_get_monotonic_time ();
  for (i = 0; i < n; i++) {
    GstBuffer *buf = gst_buffer_copy (g_ptr_array_index (gop, i % GOP));
    gint64 t0;

    GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = i * FRAME;
    GST_BUFFER_DURATION (buf) = FRAME;
    t0 = g_get_monotonic_time ();
    if (gst_harness_push (h, buf) != GST_FLOW_OK)
      return 1;
    max_gap = MAX (max_gap, (guint64) (g_get_monotonic_time () - t0));
    if (memsink && i % (5 * 60 * FPS) == 5 * 60 * FPS - 1) {
      save (h->element, argv[3], requested++);
      save_end = i + 10 * FPS + 1;
    }
    /* In real time the writer has the 5 minutes until the next save; at
     * this speed the stream waits for it (outside the timed push) so that
     * one save at a time is measured */
    if (i == save_end) {
      saved += wait_save (bus, frames);
      save_end = G_MAXUINT64;
    }
    if (i % (60 * FPS) == 60 * FPS - 1)
      g_string_append_printf (rss, "%s%" G_GUINT64_FORMAT, rss->len ? "," :
          "", rss_kib ());
  }
  gst_harness_push_event (h, gst_event_new_eos ());
  if (save_end != G_MAXUINT64)
    saved += wait_save (bus, frames);
  wall = g_get_monotonic_time () - wall;
  cpu = cpu_seconds () - cpu;

  g_print ("sink=%s minutes=%u frames=%" G_GUINT64_FORMAT " wall_s=%.2f "
      "cpu_s=%.3f max_push_ms=%.2f saves=%u/%u save_frames=%s "
      "rss_kib_per_min=%s\n", argv[1], minutes, n, wall / 1e6, cpu,
      max_gap / 1000.0, saved, requested, frames->len ? frames->str : "-",
      rss->str);

  g_string_free (rss, TRUE);
  g_string_free (frames, TRUE);
  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
  gst_object_unref (bus);
  gst_caps_unref (caps);
  g_ptr_array_unref (gop);

  return 0;
}
