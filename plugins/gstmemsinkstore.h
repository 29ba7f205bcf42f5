/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's two stores behind one interface.
 *
 * The element (gstmemsink.c) owns the spill binding (and through it the
 * pool), the element lock and its cond, the properties and the signals; a store keeps the data of one run.  The
 * store of the mode in use is created once, at the first SEGMENT after
 * start (or at EOS when no SEGMENT came), and lives until the next start:
 * the mode is not decided again per buffer.
 *
 *  - the file store (gstmemsinkfile.c): a MemvideoMemFile with its write
 *    position, the SEEKING/POSITION queries, get-bytes and the save to
 *    location at EOS (gstmemsinksave.c);
 *  - the samples store (gstmemsinksamples.c): a MemvideoSampleWindow of
 *    GstSamples, the buffer adoption into the pool, pull and get by index.
 *
 * Locking (the same rule for both): the streaming thread calls segment,
 * render, eos and summary without any lock of the element held; query,
 * size and get_bytes are called on a reference without it (they wait for
 * the file's lock, which a snapshot holds, not for the element's); the
 * others with the element lock held.  The
 * file store's data is guarded by the MemvideoMemFile's own lock, the
 * samples store's window by the element lock (pull-sample waits on the
 * element's cond), so render takes one lock.
 */

#ifndef __GST_MEM_SINK_STORE_H__
#define __GST_MEM_SINK_STORE_H__

#include <gst/video/video.h>

#include "gstmemsink.h"
#include "gstmemvideospill.h"
#include "memvideo/samplewindow.h"
#include "memvideo/spillpool.h"

G_BEGIN_DECLS

typedef struct _GstMemSinkStore GstMemSinkStore;

typedef struct
{
  GstMemSinkMode mode;
  const gchar *name;            /* the summary's "mode" field */
  MemvideoEviction eviction;    /* the pool's order for this store */

  /* Streaming thread, no lock held.  segment and render post their own
   * errors; eos saves @location (may be NULL); summary adds the EOS
   * message's fields of the store. */
  gboolean (*segment) (GstMemSinkStore * store, const GstSegment * segment);
  GstFlowReturn (*render) (GstMemSinkStore * store, GstBuffer * buffer);
  gboolean (*eos) (GstMemSinkStore * store, const gchar * location);
  void (*summary) (GstMemSinkStore * store, GstStructure * s);

  /* Element lock held */
  void (*clear) (GstMemSinkStore * store, gboolean flush,
      GPtrArray * dropped);
  guint (*n_samples) (GstMemSinkStore * store);
  GstSample *(*get_sample) (GstMemSinkStore * store, guint index);
  GstSample *(*pop_sample) (GstMemSinkStore * store);

  /* Without the element lock, on a reference */
  gboolean (*query) (GstMemSinkStore * store, GstQuery * query);
  guint64 (*size) (GstMemSinkStore * store);
  GBytes *(*get_bytes) (GstMemSinkStore * store, const gchar * directory);

  void (*free) (GstMemSinkStore * store);
} GstMemSinkStoreFuncs;

struct _GstMemSinkStore
{
  const GstMemSinkStoreFuncs *funcs;
  GstMemSink *sink;             /* not a reference: the sink owns the store */
  MemvideoSpillPool *pool;      /* a reference */
  gint ref_count;
};

/* @max_memory picks the file's chunk size (memvideo_mem_file_new_for). */
GstMemSinkStore *gst_mem_sink_file_store_new (GstMemSink * sink,
    MemvideoSpillPool * pool, guint64 max_memory);
GstMemSinkStore *gst_mem_sink_samples_store_new (GstMemSink * sink,
    MemvideoSpillPool * pool);

/* Element lock held: the samples store's window, NULL for the file store */
MemvideoSampleWindow *gst_mem_sink_samples_store_get_window (GstMemSinkStore
    * store);

GstMemSinkStore *gst_mem_sink_store_ref (GstMemSinkStore * store);
void gst_mem_sink_store_unref (GstMemSinkStore * store);

/* For the stores: the element's lock and cond, its streaming-thread
 * state (caps, video info, segment; read without a lock by the streaming
 * thread only) and the window settings (element lock held). */
GMutex *gst_mem_sink_get_lock (GstMemSink * sink);
void gst_mem_sink_samples_added (GstMemSink * sink, guint64 dropped);
void gst_mem_sink_get_window (GstMemSink * sink, guint * max_samples,
    GstClockTime * max_age, gboolean * emit_signals);
GstCaps *gst_mem_sink_get_caps (GstMemSink * sink);
/* The element's spill binding: the samples store adopts buffers with it */
GstMemvideoSpillBinding *gst_mem_sink_get_spill (GstMemSink * sink);
const GstSegment *gst_mem_sink_get_segment (GstMemSink * sink);
GstFlowReturn gst_mem_sink_emit_new_sample (GstMemSink * sink);
/* Element lock held, after @sample (NULL: not kept) entered @window:
 * feeds the waiting saves, moving those that ended to @ready (then
 * written by gst_mem_sink_saves_write without the lock) */
void gst_mem_sink_saves_sample_added (GstMemSink * sink,
    MemvideoSampleWindow * window, GstSample * sample, GPtrArray * ready);
void gst_mem_sink_saves_write (GstMemSink * sink, GPtrArray * ready);

G_END_DECLS

#endif /* __GST_MEM_SINK_STORE_H__ */
