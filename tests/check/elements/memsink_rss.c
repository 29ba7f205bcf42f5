/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * memsink's RAM budget on a 200 MB file, measured as peak RSS.
 *
 * One child process runs the same muxer twice, teed to filesink: first
 * with fakesink on the second branch (the peer), then with memsink
 * (max-memory 8 MiB).  The tee has no queues: one streaming thread pushes
 * each buffer to filesink, then to the second branch, so the frames alive
 * at any moment are the same in both runs (async=false: the first sink
 * must not wait in preroll for the second).  VmHWM is reset between the runs (writing 5 to
 * /proc/self/clear_refs), so the memsink run starts from what the peer
 * run left and its peak differs from the peer's only by what memsink
 * holds.  Then get-bytes is compared with filesink's file a MiB at a time.
 *
 * Why one process and a fixed malloc mmap threshold: with glibc's dynamic
 * threshold, a freed 3 MB frame of the muxer may stay in the heap of
 * whichever streaming thread freed it, and how many do depends on thread
 * scheduling.  Two separate processes then differed by 5 MB at random
 * (filesink's peak 17-22 MiB on the same machine), more than the margin,
 * which made the test fail on a busy machine.  With the threshold fixed at
 * 128 KiB every frame goes back to the system at free; without queues no
 * thread runs ahead and holds an extra 3 MB frame in one run and not in
 * the other (with one-buffer queues the peer's peak still moved by a
 * frame between runs).
 *
 * MEMVIDEO_HUGE_PAGES (never / always) forces the page path of memsink's
 * 2 MiB chunks; tests/check/meson.build runs this test with each, so the
 * bound is checked on both whatever the kernel's free huge pages are.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIB 1024
#define MIB (1024 * 1024)

#define MAX_MEMORY (8 * MIB)
/* memsink's file chunk for an 8 MiB budget (memfile.c) */
#define CHUNK (2 * MIB)

/* What memsink holds outside max-memory while streaming: the element and
 * pool structures, the GstSegment and caps, the spill file's descriptors.
 * Measured: memsink adds 4.7-6.9 MiB to the peer's peak on either page
 * path (max-memory 8 MiB), so this is headroom, not a fudge for it. */
#define STREAM_SLACK (1 * MIB)

/* get-bytes copies the file into the snapshot one chunk at a time through
 * one bounce buffer (CHUNK); the comparison below holds a 1 MiB read
 * buffer and at most 1 MiB of the mapped snapshot before it drops those
 * pages; 256 KiB for stdio's buffer and GLib's bookkeeping.  Measured:
 * 2.1-2.2 MiB over the RSS before get-bytes. */
#define GET_SLACK (CHUNK + 2 * MIB + 256 * KIB)

/* 68 raw 1080p I420 frames in Matroska: about 211 MB, cheap to make */
#define BIG_SOURCE "videotestsrc num-buffers=68 ! " \
  "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! " \
  "matroskamux"

typedef struct
{
  guint64 peer_peak;            /* KiB: filesink + fakesink */
  guint64 mem_peak;             /* KiB: filesink + memsink */
  guint64 before_get;           /* KiB: RSS before get-bytes */
  guint64 get_peak;             /* KiB: peak while get-bytes is compared */
  gint ok;
} Report;

static gchar *tmpdir;

static void
setup_tmpdir (void)
{
  tmpdir = g_dir_make_tmp ("memsink-rss-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
}

static void
teardown_tmpdir (void)
{
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static guint64
status_kib (const gchar * field)
{
  gchar *status = NULL, *line;
  guint64 kib = 0;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  if (line)
    kib = g_ascii_strtoull (line + strlen (field), NULL, 10);
  g_free (status);

  return kib;
}

/* VmHWM becomes the current RSS (Linux >= 4.0) */
static gboolean
reset_peak (void)
{
  gint fd = open ("/proc/self/clear_refs", O_WRONLY);
  gboolean ok = fd >= 0 && write (fd, "5", 1) == 1;

  if (fd >= 0)
    close (fd);
  return ok;
}

/* Runs @desc to EOS; the element named "sink" in @sink (a ref) */
static gboolean
run_pipeline (const gchar * desc, GstElement ** sink)
{
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gboolean ok;

  *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  if (msg && !ok) {
    GError *error = NULL;

    gst_message_parse_error (msg, &error, NULL);
    g_printerr ("pipeline error: %s\n", error->message);
    g_error_free (error);
  }
  if (msg)
    gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  return ok;
}

static gboolean
run_branch (const gchar * second, const gchar * out, GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("%s ! tee name=t t. ! filesink "
      "async=false location=%s t. ! %s async=false", BIG_SOURCE, out, second);
  gboolean ok = run_pipeline (desc, sink);

  g_free (desc);
  return ok;
}

/* Compares a MiB at a time, dropping compared pages of the mapping so the
 * check itself does not fill RSS */
static gboolean
bytes_equal_file (GBytes * bytes, const gchar * path)
{
  FILE *f = fopen (path, "rb");
  guint8 *buf = g_malloc (MIB);
  const guint8 *data;
  gsize size, off;
  gboolean ok;

  data = g_bytes_get_data (bytes, &size);
  ok = f != NULL && size > 200 * 1000 * 1000;
  for (off = 0; ok && off < size; off += MIB) {
    gsize n = MIN (MIB, size - off);

    ok = fread (buf, 1, n, f) == n && memcmp (buf, data + off, n) == 0;
    madvise ((gpointer) (data + off), n, MADV_DONTNEED);
  }
  ok = ok && fgetc (f) == EOF;
  if (!ok)
    g_printerr ("get-bytes (%" G_GSIZE_FORMAT " bytes) differs from %s\n",
        size, path);
  if (f)
    fclose (f);
  g_free (buf);

  return ok;
}

static void
budget_child (const gchar * out, Report * r)
{
  gchar *memsink = g_strdup_printf ("memsink name=sink max-memory=%d "
      "spill-directory=%s", MAX_MEMORY, tmpdir);
  GstElement *sink;
  GBytes *bytes = NULL;

  mallopt (M_MMAP_THRESHOLD, 128 * KIB);
  r->ok = run_branch ("fakesink name=sink", out, &sink);
  gst_object_unref (sink);
  r->peer_peak = status_kib ("VmHWM:");
  r->ok = reset_peak () && r->ok && run_branch (memsink, out, &sink);
  r->mem_peak = status_kib ("VmHWM:");

  r->before_get = status_kib ("VmRSS:");
  r->ok = reset_peak () && r->ok;
  g_signal_emit_by_name (sink, "get-bytes", &bytes);
  r->ok = r->ok && bytes != NULL && bytes_equal_file (bytes, out);
  r->get_peak = status_kib ("VmHWM:");
  if (bytes)
    g_bytes_unref (bytes);
  gst_object_unref (sink);
  g_free (memsink);
}

static void
run_child (const gchar * out, Report * r)
{
  gint fds[2], status;
  pid_t pid;

  fail_unless (pipe (fds) == 0);
  pid = fork ();
  fail_unless (pid >= 0);
  if (pid == 0) {
    Report mine = { 0, };

    close (fds[0]);
    budget_child (out, &mine);
    if (write (fds[1], &mine, sizeof (mine)) != sizeof (mine))
      _exit (2);
    _exit (0);
  }
  close (fds[1]);
  fail_unless (read (fds[0], r, sizeof (*r)) == sizeof (*r), "the child died");
  close (fds[0]);
  fail_unless (waitpid (pid, &status, 0) == pid);
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

GST_START_TEST (test_budget_200mb)
{
  gchar *out = g_build_filename (tmpdir, "big.mkv", NULL);
  const gchar *path = g_getenv ("MEMVIDEO_HUGE_PAGES");
  Report r = { 0, };

  run_child (out, &r);
  g_print ("budget (MEMVIDEO_HUGE_PAGES=%s): peer peak %" G_GUINT64_FORMAT
      " KiB, memsink peak %" G_GUINT64_FORMAT " KiB (+%" G_GINT64_FORMAT
      "), before get-bytes %" G_GUINT64_FORMAT " KiB, while comparing %"
      G_GUINT64_FORMAT " KiB (+%" G_GINT64_FORMAT ")\n", path ? path : "auto",
      r.peer_peak, r.mem_peak, (gint64) (r.mem_peak - r.peer_peak),
      r.before_get, r.get_peak, (gint64) (r.get_peak - r.before_get));
  fail_unless (r.ok, "pipeline error, or get-bytes differs from filesink");
  fail_unless (r.mem_peak <= r.peer_peak + (MAX_MEMORY + STREAM_SLACK) / KIB,
      "memsink peak RSS %" G_GUINT64_FORMAT " KiB > peer %" G_GUINT64_FORMAT
      " KiB + max-memory + 1 MiB", r.mem_peak, r.peer_peak);
  fail_unless (r.get_peak <= r.before_get + GET_SLACK / KIB,
      "peak RSS while reading get-bytes %" G_GUINT64_FORMAT " KiB > %"
      G_GUINT64_FORMAT " KiB before + 4.25 MiB", r.get_peak, r.before_get);
  g_unlink (out);
  g_free (out);
}

GST_END_TEST;

static Suite *
memsink_rss_suite (void)
{
  Suite *s = suite_create ("memsink_rss");
  TCase *tc = tcase_create ("budget");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup_tmpdir, teardown_tmpdir);
  tcase_add_test (tc, test_budget_200mb);

  return s;
}

GST_CHECK_MAIN (memsink_rss);
