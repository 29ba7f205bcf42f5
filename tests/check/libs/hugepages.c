/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of the huge-page RAM blocks (gst/memvideo/hugepages.c) and of
 * memsink's chunk size (memvideo_mem_file_chunk_size_for()): the
 * /proc/buddyinfo parser on real and broken text, and whether a 2 MiB
 * file chunk of the spill pool really is one huge page (read back from
 * /proc/self/smaps) when this machine has huge pages to spare.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>
#include <sys/mman.h>

#include "memvideo/hugepages.h"
#include "memvideo/memfile.h"
#include "memvideo/spillpool.h"

#define KIB 1024
#define MIB (1024 * 1024)

/* /proc/buddyinfo of the build machine (kernel 6.18, x86-64) */
static const gchar *buddyinfo =
    "Node 0, zone      DMA      0      0      0      0      0      0      0"
    "      0      1      1      3 \n"
    "Node 0, zone    DMA32    196     83     76     64     54     57     55"
    "     52     49     46    705 \n"
    "Node 0, zone   Normal   8505   4868   6551  12694  13316   9849   7115"
    "   2849   2086    596   2140 \n";

GST_START_TEST (test_buddyinfo)
{
  /* order 9 (2 MiB of 4 KiB pages): Normal 596 + 2 * 2140, DMA32 46 + 2 *
   * 705; the DMA zone does not count */
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks (buddyinfo, 9),
      596 + 2 * 2140 + 46 + 2 * 705);
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks (buddyinfo, 10),
      2140 + 705);
  /* order 0 counts every free page */
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks (buddyinfo, 0),
      8505 + 4868 * 2 + 6551 * 4 + 12694 * 8 + 13316 * 16 + 9849 * 32 +
      7115 * 64 + 2849 * 128 + 2086 * 256 + 596 * 512 + 2140 * 1024 +
      196 + 83 * 2 + 76 * 4 + 64 * 8 + 54 * 16 + 57 * 32 + 55 * 64 +
      52 * 128 + 49 * 256 + 46 * 512 + 705 * 1024);
  /* beyond the largest order there is nothing */
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks (buddyinfo, 11), 0);
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks (buddyinfo, 64), 0);

  /* broken text: nothing, or the numbers before the garbage */
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks ("", 9), 0);
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks ("no zones\n",
          0), 0);
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks
      ("Node 0, zone Normal 1 2 x 8\n", 1), 2);
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks
      ("Node 0, zone Normal 99999999999999999999999 5\n", 1), 0);
  fail_unless_equals_uint64 (memvideo_buddyinfo_free_blocks
      ("Node 0, zone DMA 7\nNode 1, zone Normal 3\n", 0), 3);
}

GST_END_TEST;

GST_START_TEST (test_chunk_size)
{
  /* a 2 MiB huge page, unlimited budget or one that holds four of them */
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (G_MAXUINT64,
          2 * MIB), 2 * MIB);
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (8 * MIB,
          2 * MIB), 2 * MIB);
  /* smaller budgets: halved until four fit, down to 64 KiB */
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (8 * MIB - 1,
          2 * MIB), 1 * MIB);
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (4 * MIB,
          2 * MIB), 1 * MIB);
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (1 * MIB,
          2 * MIB), 256 * KIB);
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (0, 2 * MIB),
      64 * KIB);
  /* no huge pages, or ones too large or too small to be chunks: 2 MiB */
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (G_MAXUINT64, 0),
      2 * MIB);
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (G_MAXUINT64,
          512 * MIB), 2 * MIB);
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (G_MAXUINT64,
          64 * KIB), 2 * MIB);
  fail_unless_equals_int (memvideo_mem_file_chunk_size_for (G_MAXUINT64,
          4 * MIB), 4 * MIB);
}

GST_END_TEST;

/* The AnonHugePages of the mapping holding @p, in KiB (-1: not found) */
static gint64
anon_huge_kib (gconstpointer p)
{
  gchar *smaps = NULL, **lines;
  gboolean inside = FALSE;
  gint64 kib = -1;
  guint i;

  fail_unless (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (i = 0; lines[i] != NULL && kib < 0; i++) {
    guint64 start, end;
    gchar *dash;

    /* "7f0c00000000-7f0c00400000 rw-p 00000000 00:00 0" */
    dash = strchr (lines[i], '-');
    if (dash != NULL && g_ascii_isxdigit (lines[i][0]) &&
        strchr (lines[i], ':') > dash) {
      start = g_ascii_strtoull (lines[i], NULL, 16);
      end = g_ascii_strtoull (dash + 1, NULL, 16);
      inside = (guintptr) p >= start && (guintptr) p < end;
    } else if (inside && g_str_has_prefix (lines[i], "AnonHugePages:")) {
      kib = g_ascii_strtoll (lines[i] + strlen ("AnonHugePages:"), NULL, 10);
    }
  }
  g_strfreev (lines);
  g_free (smaps);

  return kib;
}

/* A 2 MiB chunk of the pool, as memsink's file allocates it: one huge page
 * when the machine has them free, and ordinary, still correct RAM when
 * not.  Also the blocks' reuse: a freed chunk's huge page is the next
 * chunk's. */
GST_START_TEST (test_pool_chunk_is_huge_page)
{
  gsize huge = memvideo_huge_page_size ();
  MemvideoSpillPool *pool;
  GstMemory *mem, *again;
  GstMapInfo map;
  guint8 *data;
  gint64 kib;
  guint64 spare;

  pool = memvideo_spill_pool_new (NULL, NULL);
  fail_unless (pool != NULL);
  memvideo_spill_pool_set_max_memory (pool, 64 * MIB);
  if (huge == 0) {
    g_print ("no transparent huge pages here: only the fallback is tested\n");
    fail_unless (memvideo_huge_pages_alloc (2 * MIB) == NULL);
    huge = 2 * MIB;
  }
  /* not whole huge pages: never */
  fail_unless (memvideo_huge_pages_alloc (huge + 4096) == NULL);
  fail_unless (memvideo_huge_pages_alloc (0) == NULL);

  spare = memvideo_huge_pages_free ();
  mem = memvideo_spill_pool_alloc (pool, huge, NULL, NULL, NULL);
  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  memset (map.data, 0x5a, map.size);
  data = map.data;
  kib = anon_huge_kib (data);
  g_print ("chunk at %p: AnonHugePages %" G_GINT64_FORMAT " kB, %"
      G_GUINT64_FORMAT " free huge pages before\n", data, kib, spare);
  fail_unless (kib >= 0, "mapping of %p not in /proc/self/smaps", data);
  if (memvideo_huge_page_size () != 0 &&
      spare > MEMVIDEO_HUGE_PAGES_RESERVE + 16) {
    fail_unless ((guintptr) data % huge == 0, "%p not aligned to %"
        G_GSIZE_FORMAT, data, huge);
    fail_unless (kib >= (gint64) (huge / KIB), "a %" G_GSIZE_FORMAT
        "-byte chunk has %" G_GINT64_FORMAT " kB of huge pages with %"
        G_GUINT64_FORMAT " free", huge, kib, spare);
  } else if (memvideo_huge_page_size () != 0 &&
      spare < MEMVIDEO_HUGE_PAGES_RESERVE) {
    fail_unless_equals_int (kib, 0);
  }
  gst_memory_unmap (mem, &map);
  gst_memory_unref (mem);

  /* the freed block is kept and handed to the next chunk of its size */
  again = memvideo_spill_pool_alloc (pool, huge, NULL, NULL, NULL);
  fail_unless (gst_memory_map (again, &map, GST_MAP_READ));
  fail_unless (map.data == data);
  fail_unless_equals_int (map.data[huge - 1], 0x5a);
  gst_memory_unmap (again, &map);
  gst_memory_unref (again);

  memvideo_spill_pool_unref (pool);
}

GST_END_TEST;

/* Huge pages that are slow to populate (here: any) are not asked for
 * again for a while; the blocks are good RAM either way. */
GST_START_TEST (test_slow_huge_pages_pause)
{
  gsize huge = memvideo_huge_page_size ();
  guint8 *a, *b;

  if (huge == 0 || memvideo_huge_pages_free () < MEMVIDEO_HUGE_PAGES_RESERVE +
      16) {
    g_print ("no huge pages to spare here: pause not tested\n");
    return;
  }

  memvideo_huge_pages_test_set_slow (0);
  a = memvideo_huge_pages_alloc (huge);
  fail_unless (a != NULL);
  fail_unless (anon_huge_kib (a) >= (gint64) (huge / KIB));
  /* paused */
  fail_unless (memvideo_huge_pages_alloc (huge) == NULL);
  fail_unless (memvideo_huge_pages_alloc (2 * huge) == NULL);
  /* the pause ends (here by resetting the threshold) */
  memvideo_huge_pages_test_set_slow (-1);
  b = memvideo_huge_pages_alloc (huge);
  fail_unless (b != NULL);
  memset (a, 1, huge);
  memset (b, 2, huge);
  munmap (a, huge);
  munmap (b, huge);
}

GST_END_TEST;

/* MEMVIDEO_HUGE_PAGES picks the path whatever the machine's free huge
 * pages: never gives ordinary pages, always asks for huge pages even when
 * /proc/buddyinfo shows none to spare (the kernel may still refuse) */
GST_START_TEST (test_policy_from_environment)
{
  gsize huge = memvideo_huge_page_size ();
  guint8 *block;

  g_unsetenv ("MEMVIDEO_HUGE_PAGES");
  fail_unless_equals_int (memvideo_huge_pages_policy (),
      MEMVIDEO_HUGE_PAGES_AUTO);
  g_setenv ("MEMVIDEO_HUGE_PAGES", "never", TRUE);
  fail_unless_equals_int (memvideo_huge_pages_policy (),
      MEMVIDEO_HUGE_PAGES_NEVER);
  fail_unless (memvideo_huge_pages_alloc (huge ? huge : 2 * MIB) == NULL);

  g_setenv ("MEMVIDEO_HUGE_PAGES", "always", TRUE);
  fail_unless_equals_int (memvideo_huge_pages_policy (),
      MEMVIDEO_HUGE_PAGES_ALWAYS);
  block = memvideo_huge_pages_alloc (huge ? huge : 2 * MIB);
  if (huge == 0) {
    fail_unless (block == NULL, "no huge pages here, yet a block");
  } else {
    fail_unless (block != NULL);
    fail_unless ((guintptr) block % huge == 0);
    memset (block, 1, huge);
    munmap (block, huge);
  }

  g_setenv ("MEMVIDEO_HUGE_PAGES", "sometimes", TRUE);
  fail_unless_equals_int (memvideo_huge_pages_policy (),
      MEMVIDEO_HUGE_PAGES_AUTO);
  g_unsetenv ("MEMVIDEO_HUGE_PAGES");
}

GST_END_TEST;

static Suite *
hugepages_suite (void)
{
  Suite *s = suite_create ("hugepages");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_buddyinfo);
  tcase_add_test (tc, test_chunk_size);
  tcase_add_test (tc, test_pool_chunk_is_huge_page);
  tcase_add_test (tc, test_slow_huge_pages_pause);
  tcase_add_test (tc, test_policy_from_environment);

  return s;
}

GST_CHECK_MAIN (hugepages);
