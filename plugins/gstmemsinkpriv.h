/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's instance structure and the functions its files share
 * (gstmemsink.c: the element; gstmemsinkpool.c: its spill pool;
 * gstmemsinkapp.c: the action signals; the stores: gstmemsinkstore.h).
 */

#ifndef __GST_MEM_SINK_PRIV_H__
#define __GST_MEM_SINK_PRIV_H__

#include <gst/video/video.h>

#include "gstmemsinkstore.h"
#include "gstmemvideospill.h"

G_BEGIN_DECLS

typedef struct
{
  GstMemSinkMode mode;
  GstMemvideoSpillSettings spill;
  gchar *location;
  gchar *socket_path;
} Settings;

struct _GstMemSink
{
  GstBaseSink parent;

  /* Guarded by the object lock */
  Settings settings;

  /* Held while a spill setting is stored and pushed to the pool (and while
   * start installs a pool), so that concurrent setters leave the pool with
   * the value the property reads.  Taken before every other lock. */
  GMutex apply_lock;

  /* Guards the fields below; cond signals new samples, EOS, flushing and
   * stop to pull-sample.  Order: lock, then the file's and the pool's own
   * locks; the object lock is never taken inside it. */
  GMutex lock;
  GCond cond;
  MemvideoSpillPool *pool;      /* from start until the next start */
  /* From the first SEGMENT (or EOS) until the next start.  Written by the
   * streaming thread under lock (and by start, when no streaming thread
   * runs); the streaming thread reads it without the lock. */
  GstMemSinkStore *store;
  guint max_samples;
  GstClockTime max_age;
  gboolean emit_signals;
  guint64 dropped;
  gboolean eos;
  gboolean flushing;
  gboolean started;
  GPtrArray *saves;             /* waiting for their end (gstmemsinkevent.c) */
  /* socket-path's server (gstmemsinkserve.c), from start to stop */
  struct _GstMemSinkServer *server;

  /* Streaming thread only */
  GstCaps *caps;
  GstVideoInfo vinfo;
  gboolean have_vinfo;
  GstSegment segment;
  gboolean segment_error_posted;

  /* Spill pool errors, reported by the pool from any thread (possibly with
   * lock held), posted as a warning by the streaming thread.  Guarded by
   * error_lock, which is never held while taking another lock;
   * pool_error_pending is atomic, so render takes no lock for it. */
  GMutex error_lock;
  GError *pool_error;
  gboolean pool_error_posted;
  gint pool_error_pending;
};

/* gstmemsinkpool.c */
MemvideoSpillPool *gst_mem_sink_new_pool (GstMemSink * self,
    const Settings * s, const GstMemvideoSpillProps * props,
    GError ** error);
/* Called with apply_lock held */
void gst_mem_sink_apply_pool_settings (GstMemSink * self,
    const GstMemvideoSpillProps * props);
/* Called without locks */
void gst_mem_sink_post_pool_error (GstMemSink * self);
/* At start, with apply_lock held: installs @pool, drops the last run */
void gst_mem_sink_begin_run (GstMemSink * self, MemvideoSpillPool * pool);
/* Streaming thread: the store of this run, made at the first call */
GstMemSinkStore *gst_mem_sink_ensure_store (GstMemSink * self,
    GstFormat format);

/* gstmemsinkapp.c: the action signals */
GBytes *gst_mem_sink_get_bytes (GstMemSink * self);
GstSample *gst_mem_sink_get_sample (GstMemSink * self, guint index);
GstSample *gst_mem_sink_pull_sample (GstMemSink * self);
GstSample *gst_mem_sink_try_pull_sample (GstMemSink * self,
    GstClockTime timeout);
void gst_mem_sink_clear (GstMemSink * self);

/* gstmemsinkmode.c: auto mode's file streams (container caps) */
gboolean gst_mem_sink_caps_are_file (const GstCaps * caps);

/* gstmemsinkevent.c: save, stable sample numbers */
void gst_mem_sink_install_event_api (GObjectClass * klass,
    guint prop_first_number, guint prop_last_number);
void gst_mem_sink_saves_init (GstMemSink * self);
void gst_mem_sink_saves_clear (GstMemSink * self);
/* Element lock held */
gboolean gst_mem_sink_event_get_property (GstMemSink * self, guint prop_id,
    GValue * value);
/* Without locks: at EOS, flush and stop, the waiting saves are written with
 * what they have */
void gst_mem_sink_saves_finish (GstMemSink * self);

G_END_DECLS

#endif /* __GST_MEM_SINK_PRIV_H__ */
