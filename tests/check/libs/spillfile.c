/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of the spill file (gst/memvideo/spillfile.h): creation in a
 * private directory that is gone at once, the extent allocator (best fit,
 * coalescing, the tail given back, max-disk), transfers with and without
 * O_DIRECT, and read errors by domain and message.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

#include "memvideo/spillfile.h"
#include "memvideo/spillerror.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define BLOCK MEMVIDEO_SPILL_FILE_BLOCK

static gchar *
make_dir (void)
{
  GError *err = NULL;
  gchar *dir = g_dir_make_tmp ("spillfiletest-XXXXXX", &err);

  fail_unless (dir != NULL, "%s", err ? err->message : "");
  return dir;
}

/* Nothing may be left in the spill directory, even while the file lives */
static void
check_dir_empty (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);

  fail_unless (d != NULL);
  fail_unless (g_dir_read_name (d) == NULL, "something left in %s", dir);
  g_dir_close (d);
}

static void
remove_dir (gchar * dir)
{
  check_dir_empty (dir);
  fail_unless (g_rmdir (dir) == 0);
  g_free (dir);
}

static gint spill_fd = -1;
static gchar *seen_private;

static void
remember_fd (const gchar * directory, gint fd)
{
  spill_fd = fd;
  g_free (seen_private);
  seen_private = g_strdup (directory);
}

static MemvideoSpillFile *
new_file (const gchar * dir)
{
  GError *err = NULL;
  MemvideoSpillFile *file;

  memvideo_spill_file_set_created_hook (remember_fd);
  file = memvideo_spill_file_new (dir, &err);
  memvideo_spill_file_set_created_hook (NULL);
  fail_unless (file != NULL, "%s", err ? err->message : "");
  return file;
}

static guint64
alloc_extent (MemvideoSpillFile * file, gsize size)
{
  guint64 offset = G_MAXUINT64;
  GError *err = NULL;

  fail_unless (memvideo_spill_file_alloc_extent (file, size, 0, &offset,
          &err), "%s", err ? err->message : "");
  fail_unless_equals_uint64 (offset % BLOCK, 0);
  return offset;
}

/* The file is unlinked in a private directory that is removed before
 * memvideo_spill_file_new() returns, with and without O_TMPFILE */
GST_START_TEST (test_created_unlinked)
{
  gchar *dir = make_dir ();
  guint mode;

  for (mode = 0; mode < 2; mode++) {
    MemvideoSpillFile *file;
    struct stat st;

    memvideo_spill_file_set_no_tmpfile (mode == 1);
    file = new_file (dir);
    memvideo_spill_file_set_no_tmpfile (FALSE);
    check_dir_empty (dir);
    fail_unless (g_str_has_prefix (seen_private, dir));
    fail_unless_equals_string (memvideo_spill_file_get_private_directory
        (file), seen_private);
    fail_if (g_file_test (seen_private, G_FILE_TEST_EXISTS));
    fail_unless_equals_string (memvideo_spill_file_get_directory (file), dir);
    fail_unless (fstat (spill_fd, &st) == 0);
    fail_unless_equals_int (st.st_nlink, 0);
    fail_unless_equals_int (st.st_mode & 0777, 0600);
    memvideo_spill_file_free (file);
  }
  remove_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_missing_directory)
{
  GError *err = NULL;

  fail_unless (memvideo_spill_file_new ("/nonexistent/spill", &err) == NULL);
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_DIRECTORY), "%s", err->message);
  fail_unless (strstr (err->message, "'/nonexistent/spill'") != NULL, "%s",
      err->message);
  g_error_free (err);
}

GST_END_TEST;

/* Extents are whole blocks; freed ones coalesce, are reused best fit, and
 * a free tail shrinks the file */
GST_START_TEST (test_extents)
{
  gchar *dir = make_dir ();
  MemvideoSpillFile *file = new_file (dir);
  guint64 a, b, c, d, e;

  a = alloc_extent (file, 1);
  b = alloc_extent (file, 3 * BLOCK);
  c = alloc_extent (file, BLOCK + 1);
  d = alloc_extent (file, BLOCK);
  fail_unless_equals_uint64 (a, 0);
  fail_unless_equals_uint64 (b, BLOCK);
  fail_unless_equals_uint64 (c, 4 * BLOCK);
  fail_unless_equals_uint64 (d, 6 * BLOCK);
  fail_unless_equals_uint64 (memvideo_spill_file_get_live_bytes (file),
      7 * BLOCK);
  fail_unless_equals_uint64 (memvideo_spill_file_get_length (file), 7 * BLOCK);

  /* freed neighbours coalesce into one 6-block hole */
  memvideo_spill_file_free_extent (file, b, 3 * BLOCK);
  memvideo_spill_file_free_extent (file, c, BLOCK + 1);
  memvideo_spill_file_free_extent (file, a, 1);
  fail_unless_equals_uint64 (memvideo_spill_file_get_live_bytes (file), BLOCK);
  fail_unless_equals_uint64 (memvideo_spill_file_get_length (file), 7 * BLOCK);
  /* 7 blocks do not fit in it: the file grows, and shrinks back when the
   * extent at its end is freed */
  e = alloc_extent (file, 7 * BLOCK);
  fail_unless_equals_uint64 (e, 7 * BLOCK);
  fail_unless_equals_uint64 (memvideo_spill_file_get_length (file), 14 * BLOCK);
  memvideo_spill_file_free_extent (file, e, 7 * BLOCK);
  fail_unless_equals_uint64 (memvideo_spill_file_get_length (file), 7 * BLOCK);
  /* 2 blocks come from the start of the hole, not from the end */
  e = alloc_extent (file, 2 * BLOCK);
  fail_unless_equals_uint64 (e, 0);
  fail_unless_equals_uint64 (memvideo_spill_file_get_length (file), 7 * BLOCK);
  /* everything free: the file is empty again */
  memvideo_spill_file_free_extent (file, e, 2 * BLOCK);
  memvideo_spill_file_free_extent (file, d, BLOCK);
  fail_unless_equals_uint64 (memvideo_spill_file_get_live_bytes (file), 0);
  fail_unless_equals_uint64 (memvideo_spill_file_get_length (file), 0);

  memvideo_spill_file_free (file);
  remove_dir (dir);
}

GST_END_TEST;

/* max-disk bounds the live extents (whole blocks), with a message naming
 * the directory and the numbers */
GST_START_TEST (test_max_disk)
{
  gchar *dir = make_dir ();
  MemvideoSpillFile *file = new_file (dir);
  GError *err = NULL;
  guint64 offset, first;
  gchar *quoted;

  fail_unless (memvideo_spill_file_alloc_extent (file, 100, 2 * BLOCK,
          &first, NULL));
  fail_unless (memvideo_spill_file_alloc_extent (file, BLOCK, 2 * BLOCK,
          &offset, NULL));
  fail_if (memvideo_spill_file_alloc_extent (file, 1, 2 * BLOCK, &offset,
          &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_MAX_DISK), "%s", err->message);
  quoted = g_strdup_printf ("'%s'", dir);
  fail_unless (strstr (err->message, quoted) != NULL, "%s", err->message);
  fail_unless (strstr (err->message, "(8192 of 8192 bytes in use)") != NULL,
      "%s", err->message);
  g_clear_error (&err);
  /* room again once an extent is freed */
  memvideo_spill_file_free_extent (file, first, 100);
  fail_unless (memvideo_spill_file_alloc_extent (file, 1, 2 * BLOCK, &offset,
          NULL));
  fail_unless_equals_uint64 (offset, first);

  g_free (quoted);
  memvideo_spill_file_free (file);
  remove_dir (dir);
}

GST_END_TEST;

/* A read beyond what the file holds fails with the reason */
GST_START_TEST (test_read_past_end)
{
  gchar *dir = make_dir ();
  MemvideoSpillFile *file = new_file (dir);
  guint8 data[100], back[100];
  GError *err = NULL;
  guint64 offset;

  memset (data, 0xa5, sizeof (data));
  offset = alloc_extent (file, sizeof (data));
  fail_unless (memvideo_spill_file_write (file, offset, data, sizeof (data),
          NULL));
  fail_unless (memvideo_spill_file_read (file, offset, back, sizeof (back),
          NULL));
  fail_unless (memcmp (back, data, sizeof (data)) == 0);

  memvideo_spill_file_truncate (file, 60);
  fail_if (memvideo_spill_file_read (file, offset, back, sizeof (back), &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_IO), "%s", err->message);
  fail_unless (strstr (err->message, "the file ends after 60 bytes") != NULL,
      "%s", err->message);
  g_error_free (err);

  memvideo_spill_file_free (file);
  remove_dir (dir);
}

GST_END_TEST;

/* Page-aligned transfers go around the page cache (O_DIRECT) where the
 * filesystem allows it; any other transfer, and every file after
 * memvideo_spill_file_set_no_direct(), goes through it.  The bytes read
 * back are the bytes written either way, aligned or not. */
GST_START_TEST (test_direct_io)
{
  const gsize size = 3 * 4096 + 100;
  gchar *dir = make_dir ();
  guint8 *src, *aligned, *unaligned;
  struct statfs sfs;
  guint mode;
  gsize i;

  src = mmap (NULL, 4 * 4096, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  aligned = mmap (NULL, 4 * 4096, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fail_unless (src != MAP_FAILED && aligned != MAP_FAILED);
  unaligned = g_malloc (size + 1);
  for (i = 0; i < size; i++)
    src[i] = (guint8) (i * 7 + i / 4096);
  fail_unless (statfs (dir, &sfs) == 0);

  for (mode = 0; mode < 2; mode++) {
    MemvideoSpillFile *file;
    guint64 offset;
    gboolean direct;

    memvideo_spill_file_set_no_direct (mode == 1);
    memvideo_spill_file_set_created_hook (remember_fd);
    file = memvideo_spill_file_new (dir, NULL);
    memvideo_spill_file_set_created_hook (NULL);
    memvideo_spill_file_set_no_direct (FALSE);
    fail_unless (file != NULL);
    direct = memvideo_spill_file_is_direct (file);
    if (mode == 1)
      fail_if (direct, "O_DIRECT used after set_no_direct");
    else if (sfs.f_type == 0xEF53)      /* ext4 takes O_DIRECT */
      fail_unless (direct, "no O_DIRECT on ext4 in %s", dir);
    GST_INFO ("mode %u: direct %d (filesystem 0x%lx)", mode, direct,
        (gulong) sfs.f_type);

    /* one extent ahead, so the one tested starts inside the file */
    fail_unless (memvideo_spill_file_alloc_extent (file, 4096, 0, &offset,
            NULL));
    fail_unless (memvideo_spill_file_write (file, offset, src + 1, 4096, NULL));
    fail_unless (memvideo_spill_file_alloc_extent (file, size, 0, &offset,
            NULL));
    fail_unless_equals_uint64 (offset, 4096);
    fail_unless (memvideo_spill_file_write (file, offset, src, size, NULL));

    if (direct) {
      /* the three whole pages never went through the page cache */
      guint8 *map = mmap (NULL, 4 * 4096, PROT_READ, MAP_SHARED, spill_fd,
          offset);
      guchar vec[4];

      fail_unless (map != MAP_FAILED);
      fail_unless (mincore (map, 4 * 4096, vec) == 0);
      for (i = 0; i < 3; i++)
        fail_unless ((vec[i] & 1) == 0, "page %" G_GSIZE_FORMAT " of a "
            "direct write is in the page cache", i);
      munmap (map, 4 * 4096);
    }

    memset (aligned, 0, 4 * 4096);
    fail_unless (memvideo_spill_file_read (file, offset, aligned, size, NULL));
    fail_unless (memcmp (aligned, src, size) == 0);
    memset (unaligned, 0, size + 1);
    fail_unless (memvideo_spill_file_read (file, offset, unaligned + 1, size,
            NULL));
    fail_unless (memcmp (unaligned + 1, src, size) == 0);
    /* a read at an unaligned offset, through the page cache */
    fail_unless (memvideo_spill_file_read (file, offset + 5, aligned, 4096,
            NULL));
    fail_unless (memcmp (aligned, src + 5, 4096) == 0);
    fail_unless (memvideo_spill_file_read (file, 0, aligned, 4096, NULL));
    fail_unless (memcmp (aligned, src + 1, 4096) == 0);
    memvideo_spill_file_free (file);
  }

  g_free (unaligned);
  munmap (src, 4 * 4096);
  munmap (aligned, 4 * 4096);
  remove_dir (dir);
}

GST_END_TEST;

static Suite *
spillfile_suite (void)
{
  Suite *s = suite_create ("spillfile");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_created_unlinked);
  tcase_add_test (tc, test_missing_directory);
  tcase_add_test (tc, test_extents);
  tcase_add_test (tc, test_max_disk);
  tcase_add_test (tc, test_read_past_end);
  tcase_add_test (tc, test_direct_io);
  return s;
}

GST_CHECK_MAIN (spillfile);
