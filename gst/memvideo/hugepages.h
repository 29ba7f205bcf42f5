/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * Transparent huge pages for the spill pool's large RAM blocks, taken only
 * while the kernel has them free.
 *
 * Fresh anonymous RAM costs the kernel a fault (or a populate step) and a
 * zeroing per 4 KiB page.  A 2 MiB block backed by one huge page costs one
 * fault and the same zeroing: for memsink's file chunks that is a third
 * less time than the 4 KiB pages (docs/design.md, "RAM blocks").  But on a
 * madvise()d range a huge-page fault may also compact memory synchronously
 * when no free 2 MiB block exists (defrag=madvise, the usual setting),
 * which costs far more than it saves.  So huge pages are only asked for
 * while /proc/buddyinfo shows free 2 MiB blocks to spare: at most half of
 * those beyond a reserve, looked up again when that allowance is used up
 * (and at most every 100 ms while it is refused).  And huge pages that
 * are slow to populate (over 1 ms each on a running average: memory a
 * hypervisor had taken back, hugepages.c) stop them for 5 s.
 */

#ifndef __MEMVIDEO_HUGE_PAGES_H__
#define __MEMVIDEO_HUGE_PAGES_H__

#include <glib.h>

G_BEGIN_DECLS

/**
 * MemvideoHugePagesPolicy:
 * @MEMVIDEO_HUGE_PAGES_AUTO: huge pages while /proc/buddyinfo shows free
 *   ones to spare and they populate fast (the default)
 * @MEMVIDEO_HUGE_PAGES_NEVER: never: every block gets 4 KiB pages, as on a
 *   machine whose free memory is fragmented
 * @MEMVIDEO_HUGE_PAGES_ALWAYS: ask for them for every block of whole huge
 *   pages, whatever /proc/buddyinfo shows (the kernel may still give
 *   4 KiB pages)
 *
 * Chosen by the environment variable MEMVIDEO_HUGE_PAGES (auto, never,
 * always; anything else is auto), read at each block, so tests and users
 * can take either path on any machine.  The chunk sizes of memsink's file
 * do not change with it.
 */
typedef enum
{
  MEMVIDEO_HUGE_PAGES_AUTO = 0,
  MEMVIDEO_HUGE_PAGES_NEVER = 1,
  MEMVIDEO_HUGE_PAGES_ALWAYS = 2,
} MemvideoHugePagesPolicy;

MemvideoHugePagesPolicy memvideo_huge_pages_policy (void);

/* Free 2 MiB blocks kept for others: never take the last 512 MiB */
#define MEMVIDEO_HUGE_PAGES_RESERVE 256

/* The size of a transparent huge page (hpage_pmd_size, 2 MiB on x86-64),
 * or 0 when they cannot be used: no THP support, or "never" in
 * /sys/kernel/mm/transparent_hugepage/enabled. */
gsize memvideo_huge_page_size (void);

/* The number of free blocks of 2^@order pages in a /proc/buddyinfo text:
 * every free block of that order or more, in the zones ordinary
 * allocations use (all but "DMA"), counted in units of 2^@order pages.
 * 0 for text that does not parse. */
guint64 memvideo_buddyinfo_free_blocks (const gchar * text, guint order);

/* The free blocks of one huge page or more that /proc/buddyinfo shows
 * now, in huge pages (memvideo_buddyinfo_free_blocks() at the huge-page
 * order); 0 when huge pages cannot be used or the file is unreadable. */
guint64 memvideo_huge_pages_free (void);

/* A new block of @size bytes (a multiple of memvideo_huge_page_size()),
 * aligned to a huge page, advised as huge pages and populated, or NULL
 * when huge pages are unusable or not free to spare right now: the caller
 * then maps ordinary pages.  Free it with munmap(). */
gpointer memvideo_huge_pages_alloc (gsize size);

/* Testing only: when huge pages take more than @threshold microseconds
 * each to populate, on a running average, they stop for a while (-1: the
 * default, 1 ms; 0: at the first block); also ends such a pause. */
void memvideo_huge_pages_test_set_slow (gint64 threshold);

G_END_DECLS

#endif /* __MEMVIDEO_HUGE_PAGES_H__ */
