/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The calls for an owner that manages memories of the pool itself, the
 * way memfile keeps a file in chunks: data written where the memory is
 * (RAM or disk copy), memories that start without RAM, and the room the
 * owner's own bookkeeping takes in the budget (locking in
 * spillpoolprivate.h).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillpoolprivate.h"

#include <string.h>

/* In RAM: written there, as through a WRITE map.  Unlocks. */
static void
write_in_ram (MemvideoSpillPool * pool, SpillMemory * m, gsize start,
    const guint8 * data, gsize size)
{
  spill_pin_locked (pool, m);
  m->use_stamp = ++pool->stamp;
  m->has_content = TRUE;
  if (m->on_disk)
    spill_release_extent (pool, m);
  spill_pool_unlock (pool);
  memcpy (m->data + start, data, size);
  spill_pool_lock (pool);
  spill_unpin_locked (pool, m);
  spill_pool_unlock (pool);
}

/* Into the disk copy of @m, which gets one first if it never had data
 * (the bytes not written are undefined then, as in a new memory).  Drops
 * the lock during the I/O. */
static gboolean
write_on_disk_locked (MemvideoSpillPool * pool, SpillMemory * m, gsize start,
    const guint8 * data, gsize size, GError ** err)
{
  gboolean ok, new_extent = !m->on_disk;
  guint64 disk_offset, extent_end;
  const guint8 zero = 0;

  if (new_extent) {
    if (!memvideo_spill_file_alloc_extent (pool->file, m->mem.maxsize,
            pool->max_disk, &disk_offset, err))
      return FALSE;
    spill_account (pool, m, -1);
    m->on_disk = TRUE;
    m->has_content = TRUE;
    m->disk_offset = disk_offset;
    m->disk_size = m->mem.maxsize;
    spill_account (pool, m, +1);
  }

  m->busy = TRUE;
  disk_offset = m->disk_offset + start;
  extent_end = m->disk_offset + m->disk_size;
  spill_pool_unlock (pool);
  /* A new extent may lie beyond the end of the file, which only grows as
   * far as what is written: its last byte first, so that a reload of the
   * whole extent finds it all (writing, unlike ftruncate(), never cuts off
   * what other threads write meanwhile) */
  ok = !new_extent || disk_offset + size == extent_end
      || memvideo_spill_file_write (pool->file, extent_end - 1, &zero, 1, err);
  ok = ok && memvideo_spill_file_write (pool->file, disk_offset, data, size,
      err);
  spill_pool_lock (pool);
  spill_set_not_busy (pool, m);
  if (!ok && new_extent) {
    spill_account (pool, m, -1);
    spill_release_extent (pool, m);
    m->has_content = FALSE;
    spill_account (pool, m, +1);
  }
  return ok;
}

gboolean
memvideo_spill_memory_write (GstMemory * mem, gsize offset,
    const guint8 * data, gsize size, GError ** error)
{
  SpillMemory *m = (SpillMemory *) mem;
  MemvideoSpillPool *pool;
  GError *err = NULL;

  g_return_val_if_fail (memvideo_is_spill_memory (mem), FALSE);
  g_return_val_if_fail (offset <= mem->size && size <= mem->size - offset,
      FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  pool = SPILL_MEM_POOL (m);
  if (size == 0)
    return TRUE;

  spill_pool_lock (pool);
  spill_wait_not_busy (pool, m);
  if (!m->codec->writes_in_place) {
    spill_pool_unlock (pool);
    g_critical ("memvideo_spill_memory_write: memories of the %s codec "
        "cannot be written in place", m->codec->name);
    return FALSE;
  }
  if (m->data) {
    write_in_ram (pool, m, mem->offset + offset, data, size);
    return TRUE;
  }
  if (pool->writes_suspended) {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Not writing to the spill file in '%s': an earlier write failed",
        memvideo_spill_pool_get_directory (pool));
    spill_pool_unlock (pool);
    return FALSE;
  }
  if (!write_on_disk_locked (pool, m, mem->offset + offset, data, size, &err))
    goto failed;
  pool->stats.spills++;
  spill_pool_unlock (pool);
  return TRUE;

  /* ERRORS */
failed:
  {
    /* As for a failed eviction: reported once through the error function,
     * no more writes until space is freed */
    pool->stats.write_errors++;
    pool->writes_suspended = TRUE;
    g_propagate_error (error, g_error_copy (err));
    spill_pool_queue_error (pool, err);
    spill_pool_unlock (pool);
    return FALSE;
  }
}

GstMemory *
memvideo_spill_pool_alloc_spilled (MemvideoSpillPool * pool, gsize size)
{
  g_return_val_if_fail (pool != NULL, NULL);

  return spill_alloc_full (pool, size, 0, 0, size, 0,
      &memvideo_spill_codec_raw, NULL, FALSE);
}

gboolean
memvideo_spill_pool_has_room (MemvideoSpillPool * pool, gsize size)
{
  gboolean room;

  g_return_val_if_fail (pool != NULL, FALSE);

  spill_pool_lock (pool);
  room = spill_budget_fits (pool, size);
  spill_pool_unlock (pool);

  return room;
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

  spill_pool_lock (pool);
  pool->owner_bytes = bytes;
  spill_evict_locked (pool, 0);
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_make_room (MemvideoSpillPool * pool, gsize size)
{
  g_return_if_fail (pool != NULL);

  spill_pool_lock (pool);
  spill_evict_locked (pool, size);
  spill_pool_unlock (pool);
}
