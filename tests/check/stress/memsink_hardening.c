/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * memsink faults of the adversarial run (issue 17), one test each:
 * what the location save does to FIFOs, hard links and read-only files
 * (item 2), gaps saved as holes (3), SIGKILL during the save (12), a far seek and the chunk table (7),
 * max-age in running time (5) and the bookkeeping of tiny samples in the
 * budget (8).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../memvideotest.h"

static gchar *tmpdir;

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("memsink-hardening-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
}

static void
teardown (void)
{
  GDir *d = g_dir_open (tmpdir, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    gchar *p = g_build_filename (tmpdir, name, NULL);

    g_unlink (p);
    g_free (p);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static GstHarness *
file_harness (const gchar * location, const gchar * max_memory)
{
  GstElement *sink = gst_element_factory_make ("memsink", NULL);
  GstHarness *h;
  GstSegment segment;
  GstCaps *caps;

  fail_unless (sink != NULL);
  gst_util_set_object_arg (G_OBJECT (sink), "mode", "file");
  g_object_set (sink, "spill-directory", tmpdir, NULL);
  if (location)
    g_object_set (sink, "location", location, NULL);
  if (max_memory)
    gst_util_set_object_arg (G_OBJECT (sink), "max-memory", max_memory);
  h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_object_unref (sink);
  caps = gst_caps_new_empty_simple ("application/octet-stream");
  fail_unless (gst_harness_push_event (h, gst_event_new_caps (caps)));
  gst_caps_unref (caps);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));

  return h;
}

static void
push_at (GstHarness * h, guint64 start, const gchar * data)
{
  GstSegment segment;

  gst_segment_init (&segment, GST_FORMAT_BYTES);
  segment.start = segment.position = start;
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_memdup (data,
              strlen (data))), GST_FLOW_OK);
}

/* Saves "new data" to @location; TRUE when EOS was accepted. */
static gboolean
save (const gchar * location, GstBus * bus)
{
  GstHarness *h = file_harness (location, NULL);
  gboolean ok;

  if (bus)
    gst_element_set_bus (h->element, bus);
  push_at (h, 0, "new data");
  ok = gst_harness_push_event (h, gst_event_new_eos ());
  if (bus)
    gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);

  return ok;
}

static void
check_contents (const gchar * path, const gchar * expected)
{
  gchar *contents = NULL;

  fail_unless (g_file_get_contents (path, &contents, NULL, NULL));
  fail_unless_equals_string (contents, expected);
  g_free (contents);
}

/* A FIFO at the location is written into (by a reader), not replaced */
GST_START_TEST (test_location_fifo)
{
  gchar *fifo = g_build_filename (tmpdir, "fifo", NULL);
  gchar got[32] = { 0 };
  struct stat st;
  gint fd;

  fail_unless (mkfifo (fifo, 0600) == 0);
  /* the reader end, open before the save; the data fits the pipe */
  fd = g_open (fifo, O_RDONLY | O_NONBLOCK, 0);
  fail_unless (fd >= 0);
  fail_unless (save (fifo, NULL));
  fail_unless_equals_int (read (fd, got, sizeof (got) - 1), 8);
  fail_unless_equals_string (got, "new data");
  close (fd);
  fail_unless (lstat (fifo, &st) == 0);
  fail_unless (S_ISFIFO (st.st_mode), "the FIFO was replaced");
  g_free (fifo);
}

GST_END_TEST;

/* A character device at location (here a node of /dev/null's numbers,
 * made as root): written into as filesink does, never replaced by a
 * regular file */
GST_START_TEST (test_location_device_node)
{
  gchar *node = g_build_filename (tmpdir, "null", NULL);
  struct stat st;

  if (mknod (node, S_IFCHR | 0600, makedev (1, 3)) != 0) {
    g_print ("cannot make a device node here (%s): not tested\n",
        g_strerror (errno));
    g_free (node);
    return;
  }
  fail_unless (save (node, NULL));
  fail_unless (lstat (node, &st) == 0);
  fail_unless (S_ISCHR (st.st_mode), "the device node was replaced");
  fail_unless_equals_int (major (st.st_rdev), 1);
  fail_unless_equals_int (minor (st.st_rdev), 3);
  g_unlink (node);
  g_free (node);
}

GST_END_TEST;

/* A FIFO without a reader: a clear error instead of a streaming thread
 * blocked for ever */
GST_START_TEST (test_location_fifo_without_reader)
{
  gchar *fifo = g_build_filename (tmpdir, "fifo", NULL);
  gchar *text = g_strdup_printf ("Could not save the file to \"%s\".", fifo);
  GstBus *bus = gst_bus_new ();
  struct stat st;

  fail_unless (mkfifo (fifo, 0600) == 0);
  fail_if (save (fifo, bus));
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_WRITE, text, "Nothing reads from");
  fail_unless (lstat (fifo, &st) == 0 && S_ISFIFO (st.st_mode));
  gst_object_unref (bus);
  g_free (text);
  g_free (fifo);
}

GST_END_TEST;

/* A file with two names: both see the new contents (the link stays) */
GST_START_TEST (test_location_hard_link)
{
  gchar *a = g_build_filename (tmpdir, "a", NULL);
  gchar *b = g_build_filename (tmpdir, "b", NULL);
  struct stat sa, sb;

  fail_unless (g_file_set_contents (a, "old contents", -1, NULL));
  fail_unless (link (a, b) == 0);
  fail_unless (save (a, NULL));
  check_contents (a, "new data");
  check_contents (b, "new data");
  fail_unless (stat (a, &sa) == 0 && stat (b, &sb) == 0);
  fail_unless (sa.st_ino == sb.st_ino && sa.st_nlink == 2);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* A regular file keeps its permission bits across the atomic replace */
GST_START_TEST (test_location_keeps_mode)
{
  gchar *path = g_build_filename (tmpdir, "out", NULL);
  struct stat st;

  fail_unless (g_file_set_contents (path, "old", -1, NULL));
  fail_unless (g_chmod (path, 0640) == 0);
  fail_unless (save (path, NULL));
  check_contents (path, "new data");
  fail_unless (stat (path, &st) == 0);
  fail_unless_equals_int (st.st_mode & 07777, 0640);
  g_free (path);
}

GST_END_TEST;

/* Run as an unprivileged user (the test drops root in a child): a 0444
 * file is refused, not replaced by a 0644 one. */
static gint
read_only_child (const gchar * path)
{
  GstBus *bus = gst_bus_new ();
  gchar *text = g_strdup_printf ("Could not save the file to \"%s\".", path);
  struct stat st;

  fail_unless (g_file_set_contents (path, "old", -1, NULL));
  fail_unless (g_chmod (path, 0444) == 0);
  fail_if (save (path, bus));
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_WRITE, text, "Not allowed to write");
  check_contents (path, "old");
  fail_unless (stat (path, &st) == 0);
  fail_unless_equals_int (st.st_mode & 07777, 0444);
  gst_object_unref (bus);
  g_free (text);

  return 0;
}

GST_START_TEST (test_location_read_only_file)
{
  gchar *path = g_build_filename (tmpdir, "ro", NULL);
  gint status;
  pid_t pid;

  if (geteuid () != 0) {
    read_only_child (path);
    g_free (path);
    return;
  }
  fail_unless (g_chmod (tmpdir, 0777) == 0);
  pid = fork ();
  if (pid == 0) {
    /* nobody: no CAP_DAC_OVERRIDE */
    if (setgid (65534) < 0 || setuid (65534) < 0) {
      g_print ("SKIP test_location_read_only_file: cannot drop root\n");
      _exit (77);
    }
    _exit (read_only_child (path));
  }
  fail_unless (waitpid (pid, &status, 0) == pid);
  fail_unless (WIFEXITED (status), "child died");
  fail_unless (WEXITSTATUS (status) == 0 || WEXITSTATUS (status) == 77,
      "child failed: %d", WEXITSTATUS (status));
  g_free (path);
}

GST_END_TEST;

/* Gaps are saved as holes: 256 MiB ahead and one byte take a few blocks */
GST_START_TEST (test_location_gaps_are_holes)
{
  gchar *path = g_build_filename (tmpdir, "sparse", NULL);
  GstHarness *h = file_harness (path, NULL);
  struct stat st;

  push_at (h, 256 * 1024 * 1024, "x");
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  gst_harness_teardown (h);
  fail_unless (stat (path, &st) == 0);
  fail_unless_equals_uint64 (st.st_size, 256 * 1024 * 1024 + 1);
  /* one chunk at most (2 MiB), far from 256 MiB */
  fail_unless ((guint64) st.st_blocks * 512 <= 4 * 1024 * 1024,
      "%" G_GUINT64_FORMAT " bytes on disk", (guint64) st.st_blocks * 512);
  g_free (path);
}

GST_END_TEST;

/* A far seek costs one chunk: the chunks of the start of the file stay in
 * RAM (the table charged a slot for every chunk in between) */
GST_START_TEST (test_far_seek_charges_real_chunks)
{
  GstHarness *h = file_harness (NULL, "1048576");
  guint64 spilled, size;

  push_at (h, 0, "start");
  push_at (h, (G_GUINT64_CONSTANT (1) << 40) - 1, "y");
  g_object_get (h->element, "spilled-bytes", &spilled, "size", &size, NULL);
  fail_unless_equals_uint64 (size, G_GUINT64_CONSTANT (1) << 40);
  fail_unless_equals_uint64 (spilled, 0);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Does process @pid have a file of @directory itself open (not one in a
 * subdirectory, as the spill file is)? */
static gboolean
has_file_open_in (pid_t pid, const gchar * directory)
{
  gchar *fds = g_strdup_printf ("/proc/%d/fd", (gint) pid);
  gchar *prefix = g_strconcat (directory, "/", NULL);
  GDir *d = g_dir_open (fds, 0, NULL);
  const gchar *name;
  gboolean found = FALSE;

  while (d && !found && (name = g_dir_read_name (d))) {
    gchar *link = g_build_filename (fds, name, NULL);
    gchar *target = g_file_read_link (link, NULL);

    found = target && g_str_has_prefix (target, prefix)
        && strchr (target + strlen (prefix), '/') == NULL;
    g_free (target);
    g_free (link);
  }
  if (d)
    g_dir_close (d);
  g_free (prefix);
  g_free (fds);

  return found;
}

static void
save_big_child (const gchar * location)
{
  GstHarness *h;
  guint i;

  h = file_harness (location, NULL);
  for (i = 0; i < 256; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 1024 * 1024, NULL);

    gst_buffer_memset (buf, 0, 0x5a, 1024 * 1024);
    gst_harness_push (h, buf);
  }
  gst_harness_push_event (h, gst_event_new_eos ());
  _exit (0);
}

/* SIGKILL while the location is being written leaves no partial file
 * beside it (issue 17 item 12): the save writes an unnamed file */
GST_START_TEST (test_location_sigkill_leaves_nothing)
{
  gchar *location = g_build_filename (tmpdir, "out", NULL);
  guint entries = 0;
  const gchar *name;
  gint status;
  GDir *d;
  pid_t pid;

  pid = fork ();
  if (pid == 0)
    save_big_child (location);
  /* the pushes take a while; the save opens its file in tmpdir */
  while (!has_file_open_in (pid, tmpdir)) {
    fail_if (waitpid (pid, &status, WNOHANG) == pid, "the save finished "
        "before it was seen");
    g_thread_yield ();
  }
  kill (pid, SIGKILL);
  fail_unless (waitpid (pid, &status, 0) == pid);
  fail_unless (WIFSIGNALED (status));

  d = g_dir_open (tmpdir, 0, NULL);
  while ((name = g_dir_read_name (d))) {
    GST_INFO ("left: %s", name);
    entries++;
  }
  g_dir_close (d);
  fail_unless_equals_int (entries, 0);
  g_free (location);
}

GST_END_TEST;

/* A named temporary file that a killed save left (filesystems without
 * O_TMPFILE) is removed at the next start; other files stay */
GST_START_TEST (test_location_leftover_removed_at_start)
{
  gchar *location = g_build_filename (tmpdir, "out", NULL);
  gchar *leftover = g_build_filename (tmpdir, ".out.memsink-a1b2c3", NULL);
  gchar *other = g_build_filename (tmpdir, ".out.memsink-keep-me", NULL);
  GstHarness *h;

  fail_unless (g_file_set_contents (leftover, "partial", -1, NULL));
  fail_unless (g_file_set_contents (other, "mine", -1, NULL));
  h = file_harness (location, NULL);
  fail_if (g_file_test (leftover, G_FILE_TEST_EXISTS));
  check_contents (other, "mine");
  gst_harness_teardown (h);
  g_free (other);
  g_free (leftover);
  g_free (location);
}

GST_END_TEST;

static GstHarness *
samples_harness (const gchar * prop, const gchar * value)
{
  GstHarness *h = gst_harness_new ("memsink");

  g_object_set (h->element, "spill-directory", tmpdir, NULL);
  gst_util_set_object_arg (G_OBJECT (h->element), prop, value);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=GRAY8,width=4,"
      "height=4,framerate=30/1");

  return h;
}

static void
push_frame (GstHarness * h, GstClockTime pts)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 16, NULL);

  gst_buffer_memset (buf, 0, 0x11, 16);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
}

/* Reverse playback (rate -1, PTS going down) ages as forward does */
GST_START_TEST (test_max_age_reverse_playback)
{
  GstHarness *h = samples_harness ("max-age", "1000000000");
  GstSegment segment;
  guint n, i;

  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.rate = -1.0;
  segment.start = 0;
  segment.stop = 20 * GST_SECOND;
  segment.position = segment.stop;
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  for (i = 600; i > 0; i--)
    push_frame (h, (i - 1) * GST_SECOND / 30);
  g_object_get (h->element, "n-samples", &n, NULL);
  fail_unless (n >= 30 && n <= 32, "%u samples kept", n);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* One PTS far ahead drops the history before it, then ages out itself */
GST_START_TEST (test_max_age_pts_jump)
{
  GstHarness *h = samples_harness ("max-age", "1000000000");
  guint n, i;

  for (i = 0; i < 100; i++)
    push_frame (h, i * GST_SECOND / 30);
  push_frame (h, 3600 * GST_SECOND);
  for (i = 101; i < 200; i++)
    push_frame (h, i * GST_SECOND / 30);
  g_object_get (h->element, "n-samples", &n, NULL);
  fail_unless (n >= 30 && n <= 32, "%u samples kept", n);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* 20000 samples of 16 bytes: 320 kB of data, but several MB of
 * bookkeeping, which counts in max-memory.  Memories that small never
 * spill (a disk block each would cost more), so the bookkeeping pushes the
 * larger frames that follow out to disk, every one of them. */
GST_START_TEST (test_tiny_samples_bookkeeping_in_budget)
{
  GstHarness *h = samples_harness ("max-memory", "2097152");
  guint64 spilled, resident;
  GstBuffer *buf;
  guint i;

  for (i = 0; i < 20000; i++)
    push_frame (h, i * GST_SECOND / 30);
  g_object_get (h->element, "spilled-bytes", &spilled, "resident-bytes",
      &resident, NULL);
  fail_unless_equals_uint64 (spilled, 0);
  fail_unless (resident >= 20000 * 16, "%" G_GUINT64_FORMAT " resident",
      resident);

  gst_harness_set_src_caps_str (h, "video/x-raw,format=GRAY8,width=128,"
      "height=128,framerate=30/1");
  for (i = 0; i < 10; i++) {
    buf = gst_buffer_new_allocate (NULL, 128 * 128, NULL);
    gst_buffer_memset (buf, 0, 0x22, 128 * 128);
    GST_BUFFER_PTS (buf) = (20000 + i) * GST_SECOND / 30;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  }
  g_object_get (h->element, "spilled-bytes", &spilled, NULL);
  fail_unless (spilled >= 10 * 128 * 128, "only %" G_GUINT64_FORMAT
      " bytes spilled", spilled);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
memsink_hardening_suite (void)
{
  Suite *s = suite_create ("memsink_hardening");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_location_fifo);
  tcase_add_test (tc, test_location_device_node);
  tcase_add_test (tc, test_location_fifo_without_reader);
  tcase_add_test (tc, test_location_hard_link);
  tcase_add_test (tc, test_location_keeps_mode);
  tcase_add_test (tc, test_location_read_only_file);
  tcase_add_test (tc, test_location_gaps_are_holes);
  tcase_add_test (tc, test_location_sigkill_leaves_nothing);
  tcase_add_test (tc, test_location_leftover_removed_at_start);
  tcase_add_test (tc, test_far_seek_charges_real_chunks);
  tcase_add_test (tc, test_max_age_reverse_playback);
  tcase_add_test (tc, test_max_age_pts_jump);
  tcase_add_test (tc, test_tiny_samples_bookkeeping_in_budget);

  return s;
}

GST_CHECK_MAIN (memsink_hardening);
