/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's application side: the action signals (get-bytes, get-sample,
 * pull-sample, try-pull-sample, clear) and what the stores read of the
 * element.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsinkpriv.h"
#include "gstmemsinkserve.h"
GstMemSinkStore *
gst_mem_sink_store_ref (GstMemSinkStore * store)
{
  g_atomic_int_inc (&store->ref_count);
  return store;
}

void
gst_mem_sink_store_unref (GstMemSinkStore * store)
{
  if (!g_atomic_int_dec_and_test (&store->ref_count))
    return;
  store->funcs->free (store);
  memvideo_spill_pool_unref (store->pool);
  g_free (store);
}

GMutex *
gst_mem_sink_get_lock (GstMemSink * sink)
{
  return &sink->lock;
}

void
gst_mem_sink_samples_added (GstMemSink * sink, guint64 dropped)
{
  sink->dropped += dropped;
  g_cond_broadcast (&sink->cond);
  if (sink->server)
    gst_mem_sink_server_notify (sink->server);
}

void
gst_mem_sink_get_window (GstMemSink * sink, guint * max_samples,
    GstClockTime * max_age, gboolean * emit_signals)
{
  *max_samples = sink->max_samples;
  *max_age = sink->max_age;
  *emit_signals = sink->emit_signals;
}

GstCaps *
gst_mem_sink_get_caps (GstMemSink * sink)
{
  return sink->caps;
}

GstMemvideoSpillBinding *
gst_mem_sink_get_spill (GstMemSink * sink)
{
  return &sink->spill;
}

const GstSegment *
gst_mem_sink_get_segment (GstMemSink * sink)
{
  return &sink->segment;
}

GBytes *
gst_mem_sink_get_bytes (GstMemSink * self)
{
  GstMemvideoSpillSettings spill;
  GstMemSinkStore *store = NULL;
  GBytes *bytes = NULL;
  gboolean file;

  /* The snapshot file goes where the spill file goes: the place the user
   * chose for big temporary data */
  gst_memvideo_spill_binding_get_settings (&self->spill, &spill);
  GST_OBJECT_LOCK (self);
  file = self->settings.mode != GST_MEM_SINK_MODE_SAMPLES;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  if (self->store)
    store = gst_mem_sink_store_ref (self->store);
  g_mutex_unlock (&self->lock);

  /* auto mode before its first segment: the file to come is empty */
  if (store == NULL && file)
    bytes = g_bytes_new (NULL, 0);
  if (store) {
    bytes = store->funcs->get_bytes (store, spill.directory);
    gst_mem_sink_store_unref (store);
  }
  gst_memvideo_spill_settings_clear (&spill);

  return bytes;
}

GstSample *
gst_mem_sink_get_sample (GstMemSink * self, guint index)
{
  GstSample *sample = NULL;

  g_mutex_lock (&self->lock);
  if (self->store)
    sample = self->store->funcs->get_sample (self->store, index);
  g_mutex_unlock (&self->lock);

  return sample;
}

/* Called with lock held. */
static GstSample *
gst_mem_sink_pop (GstMemSink * self)
{
  return self->store ? self->store->funcs->pop_sample (self->store) : NULL;
}

GstSample *
gst_mem_sink_try_pull_sample (GstMemSink * self, GstClockTime timeout)
{
  GstSample *sample = NULL;
  gint64 end_time = 0;

  if (GST_CLOCK_TIME_IS_VALID (timeout))
    end_time = g_get_monotonic_time () + timeout / GST_USECOND;

  g_mutex_lock (&self->lock);
  /* appsink's rules: NULL while flushing, NULL at EOS or stop once empty */
  while (!self->flushing) {
    sample = gst_mem_sink_pop (self);
    if (sample || self->eos || !self->started)
      break;
    if (!GST_CLOCK_TIME_IS_VALID (timeout)) {
      g_cond_wait (&self->cond, &self->lock);
    } else if (!g_cond_wait_until (&self->cond, &self->lock, end_time)) {
      sample = gst_mem_sink_pop (self);
      break;
    }
  }
  g_mutex_unlock (&self->lock);

  return sample;
}

GstSample *
gst_mem_sink_pull_sample (GstMemSink * self)
{
  return gst_mem_sink_try_pull_sample (self, GST_CLOCK_TIME_NONE);
}

void
gst_mem_sink_clear (GstMemSink * self)
{
  GPtrArray *dropped =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);

  g_mutex_lock (&self->lock);
  if (self->store)
    self->store->funcs->clear (self->store, FALSE, dropped);
  g_mutex_unlock (&self->lock);

  g_ptr_array_unref (dropped);
}
