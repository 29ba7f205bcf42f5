/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * What memsink keeps for one run (start to next start): the counters and
 * the store, made at the first SEGMENT in the spill binding's pool.  The
 * pool itself, its settings and its errors are the binding's
 * (gstmemvideospill.h).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsinkpriv.h"

GST_DEBUG_CATEGORY_EXTERN (gst_mem_sink_debug);
#define GST_CAT_DEFAULT gst_mem_sink_debug

/* Drops the previous run's data; the binding has its new pool. */
void
gst_mem_sink_begin_run (GstMemSink * self)
{
  GstMemSinkStore *old_store;

  g_mutex_lock (&self->lock);
  old_store = self->store;
  self->store = NULL;
  self->dropped = 0;
  self->eos = FALSE;
  self->flushing = FALSE;
  self->started = TRUE;
  g_mutex_unlock (&self->lock);

  /* no streaming thread runs now */
  gst_clear_caps (&self->caps);
  gst_segment_init (&self->segment, GST_FORMAT_TIME);
  self->segment_error_posted = FALSE;

  if (old_store)
    gst_mem_sink_store_unref (old_store);
}

/* Streaming thread: creates the store of the mode in use, once per run:
 * mode auto picks file for a BYTES segment or container caps
 * (gstmemsinkmode.c), samples otherwise. */
GstMemSinkStore *
gst_mem_sink_ensure_store (GstMemSink * self, GstFormat format)
{
  GstMemvideoSpillSettings spill;
  MemvideoSpillPool *pool;
  GstMemSinkStore *store;
  GstMemSinkMode mode;

  if (self->store)
    return self->store;

  pool = gst_memvideo_spill_binding_get_pool (&self->spill);
  if (pool == NULL)
    return NULL;
  gst_memvideo_spill_binding_get_settings (&self->spill, &spill);
  GST_OBJECT_LOCK (self);
  mode = self->settings.mode;
  GST_OBJECT_UNLOCK (self);
  if (mode == GST_MEM_SINK_MODE_AUTO)
    mode = format == GST_FORMAT_BYTES || gst_mem_sink_caps_are_file (self->caps)
        ? GST_MEM_SINK_MODE_FILE : GST_MEM_SINK_MODE_SAMPLES;

  if (mode == GST_MEM_SINK_MODE_FILE)
    store = gst_mem_sink_file_store_new (self, pool, spill.max_memory);
  else
    store = gst_mem_sink_samples_store_new (self, pool);
  /* memsink has no eviction property: the store picks the order */
  memvideo_spill_pool_set_eviction (pool, store->funcs->eviction);
  gst_memvideo_spill_settings_clear (&spill);
  memvideo_spill_pool_unref (pool);

  g_mutex_lock (&self->lock);
  self->store = store;
  g_mutex_unlock (&self->lock);

  GST_DEBUG_OBJECT (self, "%s segment: %s mode", gst_format_get_name (format),
      store->funcs->name);

  return store;
}
