/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The spill store (see spillpool.h for the contract).
 *
 * The pool *is* the allocator: MemvideoSpillPool is the instance struct of
 * the GstAllocator subclass MemvideoSpillAllocator, pool_ref/unref are
 * gst_object_ref/unref, and since every GstMemory holds a reference to its
 * allocator, the pool lives as long as any of its memories (or anyone who
 * got the allocator from an ALLOCATION query).
 *
 * Locking: one GMutex per pool guards every field of the pool and of its
 * memories.  Disk I/O and JPEG coding run *without* the lock: the memory
 * concerned is marked busy first, and anyone who needs it (map, read,
 * free) waits on the pool's GCond until it is not busy any more.  So a
 * thread mapping a resident frame never waits behind another frame's
 * write, and two threads can spill or reload different frames at once.
 *
 * Eviction order: the unmapped resident memories (the only ones that can
 * be evicted) sit in a GSequence sorted by a stamp: the time they became
 * resident (allocation or reload) for NEWEST, the time they were last
 * mapped for LRU.  NEWEST evicts from the end, LRU from the start; each
 * step is O(log n).
 *
 * Budget: after every allocation and unmap, the resident bytes of unmapped
 * memories are at most max-memory, unless a write failed.  An allocation
 * evicts others first; if the new memory still does not fit (max-memory 0,
 * or everything else mapped), it starts without RAM and gets zeroed RAM at
 * its first map: uninitialised data need not be written anywhere.
 *
 * Failed writes: the memory stays resident and the error is reported once.
 * Further writes are not tried (eviction stops at the first memory that
 * would need one) until space is freed in the spill file, the max-disk
 * setting changes or memvideo_spill_pool_trim() is called.  A full disk
 * therefore costs one error per occasion, not one per frame.
 *
 * RAM: blocks of 64 KiB and more (and any block with a large alignment)
 * are mmap()ed and munmap()ed directly, so a spilled frame's RAM goes back
 * to the system at once; malloc would keep it in its heap once its
 * dynamic mmap threshold has grown past the frame size.  Blocks made of
 * whole transparent huge pages (memsink's 2 MiB file chunks) get them
 * while the kernel has free ones to spare (hugepages.h): one fault instead
 * of 512.  Other blocks, frames, are not advised: rounding them up to huge
 * pages wastes RAM, and when free huge pages run out the usual
 * defrag=madvise setting compacts memory synchronously at every fault,
 * which once made memsink keeping 600 raw 1080p frames 1.6x slower (3.1 s
 * against 1.9 s, tests/bench/memsink-bench.sh).
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
 * RAM, ZERO_PREFIXED/ZERO_PADDED, the bytes a JPEG decode leaves alone).
 * trim(), a lower max-memory and finalize release them.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillpool.h"
#include "hugepages.h"
#include "spillcodec.h"
#include "spillfile.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

GST_DEBUG_CATEGORY (memvideo_spill_debug);
#define GST_CAT_DEFAULT memvideo_spill_debug

#define MMAP_THRESHOLD (64 * 1024)
#define KEEP_MIN_BLOCKS 2
#define KEEP_MAX_BYTES (8 * 1024 * 1024)
#define DEFAULT_JPEG_QUALITY 90

typedef struct
{
  guint8 *data;
  gsize size;
} KeptBlock;

/* The error function with its data.  pool_unlock() takes a reference
 * under the lock before it calls the function without the lock, so a
 * handler replaced meanwhile keeps its data until the last call in flight
 * has returned: the notify runs when the last reference goes. */
typedef struct
{
  gint refcount;
  MemvideoSpillErrorFunc func;
  gpointer data;
  GDestroyNotify notify;
} ErrorHandler;

typedef struct
{
  GstMemory mem;

  /* All fields are guarded by the pool lock.  While busy is set, another
   * thread is writing or reading the data without the lock: only that
   * thread touches data, on_disk and the extent. */
  guint8 *data;                 /* NULL when not in RAM */
  gboolean mmapped;             /* data came from mmap() */
  gint map_count;
  gboolean busy;
  gboolean has_content;         /* mapped for writing at least once */
  gboolean on_disk;             /* the extent holds the current data */
  guint64 disk_offset;
  gsize disk_size;              /* encoded size */
  gboolean jpeg;
  MemvideoSpillLayout layout;   /* when jpeg, relative to data + layout_base */
  gsize layout_base;
  guint64 resident_stamp;       /* NEWEST order */
  guint64 use_stamp;            /* LRU order */
  GSequenceIter *iter;          /* in pool->evictable, or NULL */
} SpillMemory;

struct _MemvideoSpillPool
{
  GstAllocator parent;

  GMutex lock;
  GCond cond;                   /* signalled when a memory stops being busy */

  /* Everything below is guarded by lock. */
  guint64 max_memory;
  guint64 max_disk;
  MemvideoSpillFormat format;
  gint jpeg_quality;
  MemvideoEviction eviction;
  ErrorHandler *error_handler;  /* NULL: errors are only logged */

  GSequence *evictable;         /* unmapped, resident, not busy memories */
  GArray *kept;                 /* KeptBlock: freed RAM, oldest first */
  guint64 evictable_bytes;
  guint64 reserved_bytes;       /* being allocated for new memories */
  guint64 owner_bytes;          /* the owner's bookkeeping, in the budget */
  guint64 stamp;
  MemvideoSpillStats stats;
  gboolean writes_suspended;
  gboolean warned_format;
  GSList *pending_errors;       /* reported by pool_unlock() */

  /* The extent functions run under lock; reads and writes without. */
  MemvideoSpillFile *file;
};

typedef MemvideoSpillPool MemvideoSpillAllocator;
typedef GstAllocatorClass MemvideoSpillAllocatorClass;

G_DEFINE_TYPE (MemvideoSpillAllocator, memvideo_spill_allocator,
    GST_TYPE_ALLOCATOR);

#define SPILL_POOL(obj) ((MemvideoSpillPool *) (obj))
#define MEM_POOL(m) SPILL_POOL (((GstMemory *) (m))->allocator)

static guint8 empty_block[1];

GQuark
memvideo_spill_error_quark (void)
{
  return g_quark_from_static_string ("memvideo-spill-error-quark");
}

/* RAM blocks */

static guint8 *
block_alloc (gsize size, gboolean mmapped)
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

/* Kept blocks (see the top of the file).  All under the pool lock. */

static void
keep_drop_oldest (MemvideoSpillPool * pool)
{
  KeptBlock *b = &g_array_index (pool->kept, KeptBlock, 0);

  pool->stats.cached_bytes -= b->size;
  block_free (b->data, b->size, TRUE);
  g_array_remove_index (pool->kept, 0);
}

static void
keep_release_all (MemvideoSpillPool * pool)
{
  while (pool->kept->len > 0)
    keep_drop_oldest (pool);
}

/* Takes the RAM a memory gives up: keeps mmap()ed blocks, frees the
 * rest (malloc keeps small blocks itself). */
static void
block_release (MemvideoSpillPool * pool, guint8 * data, gsize size,
    gboolean mmapped)
{
  KeptBlock b = { data, size };

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

/* A kept block of exactly @size bytes, or NULL: then the caller maps
 * fresh RAM, and every kept block is released first, so that kept blocks
 * never add to the pool's peak. */
static guint8 *
block_take (MemvideoSpillPool * pool, gsize size, gboolean mmapped)
{
  guint8 *data;
  guint i;

  if (!mmapped || size == 0)
    return NULL;
  for (i = pool->kept->len; i > 0; i--) {
    KeptBlock *b = &g_array_index (pool->kept, KeptBlock, i - 1);

    if (b->size != size)
      continue;
    data = b->data;
    pool->stats.cached_bytes -= size;
    pool->stats.blocks_reused++;
    g_array_remove_index (pool->kept, i - 1);
    return data;
  }
  keep_release_all (pool);
  return NULL;
}

/* Locking and error reporting */

static void
pool_lock (MemvideoSpillPool * pool)
{
  g_mutex_lock (&pool->lock);
}

static void
pool_queue_error (MemvideoSpillPool * pool, GError * error)
{
  pool->pending_errors = g_slist_prepend (pool->pending_errors, error);
}

static ErrorHandler *
error_handler_ref (ErrorHandler * h)
{
  if (h)
    g_atomic_int_inc (&h->refcount);
  return h;
}

static void
error_handler_unref (ErrorHandler * h)
{
  if (h == NULL || !g_atomic_int_dec_and_test (&h->refcount))
    return;
  if (h->notify)
    h->notify (h->data);
  g_free (h);
}

/* Unlocks, then reports the errors queued while locked. */
static void
pool_unlock (MemvideoSpillPool * pool)
{
  GSList *errors, *l;
  ErrorHandler *handler;

  if (G_LIKELY (pool->pending_errors == NULL)) {
    g_mutex_unlock (&pool->lock);
    return;
  }
  errors = g_slist_reverse (pool->pending_errors);
  pool->pending_errors = NULL;
  handler = error_handler_ref (pool->error_handler);
  g_mutex_unlock (&pool->lock);

  for (l = errors; l; l = l->next) {
    GError *err = l->data;

    GST_WARNING_OBJECT (pool, "%s", err->message);
    if (handler && handler->func)
      handler->func (pool, err, handler->data);
  }
  g_slist_free_full (errors, (GDestroyNotify) g_error_free);
  error_handler_unref (handler);
}

static void
wait_not_busy (MemvideoSpillPool * pool, SpillMemory * m)
{
  while (m->busy)
    g_cond_wait (&pool->cond, &pool->lock);
}

static void
set_not_busy (MemvideoSpillPool * pool, SpillMemory * m)
{
  m->busy = FALSE;
  g_cond_broadcast (&pool->cond);
}

/* Statistics: add (+1) or remove (-1) what @m counts for in its current
 * state; called around every state change. */
static void
account (MemvideoSpillPool * pool, SpillMemory * m, gint sign)
{
  MemvideoSpillStats *s = &pool->stats;

  if (m->data) {
    s->frames_resident += sign;
    s->resident_bytes += sign * (gint64) m->mem.maxsize;
  } else {
    s->frames_spilled += sign;
    if (m->on_disk)
      s->spilled_bytes += sign * (gint64) m->disk_size;
  }
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

static void
evictable_add (MemvideoSpillPool * pool, SpillMemory * m)
{
  if (m->iter || m->data == NULL || m->map_count > 0 || m->busy
      || m->mem.maxsize == 0)
    return;
  m->iter = g_sequence_insert_sorted (pool->evictable, m, evict_cmp, pool);
  pool->evictable_bytes += m->mem.maxsize;
}

static void
evictable_remove (MemvideoSpillPool * pool, SpillMemory * m)
{
  if (m->iter == NULL)
    return;
  g_sequence_remove (m->iter);
  m->iter = NULL;
  pool->evictable_bytes -= m->mem.maxsize;
}

static SpillMemory *
eviction_candidate (MemvideoSpillPool * pool)
{
  GSequenceIter *it;

  if (g_sequence_is_empty (pool->evictable))
    return NULL;
  if (pool->eviction == MEMVIDEO_EVICTION_LRU)
    it = g_sequence_get_begin_iter (pool->evictable);
  else
    it = g_sequence_iter_prev (g_sequence_get_end_iter (pool->evictable));
  return g_sequence_get (it);
}

static void
release_extent (MemvideoSpillPool * pool, SpillMemory * m)
{
  memvideo_spill_file_free_extent (pool->file, m->disk_offset, m->disk_size);
  m->on_disk = FALSE;
  /* Space was freed: a write that failed for lack of it may work now. */
  pool->writes_suspended = FALSE;
}

/* Writes @m out (unless the disk copy is current) and frees its RAM.
 * Called with the lock held; drops it during encoding and I/O.  FALSE when
 * the write failed and @m stayed resident. */
static gboolean
evict_one (MemvideoSpillPool * pool, SpillMemory * m)
{
  guint8 *data = m->data, *jpeg = NULL;
  const guint8 *out;
  gsize maxsize = m->mem.maxsize, out_size;
  guint64 offset = 0, max_disk = pool->max_disk;
  gint quality = pool->jpeg_quality;
  GError *err = NULL;
  gboolean ok = TRUE;

  evictable_remove (pool, m);

  if (m->on_disk || !m->has_content) {
    /* A clean reload (the disk copy is current) or never written: only the
     * RAM has to go. */
    account (pool, m, -1);
    m->data = NULL;
    account (pool, m, +1);
    block_release (pool, data, maxsize, m->mmapped);
    return TRUE;
  }

  m->busy = TRUE;
  g_mutex_unlock (&pool->lock);

  if (m->jpeg) {
    ok = memvideo_spill_jpeg_encode (&m->layout, data + m->layout_base,
        quality, &jpeg, &out_size, &err);
    out = jpeg;
  } else {
    out = data;
    out_size = maxsize;
  }

  if (ok) {
    g_mutex_lock (&pool->lock);
    ok = memvideo_spill_file_alloc_extent (pool->file, out_size, max_disk,
        &offset, &err);
    g_mutex_unlock (&pool->lock);
  }
  if (ok) {
    ok = memvideo_spill_file_write (pool->file, offset, out, out_size, &err);
    if (!ok) {
      g_mutex_lock (&pool->lock);
      memvideo_spill_file_free_extent (pool->file, offset, out_size);
      g_mutex_unlock (&pool->lock);
    }
  }
  if (jpeg)
    memvideo_spill_jpeg_free (jpeg);

  g_mutex_lock (&pool->lock);
  set_not_busy (pool, m);

  if (!ok) {
    pool->stats.write_errors++;
    if (g_error_matches (err, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_CODEC)) {
      /* This frame cannot be coded: keep it raw from now on. */
      m->jpeg = FALSE;
    } else {
      pool->writes_suspended = TRUE;
    }
    pool_queue_error (pool, err);
    evictable_add (pool, m);
    return FALSE;
  }

  account (pool, m, -1);
  m->data = NULL;
  m->on_disk = TRUE;
  m->disk_offset = offset;
  m->disk_size = out_size;
  account (pool, m, +1);
  pool->stats.spills++;
  block_release (pool, data, maxsize, m->mmapped);
  return TRUE;
}

/* Evicts until the unmapped resident bytes plus @reserve fit in max-memory
 * or nothing more can be evicted.  Lock held (dropped during I/O). */
static void
evict_locked (MemvideoSpillPool * pool, guint64 reserve)
{
  while (pool->evictable_bytes + pool->reserved_bytes + pool->owner_bytes +
      reserve > pool->max_memory) {
    SpillMemory *m = eviction_candidate (pool);

    if (m == NULL)
      break;
    if (pool->writes_suspended && m->has_content && !m->on_disk)
      break;
    if (!evict_one (pool, m))
      break;
  }
}

/* Reads a spilled memory back (or gives a never-written one its RAM).
 * Lock held, @m not busy, not resident.  FALSE (error queued) on failure. */
static gboolean
reload_locked (MemvideoSpillPool * pool, SpillMemory * m)
{
  gsize maxsize = m->mem.maxsize;
  guint8 *data, *enc = NULL;
  GError *err = NULL;
  gboolean ok = TRUE, reused;

  data = block_take (pool, maxsize, m->mmapped);
  reused = data != NULL;
  m->busy = TRUE;
  g_mutex_unlock (&pool->lock);

  if (!reused)
    data = block_alloc (maxsize, m->mmapped);
  if (reused && !m->on_disk) {
    /* Never written: its first map shows zeros, as fresh RAM would. */
    memset (data, 0, maxsize);
  } else if (reused && m->jpeg) {
    /* Only the pixels are decoded: no byte of the block's previous frame
     * may show around them. */
    memset (data, 0, m->layout_base);
    memvideo_spill_layout_clear_gaps (&m->layout, data + m->layout_base,
        maxsize - m->layout_base);
  }
  if (data == NULL) {
    g_set_error (&err, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Out of memory reloading a %" G_GSIZE_FORMAT " byte frame", maxsize);
    ok = FALSE;
  } else if (m->on_disk && m->jpeg) {
    enc = g_try_malloc (m->disk_size);
    if (enc == NULL) {
      g_set_error (&err, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
          "Out of memory reloading a %" G_GSIZE_FORMAT " byte JPEG frame",
          m->disk_size);
      ok = FALSE;
    } else {
      ok = memvideo_spill_file_read (pool->file, m->disk_offset, enc,
          m->disk_size, &err)
          && memvideo_spill_jpeg_decode (&m->layout, enc, m->disk_size,
          data + m->layout_base, &err);
    }
  } else if (m->on_disk) {
    ok = memvideo_spill_file_read (pool->file, m->disk_offset, data, maxsize,
        &err);
  }
  g_free (enc);

  g_mutex_lock (&pool->lock);
  set_not_busy (pool, m);
  if (!ok) {
    block_release (pool, data, maxsize, m->mmapped);
    pool_queue_error (pool, err);
    return FALSE;
  }
  account (pool, m, -1);
  m->data = data;
  account (pool, m, +1);
  if (m->on_disk)
    pool->stats.reloads++;
  m->resident_stamp = ++pool->stamp;
  return TRUE;
}

/* Keeps resident @m in RAM while its data is used without the lock, the
 * way a map does; unpin_locked() ends that (evicting if the budget wants
 * it).  Lock held. */
static void
pin_locked (MemvideoSpillPool * pool, SpillMemory * m)
{
  evictable_remove (pool, m);
  m->map_count++;
}

static void
unpin_locked (MemvideoSpillPool * pool, SpillMemory * m)
{
  if (--m->map_count == 0) {
    evictable_add (pool, m);
    evict_locked (pool, 0);
  }
}

/* GstMemory vfuncs */

static gpointer
spill_mem_map_full (GstMemory * mem, GstMapInfo * info, gsize maxsize)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = MEM_POOL (m);
  gpointer ret = NULL;

  pool_lock (pool);
  wait_not_busy (pool, m);
  if (m->data == NULL && !reload_locked (pool, m))
    goto done;

  pin_locked (pool, m);
  m->use_stamp = ++pool->stamp;
  if (info->flags & GST_MAP_WRITE) {
    /* The disk copy is stale from now on. */
    m->has_content = TRUE;
    if (m->on_disk)
      release_extent (pool, m);
  }
  ret = m->data;

done:
  pool_unlock (pool);
  return ret;
}

static void
spill_mem_unmap_full (GstMemory * mem, GstMapInfo * info)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = MEM_POOL (m);

  pool_lock (pool);
  unpin_locked (pool, m);
  pool_unlock (pool);
}

static GstMemory *pool_alloc_full (MemvideoSpillPool * pool, gsize maxsize,
    gsize align, gsize offset, gsize size, GstMemoryFlags flags,
    const MemvideoSpillLayout * layout, gboolean with_ram);

static GstMemory *
spill_mem_copy (GstMemory * mem, gssize offset, gssize size)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = MEM_POOL (m);
  MemvideoSpillLayout layout;
  gboolean keep_layout;
  GstMemory *copy;
  GstMapInfo map;
  GError *err = NULL;

  if (size == -1)
    size = (gssize) mem->size > offset ? (gssize) mem->size - offset : 0;

  /* A copy of the whole frame can still be spilled as JPEG. */
  pool_lock (pool);
  keep_layout = m->jpeg && offset == 0 && (gsize) size == mem->size
      && mem->offset == m->layout_base;
  layout = m->layout;
  pool_unlock (pool);

  copy = pool_alloc_full (pool, size, mem->align, 0, size, 0,
      keep_layout ? &layout : NULL, TRUE);
  if (!gst_memory_map (copy, &map, GST_MAP_WRITE))
    goto map_failed;
  if (!memvideo_spill_memory_read (mem, offset, map.data, size, &err)) {
    gst_memory_unmap (copy, &map);
    goto read_failed;
  }
  gst_memory_unmap (copy, &map);
  return copy;

  /* ERRORS */
map_failed:
  {
    gst_memory_unref (copy);
    return NULL;
  }
read_failed:
  {
    gst_memory_unref (copy);
    /* no error: a range outside the memory, already reported */
    if (err) {
      pool_lock (pool);
      pool_queue_error (pool, err);
      pool_unlock (pool);
    }
    return NULL;
  }
}

static GstMemory *
spill_mem_share (GstMemory * mem, gssize offset, gssize size)
{
  /* Never reached: the memories are NO_SHARE, gst_memory_share() refuses
   * them and buffers copy regions instead. */
  return NULL;
}

static gboolean
spill_mem_is_span (GstMemory * mem1, GstMemory * mem2, gsize * offset)
{
  return FALSE;
}

/* Allocation */

/* @with_ram FALSE: the memory starts without RAM and nothing is evicted
 * for it (memvideo_spill_pool_alloc_spilled()) */
static GstMemory *
pool_alloc_full (MemvideoSpillPool * pool, gsize maxsize, gsize align,
    gsize offset, gsize size, GstMemoryFlags flags,
    const MemvideoSpillLayout * layout, gboolean with_ram)
{
  SpillMemory *m = g_slice_new0 (SpillMemory);
  gboolean fits;
  guint8 *data = NULL;
  gsize padding = maxsize - offset - size;

  gst_memory_init (GST_MEMORY_CAST (m), flags | GST_MEMORY_FLAG_NO_SHARE,
      GST_ALLOCATOR_CAST (pool), NULL, maxsize, align, offset, size);
  /* malloc aligns to 16 bytes; mmap to a page. */
  m->mmapped = maxsize >= MMAP_THRESHOLD || align > 15;
  if (layout) {
    m->jpeg = TRUE;
    m->layout = *layout;
    m->layout_base = offset;
  }

  pool_lock (pool);
  m->use_stamp = ++pool->stamp;
  /* Make room first, so RAM stays within the budget plus the frames in
   * flight, and reserve it while the block is allocated without the
   * lock. */
  if (with_ram)
    evict_locked (pool, maxsize);
  fits = with_ram && (maxsize == 0
      || pool->evictable_bytes + pool->reserved_bytes + pool->owner_bytes +
      maxsize <= pool->max_memory);
  if (fits)
    data = block_take (pool, maxsize, m->mmapped);
  if (data) {
    /* The data is uninitialised, but what sysmem zeroes stays zero. */
    if ((flags & GST_MEMORY_FLAG_ZERO_PREFIXED) && offset > 0)
      memset (data, 0, offset);
    if ((flags & GST_MEMORY_FLAG_ZERO_PADDED) && padding > 0)
      memset (data + offset + size, 0, padding);
  } else if (fits) {
    pool->reserved_bytes += maxsize;
    pool_unlock (pool);
    data = block_alloc (maxsize, m->mmapped);
    pool_lock (pool);
    pool->reserved_bytes -= maxsize;
  }
  /* Without room (or RAM) the memory starts empty and gets its RAM when
   * it is first mapped. */
  m->data = data;
  if (data)
    m->resident_stamp = ++pool->stamp;
  account (pool, m, +1);
  evictable_add (pool, m);
  pool_unlock (pool);

  return GST_MEMORY_CAST (m);
}

static GstMemory *
spill_allocator_alloc (GstAllocator * allocator, gsize size,
    GstAllocationParams * params)
{
  gsize maxsize = size + params->prefix + params->padding;

  return pool_alloc_full (SPILL_POOL (allocator), maxsize, params->align,
      params->prefix, size, params->flags, NULL, TRUE);
}

static void
spill_allocator_free (GstAllocator * allocator, GstMemory * mem)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = SPILL_POOL (allocator);

  pool_lock (pool);
  wait_not_busy (pool, m);
  evictable_remove (pool, m);
  account (pool, m, -1);
  if (m->on_disk)
    release_extent (pool, m);
  block_release (pool, m->data, mem->maxsize, m->mmapped);
  pool_unlock (pool);

  g_slice_free (SpillMemory, m);
}

/* GObject */

static void
memvideo_spill_allocator_finalize (GObject * object)
{
  MemvideoSpillPool *pool = SPILL_POOL (object);

  error_handler_unref (pool->error_handler);
  g_slist_free_full (pool->pending_errors, (GDestroyNotify) g_error_free);
  g_sequence_free (pool->evictable);
  keep_release_all (pool);
  g_array_free (pool->kept, TRUE);
  memvideo_spill_file_free (pool->file);
  g_cond_clear (&pool->cond);
  g_mutex_clear (&pool->lock);

  G_OBJECT_CLASS (memvideo_spill_allocator_parent_class)->finalize (object);
}

static void
memvideo_spill_allocator_class_init (MemvideoSpillAllocatorClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = memvideo_spill_allocator_finalize;
  klass->alloc = spill_allocator_alloc;
  klass->free = spill_allocator_free;

  GST_DEBUG_CATEGORY_INIT (memvideo_spill_debug, "memvideospill", 0,
      "memvideo spill store");
}

static void
memvideo_spill_allocator_init (MemvideoSpillAllocator * pool)
{
  GstAllocator *alloc = GST_ALLOCATOR_CAST (pool);

  alloc->mem_type = "MemvideoSpillMemory";
  alloc->mem_map_full = spill_mem_map_full;
  alloc->mem_unmap_full = spill_mem_unmap_full;
  alloc->mem_copy = spill_mem_copy;
  alloc->mem_share = spill_mem_share;
  alloc->mem_is_span = spill_mem_is_span;

  g_mutex_init (&pool->lock);
  g_cond_init (&pool->cond);
  pool->format = MEMVIDEO_SPILL_FORMAT_RAW;
  pool->jpeg_quality = DEFAULT_JPEG_QUALITY;
  pool->eviction = MEMVIDEO_EVICTION_NEWEST;
  pool->evictable = g_sequence_new (NULL);
  pool->kept = g_array_new (FALSE, FALSE, sizeof (KeptBlock));
}

/* Public API */

MemvideoSpillPool *
memvideo_spill_pool_new (const gchar * directory, GError ** error)
{
  MemvideoSpillFile *file;
  MemvideoSpillPool *pool;

  /* Registers the type and the debug category before the first message. */
  g_type_ensure (MEMVIDEO_TYPE_SPILL_ALLOCATOR);

  file = memvideo_spill_file_new (directory, error);
  if (file == NULL)
    return NULL;

  pool = g_object_new (MEMVIDEO_TYPE_SPILL_ALLOCATOR, NULL);
  gst_object_ref_sink (pool);
  pool->file = file;
  GST_DEBUG_OBJECT (pool, "spill file created in %s (private directory %s, "
      "removed)", memvideo_spill_file_get_directory (file),
      memvideo_spill_file_get_private_directory (file));
  return pool;
}

MemvideoSpillPool *
memvideo_spill_pool_ref (MemvideoSpillPool * pool)
{
  return gst_object_ref (pool);
}

void
memvideo_spill_pool_unref (MemvideoSpillPool * pool)
{
  gst_object_unref (pool);
}

void
memvideo_spill_pool_set_max_memory (MemvideoSpillPool * pool,
    guint64 max_memory)
{
  gboolean shrink;

  pool_lock (pool);
  shrink = max_memory < pool->max_memory;
  pool->max_memory = max_memory;
  evict_locked (pool, 0);
  /* A smaller budget asks for RAM back: the RAM of the memories just
   * evicted too. */
  if (shrink)
    keep_release_all (pool);
  pool_unlock (pool);
}

guint64
memvideo_spill_pool_get_max_memory (MemvideoSpillPool * pool)
{
  guint64 ret;

  pool_lock (pool);
  ret = pool->max_memory;
  pool_unlock (pool);
  return ret;
}

void
memvideo_spill_pool_set_max_disk (MemvideoSpillPool * pool, guint64 max_disk)
{
  pool_lock (pool);
  pool->max_disk = max_disk;
  pool->writes_suspended = FALSE;
  evict_locked (pool, 0);
  pool_unlock (pool);
}

void
memvideo_spill_pool_set_format (MemvideoSpillPool * pool,
    MemvideoSpillFormat format)
{
  pool_lock (pool);
  pool->format = format;
  pool_unlock (pool);
}

void
memvideo_spill_pool_set_jpeg_quality (MemvideoSpillPool * pool, gint quality)
{
  pool_lock (pool);
  pool->jpeg_quality = CLAMP (quality, 1, 100);
  pool_unlock (pool);
}

void
memvideo_spill_pool_set_eviction (MemvideoSpillPool * pool,
    MemvideoEviction eviction)
{
  pool_lock (pool);
  if (pool->eviction != eviction) {
    pool->eviction = eviction;
    g_sequence_sort (pool->evictable, evict_cmp, pool);
  }
  pool_unlock (pool);
}

void
memvideo_spill_pool_set_error_func (MemvideoSpillPool * pool,
    MemvideoSpillErrorFunc func, gpointer user_data, GDestroyNotify notify)
{
  ErrorHandler *h = NULL, *old;

  if (func || notify) {
    h = g_new0 (ErrorHandler, 1);
    h->refcount = 1;
    h->func = func;
    h->data = user_data;
    h->notify = notify;
  }
  pool_lock (pool);
  old = pool->error_handler;
  pool->error_handler = h;
  pool_unlock (pool);

  /* the old data is released now, or by the last call in flight */
  error_handler_unref (old);
}

const gchar *
memvideo_spill_pool_get_directory (MemvideoSpillPool * pool)
{
  return memvideo_spill_file_get_directory (pool->file);
}

void
memvideo_spill_pool_get_stats (MemvideoSpillPool * pool,
    MemvideoSpillStats * stats)
{
  pool_lock (pool);
  *stats = pool->stats;
  stats->disk_file_bytes = memvideo_spill_file_get_length (pool->file);
  pool_unlock (pool);
}

GstAllocator *
memvideo_spill_pool_get_allocator (MemvideoSpillPool * pool)
{
  return GST_ALLOCATOR_CAST (pool);
}

gboolean
memvideo_spill_pool_can_jpeg (const GstVideoInfo * vinfo)
{
  MemvideoSpillLayout layout;

  g_return_val_if_fail (vinfo != NULL, FALSE);

  return memvideo_spill_layout_init (&layout, vinfo, NULL, NULL,
      GST_VIDEO_INFO_SIZE (vinfo));
}

GstMemory *
memvideo_spill_pool_alloc (MemvideoSpillPool * pool, gsize size,
    const GstVideoInfo * vinfo, const gsize * offset, const gint * stride)
{
  MemvideoSpillLayout layout;
  gboolean jpeg = FALSE, warn = FALSE;

  g_return_val_if_fail (pool != NULL, NULL);

  pool_lock (pool);
  if (vinfo && pool->format == MEMVIDEO_SPILL_FORMAT_JPEG) {
    jpeg = memvideo_spill_layout_init (&layout, vinfo, offset, stride, size);
    if (!jpeg && !pool->warned_format) {
      pool->warned_format = TRUE;
      warn = TRUE;
    }
  }
  pool_unlock (pool);

  if (warn)
    GST_WARNING_OBJECT (pool, "%s %dx%d frames cannot be spilled as JPEG "
        "(format not supported or planes do not fit in %" G_GSIZE_FORMAT
        " bytes), spilling raw", gst_video_format_to_string
        (GST_VIDEO_INFO_FORMAT (vinfo)), GST_VIDEO_INFO_WIDTH (vinfo),
        GST_VIDEO_INFO_HEIGHT (vinfo), size);

  return pool_alloc_full (pool, size, 0, 0, size, 0, jpeg ? &layout : NULL,
      TRUE);
}

/* Copies the data of @src into @dest without pulling spilled memories
 * back into RAM. */
static gboolean
extract_all (GstBuffer * src, guint8 * dest, GError ** error)
{
  guint i, n = gst_buffer_n_memory (src);
  gsize pos = 0;

  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (src, i);
    GstMapInfo map;

    if (memvideo_is_spill_memory (mem)) {
      if (!memvideo_spill_memory_read (mem, 0, dest + pos, mem->size, error))
        return FALSE;
      pos += mem->size;
      continue;
    }
    if (!gst_memory_map (mem, &map, GST_MAP_READ)) {
      g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
          "Could not map memory %u of %u (%" G_GSIZE_FORMAT " bytes) of the "
          "buffer to copy", i, n, mem->size);
      return FALSE;
    }
    memcpy (dest + pos, map.data, map.size);
    pos += map.size;
    gst_memory_unmap (mem, &map);
  }
  return TRUE;
}

/* gst_buffer_copy_into() leaves out metas tagged "memory" when the
 * memories are not copied with it, GstVideoMeta among them.  Here they
 * are still right: the plane offsets are relative to the buffer, and dest
 * holds the same bytes at the same offsets. */
static void
copy_video_metas (GstBuffer * dest, GstBuffer * src)
{
  GstMetaTransformCopy copy = { FALSE, 0, -1 };
  gpointer state = NULL;
  GstMeta *meta;

  if (gst_buffer_get_video_meta (dest))
    return;
  while ((meta = gst_buffer_iterate_meta_filtered (src, &state,
              GST_VIDEO_META_API_TYPE)))
    meta->info->transform_func (dest, meta, src, _gst_meta_transform_copy,
        &copy);
}

/* Where the planes of @src lie for the codec: the GstVideoMeta's plane
 * offsets and strides when it describes @vinfo's frame (they are relative
 * to the buffer, and a copy holds the same bytes at the same offsets),
 * else NULL for @vinfo's own layout. */
static void
buffer_planes (GstBuffer * src, const GstVideoInfo * vinfo,
    const gsize ** offset, const gint ** stride)
{
  GstVideoMeta *vmeta = vinfo ? gst_buffer_get_video_meta (src) : NULL;

  *offset = NULL;
  *stride = NULL;
  if (vmeta && vmeta->format == GST_VIDEO_INFO_FORMAT (vinfo)
      && (gint) vmeta->width == GST_VIDEO_INFO_WIDTH (vinfo)
      && (gint) vmeta->height == GST_VIDEO_INFO_HEIGHT (vinfo)) {
    *offset = vmeta->offset;
    *stride = vmeta->stride;
  }
}

GstBuffer *
memvideo_spill_pool_copy_buffer (MemvideoSpillPool * pool, GstBuffer * src,
    const GstVideoInfo * vinfo, GError ** error)
{
  gsize size = gst_buffer_get_size (src);
  const gsize *offset;
  const gint *stride;
  GstMemory *mem;
  GstMapInfo map;
  GstBuffer *dest;

  /* The copy is one memory holding all of src's data in order, so the
   * GstVideoMeta plane offsets stay right, and they describe where the
   * planes really are. */
  buffer_planes (src, vinfo, &offset, &stride);
  mem = memvideo_spill_pool_alloc (pool, size, vinfo, offset, stride);
  if (!gst_memory_map (mem, &map, GST_MAP_WRITE))
    goto map_failed;
  if (!extract_all (src, map.data, error)) {
    gst_memory_unmap (mem, &map);
    gst_memory_unref (mem);
    return NULL;
  }
  gst_memory_unmap (mem, &map);

  dest = gst_buffer_new ();
  gst_buffer_append_memory (dest, mem);
  if (!gst_buffer_copy_into (dest, src, GST_BUFFER_COPY_METADATA, 0, -1))
    goto copy_failed;
  copy_video_metas (dest, src);
  return dest;

  /* ERRORS */
map_failed:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Could not get %" G_GSIZE_FORMAT " bytes of RAM for a copy of the "
        "buffer", size);
    gst_memory_unref (mem);
    return NULL;
  }
copy_failed:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Could not copy the metadata of a %" G_GSIZE_FORMAT " byte buffer",
        size);
    gst_buffer_unref (dest);
    return NULL;
  }
}

/* TRUE when every memory of @buffer is this pool's and spills with the
 * codec the pool would choose for a copy of @buffer. */
static gboolean
buffer_fits_pool (MemvideoSpillPool * pool, GstBuffer * buffer,
    const GstVideoInfo * vinfo)
{
  MemvideoSpillLayout layout;
  const gsize *offset;
  const gint *stride;
  gboolean jpeg = FALSE, fits = TRUE;
  guint i, n = gst_buffer_n_memory (buffer);

  if (!memvideo_spill_pool_owns_buffer (pool, buffer))
    return FALSE;
  buffer_planes (buffer, vinfo, &offset, &stride);
  pool_lock (pool);
  if (vinfo && pool->format == MEMVIDEO_SPILL_FORMAT_JPEG)
    jpeg = memvideo_spill_layout_init (&layout, vinfo, offset, stride,
        gst_buffer_get_size (buffer));
  for (i = 0; i < n && fits; i++) {
    SpillMemory *m = (SpillMemory *) gst_buffer_peek_memory (buffer, i);

    if (jpeg) {
      /* the one memory of the frame, coded with the frame's layout */
      fits = n == 1 && m->jpeg && m->layout_base == m->mem.offset
          && memcmp (&m->layout, &layout, sizeof (layout)) == 0;
    } else {
      fits = !m->jpeg;
    }
  }
  pool_unlock (pool);
  return fits;
}

/* A buffer of our own with @src's memories (none when @with_memory is
 * FALSE), timestamps, flags and metas.  The memories are the same, so the
 * metas describing them stay right: those gst_buffer_copy_into() leaves
 * out when it does not copy the memories are copied too. */
static GstBuffer *
rewrap_buffer (GstBuffer * src, gboolean with_memory)
{
  GstBuffer *dest = gst_buffer_new ();
  GstMetaTransformCopy copy = { FALSE, 0, -1 };
  gpointer state = NULL;
  GstMeta *meta;
  guint i;

  for (i = 0; with_memory && i < gst_buffer_n_memory (src); i++)
    gst_buffer_append_memory (dest,
        gst_memory_ref (gst_buffer_peek_memory (src, i)));
  gst_buffer_copy_into (dest, src, GST_BUFFER_COPY_METADATA, 0, -1);
  while (with_memory && (meta = gst_buffer_iterate_meta (src, &state))) {
    if (gst_meta_api_type_has_tag (meta->info->api,
            g_quark_from_static_string (GST_META_TAG_MEMORY_STR))
        && meta->info->transform_func)
      meta->info->transform_func (dest, meta, src, _gst_meta_transform_copy,
          &copy);
  }
  return dest;
}

GstBuffer *
memvideo_spill_pool_adopt_buffer (MemvideoSpillPool * pool,
    GstBuffer * buffer, const GstVideoInfo * vinfo, GError ** error)
{
  GstBuffer *ret;

  g_return_val_if_fail (pool != NULL, NULL);
  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  if (gst_buffer_get_size (buffer) == 0) {
    if (gst_buffer_n_memory (buffer) == 0 && buffer->pool == NULL)
      return buffer;
    /* nothing to page: no memory of anybody else's is kept for it */
    ret = rewrap_buffer (buffer, FALSE);
  } else if (buffer_fits_pool (pool, buffer, vinfo)) {
    if (buffer->pool == NULL)
      return buffer;
    /* The upstream buffer pool gets its buffer back at once and drops it
     * (its memories are shared now): holding it could stall a pool of a
     * fixed size. */
    ret = rewrap_buffer (buffer, TRUE);
  } else {
    ret = memvideo_spill_pool_copy_buffer (pool, buffer, vinfo, error);
  }
  gst_buffer_unref (buffer);
  return ret;
}

gboolean
memvideo_spill_pool_owns_buffer (MemvideoSpillPool * pool, GstBuffer * buffer)
{
  guint i, n = gst_buffer_n_memory (buffer);

  if (n == 0)
    return FALSE;
  for (i = 0; i < n; i++) {
    if (gst_buffer_peek_memory (buffer, i)->allocator !=
        GST_ALLOCATOR_CAST (pool))
      return FALSE;
  }
  return TRUE;
}

gboolean
memvideo_is_spill_memory (GstMemory * mem)
{
  return mem != NULL && mem->allocator != NULL
      && G_TYPE_CHECK_INSTANCE_TYPE (mem->allocator,
      MEMVIDEO_TYPE_SPILL_ALLOCATOR);
}

MemvideoSpillPool *
memvideo_spill_memory_get_pool (GstMemory * mem)
{
  return memvideo_is_spill_memory (mem) ? MEM_POOL (mem) : NULL;
}

gboolean
memvideo_spill_memory_is_resident (GstMemory * mem)
{
  MemvideoSpillPool *pool;
  gboolean ret;

  g_return_val_if_fail (memvideo_is_spill_memory (mem), FALSE);
  pool = MEM_POOL (mem);
  pool_lock (pool);
  ret = ((SpillMemory *) mem)->data != NULL;
  pool_unlock (pool);
  return ret;
}

gboolean
memvideo_spill_memory_read (GstMemory * mem, gsize offset, guint8 * dest,
    gsize size, GError ** error)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool;
  gsize start;
  guint8 *enc = NULL, *frame = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (memvideo_is_spill_memory (mem), FALSE);
  g_return_val_if_fail (offset <= mem->size && size <= mem->size - offset,
      FALSE);

  pool = MEM_POOL (m);
  start = mem->offset + offset;

  pool_lock (pool);
  wait_not_busy (pool, m);
  if (m->data) {
    pin_locked (pool, m);
    pool_unlock (pool);
    memcpy (dest, m->data + start, size);
    pool_lock (pool);
    unpin_locked (pool, m);
    pool_unlock (pool);
    return TRUE;
  }
  if (!m->on_disk) {
    /* Never written: what its first map would show. */
    pool_unlock (pool);
    memset (dest, 0, size);
    return TRUE;
  }

  m->busy = TRUE;
  pool_unlock (pool);

  if (m->jpeg) {
    enc = g_try_malloc (m->disk_size);
    frame = g_try_malloc0 (mem->maxsize);
    if (enc == NULL || frame == NULL) {
      g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
          "Out of memory decoding a %" G_GSIZE_FORMAT " byte frame",
          mem->maxsize);
      ok = FALSE;
    } else {
      ok = memvideo_spill_file_read (pool->file, m->disk_offset, enc,
          m->disk_size, error)
          && memvideo_spill_jpeg_decode (&m->layout, enc, m->disk_size,
          frame + m->layout_base, error);
      if (ok)
        memcpy (dest, frame + start, size);
    }
    g_free (enc);
    g_free (frame);
  } else {
    ok = memvideo_spill_file_read (pool->file, m->disk_offset + start, dest,
        size, error);
  }

  pool_lock (pool);
  set_not_busy (pool, m);
  pool_unlock (pool);
  return ok;
}

GstMemory *
memvideo_spill_pool_alloc_spilled (MemvideoSpillPool * pool, gsize size)
{
  g_return_val_if_fail (pool != NULL, NULL);

  return pool_alloc_full (pool, size, 0, 0, size, 0, NULL, FALSE);
}

gboolean
memvideo_spill_pool_has_room (MemvideoSpillPool * pool, gsize size)
{
  gboolean room;

  g_return_val_if_fail (pool != NULL, FALSE);

  pool_lock (pool);
  room = pool->evictable_bytes + pool->reserved_bytes + pool->owner_bytes +
      size <= pool->max_memory;
  pool_unlock (pool);

  return room;
}

gboolean
memvideo_spill_memory_write (GstMemory * mem, gsize offset,
    const guint8 * data, gsize size, GError ** error)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool;
  GError *err = NULL;
  gboolean ok, new_extent = FALSE;
  guint64 disk_offset, extent_end;
  const guint8 zero = 0;
  gsize start;

  g_return_val_if_fail (memvideo_is_spill_memory (mem), FALSE);
  g_return_val_if_fail (offset <= mem->size && size <= mem->size - offset,
      FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  pool = MEM_POOL (m);
  start = mem->offset + offset;
  if (size == 0)
    return TRUE;

  pool_lock (pool);
  wait_not_busy (pool, m);
  if (m->jpeg) {
    pool_unlock (pool);
    g_critical ("memvideo_spill_memory_write: JPEG memories cannot be "
        "written in place");
    return FALSE;
  }

  if (m->data) {
    /* In RAM: written there, as through a WRITE map */
    pin_locked (pool, m);
    m->use_stamp = ++pool->stamp;
    m->has_content = TRUE;
    if (m->on_disk)
      release_extent (pool, m);
    pool_unlock (pool);
    memcpy (m->data + start, data, size);
    pool_lock (pool);
    unpin_locked (pool, m);
    pool_unlock (pool);
    return TRUE;
  }

  if (pool->writes_suspended) {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Not writing to the spill file in '%s': an earlier write failed",
        memvideo_spill_pool_get_directory (pool));
    pool_unlock (pool);
    return FALSE;
  }

  if (!m->on_disk) {
    /* Never written: it gets its extent now; the bytes not written are
     * undefined, as in a new memory */
    if (!memvideo_spill_file_alloc_extent (pool->file, mem->maxsize,
            pool->max_disk, &disk_offset, &err))
      goto failed;
    account (pool, m, -1);
    m->on_disk = TRUE;
    m->has_content = TRUE;
    m->disk_offset = disk_offset;
    m->disk_size = mem->maxsize;
    account (pool, m, +1);
    new_extent = TRUE;
  }

  m->busy = TRUE;
  disk_offset = m->disk_offset + start;
  extent_end = m->disk_offset + m->disk_size;
  pool_unlock (pool);
  /* A new extent may lie beyond the end of the file, which only grows as
   * far as what is written: its last byte first, so that a reload of the
   * whole extent finds it all (writing, unlike ftruncate(), never cuts off
   * what other threads write meanwhile) */
  ok = !new_extent || disk_offset + size == extent_end
      || memvideo_spill_file_write (pool->file, extent_end - 1, &zero, 1, &err);
  ok = ok && memvideo_spill_file_write (pool->file, disk_offset, data, size,
      &err);
  pool_lock (pool);
  set_not_busy (pool, m);
  if (!ok) {
    if (new_extent) {
      account (pool, m, -1);
      release_extent (pool, m);
      m->has_content = FALSE;
      account (pool, m, +1);
    }
    goto failed;
  }
  pool->stats.spills++;
  pool_unlock (pool);

  return TRUE;

  /* ERRORS */
failed:
  {
    /* As for a failed eviction: reported once through the error function,
     * no more writes until space is freed */
    pool->stats.write_errors++;
    pool->writes_suspended = TRUE;
    g_propagate_error (error, g_error_copy (err));
    pool_queue_error (pool, err);
    pool_unlock (pool);
    return FALSE;
  }
}

void
memvideo_spill_pool_trim (MemvideoSpillPool * pool)
{
  pool_lock (pool);
  pool->writes_suspended = FALSE;
  evict_locked (pool, 0);
  keep_release_all (pool);
  pool_unlock (pool);
}

gsize
memvideo_spill_pool_memory_overhead (void)
{
  /* the structure and malloc's header */
  return sizeof (SpillMemory) + 2 * sizeof (gpointer);
}

void
memvideo_spill_pool_set_owner_bytes (MemvideoSpillPool * pool, guint64 bytes)
{
  g_return_if_fail (pool != NULL);

  pool_lock (pool);
  pool->owner_bytes = bytes;
  evict_locked (pool, 0);
  pool_unlock (pool);
}

void
memvideo_spill_pool_make_room (MemvideoSpillPool * pool, gsize size)
{
  g_return_if_fail (pool != NULL);

  pool_lock (pool);
  evict_locked (pool, size);
  pool_unlock (pool);
}

void
memvideo_spill_pool_test_truncate_file (MemvideoSpillPool * pool,
    guint64 length)
{
  pool_lock (pool);
  memvideo_spill_file_truncate (pool->file, length);
  pool_unlock (pool);
}
