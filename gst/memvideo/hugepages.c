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

#include "hugepages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gst/gst.h>

/* Set up by the first memvideo_huge_page_size(), which every other
 * logging function here calls first */
GST_DEBUG_CATEGORY_STATIC (memvideo_huge_pages_debug);
#define GST_CAT_DEFAULT memvideo_huge_pages_debug

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

/* While huge pages are refused, look at /proc/buddyinfo at most this
 * often (microseconds) */
#define LOOK_INTERVAL (100 * 1000)

/* Populating a 2 MiB huge page takes about 0.2 ms; 512 pages of 4 KiB
 * with MAP_POPULATE 0.8 to 1 ms (build machine, a loop of 100 each).
 * One from memory a hypervisor had taken back (free
 * page reporting, a balloon: Firecracker, cloud-hypervisor, QEMU) is
 * faulted in 4 KiB at a time on the host: 3 to 7 ms.  In the same loops
 * 4 KiB pages stayed at 0.8 to 1 ms (our guess, not verified: huge pages
 * come from the large free blocks the host took back, 4 KiB pages mostly
 * from recently freed ones).  So when the
 * running average of the populate time per huge page (each block weighs
 * 1/8) exceeds SLOW_POPULATE microseconds, about what 4 KiB pages cost,
 * no huge pages for SLOW_BACKOFF.  A stray cold page among hot ones does
 * not stop them. */
#define SLOW_POPULATE 1000
#define SLOW_BACKOFF (5 * G_USEC_PER_SEC)
#define HOT_POPULATE 250

static gsize
read_huge_page_size (void)
{
  gchar *text = NULL;
  guint64 size = 0;

  GST_DEBUG_CATEGORY_INIT (memvideo_huge_pages_debug, "memvideohugepages", 0,
      "gst-memvideo huge-page RAM blocks");
  if (g_file_get_contents (THP_DIR "/enabled", &text, NULL, NULL)
      && strstr (text, "[never]") == NULL) {
    g_free (text);
    text = NULL;
    if (g_file_get_contents (THP_DIR "/hpage_pmd_size", &text, NULL, NULL))
      size = g_ascii_strtoull (text, NULL, 10);
  }
  g_free (text);

  /* a power of two above the page size, or nothing */
  if (size <= (guint64) sysconf (_SC_PAGESIZE) || (size & (size - 1)) != 0
      || size > G_MAXSIZE)
    size = 0;
  GST_DEBUG ("transparent huge pages: %" G_GUINT64_FORMAT " bytes", size);

  return (gsize) size;
}

gsize
memvideo_huge_page_size (void)
{
  static gsize size;

  if (g_once_init_enter (&size)) {
    /* g_once_init_leave() takes no 0: store one more than the size */
    g_once_init_leave (&size, read_huge_page_size () + 1);
  }

  return size - 1;
}

guint64
memvideo_buddyinfo_free_blocks (const gchar * text, guint order)
{
  gchar **lines;
  guint64 total = 0;
  guint i;

  g_return_val_if_fail (text != NULL, 0);

  if (order >= 64)
    return 0;

  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++) {
    /* "Node 0, zone   Normal   4262   1152 ..." */
    const gchar *p = strstr (lines[i], "zone");
    gchar *end;
    guint k;

    if (p == NULL)
      continue;
    p += 4;
    while (*p == ' ')
      p++;
    /* the DMA zone (first 16 MiB) serves only old devices */
    if (g_str_has_prefix (p, "DMA ") || strcmp (p, "DMA") == 0)
      continue;
    while (*p != ' ' && *p != '\0')
      p++;

    for (k = 0;; k++) {
      guint64 count;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;
      errno = 0;
      count = g_ascii_strtoull (p, &end, 10);
      if (end == p || errno != 0)
        break;
      p = end;
      if (k >= order && k - order < 32)
        total += count << (k - order);
    }
  }
  g_strfreev (lines);

  return total;
}

guint64
memvideo_huge_pages_free (void)
{
  gsize huge = memvideo_huge_page_size ();
  gchar *text = NULL;
  guint64 free_blocks = 0;
  guint order = 0;

  if (huge == 0)
    return 0;
  while (((gsize) sysconf (_SC_PAGESIZE) << order) < huge)
    order++;
  if (g_file_get_contents ("/proc/buddyinfo", &text, NULL, NULL))
    free_blocks = memvideo_buddyinfo_free_blocks (text, order);
  g_free (text);

  return free_blocks;
}

/* How many huge pages may still be taken before /proc/buddyinfo is read
 * again, and when it may be read again; until when none are taken because
 * they were slow to populate.  Guarded by allowance_lock. */
static GMutex allowance_lock;
static guint64 allowance;
static gint64 next_look;
static gint64 slow_until;
static gint64 slow_threshold = SLOW_POPULATE;
static gint64 populate_average = HOT_POPULATE;

/* Read at every call (once per huge-page block): cheap next to populating
 * 2 MiB, and a test can change it between calls */
MemvideoHugePagesPolicy
memvideo_huge_pages_policy (void)
{
  static gint warned;
  const gchar *env = g_getenv ("MEMVIDEO_HUGE_PAGES");

  if (env == NULL || *env == '\0' || strcmp (env, "auto") == 0)
    return MEMVIDEO_HUGE_PAGES_AUTO;
  if (strcmp (env, "never") == 0)
    return MEMVIDEO_HUGE_PAGES_NEVER;
  if (strcmp (env, "always") == 0)
    return MEMVIDEO_HUGE_PAGES_ALWAYS;
  if (g_atomic_int_compare_and_exchange (&warned, 0, 1))
    GST_WARNING ("MEMVIDEO_HUGE_PAGES=%s is not never, always or auto: "
        "using auto", env);

  return MEMVIDEO_HUGE_PAGES_AUTO;
}

static gboolean
take_huge_pages (guint64 n)
{
  gboolean ok;

  switch (memvideo_huge_pages_policy ()) {
    case MEMVIDEO_HUGE_PAGES_NEVER:
      return FALSE;
    case MEMVIDEO_HUGE_PAGES_ALWAYS:
      return TRUE;
    case MEMVIDEO_HUGE_PAGES_AUTO:
      break;
  }

  g_mutex_lock (&allowance_lock);
  if (slow_until != 0 && g_get_monotonic_time () < slow_until) {
    g_mutex_unlock (&allowance_lock);
    return FALSE;
  }
  if (allowance < n && g_get_monotonic_time () >= next_look) {
    guint64 free_blocks = memvideo_huge_pages_free ();

    allowance = free_blocks > MEMVIDEO_HUGE_PAGES_RESERVE ?
        (free_blocks - MEMVIDEO_HUGE_PAGES_RESERVE) / 2 : 0;
    next_look = allowance < n ? g_get_monotonic_time () + LOOK_INTERVAL : 0;
    GST_LOG ("%" G_GUINT64_FORMAT " free huge pages, %" G_GUINT64_FORMAT
        " may be taken", free_blocks, allowance);
  }
  ok = allowance >= n;
  if (ok)
    allowance -= n;
  g_mutex_unlock (&allowance_lock);

  return ok;
}

gpointer
memvideo_huge_pages_alloc (gsize size)
{
  gsize huge = memvideo_huge_page_size ();
  guint8 *map, *block, *map_end;
  gint64 start, took;
  gsize page, i;

  if (huge == 0 || size == 0 || size % huge != 0 || size > G_MAXSIZE - huge)
    return NULL;
  if (!take_huge_pages (size / huge))
    return NULL;

  /* map one huge page more and cut the block out at a huge-page boundary */
  map = mmap (NULL, size + huge, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED)
    return NULL;
  block = (guint8 *) (((guintptr) map + huge - 1) & ~(guintptr) (huge - 1));
  map_end = map + size + huge;
  if (block > map)
    munmap (map, block - map);
  if (map_end > block + size)
    munmap (block + size, map_end - (block + size));

  /* Without the advice (enabled=madvise) the range gets 4 KiB pages; if
   * it fails the block is still good RAM */
  if (madvise (block, size, MADV_HUGEPAGE) != 0)
    GST_DEBUG ("MADV_HUGEPAGE: %s", g_strerror (errno));

  /* Every byte is about to be written: fault the pages in at once.  A
   * kernel older than 5.14 has no MADV_POPULATE_WRITE: touch each page. */
  start = g_get_monotonic_time ();
#ifdef MADV_POPULATE_WRITE
  if (madvise (block, size, MADV_POPULATE_WRITE) != 0)
#endif
  {
    page = (gsize) sysconf (_SC_PAGESIZE);
    for (i = 0; i < size; i += page)
      ((volatile guint8 *) block)[i] = 0;
  }
  took = g_get_monotonic_time () - start;
  GST_LOG ("%p: %" G_GSIZE_FORMAT " bytes of huge pages in %" G_GINT64_FORMAT
      " us", block, size, took);

  g_mutex_lock (&allowance_lock);
  populate_average += (took / (gint64) (size / huge) - populate_average) / 8;
  if (populate_average > slow_threshold) {
    slow_until = g_get_monotonic_time () + SLOW_BACKOFF;
    GST_DEBUG ("huge pages took %" G_GINT64_FORMAT " us each to populate "
        "lately: none for %d s", populate_average,
        (gint) (SLOW_BACKOFF / G_USEC_PER_SEC));
    populate_average = HOT_POPULATE;
  }
  g_mutex_unlock (&allowance_lock);

  return block;
}

void
memvideo_huge_pages_test_set_slow (gint64 threshold)
{
  g_mutex_lock (&allowance_lock);
  slow_threshold = threshold < 0 ? SLOW_POPULATE : threshold;
  slow_until = 0;
  populate_average = HOT_POPULATE;
  g_mutex_unlock (&allowance_lock);
}
