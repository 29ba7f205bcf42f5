/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The spill store's fallback for filesystems without O_TMPFILE, checked
 * like the elements' spill files in security.c (mode 0600, unlinked,
 * close-on-exec, private random directory, nothing visible in a shared
 * sticky spill directory, fd closed when the pool goes).  A binary of its
 * own: it links the store, and the plugin's copy of the store must not be
 * loaded into the same process (the allocator type would be registered
 * twice).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "memvideo/spillfile.h"
#include "memvideo/spillpool.h"
#include "spillfd.h"

static gchar *dir;

static void
setup (void)
{
  dir = g_dir_make_tmp ("memvideo-security-XXXXXX", NULL);
  fail_unless (dir != NULL);
  fail_unless (g_chmod (dir, 01777) == 0);
}

static void
teardown (void)
{
  g_rmdir (dir);
  g_free (dir);
}

static void
check_nothing_visible (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  fail_unless (d != NULL);
  name = g_dir_read_name (d);
  fail_unless (name == NULL, "visible in the spill directory: %s", name);
  g_dir_close (d);
}

static void
check_no_fd_left (void)
{
  GPtrArray *fds = spill_fds_below (dir);

  fail_unless_equals_int (fds->len, 0);
  g_ptr_array_unref (fds);
}

/* The store's path for filesystems without O_TMPFILE: create exclusively
 * without following links, then unlink at once. */
GST_START_TEST (test_spill_file_without_o_tmpfile)
{
  MemvideoSpillPool *pool;
  MemvideoSpillStats stats;
  GstMemory *mem;
  GstMapInfo map;
  GPtrArray *fds;

  memvideo_spill_file_set_no_tmpfile (TRUE);
  pool = memvideo_spill_pool_new (dir, NULL);
  memvideo_spill_file_set_no_tmpfile (FALSE);
  fail_unless (pool != NULL);
  memvideo_spill_pool_set_max_memory (pool, 0);
  mem = memvideo_spill_pool_alloc (pool, 4096, NULL, NULL, NULL);
  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  memset (map.data, 0xa5, map.size);
  gst_memory_unmap (mem, &map);
  memvideo_spill_pool_trim (pool);
  memvideo_spill_pool_get_stats (pool, &stats);
  fail_unless_equals_uint64 (stats.frames_spilled, 1);

  fds = spill_files_below (dir);
  fail_unless_equals_int (fds->len, 1);
  g_free (spill_fd_check (g_ptr_array_index (fds, 0), dir));
  g_ptr_array_unref (fds);
  check_nothing_visible ();

  gst_memory_unref (mem);
  memvideo_spill_pool_unref (pool);
  check_no_fd_left ();
}

GST_END_TEST;


static Suite *
security_store_suite (void)
{
  Suite *s = suite_create ("security_store");
  TCase *tc_chain = tcase_create ("general");

  suite_add_tcase (s, tc_chain);
  tcase_add_checked_fixture (tc_chain, setup, teardown);
  tcase_add_test (tc_chain, test_spill_file_without_o_tmpfile);

  return s;
}

GST_CHECK_MAIN (security_store);
