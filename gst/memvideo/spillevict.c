/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The budget, eviction and the RAM blocks of the spill pool (locking in
 * spillpoolprivate.h).
 *
 * Budget: the resident bytes of unmapped memories, plus the memories being
 * allocated, the small memories and the owner's bookkeeping, stay within
 * max-memory after every allocation and unmap, unless nothing more can be
 * evicted (everything else mapped, or writes failing).  spill_budget_fits()
 * is the one check.  Memories smaller than a spill block are never spilled
 * (a block of disk and the bookkeeping would cost more than their data):
 * they count with their bookkeeping and push larger memories out instead.
 *
 * Eviction order: the evictable memories sit in two GSequences sorted by a
 * stamp (the time they became resident for NEWEST, the time they were last
 * mapped for LRU): `clean` holds those whose eviction writes nothing (a
 * clean reload keeps its disk copy; a memory never written has nothing to
 * write), `dirty` those that need a write.  The candidate is the first of
 * both in the policy's order, each step O(log n).  While writes are
 * suspended after a failure, only clean memories are evicted, so the
 * budget holds for everything that can still go, whatever the access
 * pattern.
 *
 * Failed writes: the memory stays resident and the error is reported once.
 * Writes are not tried again until space is freed in the spill file, the
 * max-disk setting changes or memvideo_spill_pool_trim() is called: a full
 * disk costs one error per occasion, not one per frame.
 *
 * RAM: blocks of 64 KiB and more (and any block with a large alignment)
 * are mmap()ed and munmap()ed directly, so a spilled frame's RAM goes back
 * to the system at once; malloc would keep it in its heap once its dynamic
 * mmap threshold has grown past the frame size.  Blocks made of whole
 * transparent huge pages (memsink's 2 MiB file chunks) get them while the
 * kernel has free ones to spare (hugepages.h): one fault instead of 512.
 * Other blocks, frames, are not advised: rounding them up to huge pages
 * wastes RAM, and when free huge pages run out the usual defrag=madvise
 * setting compacts memory synchronously at every fault, which once made
 * memsink keeping 600 raw 1080p frames 1.6x slower (3.1 s against 1.9 s,
 * tests/bench/memsink-bench.sh).
 *
 * Kept blocks: fresh anonymous RAM is zeroed by the kernel, page by page,
 * which costs about as much as reading a raw frame back from the page
 * cache.  So an mmap()ed block whose memory loses it (eviction, free) is
 * kept, up to KEEP_MIN_BLOCKS blocks or KEEP_MAX_BYTES bytes whichever is
 * more, and the next allocation or reload of exactly its size takes it: in
 * a steady stream one frame's RAM goes to the next.  Kept blocks are not
 * counted in max-memory, because they never raise the pool's peak RAM:
 * blocks are only kept when a memory gives its RAM up (the total does not
 * change), and before fresh RAM is mapped every kept block is released (a
 * miss means the frame size changed).  A block is handed out with its old
 * content only where the memory promises nothing (a new memory is
 * uninitialised, a raw reload overwrites all of it); zeros are written
 * where they are promised (first map of a memory that started without
 * RAM, ZERO_PREFIXED/ZERO_PADDED, the bytes a decode leaves alone).
 * trim(), a lower max-memory and finalize release them.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillpoolprivate.h"
#include "hugepages.h"

#include <sys/mman.h>

#define GST_CAT_DEFAULT memvideo_spill_debug

#define MMAP_THRESHOLD (64 * 1024)
#define KEEP_MIN_BLOCKS 2
#define KEEP_MAX_BYTES (8 * 1024 * 1024)

static guint8 empty_block[1];

/* Budget */

guint64
spill_charge (const SpillMemory * m)
{
  if (m->small)
    return m->mem.maxsize + memvideo_spill_pool_memory_overhead ();
  return m->mem.maxsize;
}

gboolean
spill_budget_fits (MemvideoSpillPool * pool, guint64 extra)
{
  guint64 used = pool->evictable_bytes + pool->small_bytes +
      pool->reserved_bytes + pool->owner_bytes;

  return used <= pool->max_memory && extra <= pool->max_memory - used;
}

/* RAM blocks */

gboolean
spill_wants_mmap (gsize maxsize, gsize align)
{
  /* malloc aligns to 16 bytes; mmap to a page */
  return maxsize >= MMAP_THRESHOLD || align > 15;
}

guint8 *
spill_block_alloc (gsize size, gboolean mmapped)
{
  gpointer p;

  if (size == 0)
    return empty_block;
  if (!mmapped)
    return g_try_malloc0 (size);
  /* Blocks of whole huge pages (memsink's file chunks) get them while the
   * kernel has them free (hugepages.h) */
  p = memvideo_huge_pages_alloc (size);
  if (p != NULL)
    return p;
  /* Every byte is written (or read into) right away: fault the pages in
   * with one call instead of one fault per page. */
  p = mmap (NULL, size, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static void
block_free (guint8 * data, gsize size, gboolean mmapped)
{
  if (data == NULL || data == empty_block)
    return;
  if (mmapped)
    munmap (data, size);
  else
    g_free (data);
}

static void
keep_drop_oldest (MemvideoSpillPool * pool)
{
  SpillKeptBlock *b = &g_array_index (pool->kept, SpillKeptBlock, 0);

  pool->stats.cached_bytes -= b->size;
  block_free (b->data, b->size, TRUE);
  g_array_remove_index (pool->kept, 0);
}

void
spill_keep_release_all (MemvideoSpillPool * pool)
{
  while (pool->kept->len > 0)
    keep_drop_oldest (pool);
}

void
spill_block_release (MemvideoSpillPool * pool, guint8 * data, gsize size,
    gboolean mmapped)
{
  SpillKeptBlock b = { data, size };

  /* malloc keeps small blocks itself */
  if (!mmapped || data == NULL || data == empty_block) {
    block_free (data, size, mmapped);
    return;
  }
  g_array_append_val (pool->kept, b);
  pool->stats.cached_bytes += size;
  /* The newest blocks are the likeliest to match the next frames. */
  while (pool->kept->len > KEEP_MIN_BLOCKS
      && pool->stats.cached_bytes > KEEP_MAX_BYTES)
    keep_drop_oldest (pool);
}

guint8 *
spill_block_take (MemvideoSpillPool * pool, gsize size, gboolean mmapped)
{
  guint8 *data;
  guint i;

  if (!mmapped || size == 0)
    return NULL;
  for (i = pool->kept->len; i > 0; i--) {
    SpillKeptBlock *b = &g_array_index (pool->kept, SpillKeptBlock, i - 1);

    if (b->size != size)
      continue;
    data = b->data;
    pool->stats.cached_bytes -= size;
    pool->stats.blocks_reused++;
    g_array_remove_index (pool->kept, i - 1);
    return data;
  }
  /* fresh RAM follows: kept blocks must not add to the peak */
  spill_keep_release_all (pool);
  return NULL;
}

/* Eviction order */

static gint
evict_cmp (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const SpillMemory *ma = a, *mb = b;
  MemvideoSpillPool *pool = user_data;
  guint64 ka, kb;

  if (pool->eviction == MEMVIDEO_EVICTION_LRU) {
    ka = ma->use_stamp;
    kb = mb->use_stamp;
  } else {
    ka = ma->resident_stamp;
    kb = mb->resident_stamp;
  }
  if (ka != kb)
    return ka < kb ? -1 : 1;
  return 0;
}

static gboolean
is_clean (const SpillMemory * m)
{
  return m->on_disk || !m->has_content;
}

void
spill_evictable_add (MemvideoSpillPool * pool, SpillMemory * m)
{
  if (m->iter || m->data == NULL || m->map_count > 0 || m->busy || m->small
      || m->mem.maxsize == 0)
    return;
  /* whether it is clean cannot change while it is in a sequence: only a
   * mapped, pinned or busy memory changes its disk copy */
  m->iter = g_sequence_insert_sorted (is_clean (m) ? pool->clean :
      pool->dirty, m, evict_cmp, pool);
  pool->evictable_bytes += m->mem.maxsize;
}

void
spill_evictable_remove (MemvideoSpillPool * pool, SpillMemory * m)
{
  if (m->iter == NULL)
    return;
  g_sequence_remove (m->iter);
  m->iter = NULL;
  pool->evictable_bytes -= m->mem.maxsize;
}

void
spill_evictable_resort (MemvideoSpillPool * pool)
{
  g_sequence_sort (pool->clean, evict_cmp, pool);
  g_sequence_sort (pool->dirty, evict_cmp, pool);
}

static SpillMemory *
first_of (MemvideoSpillPool * pool, GSequence * seq)
{
  GSequenceIter *it;

  if (g_sequence_is_empty (seq))
    return NULL;
  if (pool->eviction == MEMVIDEO_EVICTION_LRU)
    it = g_sequence_get_begin_iter (seq);
  else
    it = g_sequence_iter_prev (g_sequence_get_end_iter (seq));
  return g_sequence_get (it);
}

static SpillMemory *
eviction_candidate (MemvideoSpillPool * pool)
{
  SpillMemory *c = first_of (pool, pool->clean);
  SpillMemory *d = pool->writes_suspended ? NULL : first_of (pool,
      pool->dirty);
  gint cmp;

  if (c == NULL || d == NULL)
    return c ? c : d;
  cmp = evict_cmp (c, d, pool);
  if (pool->eviction == MEMVIDEO_EVICTION_LRU)
    return cmp <= 0 ? c : d;
  return cmp >= 0 ? c : d;
}

void
spill_release_extent (MemvideoSpillPool * pool, SpillMemory * m)
{
  memvideo_spill_file_free_extent (pool->file, m->disk_offset, m->disk_size);
  m->on_disk = FALSE;
  /* Space was freed: a write that failed for lack of it may work now. */
  pool->writes_suspended = FALSE;
}

/* Only the RAM of @m goes; @m counts as spilled from now on. */
static void
drop_ram (MemvideoSpillPool * pool, SpillMemory * m)
{
  guint8 *data = m->data;

  spill_account (pool, m, -1);
  m->data = NULL;
  spill_account (pool, m, +1);
  spill_block_release (pool, data, m->mem.maxsize, m->mmapped);
}

/* Encodes and writes the @size bytes at @data without the lock; the
 * extent at *@offset holds them on success. */
static gboolean
write_out (MemvideoSpillPool * pool, SpillMemory * m, const guint8 * data,
    guint64 max_disk, gint quality, guint64 * offset, gsize * out_size,
    GError ** err)
{
  const guint8 *out;
  gboolean ok;

  if (!m->codec->encode (m->layout, data, m->mem.maxsize, quality, &out,
          out_size, err))
    return FALSE;
  g_mutex_lock (&pool->lock);
  ok = memvideo_spill_file_alloc_extent (pool->file, *out_size, max_disk,
      offset, err);
  g_mutex_unlock (&pool->lock);
  if (ok) {
    ok = memvideo_spill_file_write (pool->file, *offset, out, *out_size, err);
    if (!ok) {
      g_mutex_lock (&pool->lock);
      memvideo_spill_file_free_extent (pool->file, *offset, *out_size);
      g_mutex_unlock (&pool->lock);
    }
  }
  if (out != data)
    m->codec->release_encoded (out);
  return ok;
}

/* Writes @m out (unless the disk copy is current) and frees its RAM.
 * FALSE when the write failed and @m stayed resident. */
static gboolean
evict_one (MemvideoSpillPool * pool, SpillMemory * m)
{
  guint64 offset = 0, max_disk = pool->max_disk;
  gint quality = pool->jpeg_quality;
  gsize out_size = 0;
  GError *err = NULL;
  gboolean ok;

  spill_evictable_remove (pool, m);
  if (is_clean (m)) {
    /* a clean reload, or never written: only the RAM has to go */
    drop_ram (pool, m);
    return TRUE;
  }

  m->busy = TRUE;
  g_mutex_unlock (&pool->lock);
  ok = write_out (pool, m, m->data, max_disk, quality, &offset, &out_size,
      &err);
  g_mutex_lock (&pool->lock);
  spill_set_not_busy (pool, m);

  if (!ok) {
    pool->stats.write_errors++;
    if (g_error_matches (err, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_CODEC)) {
      /* This frame cannot be coded: keep it raw from now on. */
      m->codec = &memvideo_spill_codec_raw;
      g_clear_pointer (&m->layout, g_free);
    } else {
      pool->writes_suspended = TRUE;
    }
    spill_pool_queue_error (pool, err);
    spill_evictable_add (pool, m);
    return FALSE;
  }

  spill_account (pool, m, -1);
  m->on_disk = TRUE;
  m->disk_offset = offset;
  m->disk_size = out_size;
  spill_account (pool, m, +1);
  pool->stats.spills++;
  drop_ram (pool, m);
  return TRUE;
}

void
spill_evict_locked (MemvideoSpillPool * pool, guint64 reserve)
{
  /* After a failed write the writes are suspended (or the memory is raw
   * now) and the next candidate needs none: the loop ends. */
  while (!spill_budget_fits (pool, reserve)) {
    SpillMemory *m = eviction_candidate (pool);

    if (m == NULL)
      break;
    evict_one (pool, m);
  }
}
