/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The allocator of the spill pool and the state machine of its memories
 * (locking in spillpoolprivate.h).
 *
 * A memory is resident (data in RAM), spilled (data only in its disk
 * copy), or without data yet (never written: it reads as zeros).  Map
 * reloads a spilled memory, decoding with the memory's codec, and pins it
 * until unmap; unmap makes it evictable again and evicts what the budget
 * wants.  A WRITE map makes the disk copy stale and drops it.  While a
 * memory's data moves between RAM and disk it is busy: the thread moving
 * it works without the lock, and anyone else needing that memory waits.
 *
 * A new memory gets RAM only when it fits in the budget after evicting
 * others; if it still does not (max-memory 0, or everything else mapped)
 * it starts without RAM and gets zeroed RAM at its first map:
 * uninitialised data need not be written anywhere.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillpoolprivate.h"

#include <string.h>

#define GST_CAT_DEFAULT memvideo_spill_debug

gboolean
spill_source_read (gpointer source, guint64 offset, guint8 * dest,
    gsize size, GError ** error)
{
  SpillSource *s = source;

  return memvideo_spill_file_read (s->file, s->offset + offset, dest, size,
      error);
}

/* RAM for @m without the lock (@m is busy), zeroed where the memory
 * promises zeros; NULL with the reason in @err. */
static guint8 *
reload_block (SpillMemory * m, guint8 * reused, gboolean on_disk,
    gboolean no_ram, GError ** err)
{
  gsize maxsize = m->mem.maxsize;
  guint8 *data = reused;

  if (data == NULL && !no_ram)
    data = spill_block_alloc (maxsize, m->mmapped);

  if (data == NULL) {
    /* say what needed the RAM: nothing was spilled when it is the first
     * RAM of a memory */
    if (on_disk)
      g_set_error (err, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_NO_MEMORY,
          "Out of memory: could not allocate %" G_GSIZE_FORMAT " bytes of "
          "RAM to reload a spilled frame", maxsize);
    else
      g_set_error (err, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_NO_MEMORY,
          "Out of memory: could not allocate %" G_GSIZE_FORMAT " bytes of "
          "RAM for a new frame", maxsize);
    return NULL;
  }
  if (reused && !on_disk)
    memset (data, 0, maxsize);  /* as fresh RAM would show */
  else if (reused)
    m->codec->clear_stale (m->layout, data, maxsize);
  return data;
}

/* Reads a spilled memory back (or gives a never-written one its RAM).  @m
 * not busy, not resident.  FALSE (error queued) on failure. */
static gboolean
reload_locked (MemvideoSpillPool * pool, SpillMemory * m)
{
  gsize maxsize = m->mem.maxsize;
  SpillSource src = { pool->file, m->disk_offset };
  gboolean on_disk = m->on_disk, no_ram = pool->test_no_ram, ok = TRUE;
  gsize disk_size = m->disk_size;
  guint8 *data, *reused;
  GError *err = NULL;

  reused = spill_block_take (pool, maxsize, m->mmapped);
  m->busy = TRUE;
  g_mutex_unlock (&pool->lock);

  data = reload_block (m, reused, on_disk, no_ram, &err);
  if (data == NULL)
    ok = FALSE;
  else if (on_disk)
    ok = m->codec->decode (m->layout, spill_source_read, &src, disk_size,
        data, maxsize, &err);

  g_mutex_lock (&pool->lock);
  spill_set_not_busy (pool, m);
  if (!ok) {
    spill_block_release (pool, data, maxsize, m->mmapped);
    spill_pool_queue_error (pool, err);
    return FALSE;
  }
  spill_account (pool, m, -1);
  m->data = data;
  spill_account (pool, m, +1);
  if (on_disk)
    pool->stats.reloads++;
  m->resident_stamp = ++pool->stamp;
  return TRUE;
}

void
spill_pin_locked (MemvideoSpillPool * pool, SpillMemory * m)
{
  spill_evictable_remove (pool, m);
  m->map_count++;
}

void
spill_unpin_locked (MemvideoSpillPool * pool, SpillMemory * m)
{
  if (--m->map_count == 0) {
    spill_evictable_add (pool, m);
    spill_evict_locked (pool, 0);
  }
}

/* GstMemory vfuncs */

static gpointer
spill_mem_map_full (GstMemory * mem, GstMapInfo * info, gsize maxsize)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = SPILL_MEM_POOL (m);
  gpointer ret = NULL;

  spill_pool_lock (pool);
  spill_wait_not_busy (pool, m);
  if (m->data == NULL && !reload_locked (pool, m))
    goto done;

  spill_pin_locked (pool, m);
  m->use_stamp = ++pool->stamp;
  if (info->flags & GST_MAP_WRITE) {
    /* The disk copy is stale from now on. */
    m->has_content = TRUE;
    if (m->on_disk)
      spill_release_extent (pool, m);
  }
  ret = m->data;

done:
  spill_pool_unlock (pool);
  return ret;
}

static void
spill_mem_unmap_full (GstMemory * mem, GstMapInfo * info)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = SPILL_MEM_POOL (m);

  spill_pool_lock (pool);
  spill_unpin_locked (pool, m);
  spill_pool_unlock (pool);
}

static GstMemory *
spill_mem_copy (GstMemory * mem, gssize offset, gssize size)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = SPILL_MEM_POOL (m);
  const MemvideoSpillCodec *codec = &memvideo_spill_codec_raw;
  MemvideoSpillLayout layout = { 0, };
  GstMemory *copy;
  GstMapInfo map;
  GError *err = NULL;

  if (size == -1)
    size = (gssize) mem->size > offset ? (gssize) mem->size - offset : 0;

  /* A copy of the whole block keeps the codec and its layout. */
  spill_pool_lock (pool);
  if (offset == 0 && mem->offset == 0 && (gsize) size == mem->maxsize) {
    codec = m->codec;
    if (m->layout)
      layout = *m->layout;
  }
  spill_pool_unlock (pool);

  copy = spill_alloc_full (pool, size, mem->align, 0, size, 0, codec,
      &layout, TRUE);
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
      spill_pool_lock (pool);
      spill_pool_queue_error (pool, err);
      spill_pool_unlock (pool);
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

/* RAM for a new memory when the budget has room for it, after evicting
 * others.  Small memories (never evicted) always get theirs: they would
 * get it at their first map anyway. */
static guint8 *
alloc_block (MemvideoSpillPool * pool, SpillMemory * m, gboolean with_ram)
{
  gsize maxsize = m->mem.maxsize;
  gboolean no_ram = pool->test_no_ram;
  guint8 *data;

  if (!with_ram)
    return NULL;
  /* Make room first, so RAM stays within the budget plus the frames in
   * flight, and reserve it while the block is allocated without the
   * lock. */
  spill_evict_locked (pool, spill_charge (m));
  if (!m->small && maxsize > 0 && !spill_budget_fits (pool, maxsize))
    return NULL;
  data = spill_block_take (pool, maxsize, m->mmapped);
  if (data)
    return data;
  pool->reserved_bytes += maxsize;
  g_mutex_unlock (&pool->lock);
  data = no_ram ? NULL : spill_block_alloc (maxsize, m->mmapped);
  g_mutex_lock (&pool->lock);
  pool->reserved_bytes -= maxsize;
  return data;
}

GstMemory *
spill_alloc_full (MemvideoSpillPool * pool, gsize maxsize, gsize align,
    gsize offset, gsize size, GstMemoryFlags flags,
    const MemvideoSpillCodec * codec, const MemvideoSpillLayout * layout,
    gboolean with_ram)
{
  SpillMemory *m = g_slice_new0 (SpillMemory);
  gsize padding = maxsize - offset - size;
  guint8 *data;

  gst_memory_init (GST_MEMORY_CAST (m), flags | GST_MEMORY_FLAG_NO_SHARE,
      GST_ALLOCATOR_CAST (pool), NULL, maxsize, align, offset, size);
  m->mmapped = spill_wants_mmap (maxsize, align);
  m->small = maxsize > 0 && maxsize < MEMVIDEO_SPILL_FILE_BLOCK;
  m->codec = codec;
  if (codec->needs_layout)
    m->layout = g_memdup2 (layout, sizeof (*layout));

  spill_pool_lock (pool);
  m->use_stamp = ++pool->stamp;
  data = alloc_block (pool, m, with_ram);
  /* The data is uninitialised (a kept block holds an old frame), but what
   * sysmem zeroes stays zero. */
  if (data && (flags & GST_MEMORY_FLAG_ZERO_PREFIXED) && offset > 0)
    memset (data, 0, offset);
  if (data && (flags & GST_MEMORY_FLAG_ZERO_PADDED) && padding > 0)
    memset (data + offset + size, 0, padding);
  /* Without room (or RAM) the memory starts empty and gets its RAM when
   * it is first mapped. */
  m->data = data;
  if (data)
    m->resident_stamp = ++pool->stamp;
  if (m->small)
    pool->small_bytes += spill_charge (m);
  spill_account (pool, m, +1);
  spill_evictable_add (pool, m);
  spill_pool_unlock (pool);

  return GST_MEMORY_CAST (m);
}

static GstMemory *
spill_allocator_alloc (GstAllocator * allocator, gsize size,
    GstAllocationParams * params)
{
  gsize maxsize = size + params->prefix + params->padding;

  return spill_alloc_full (SPILL_POOL (allocator), maxsize, params->align,
      params->prefix, size, params->flags, &memvideo_spill_codec_raw, NULL,
      TRUE);
}

static void
spill_allocator_free (GstAllocator * allocator, GstMemory * mem)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool = SPILL_POOL (allocator);

  spill_pool_lock (pool);
  spill_wait_not_busy (pool, m);
  spill_evictable_remove (pool, m);
  spill_account (pool, m, -1);
  if (m->small)
    pool->small_bytes -= spill_charge (m);
  if (m->on_disk)
    spill_release_extent (pool, m);
  spill_block_release (pool, m->data, mem->maxsize, m->mmapped);
  spill_pool_unlock (pool);

  g_free (m->layout);
  g_slice_free (SpillMemory, m);
}

void
spill_memory_install (GstAllocator * allocator, GstAllocatorClass * klass)
{
  if (klass) {
    klass->alloc = spill_allocator_alloc;
    klass->free = spill_allocator_free;
  }
  if (allocator) {
    allocator->mem_type = "MemvideoSpillMemory";
    allocator->mem_map_full = spill_mem_map_full;
    allocator->mem_unmap_full = spill_mem_unmap_full;
    allocator->mem_copy = spill_mem_copy;
    allocator->mem_share = spill_mem_share;
    allocator->mem_is_span = spill_mem_is_span;
  }
}

const MemvideoSpillCodec *
spill_choose_codec (MemvideoSpillPool * pool, const GstVideoInfo * vinfo,
    const gsize * offset, const gint * stride, gsize size,
    MemvideoSpillLayout * layout)
{
  const MemvideoSpillCodec *want;

  spill_pool_lock (pool);
  want = memvideo_spill_codec_get (pool->format);
  spill_pool_unlock (pool);

  if (want->accepts (vinfo, offset, stride, size, layout))
    return want;
  return &memvideo_spill_codec_raw;
}

GstMemory *
memvideo_spill_pool_alloc (MemvideoSpillPool * pool, gsize size,
    const GstVideoInfo * vinfo, const gsize * offset, const gint * stride)
{
  const MemvideoSpillCodec *codec, *want;
  MemvideoSpillLayout layout = { 0, };
  gboolean warn = FALSE;

  g_return_val_if_fail (pool != NULL, NULL);

  codec = spill_choose_codec (pool, vinfo, offset, stride, size, &layout);
  spill_pool_lock (pool);
  want = memvideo_spill_codec_get (pool->format);
  if (vinfo && codec != want && !pool->warned_format)
    warn = pool->warned_format = TRUE;
  spill_pool_unlock (pool);

  if (warn)
    GST_WARNING_OBJECT (pool, "%s %dx%d frames cannot be spilled with the "
        "%s codec (format not supported or planes do not fit in %"
        G_GSIZE_FORMAT " bytes), spilling raw", gst_video_format_to_string
        (GST_VIDEO_INFO_FORMAT (vinfo)), GST_VIDEO_INFO_WIDTH (vinfo),
        GST_VIDEO_INFO_HEIGHT (vinfo), want->name, size);

  return spill_alloc_full (pool, size, 0, 0, size, 0, codec, &layout, TRUE);
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
  return memvideo_is_spill_memory (mem) ? SPILL_MEM_POOL (mem) : NULL;
}

gboolean
memvideo_spill_memory_is_resident (GstMemory * mem)
{
  MemvideoSpillPool *pool;
  gboolean ret;

  g_return_val_if_fail (memvideo_is_spill_memory (mem), FALSE);
  pool = SPILL_MEM_POOL (mem);
  spill_pool_lock (pool);
  ret = ((SpillMemory *) mem)->data != NULL;
  spill_pool_unlock (pool);
  return ret;
}

gboolean
memvideo_spill_memory_read (GstMemory * mem, gsize offset, guint8 * dest,
    gsize size, GError ** error)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool;
  SpillSource src;
  gsize start;
  gboolean ok;

  g_return_val_if_fail (memvideo_is_spill_memory (mem), FALSE);
  g_return_val_if_fail (offset <= mem->size && size <= mem->size - offset,
      FALSE);

  pool = SPILL_MEM_POOL (m);
  start = mem->offset + offset;

  spill_pool_lock (pool);
  spill_wait_not_busy (pool, m);
  if (m->data) {
    spill_pin_locked (pool, m);
    spill_pool_unlock (pool);
    memcpy (dest, m->data + start, size);
    spill_pool_lock (pool);
    spill_unpin_locked (pool, m);
    spill_pool_unlock (pool);
    return TRUE;
  }
  if (!m->on_disk) {
    /* Never written: what its first map would show. */
    spill_pool_unlock (pool);
    memset (dest, 0, size);
    return TRUE;
  }

  m->busy = TRUE;
  src.file = pool->file;
  src.offset = m->disk_offset;
  spill_pool_unlock (pool);

  ok = m->codec->decode_range (m->layout, spill_source_read, &src,
      m->disk_size, mem->maxsize, start, dest, size, error);

  spill_pool_lock (pool);
  spill_set_not_busy (pool, m);
  spill_pool_unlock (pool);
  return ok;
}
