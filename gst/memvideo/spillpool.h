/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The spill store: pageable frames.
 *
 * A MemvideoSpillPool owns a RAM budget, the count of resident bytes, an
 * eviction order, one spill file (created unlinked, mode 0600, inside a
 * private 0700 directory made with mkdtemp under the spill directory) and
 * the codec used to write memories out (spillcodec.h: raw, or JPEG through
 * TurboJPEG for the 8-bit layouts it supports directly).
 *
 * Its memories are ordinary GstMemory objects of a GstAllocator subclass
 * (MemvideoSpillAllocator).  A memory is resident or spilled.  Mapping a
 * spilled memory reads it back (decoding with its codec) and the pointer
 * stays valid until unmap; only unmapped memories are evicted.  A clean
 * reload keeps its disk copy, so evicting it again writes nothing; a WRITE
 * map drops the disk copy.  Memories are NO_SHARE: gst_buffer_copy_region()
 * and friends copy instead of pointing into data that may move.
 *
 * The pool is reference counted and every memory holds a reference, so the
 * pool outlives its creator while any memory lives.
 *
 * All functions are thread safe: any number of threads may map, unmap,
 * copy and free memories of one pool at the same time.
 *
 * The rules the store keeps:
 * - Disk I/O and coding run without the pool lock; the memory involved is
 *   marked busy and other users of that memory wait for it.  Evictions run
 *   in the thread whose allocation or unmap made them necessary.
 * - As for any GstMemory, READ maps exclude WRITE maps but two WRITE maps
 *   of one memory may coexist; writers must not race each other.
 * - Budget: after every allocation and unmap, the resident bytes of
 *   unmapped memories, plus the owner's bytes
 *   (memvideo_spill_pool_set_owner_bytes()), are at most max-memory unless
 *   nothing more can be evicted.  A memory allocated when no room can be
 *   made starts without RAM (counted as spilled, 0 bytes) and gets zeroed
 *   RAM at its first map.
 * - Memories smaller than a spill block (MEMVIDEO_SPILL_FILE_BLOCK) are
 *   never spilled: a block of disk for each would cost more than their
 *   data.  They stay resident and count in max-memory with their
 *   bookkeeping (memvideo_spill_pool_memory_overhead()), pushing larger
 *   memories out.
 * - After a failed write the pool writes nothing more (memories stay
 *   resident, over budget) until space is freed in the spill file,
 *   max-disk is changed or memvideo_spill_pool_trim() is called: one error
 *   per occasion, not one per frame.  Memories that need no write (clean
 *   reloads, never written) are still evicted meanwhile, so the budget
 *   holds for everything but the memories that could not be written.
 * - Freed RAM blocks of 64 KiB and more are kept for reuse by the next
 *   allocation or reload of exactly the same size (at most 2 blocks or
 *   8 MiB, whichever is more), so a steady stream does not pay the kernel
 *   for fresh zeroed pages per frame.  They are not part of max-memory,
 *   but they never raise the pool's peak RAM: fresh RAM is only mapped
 *   when no block of that size is kept, and then every kept block is
 *   released first.  They are also released by
 *   memvideo_spill_pool_trim(), by lowering max-memory and with the pool.
 */

#ifndef __MEMVIDEO_SPILL_POOL_H__
#define __MEMVIDEO_SPILL_POOL_H__

#include <gst/gst.h>
#include <gst/video/video.h>

#include "spillcodec.h"
#include "spillerror.h"

G_BEGIN_DECLS

typedef struct _MemvideoSpillPool MemvideoSpillPool;

/* The pool is the instance of this GstAllocator subclass
 * (MemvideoSpillAllocator); pool_ref/unref are gst_object_ref/unref. */
#define MEMVIDEO_TYPE_SPILL_ALLOCATOR (memvideo_spill_allocator_get_type ())
GType memvideo_spill_allocator_get_type (void);

/**
 * MemvideoEviction:
 * @MEMVIDEO_EVICTION_NEWEST: evict the most recently allocated resident
 *   memory first: in a FIFO the newest frame is the one needed last
 * @MEMVIDEO_EVICTION_LRU: evict the least recently mapped memory first
 *   (random access)
 */
typedef enum
{
  MEMVIDEO_EVICTION_NEWEST = 0,
  MEMVIDEO_EVICTION_LRU = 1,
} MemvideoEviction;

/**
 * MemvideoSpillStats:
 * @resident_bytes: bytes of pool memories held in RAM (mapped or not)
 * @spilled_bytes: bytes the spilled memories occupy in the spill file
 *   (encoded size)
 * @frames_resident: number of live memories held in RAM
 * @frames_spilled: number of live memories whose data is only on disk (or,
 *   never written, nowhere yet)
 * @spills: number of writes to the spill file since the pool was created
 * @reloads: number of maps that read a memory back from the spill file
 *   (memvideo_spill_memory_read() is not counted)
 * @write_errors: failed writes (the memory stayed resident)
 * @disk_file_bytes: the spill file's length (freed extents inside it are
 *   punched out and reused, so it may hold less)
 * @cached_bytes: RAM held by freed blocks kept for reuse (not counted in
 *   @resident_bytes nor in max-memory)
 * @blocks_reused: allocations and reloads that got a kept block instead of
 *   fresh RAM
 * @disk_used_bytes: disk space the spill file's live extents take: what
 *   the spilled memories really cost on disk, each rounded up to whole
 *   blocks (MEMVIDEO_SPILL_FILE_BLOCK)
 */
typedef struct
{
  guint64 resident_bytes;
  guint64 spilled_bytes;
  guint64 frames_resident;
  guint64 frames_spilled;
  guint64 spills;
  guint64 reloads;
  guint64 write_errors;
  guint64 disk_file_bytes;
  guint64 cached_bytes;
  guint64 blocks_reused;
  guint64 disk_used_bytes;
} MemvideoSpillStats;

/**
 * MemvideoSpillErrorFunc:
 * @pool: the pool
 * @error: what failed; the message names the directory and the numbers
 * @user_data: user data
 *
 * Called when a spill write fails (the memory stays resident, over budget)
 * or a reload fails (the map fails).  Called without the pool lock held,
 * from whatever thread triggered the write or read.
 *
 * memvideo_spill_pool_set_error_func() replaces the function at any time;
 * a call of the old one already in flight in another thread still runs to
 * its end with the old data, whose notify runs after that call returns
 * (in that thread) or at once when no call is in flight.
 */
typedef void (*MemvideoSpillErrorFunc) (MemvideoSpillPool * pool,
    const GError * error, gpointer user_data);

/* Creates the private directory and the unlinked spill file at once, so an
 * unusable @directory (NULL = g_get_tmp_dir()) fails here with
 * MEMVIDEO_SPILL_ERROR_DIRECTORY. */
MemvideoSpillPool *memvideo_spill_pool_new (const gchar * directory,
    GError ** error);
MemvideoSpillPool *memvideo_spill_pool_ref (MemvideoSpillPool * pool);
void memvideo_spill_pool_unref (MemvideoSpillPool * pool);

/* Settings; may be changed at any time.  Lowering max-memory evicts at
 * once.  max_memory = 0 spills every memory as soon as it is unmapped;
 * max_disk = 0 means unlimited. */
void memvideo_spill_pool_set_max_memory (MemvideoSpillPool * pool,
    guint64 max_memory);
void memvideo_spill_pool_set_max_disk (MemvideoSpillPool * pool,
    guint64 max_disk);
void memvideo_spill_pool_set_format (MemvideoSpillPool * pool,
    MemvideoSpillFormat format);
void memvideo_spill_pool_set_jpeg_quality (MemvideoSpillPool * pool,
    gint quality);
void memvideo_spill_pool_set_eviction (MemvideoSpillPool * pool,
    MemvideoEviction eviction);
void memvideo_spill_pool_set_error_func (MemvideoSpillPool * pool,
    MemvideoSpillErrorFunc func, gpointer user_data, GDestroyNotify notify);

/* The spill directory as given to memvideo_spill_pool_new() (NULL there =
 * g_get_tmp_dir()): the directory the user configured, named by every
 * message of the pool.  The spill file itself was created in a private
 * directory inside it, which is already removed (the file is unlinked), so
 * a caller wanting a place for files of its own (snapshots) uses
 * this directory too. */
const gchar *memvideo_spill_pool_get_directory (MemvideoSpillPool * pool);
void memvideo_spill_pool_get_stats (MemvideoSpillPool * pool,
    MemvideoSpillStats * stats);

/* The pool's allocator (transfer none; lives as long as the pool).  Can be
 * offered upstream in an ALLOCATION query.  gst_allocator_alloc() on it
 * gives raw-codec memories. */
GstAllocator *memvideo_spill_pool_get_allocator (MemvideoSpillPool * pool);

/* A new pageable memory of @size bytes, resident and uninitialised (it may
 * hold old data of this pool's frames; a memory that starts without RAM
 * reads as zeros).  When
 * @vinfo is not NULL and the pool's format is JPEG, the memory is spilled
 * as JPEG using @vinfo and the plane @offset/@stride layout (NULL = the
 * layout of @vinfo); otherwise raw. */
GstMemory *memvideo_spill_pool_alloc (MemvideoSpillPool * pool, gsize size,
    const GstVideoInfo * vinfo, const gsize * offset, const gint * stride);

/* A new buffer whose data is one pageable memory holding a copy of @src's
 * data, with @src's timestamps, flags and metas (GstVideoMeta included).
 * @vinfo as for memvideo_spill_pool_alloc().  Returns NULL and sets @error
 * if @src cannot be mapped. */
GstBuffer *memvideo_spill_pool_copy_buffer (MemvideoSpillPool * pool,
    GstBuffer * src, const GstVideoInfo * vinfo, GError ** error);

/* Takes ownership of @buffer and returns a buffer whose data is entirely
 * pageable memory of @pool, spilled with the codec @pool chooses for a
 * frame of @vinfo (NULL = not video: raw), with @buffer's timestamps,
 * flags and metas (GstVideoMeta included).  The one rule every owner of
 * the pool applies to what it holds:
 *
 * - memories of @pool with that codec, and pageable memories of other
 *   pools (already held under that pool's budget and codec: memspill !
 *   memsink must not hold every frame twice), are kept, never copied:
 *   @buffer itself is returned, or, when it belongs to a GstBufferPool, a
 *   new buffer holding the same memories, so that the buffer pool gets its
 *   buffer back at once (and drops it, its memories being shared) and a
 *   pool of a fixed size never stalls;
 * - anything else (system memory, memories of several kinds, or memories
 *   of @pool with another codec, e.g. raw ones when JPEG is wanted) is
 *   copied into one new memory of @pool, as
 *   memvideo_spill_pool_copy_buffer() does;
 * - a buffer without data is returned itself when it holds no memory and
 *   no buffer pool owns it, else as a new buffer without memories.
 *
 * Returns NULL and sets @error when @buffer cannot be mapped (@buffer is
 * released all the same). */
GstBuffer *memvideo_spill_pool_adopt_buffer (MemvideoSpillPool * pool,
    GstBuffer * buffer, const GstVideoInfo * vinfo, GError ** error);

/* TRUE when every memory of @buffer belongs to @pool. */
gboolean memvideo_spill_pool_owns_buffer (MemvideoSpillPool * pool,
    GstBuffer * buffer);
/* TRUE when @mem is a pageable memory (of any pool). */
gboolean memvideo_is_spill_memory (GstMemory * mem);
/* The pool owning @mem (transfer none), or NULL. */
MemvideoSpillPool *memvideo_spill_memory_get_pool (GstMemory * mem);

/* TRUE when the data of @mem is in RAM right now (mapped memories always
 * are).  Only a snapshot: another thread may evict or reload it. */
gboolean memvideo_spill_memory_is_resident (GstMemory * mem);

/* Copies @size bytes at @offset of @mem into @dest without changing its
 * residency: resident data is copied, a spilled memory is decoded by its
 * codec from the spill file (a raw one reads just the range; no reload, no
 * budget change).  For snapshots of many memories that must not pull
 * everything back into RAM. */
gboolean memvideo_spill_memory_read (GstMemory * mem, gsize offset,
    guint8 * dest, gsize size, GError ** error);

/* Writes @size bytes of @data at @offset of the raw memory @mem without
 * bringing it into RAM: a resident memory is written in RAM (as through a
 * WRITE map), a spilled one in its disk copy, and one that never had data
 * gets a disk copy (its other bytes are undefined, as in a new memory).
 * For an owner that writes data going straight to disk (beyond
 * max-memory) without copying it into RAM first.  Only memories whose
 * codec writes in place (raw) can be written so.  On failure (the
 * error is also reported through the error function, once, and further
 * spill writes wait as after a failed eviction) the range is undefined
 * until written again: write it through a map then.  Writers must not race
 * each other, as with WRITE maps. */
gboolean memvideo_spill_memory_write (GstMemory * mem, gsize offset,
    const guint8 * data, gsize size, GError ** error);

/* A new raw memory of @size bytes that starts without RAM, nothing being
 * evicted for it (it reads as zeros until written, by a map or by
 * memvideo_spill_memory_write()). */
GstMemory *memvideo_spill_pool_alloc_spilled (MemvideoSpillPool * pool,
    gsize size);

/* TRUE when @size more bytes of unmapped memories fit in max-memory next
 * to the resident ones, without evicting anything. */
gboolean memvideo_spill_pool_has_room (MemvideoSpillPool * pool, gsize size);

/* Thin wrappers over the JPEG codec's accept function
 * (memvideo_spill_codec_jpeg.accepts).  TRUE when frames of @format are
 * spilled as JPEG by a JPEG pool (others fall back to raw, with one
 * GST_WARNING per pool). */
gboolean memvideo_spill_pool_jpeg_supported (GstVideoFormat format);
/* TRUE when frames described by @vinfo, laid out as @vinfo says, are
 * spilled as JPEG by a JPEG pool: the format is supported and the size and
 * planes suit the codec.  The test memvideo_spill_pool_alloc() applies, so
 * a caller can tell beforehand whether its frames fall back to raw. */
gboolean memvideo_spill_pool_can_jpeg (const GstVideoInfo * vinfo);

/* Evict until the budget holds (e.g. after many unmaps).  Normally called
 * internally on unmap and on alloc.  Also retries writes suspended by an
 * earlier write error, and releases the RAM blocks kept for reuse: call it
 * when the stream goes idle (EOS, PAUSED). */
void memvideo_spill_pool_trim (MemvideoSpillPool * pool);

/* RAM the pool's owner holds for the data outside the memories (e.g. a
 * table of them), counted in max-memory from now on: the pool evicts until
 * the resident unmapped bytes plus this fit.  @bytes replaces the previous
 * value. */
void memvideo_spill_pool_set_owner_bytes (MemvideoSpillPool * pool,
    guint64 bytes);
/* What one memory of a pool costs in RAM besides its data (the pool
 * counts it in the budget for the memories smaller than a spill block
 * only). */
gsize memvideo_spill_pool_memory_overhead (void);

/* Evicts unmapped memories until they and @size more bytes fit in
 * max-memory (or nothing more can go): call it before mapping a spilled
 * memory back when that memory must count inside the budget too.  A map
 * alone reloads first and evicts at the unmap, which suits a consumer that
 * is done with the frame then; an owner that keeps a memory mapped while
 * it writes wants RAM within max-memory throughout. */
void memvideo_spill_pool_make_room (MemvideoSpillPool * pool, gsize size);

/* Testing only: cuts the spill file to @length bytes, so that reloading
 * data beyond it fails (the read-error path). */
void memvideo_spill_pool_test_truncate_file (MemvideoSpillPool * pool,
    guint64 length);

/* Testing only: while @fail is TRUE, every RAM block the pool would
 * allocate fails, as it does when the address space is exhausted. */
void memvideo_spill_pool_test_fail_ram (MemvideoSpillPool * pool,
    gboolean fail);

G_END_DECLS

#endif /* __MEMVIDEO_SPILL_POOL_H__ */
