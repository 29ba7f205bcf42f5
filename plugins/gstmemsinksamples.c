/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's samples store: every buffer kept as a GstSample in a
 * MemvideoSampleWindow, its memory in the spill pool.  The window is
 * guarded by the element lock, which pull-sample waits on; render adopts
 * the buffer into the pool with the element's spill binding without it
 * and takes it once to push.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsinkstore.h"

#include "memvideo/samplewindow.h"

GST_DEBUG_CATEGORY_EXTERN (gst_mem_sink_debug);
#define GST_CAT_DEFAULT gst_mem_sink_debug

/* What a kept sample costs in RAM besides its data and the pool's
 * memory: the GstSample with its segment copy, the GstBuffer and the
 * window's entry (measured with glibc: 150 + 230 bytes, rounded up).
 * Charged to max-memory, so many tiny samples spill instead of growing. */
#define SAMPLE_BOOKKEEPING 400

typedef struct
{
  GstMemSinkStore parent;

  MemvideoSampleWindow *window; /* element lock */
} SamplesStore;

static gboolean
samples_segment (GstMemSinkStore * store, const GstSegment * segment)
{
  return TRUE;
}

/* Called with the element lock held. */
static void
charge_bookkeeping (SamplesStore * self)
{
  guint64 n = memvideo_sample_window_get_length (self->window);

  memvideo_spill_pool_set_owner_bytes (self->parent.pool, n *
      (SAMPLE_BOOKKEEPING + memvideo_sample_window_entry_size ()));
}

static GstFlowReturn
samples_render (GstMemSinkStore * store, GstBuffer * buffer)
{
  SamplesStore *self = (SamplesStore *) store;
  GMutex *lock = gst_mem_sink_get_lock (store->sink);
  GstMemvideoSpillBinding *spill = gst_mem_sink_get_spill (store->sink);
  GstCaps *caps = gst_mem_sink_get_caps (store->sink);
  GstMemvideoSpillFrame frame;
  GstClockTime max_age;
  GPtrArray *dropped, *ready;
  GstSample *sample;
  GstBuffer *kept;
  GstFlowReturn ret;
  guint max_samples;
  gboolean kept_it, emit;

  /* the binding's codec choice and the store's one adoption rule, as in
   * memspill; a failure is posted there */
  gst_memvideo_spill_binding_begin_frame (spill, &frame);
  ret = gst_memvideo_spill_binding_adopt (spill, &frame,
      gst_buffer_ref (buffer), &kept);
  if (ret != GST_FLOW_OK)
    return ret;
  sample = gst_sample_new (kept, caps,
      gst_mem_sink_get_segment (store->sink), NULL);
  gst_buffer_unref (kept);

  dropped = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  ready = g_ptr_array_new ();
  g_mutex_lock (lock);
  gst_mem_sink_get_window (store->sink, &max_samples, &max_age, &emit);
  memvideo_sample_window_set_limits (self->window, max_samples, max_age);
  kept_it = memvideo_sample_window_push (self->window, sample, dropped);
  gst_mem_sink_saves_sample_added (store->sink, self->window,
      kept_it ? sample : NULL, ready);
  charge_bookkeeping (self);
  gst_mem_sink_samples_added (store->sink, dropped->len);
  g_mutex_unlock (lock);
  g_ptr_array_unref (dropped);
  gst_mem_sink_saves_write (store->sink, ready);
  g_ptr_array_unref (ready);

  if (kept_it && emit)
    return gst_mem_sink_emit_new_sample (store->sink);

  return GST_FLOW_OK;
}

static gboolean
samples_eos (GstMemSinkStore * store, const gchar * location)
{
  return TRUE;
}

static gboolean
samples_query (GstMemSinkStore * store, GstQuery * query)
{
  gboolean seekable = FALSE;
  GstFormat format;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_SEEKING:
      gst_query_parse_seeking (query, &format, NULL, NULL, NULL);
      gst_query_set_seeking (query, format, seekable, 0, -1);
      return TRUE;
    default:
      return FALSE;
  }
}

static void
samples_summary (GstMemSinkStore * store, GstStructure * s)
{
  SamplesStore *self = (SamplesStore *) store;
  GMutex *lock = gst_mem_sink_get_lock (store->sink);
  guint n;

  g_mutex_lock (lock);
  n = memvideo_sample_window_get_length (self->window);
  g_mutex_unlock (lock);
  gst_structure_set (s, "n-samples", G_TYPE_UINT, n, NULL);
}

static void
samples_clear (GstMemSinkStore * store, gboolean flush, GPtrArray * dropped)
{
  SamplesStore *self = (SamplesStore *) store;

  memvideo_sample_window_clear (self->window, dropped);
  charge_bookkeeping (self);
}

static guint
samples_n_samples (GstMemSinkStore * store)
{
  return memvideo_sample_window_get_length (((SamplesStore *) store)->window);
}

static guint64
samples_size (GstMemSinkStore * store)
{
  return 0;
}

static GstSample *
samples_get_sample (GstMemSinkStore * store, guint index)
{
  GstSample *sample =
      memvideo_sample_window_get (((SamplesStore *) store)->window, index);

  return sample ? gst_sample_ref (sample) : NULL;
}

static GstSample *
samples_pop_sample (GstMemSinkStore * store)
{
  SamplesStore *self = (SamplesStore *) store;
  GstSample *sample = memvideo_sample_window_pop (self->window);

  if (sample)
    charge_bookkeeping (self);

  return sample;
}

static GBytes *
samples_get_bytes (GstMemSinkStore * store, const gchar * directory)
{
  return NULL;
}

static void
samples_free (GstMemSinkStore * store)
{
  SamplesStore *self = (SamplesStore *) store;

  memvideo_sample_window_free (self->window);
  memvideo_spill_pool_set_owner_bytes (store->pool, 0);
}

static const GstMemSinkStoreFuncs samples_funcs = {
  .mode = GST_MEM_SINK_MODE_SAMPLES,
  .name = "samples",
  /* samples are read in arrival order: the newest is needed last */
  .eviction = MEMVIDEO_EVICTION_NEWEST,
  .segment = samples_segment,
  .render = samples_render,
  .eos = samples_eos,
  .query = samples_query,
  .summary = samples_summary,
  .clear = samples_clear,
  .n_samples = samples_n_samples,
  .size = samples_size,
  .get_sample = samples_get_sample,
  .pop_sample = samples_pop_sample,
  .get_bytes = samples_get_bytes,
  .free = samples_free,
};

MemvideoSampleWindow *
gst_mem_sink_samples_store_get_window (GstMemSinkStore * store)
{
  if (store->funcs != &samples_funcs)
    return NULL;

  return ((SamplesStore *) store)->window;
}

GstMemSinkStore *
gst_mem_sink_samples_store_new (GstMemSink * sink, MemvideoSpillPool * pool)
{
  SamplesStore *self = g_new0 (SamplesStore, 1);

  self->parent.funcs = &samples_funcs;
  self->parent.sink = sink;
  self->parent.pool = memvideo_spill_pool_ref (pool);
  self->parent.ref_count = 1;
  self->window = memvideo_sample_window_new ();

  return &self->parent;
}
