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
 * (gstmemsink.c: the element; gstmemsinkpool.c: what it keeps for a run;
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
  gchar *location;
  gchar *socket_path;
} Settings;

struct _GstMemSink
{
  GstBaseSink parent;

  /* Guarded by the object lock */
  Settings settings;

  /* The spill properties, the pool (from start until the next start), its
   * settings, errors and codec choice: its own locks (gstmemvideospill.h).
   * Its calls that post messages are made without lock held. */
  GstMemvideoSpillBinding spill;

  /* Guards the fields below; cond signals new samples, EOS, flushing and
   * stop to pull-sample.  Order: lock, then the file's, the binding's and
   * the pool's own locks; the object lock is never taken inside it. */
  GMutex lock;
  GCond cond;
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
  GstSegment segment;
  gboolean segment_error_posted;
};

/* gstmemsinkpool.c */
/* At start, after the binding's start (no streaming thread runs): drops
 * the last run's store and counters */
void gst_mem_sink_begin_run (GstMemSink * self);
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
