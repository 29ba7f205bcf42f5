/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * What memsink keeps for one run (start to next start): its spill pool,
 * made at start with its error function (set once, for the pool's whole
 * life), settings pushed to it, its errors posted as a warning by the
 * streaming thread; and the store, made at the first SEGMENT.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsinkpriv.h"

GST_DEBUG_CATEGORY_EXTERN (gst_mem_sink_debug);
#define GST_CAT_DEFAULT gst_mem_sink_debug
/* Called with apply_lock held: pushes the pool settings to the live pool,
 * if any. */
void
gst_mem_sink_apply_pool_settings (GstMemSink * self,
    const GstMemvideoSpillProps * props)
{
  MemvideoSpillPool *pool = NULL;
  GstMemvideoSpillSettings s;

  GST_OBJECT_LOCK (self);
  s = self->settings.spill;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  if (self->pool)
    pool = memvideo_spill_pool_ref (self->pool);
  g_mutex_unlock (&self->lock);

  /* only plain values of the copy are used */
  if (pool == NULL)
    return;
  gst_memvideo_spill_settings_apply (props, &s, pool);
  memvideo_spill_pool_unref (pool);
}


/* Runs in whatever thread made the pool write or read; lock may be held
 * there, so only error_lock is taken. */
static void
gst_mem_sink_pool_error (MemvideoSpillPool * pool, const GError * error,
    gpointer user_data)
{
  GstMemSink *self = g_weak_ref_get (user_data);

  if (self == NULL)
    return;

  g_mutex_lock (&self->error_lock);
  if (self->pool_error == NULL)
    self->pool_error = g_error_copy (error);
  g_atomic_int_set (&self->pool_error_pending, 1);
  g_mutex_unlock (&self->error_lock);
  gst_object_unref (self);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Posts the first spill error of this run as a warning: the data it
 * concerns stayed in RAM, nothing is lost.  Called without locks. */
void
gst_mem_sink_post_pool_error (GstMemSink * self)
{
  GError *error = NULL;

  if (!g_atomic_int_get (&self->pool_error_pending))
    return;

  g_mutex_lock (&self->error_lock);
  if (self->pool_error && !self->pool_error_posted) {
    error = g_error_copy (self->pool_error);
    self->pool_error_posted = TRUE;
  }
  g_atomic_int_set (&self->pool_error_pending, 0);
  g_mutex_unlock (&self->error_lock);

  if (error == NULL)
    return;
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
      ("Could not spill to disk; the data stays in memory."),
      ("%s (memsink is over its max-memory budget until the spill "
          "directory has room again)", error->message));
  g_error_free (error);
}

/* A new pool for a run, its error function set once for its whole life
 * (see gst_mem_sink_finalize()). */
MemvideoSpillPool *
gst_mem_sink_new_pool (GstMemSink * self, const Settings * s,
    const GstMemvideoSpillProps * props, GError ** error)
{
  MemvideoSpillPool *pool;
  GWeakRef *weak;

  pool = memvideo_spill_pool_new (s->spill.directory, error);
  if (pool == NULL)
    return NULL;

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  memvideo_spill_pool_set_error_func (pool, gst_mem_sink_pool_error, weak,
      weak_ref_free);
  gst_memvideo_spill_settings_apply (props, &s->spill, pool);

  return pool;
}

/* Installs @pool for a new run and drops the previous run's data. */
void
gst_mem_sink_begin_run (GstMemSink * self, MemvideoSpillPool * pool)
{
  MemvideoSpillPool *old_pool;
  GstMemSinkStore *old_store;

  g_mutex_lock (&self->error_lock);
  g_clear_error (&self->pool_error);
  self->pool_error_posted = FALSE;
  g_atomic_int_set (&self->pool_error_pending, 0);
  g_mutex_unlock (&self->error_lock);

  g_mutex_lock (&self->lock);
  old_store = self->store;
  old_pool = self->pool;
  self->store = NULL;
  self->pool = pool;
  self->dropped = 0;
  self->eos = FALSE;
  self->flushing = FALSE;
  self->started = TRUE;
  g_mutex_unlock (&self->lock);

  /* no streaming thread runs now */
  gst_clear_caps (&self->caps);
  self->have_vinfo = FALSE;
  gst_segment_init (&self->segment, GST_FORMAT_TIME);
  self->segment_error_posted = FALSE;

  if (old_store)
    gst_mem_sink_store_unref (old_store);
  if (old_pool)
    memvideo_spill_pool_unref (old_pool);
}

/* Streaming thread: creates the store of the mode in use, once per run:
 * mode auto picks file for a BYTES segment or container caps
 * (gstmemsinkmode.c), samples otherwise. */
GstMemSinkStore *
gst_mem_sink_ensure_store (GstMemSink * self, GstFormat format)
{
  GstMemSinkStore *store;
  GstMemSinkMode mode;
  guint64 max_memory;

  if (self->store)
    return self->store;

  GST_OBJECT_LOCK (self);
  mode = self->settings.mode;
  max_memory = self->settings.spill.max_memory;
  GST_OBJECT_UNLOCK (self);
  if (mode == GST_MEM_SINK_MODE_AUTO)
    mode = format == GST_FORMAT_BYTES || gst_mem_sink_caps_are_file (self->caps)
        ? GST_MEM_SINK_MODE_FILE : GST_MEM_SINK_MODE_SAMPLES;

  g_mutex_lock (&self->lock);
  if (mode == GST_MEM_SINK_MODE_FILE)
    store = gst_mem_sink_file_store_new (self, self->pool, max_memory);
  else
    store = gst_mem_sink_samples_store_new (self, self->pool);
  memvideo_spill_pool_set_eviction (self->pool, store->funcs->eviction);
  self->store = store;
  g_mutex_unlock (&self->lock);

  GST_DEBUG_OBJECT (self, "%s segment: %s mode", gst_format_get_name (format),
      store->funcs->name);

  return store;
}
