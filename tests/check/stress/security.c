/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Where spilled data and saved files land, checked from the outside:
 *
 * - the spill file (memspill, memsink samples and file mode, and the
 *   store's fallback for filesystems without O_TMPFILE, in security_store.c)
 *   is a regular file,
 *   mode 0600, owned by us, already unlinked (nothing visible in the spill
 *   directory, even a world-writable sticky one like /tmp), close-on-exec,
 *   inside a directory with a random name that differs per pool, and no fd
 *   is left open once the data is freed;
 * - symlinks planted in the spill directory at every name an implementation
 *   might guess are never followed: their targets stay untouched;
 * - memsink's location is written through a temporary file and rename: a
 *   symlink at the location is replaced, not written through, symlinks at
 *   the usual temporary names are left alone, no temporary file remains.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "../memvideotest.h"
#include <gst/check/gstharness.h>

#include "frames.h"
#include "spillfd.h"

#define FRAME_SIZE (256 * 120)
#define CAPS "video/x-raw,format=GRAY8,width=256,height=120,framerate=30/1"
#define VICTIM "victim data"

static gchar *dir;              /* the spill directory, shared like /tmp */
static gchar *victim_dir;       /* holds what planted links point to */
static gchar *victim_file;

static void
setup (void)
{
  dir = g_dir_make_tmp ("memvideo-security-XXXXXX", NULL);
  fail_unless (dir != NULL);
  fail_unless (g_chmod (dir, 01777) == 0);
  victim_dir = g_dir_make_tmp ("memvideo-victim-XXXXXX", NULL);
  fail_unless (victim_dir != NULL);
  victim_file = g_build_filename (victim_dir, "victim", NULL);
  fail_unless (g_file_set_contents (victim_file, VICTIM, -1, NULL));
}

static void
remove_dir_entries (const gchar * path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d))) {
    gchar *child = g_build_filename (path, name, NULL);

    g_unlink (child);
    g_free (child);
  }
  g_dir_close (d);
}

static void
teardown (void)
{
  remove_dir_entries (dir);
  g_rmdir (dir);
  g_unlink (victim_file);
  g_rmdir (victim_dir);
  g_free (dir);
  g_free (victim_dir);
  g_free (victim_file);
}

static void
check_nothing_visible (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  fail_unless (d != NULL);
  while ((name = g_dir_read_name (d))) {
    gchar *path = g_build_filename (dir, name, NULL);

    /* only what the test planted itself */
    fail_unless (g_file_test (path, G_FILE_TEST_IS_SYMLINK),
        "visible in the spill directory: %s", name);
    g_free (path);
  }
  g_dir_close (d);
}

static void
check_no_fd_left (void)
{
  GPtrArray *fds = spill_fds_below (dir);

  fail_unless (fds->len == 0, "still open after everything was freed: %s",
      fds->len ? (gchar *) g_ptr_array_index (fds, 0) : "");
  g_ptr_array_unref (fds);
}

static GstElement *
make_element (const gchar * factory)
{
  GstElement *el = gst_element_factory_make (factory, NULL);

  fail_unless (el != NULL);
  gst_object_ref_sink (el);
  g_object_set (el, "max-memory", (guint64) 0, "spill-directory", dir, NULL);
  return el;
}

/* Two memspill pools spilling at once: one private fd each, in
 * directories with different random names. */
GST_START_TEST (test_memspill_spill_file)
{
  GstElement *el[2];
  GstHarness *h[2];
  GPtrArray *held, *fds;
  gchar *parent[2];
  guint i, k;

  held = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  for (k = 0; k < 2; k++) {
    el[k] = make_element ("memspill");
    h[k] = gst_harness_new_with_element (el[k], "sink", "src");
    gst_harness_set_src_caps_str (h[k], CAPS);
    for (i = 0; i < 3; i++) {
      fail_unless_equals_int (gst_harness_push (h[k], test_frame_new (i,
                  FRAME_SIZE)), GST_FLOW_OK);
      g_ptr_array_add (held, gst_harness_pull (h[k]));
    }
  }
  fds = spill_files_below (dir);
  fail_unless_equals_int (fds->len, 2);
  parent[0] = spill_fd_check (g_ptr_array_index (fds, 0), dir);
  parent[1] = spill_fd_check (g_ptr_array_index (fds, 1), dir);
  fail_unless (strcmp (parent[0], parent[1]) != 0,
      "two pools share the private directory %s", parent[0]);
  check_nothing_visible ();
  g_ptr_array_unref (fds);
  g_free (parent[0]);
  g_free (parent[1]);

  for (k = 0; k < 2; k++) {
    gst_harness_teardown (h[k]);
    gst_object_unref (el[k]);
  }
  g_ptr_array_unref (held);
  check_no_fd_left ();
  check_nothing_visible ();
}

GST_END_TEST;

static GstBuffer *
file_data (gsize size)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);

  gst_buffer_memset (buf, 0, 0x5a, size);
  return buf;
}

GST_START_TEST (test_memsink_spill_file)
{
  GstElement *samples, *file;
  GstHarness *h1, *h2;
  GPtrArray *fds;
  GBytes *bytes = NULL;
  guint i;

  samples = make_element ("memsink");
  h1 = gst_harness_new_with_element (samples, "sink", NULL);
  gst_harness_set_src_caps_str (h1, CAPS);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h1, test_frame_new (i,
                FRAME_SIZE)), GST_FLOW_OK);

  file = make_element ("memsink");
  gst_util_set_object_arg (G_OBJECT (file), "mode", "file");
  h2 = gst_harness_new_with_element (file, "sink", NULL);
  mvt_start_file (h2);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h2, file_data (512 * 1024)),
        GST_FLOW_OK);
  g_signal_emit_by_name (file, "get-bytes", &bytes);
  fail_unless (bytes != NULL);

  fds = spill_fds_below (dir);
  fail_unless (fds->len >= 2, "%u spill fds", fds->len);
  for (i = 0; i < fds->len; i++)
    g_free (spill_fd_check (g_ptr_array_index (fds, i), dir));
  g_ptr_array_unref (fds);
  check_nothing_visible ();

  g_bytes_unref (bytes);
  gst_harness_teardown (h1);
  gst_harness_teardown (h2);
  gst_object_unref (samples);
  gst_object_unref (file);
  check_no_fd_left ();
  check_nothing_visible ();
}

GST_END_TEST;

static const gchar *planted[] = {
  "memvideo-spill-XXXXXX", "memvideo-spill", "memvideo", "spill",
  "memvideo-spill-000000", "memvideo-spill-AAAAAA", "memfile-XXXXXX",
  "spill.tmp", "gst-memvideo", ".memvideo-spill",
};

static void
plant_links (const gchar * in, const gchar * const *names, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    gchar *link = g_build_filename (in, names[i], NULL);

    /* half point at a file, half at a directory */
    fail_unless (symlink (i % 2 ? victim_dir : victim_file, link) == 0,
        "symlink %s: %s", link, g_strerror (errno));
    g_free (link);
  }
}

static void
check_links_untouched (const gchar * in, const gchar * const *names, guint n)
{
  gchar *contents = NULL;
  GDir *d;
  guint i, entries = 0;

  for (i = 0; i < n; i++) {
    gchar *link = g_build_filename (in, names[i], NULL);
    gchar *target = g_file_read_link (link, NULL);

    fail_unless (target != NULL, "planted link %s was replaced", link);
    fail_unless_equals_string (target, i % 2 ? victim_dir : victim_file);
    g_free (target);
    g_free (link);
  }
  fail_unless (g_file_get_contents (victim_file, &contents, NULL, NULL));
  fail_unless_equals_string (contents, VICTIM);
  g_free (contents);
  d = g_dir_open (victim_dir, 0, NULL);
  while (g_dir_read_name (d))
    entries++;
  g_dir_close (d);
  fail_unless_equals_int (entries, 1);
}

GST_START_TEST (test_planted_symlinks_not_followed)
{
  GstElement *spill, *sink;
  GstHarness *h1, *h2;
  GPtrArray *held, *fds;
  GBytes *bytes = NULL;
  struct stat victim_st, st;
  guint i;

  plant_links (dir, planted, G_N_ELEMENTS (planted));
  fail_unless (stat (victim_file, &victim_st) == 0);

  held = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  spill = make_element ("memspill");
  h1 = gst_harness_new_with_element (spill, "sink", "src");
  gst_harness_set_src_caps_str (h1, CAPS);
  for (i = 0; i < 5; i++) {
    fail_unless_equals_int (gst_harness_push (h1, test_frame_new (i,
                FRAME_SIZE)), GST_FLOW_OK);
    g_ptr_array_add (held, gst_harness_pull (h1));
  }
  sink = make_element ("memsink");
  gst_util_set_object_arg (G_OBJECT (sink), "mode", "file");
  h2 = gst_harness_new_with_element (sink, "sink", NULL);
  mvt_start_file (h2);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h2, file_data (512 * 1024)),
        GST_FLOW_OK);
  g_signal_emit_by_name (sink, "get-bytes", &bytes);
  fail_unless (bytes != NULL);
  g_bytes_unref (bytes);

  fds = spill_fds_below (dir);
  for (i = 0; i < fds->len; i++) {
    gint fd = atoi (g_ptr_array_index (fds, i));

    fail_unless (fstat (fd, &st) == 0);
    fail_if (st.st_dev == victim_st.st_dev && st.st_ino == victim_st.st_ino,
        "a spill fd is the planted link's target");
  }
  g_ptr_array_unref (fds);
  check_links_untouched (dir, planted, G_N_ELEMENTS (planted));

  gst_harness_teardown (h1);
  gst_harness_teardown (h2);
  gst_object_unref (spill);
  gst_object_unref (sink);
  g_ptr_array_unref (held);
  check_links_untouched (dir, planted, G_N_ELEMENTS (planted));
  check_no_fd_left ();
}

GST_END_TEST;

GST_START_TEST (test_location_temp_and_rename)
{
  static const gchar *temp_names[] = {
    "out.bin.tmp", ".out.bin.tmp", "out.bin.partial", "out.bin~",
    ".out.bin.XXXXXX", "out.bin.part",
  };
  GstElement *sink;
  GstHarness *h;
  GstBus *bus;
  gchar *location, *victim2, *target, *text;
  GDir *d;
  const gchar *name;
  guint i, entries = 0;
  struct stat st;

  location = g_build_filename (dir, "out.bin", NULL);
  victim2 = g_build_filename (victim_dir, "victim2", NULL);
  fail_unless (symlink (victim2, location) == 0);
  plant_links (dir, temp_names, G_N_ELEMENTS (temp_names));

  sink = make_element ("memsink");
  gst_util_set_object_arg (G_OBJECT (sink), "mode", "file");
  g_object_set (sink, "location", location, NULL);
  bus = gst_bus_new ();
  gst_element_set_bus (sink, bus);
  text = g_strdup_printf ("Could not save the file to \"%s\".", location);
  h = gst_harness_new_with_element (sink, "sink", NULL);
  mvt_start_file (h);
  for (i = 0; i < 4; i++)
    fail_unless_equals_int (gst_harness_push (h, file_data (100000)),
        GST_FLOW_OK);
  /* before EOS nothing is written at or through the location */
  target = g_file_read_link (location, NULL);
  fail_unless_equals_string (target, victim2);
  g_free (target);
  fail_if (g_file_test (victim2, G_FILE_TEST_EXISTS));

  /* a link at the location is refused: never followed, never replaced */
  fail_if (gst_harness_push_event (h, gst_event_new_eos ()));
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_WRITE, text, "is a symbolic link");
  gst_element_set_bus (sink, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  gst_object_unref (sink);
  g_free (text);

  fail_unless (lstat (location, &st) == 0);
  fail_unless (S_ISLNK (st.st_mode), "%s is no longer a link", location);
  target = g_file_read_link (location, NULL);
  fail_unless_equals_string (target, victim2);
  g_free (target);
  fail_if (g_file_test (victim2, G_FILE_TEST_EXISTS),
      "the symlink at the location was followed");
  check_links_untouched (dir, temp_names, G_N_ELEMENTS (temp_names));

  /* no temporary file left: the location and the planted links only */
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)))
    entries++;
  g_dir_close (d);
  fail_unless_equals_int (entries, G_N_ELEMENTS (temp_names) + 1);
  g_free (location);
  g_free (victim2);
}

GST_END_TEST;

static Suite *
security_suite (void)
{
  Suite *s = suite_create ("security");
  TCase *tc_chain = tcase_create ("general");

  suite_add_tcase (s, tc_chain);
  tcase_add_checked_fixture (tc_chain, setup, teardown);
  tcase_add_test (tc_chain, test_memspill_spill_file);
  tcase_add_test (tc_chain, test_memsink_spill_file);
  tcase_add_test (tc_chain, test_planted_symlinks_not_followed);
  tcase_add_test (tc_chain, test_location_temp_and_rename);

  return s;
}

GST_CHECK_MAIN (security);
