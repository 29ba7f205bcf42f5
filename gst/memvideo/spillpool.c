/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The spill pool object (see spillpool.h for the contract, and
 * spillpoolprivate.h for the files of the pool and its locking): settings,
 * statistics, the lock and error reporting.
 *
 * The pool *is* the allocator: MemvideoSpillPool is the instance struct of
 * the GstAllocator subclass MemvideoSpillAllocator, pool_ref/unref are
 * gst_object_ref/unref, and since every GstMemory holds a reference to its
 * allocator, the pool lives as long as any of its memories (or anyone who
 * got the allocator from an ALLOCATION query).
 *
 * Errors found with the lock held are queued and reported by
 * spill_pool_unlock() once the lock is dropped, so the error function may
 * call back into the pool.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillpoolprivate.h"

GST_DEBUG_CATEGORY (memvideo_spill_debug);
#define GST_CAT_DEFAULT memvideo_spill_debug

#define DEFAULT_JPEG_QUALITY 90

/* The error function with its data.  spill_pool_unlock() takes a
 * reference under the lock before it calls the function without the lock,
 * so a handler replaced meanwhile keeps its data until the last call in
 * flight has returned: the notify runs when the last reference goes. */
struct _SpillErrorHandler
{
  gint refcount;
  MemvideoSpillErrorFunc func;
  gpointer data;
  GDestroyNotify notify;
};

typedef MemvideoSpillPool MemvideoSpillAllocator;
typedef GstAllocatorClass MemvideoSpillAllocatorClass;

G_DEFINE_TYPE (MemvideoSpillAllocator, memvideo_spill_allocator,
    GST_TYPE_ALLOCATOR);

/* Locking and error reporting */

static SpillErrorHandler *
error_handler_ref (SpillErrorHandler * h)
{
  if (h)
    g_atomic_int_inc (&h->refcount);
  return h;
}

static void
error_handler_unref (SpillErrorHandler * h)
{
  if (h == NULL || !g_atomic_int_dec_and_test (&h->refcount))
    return;
  if (h->notify)
    h->notify (h->data);
  g_free (h);
}

void
spill_pool_lock (MemvideoSpillPool * pool)
{
  g_mutex_lock (&pool->lock);
}

void
spill_pool_queue_error (MemvideoSpillPool * pool, GError * error)
{
  pool->pending_errors = g_slist_prepend (pool->pending_errors, error);
}

void
spill_pool_unlock (MemvideoSpillPool * pool)
{
  GSList *errors, *l;
  SpillErrorHandler *handler;

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

void
spill_wait_not_busy (MemvideoSpillPool * pool, SpillMemory * m)
{
  while (m->busy)
    g_cond_wait (&pool->cond, &pool->lock);
}

void
spill_set_not_busy (MemvideoSpillPool * pool, SpillMemory * m)
{
  m->busy = FALSE;
  g_cond_broadcast (&pool->cond);
}

void
spill_account (MemvideoSpillPool * pool, SpillMemory * m, gint sign)
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

/* GObject */

static void
memvideo_spill_allocator_finalize (GObject * object)
{
  MemvideoSpillPool *pool = SPILL_POOL (object);

  error_handler_unref (pool->error_handler);
  g_slist_free_full (pool->pending_errors, (GDestroyNotify) g_error_free);
  g_sequence_free (pool->clean);
  g_sequence_free (pool->dirty);
  spill_keep_release_all (pool);
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
  spill_memory_install (NULL, klass);

  GST_DEBUG_CATEGORY_INIT (memvideo_spill_debug, "memvideospill", 0,
      "memvideo spill store");
}

static void
memvideo_spill_allocator_init (MemvideoSpillAllocator * pool)
{
  spill_memory_install (GST_ALLOCATOR_CAST (pool), NULL);

  g_mutex_init (&pool->lock);
  g_cond_init (&pool->cond);
  pool->format = MEMVIDEO_SPILL_FORMAT_RAW;
  pool->jpeg_quality = DEFAULT_JPEG_QUALITY;
  pool->eviction = MEMVIDEO_EVICTION_NEWEST;
  pool->clean = g_sequence_new (NULL);
  pool->dirty = g_sequence_new (NULL);
  pool->kept = g_array_new (FALSE, FALSE, sizeof (SpillKeptBlock));
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

  spill_pool_lock (pool);
  shrink = max_memory < pool->max_memory;
  pool->max_memory = max_memory;
  spill_evict_locked (pool, 0);
  /* A smaller budget asks for RAM back: the RAM of the memories just
   * evicted too. */
  if (shrink)
    spill_keep_release_all (pool);
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_set_max_disk (MemvideoSpillPool * pool, guint64 max_disk)
{
  spill_pool_lock (pool);
  pool->max_disk = max_disk;
  pool->writes_suspended = FALSE;
  spill_evict_locked (pool, 0);
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_set_format (MemvideoSpillPool * pool,
    MemvideoSpillFormat format)
{
  spill_pool_lock (pool);
  pool->format = format;
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_set_jpeg_quality (MemvideoSpillPool * pool, gint quality)
{
  spill_pool_lock (pool);
  pool->jpeg_quality = CLAMP (quality, 1, 100);
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_set_eviction (MemvideoSpillPool * pool,
    MemvideoEviction eviction)
{
  spill_pool_lock (pool);
  if (pool->eviction != eviction) {
    pool->eviction = eviction;
    spill_evictable_resort (pool);
  }
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_set_error_func (MemvideoSpillPool * pool,
    MemvideoSpillErrorFunc func, gpointer user_data, GDestroyNotify notify)
{
  SpillErrorHandler *h = NULL, *old;

  if (func || notify) {
    h = g_new0 (SpillErrorHandler, 1);
    h->refcount = 1;
    h->func = func;
    h->data = user_data;
    h->notify = notify;
  }
  spill_pool_lock (pool);
  old = pool->error_handler;
  pool->error_handler = h;
  spill_pool_unlock (pool);

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
  spill_pool_lock (pool);
  *stats = pool->stats;
  stats->disk_file_bytes = memvideo_spill_file_get_length (pool->file);
  stats->disk_used_bytes = memvideo_spill_file_get_live_bytes (pool->file);
  spill_pool_unlock (pool);
}

GstAllocator *
memvideo_spill_pool_get_allocator (MemvideoSpillPool * pool)
{
  return GST_ALLOCATOR_CAST (pool);
}

gboolean
memvideo_spill_pool_can_jpeg (const GstVideoInfo * vinfo)
{
  g_return_val_if_fail (vinfo != NULL, FALSE);

  return memvideo_spill_codec_accepts_info (&memvideo_spill_codec_jpeg, vinfo);
}

gboolean
memvideo_spill_pool_jpeg_supported (GstVideoFormat format)
{
  GstVideoInfo vinfo;

  /* any frame size the codec takes: the format decides */
  return gst_video_info_set_format (&vinfo, format, 16, 16)
      && memvideo_spill_codec_accepts_info (&memvideo_spill_codec_jpeg, &vinfo);
}

void
memvideo_spill_pool_trim (MemvideoSpillPool * pool)
{
  spill_pool_lock (pool);
  pool->writes_suspended = FALSE;
  spill_evict_locked (pool, 0);
  spill_keep_release_all (pool);
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_test_truncate_file (MemvideoSpillPool * pool,
    guint64 length)
{
  spill_pool_lock (pool);
  memvideo_spill_file_truncate (pool->file, length);
  spill_pool_unlock (pool);
}

void
memvideo_spill_pool_test_fail_ram (MemvideoSpillPool * pool, gboolean fail)
{
  spill_pool_lock (pool);
  pool->test_no_ram = fail;
  spill_keep_release_all (pool);
  spill_pool_unlock (pool);
}
