/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * Internal to the files of the spill pool:
 *
 *   spillpool.c    the pool object: settings, statistics, locking and
 *                  error reporting
 *   spillmemory.c  the allocator and a memory's state machine (resident,
 *                  busy, spilled; map, unmap, reload, read, free)
 *   spillevict.c   the budget check, the eviction order, evicting, and the
 *                  RAM blocks with the kept-block cache
 *   spillbuffer.c  copying and adopting buffers (with their metas)
 *   spillowner.c   the calls for an owner that manages memories itself
 *                  (memfile): writes in place, memories without RAM, room
 *
 * Locking: pool->lock guards every field of the pool and of its memories.
 * Disk I/O and coding run without it: the memory concerned is marked busy
 * first, and anyone who needs it waits on pool->cond until it is not busy.
 * Functions named *_locked, and every function declared here unless it
 * says otherwise, are called with the lock held; those that do I/O drop it
 * meanwhile.
 */

#ifndef __MEMVIDEO_SPILL_POOL_PRIVATE_H__
#define __MEMVIDEO_SPILL_POOL_PRIVATE_H__

#include "spillpool.h"
#include "spillfile.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (memvideo_spill_debug);

typedef struct _SpillErrorHandler SpillErrorHandler;

typedef struct
{
  GstMemory mem;

  /* While busy is set, another thread reads or writes the data without
   * the lock: only that thread touches data, on_disk and the extent. */
  guint8 *data;                 /* NULL when not in RAM */
  gint map_count;
  guint mmapped:1;              /* data came from mmap() */
  guint busy:1;
  guint has_content:1;          /* written (mapped for writing) at least once */
  guint on_disk:1;              /* the extent holds the current data */
  guint small:1;                /* smaller than a spill block: never spilled */
  guint64 disk_offset;
  gsize disk_size;              /* encoded size */
  const MemvideoSpillCodec *codec;
  MemvideoSpillLayout *layout;  /* when codec->needs_layout, else NULL */
  guint64 resident_stamp;       /* NEWEST order */
  guint64 use_stamp;            /* LRU order */
  GSequenceIter *iter;          /* in pool->clean or pool->dirty, or NULL */
} SpillMemory;

typedef struct
{
  guint8 *data;
  gsize size;
} SpillKeptBlock;

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
  SpillErrorHandler *error_handler;     /* NULL: errors are only logged */

  /* Unmapped, resident, not busy memories that can be evicted, sorted by
   * the eviction stamp: those whose eviction writes nothing (the disk copy
   * is current, or they never had content) and those that need a write. */
  GSequence *clean;
  GSequence *dirty;
  guint64 evictable_bytes;      /* in clean and dirty */
  guint64 small_bytes;          /* small memories: data + bookkeeping */
  guint64 reserved_bytes;       /* being allocated for new memories */
  guint64 owner_bytes;          /* the owner's bookkeeping, in the budget */
  GArray *kept;                 /* SpillKeptBlock: freed RAM, oldest first */
  guint64 stamp;
  MemvideoSpillStats stats;
  gboolean writes_suspended;
  gboolean warned_format;
  gboolean test_no_ram;         /* memvideo_spill_pool_test_fail_ram() */
  GSList *pending_errors;       /* reported by spill_pool_unlock() */

  /* The extent functions run under lock; reads and writes without. */
  MemvideoSpillFile *file;
};

#define SPILL_POOL(obj) ((MemvideoSpillPool *) (obj))
#define SPILL_MEM_POOL(m) SPILL_POOL (((GstMemory *) (m))->allocator)

/* spillpool.c */
G_GNUC_INTERNAL void spill_pool_lock (MemvideoSpillPool * pool);
/* Unlocks, then reports the errors queued while locked (not locked after) */
G_GNUC_INTERNAL void spill_pool_unlock (MemvideoSpillPool * pool);
G_GNUC_INTERNAL void spill_pool_queue_error (MemvideoSpillPool * pool,
    GError * error);
G_GNUC_INTERNAL void spill_wait_not_busy (MemvideoSpillPool * pool,
    SpillMemory * m);
G_GNUC_INTERNAL void spill_set_not_busy (MemvideoSpillPool * pool,
    SpillMemory * m);
/* Statistics: add (+1) or remove (-1) what @m counts for in its current
 * state; called around every state change. */
G_GNUC_INTERNAL void spill_account (MemvideoSpillPool * pool,
    SpillMemory * m, gint sign);

/* spillmemory.c */
G_GNUC_INTERNAL void spill_memory_install (GstAllocator * allocator,
    GstAllocatorClass * klass);
/* Not locked.  @codec with @layout (when it needs one); @with_ram FALSE:
 * the memory starts without RAM and nothing is evicted for it. */
G_GNUC_INTERNAL GstMemory *spill_alloc_full (MemvideoSpillPool * pool,
    gsize maxsize, gsize align, gsize offset, gsize size,
    GstMemoryFlags flags, const MemvideoSpillCodec * codec,
    const MemvideoSpillLayout * layout, gboolean with_ram);
/* Not locked.  The codec the pool's format gives frames of @vinfo with
 * planes at @offset/@stride in @size bytes, and their @layout; raw for
 * anything it does not accept (@vinfo NULL: not video). */
G_GNUC_INTERNAL const MemvideoSpillCodec *spill_choose_codec (MemvideoSpillPool
    * pool, const GstVideoInfo * vinfo, const gsize * offset,
    const gint * stride, gsize size, MemvideoSpillLayout * layout);
/* Keep resident @m in RAM while its data is used without the lock, as a
 * map does; unpin ends that (evicting if the budget wants it). */
G_GNUC_INTERNAL void spill_pin_locked (MemvideoSpillPool * pool,
    SpillMemory * m);
G_GNUC_INTERNAL void spill_unpin_locked (MemvideoSpillPool * pool,
    SpillMemory * m);
/* The spill file's source for a codec's read function. */
typedef struct
{
  MemvideoSpillFile *file;
  guint64 offset;
} SpillSource;
G_GNUC_INTERNAL gboolean spill_source_read (gpointer source, guint64 offset,
    guint8 * dest, gsize size, GError ** error);

/* spillevict.c */
/* What @m counts in the budget while it is resident and unmapped. */
G_GNUC_INTERNAL guint64 spill_charge (const SpillMemory * m);
/* TRUE when @extra more bytes fit in max-memory next to what counts now:
 * the unmapped resident memories, those being allocated, the small ones
 * and the owner's bookkeeping.  The one budget check of the pool. */
G_GNUC_INTERNAL gboolean spill_budget_fits (MemvideoSpillPool * pool,
    guint64 extra);
G_GNUC_INTERNAL void spill_evictable_add (MemvideoSpillPool * pool,
    SpillMemory * m);
G_GNUC_INTERNAL void spill_evictable_remove (MemvideoSpillPool * pool,
    SpillMemory * m);
G_GNUC_INTERNAL void spill_evictable_resort (MemvideoSpillPool * pool);
/* Evicts until the budget fits @reserve more bytes or nothing more can
 * go; drops the lock during I/O. */
G_GNUC_INTERNAL void spill_evict_locked (MemvideoSpillPool * pool,
    guint64 reserve);
G_GNUC_INTERNAL void spill_release_extent (MemvideoSpillPool * pool,
    SpillMemory * m);
/* RAM blocks: a kept block of exactly @size bytes, or NULL (then every
 * kept block is released, and the caller maps fresh RAM with
 * spill_block_alloc(), without the lock). */
G_GNUC_INTERNAL guint8 *spill_block_take (MemvideoSpillPool * pool,
    gsize size, gboolean mmapped);
G_GNUC_INTERNAL guint8 *spill_block_alloc (gsize size, gboolean mmapped);
/* Takes the RAM a memory gives up: keeps mmap()ed blocks for reuse */
G_GNUC_INTERNAL void spill_block_release (MemvideoSpillPool * pool,
    guint8 * data, gsize size, gboolean mmapped);
G_GNUC_INTERNAL void spill_keep_release_all (MemvideoSpillPool * pool);
G_GNUC_INTERNAL gboolean spill_wants_mmap (gsize maxsize, gsize align);

G_END_DECLS

#endif /* __MEMVIDEO_SPILL_POOL_PRIVATE_H__ */
