/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The spill-pool properties shared by memspill and memsink.
 *
 * Both elements keep their frames in a MemvideoSpillPool and expose its
 * settings and statistics under the same names.  This file holds that one
 * set of properties: the enum GTypes, the settings struct, installing the
 * GParamSpecs at the element's property ids, set/get, and pushing the
 * settings to a pool.  The elements only decide where the pool lives, under
 * which lock, and what a spill error means for the stream.
 */

#ifndef __GST_MEMVIDEO_SPILL_H__
#define __GST_MEMVIDEO_SPILL_H__

#include <gst/gst.h>

#include "memvideo/spillpool.h"

G_BEGIN_DECLS

/* Enum of MemvideoSpillFormat, registered as "GstMemvideoSpillFormat"
 * (nicks raw, jpeg). */
#define GST_TYPE_MEMVIDEO_SPILL_FORMAT (gst_memvideo_spill_format_get_type ())
GType gst_memvideo_spill_format_get_type (void);

/* Enum of MemvideoEviction, registered as "GstMemvideoEviction" (nicks
 * newest, lru). */
#define GST_TYPE_MEMVIDEO_EVICTION (gst_memvideo_eviction_get_type ())
GType gst_memvideo_eviction_get_type (void);

/* Values of the writable spill properties.  Guarded by the element's object
 * lock; elements copy it under that lock and use the copy (directory is then
 * borrowed, valid only while the lock is held). */
typedef struct
{
  guint64 max_memory;
  guint64 max_disk;
  MemvideoSpillFormat format;
  gint jpeg_quality;
  MemvideoEviction eviction;
  gchar *directory;
} GstMemvideoSpillSettings;

/* Reads the statistics of the element's pool (zeros, or the last ones, when
 * it has none).  Called without the object lock held. */
typedef void (*GstMemvideoSpillStatsFunc) (GstObject * element,
    MemvideoSpillStats * stats);

/* Which spill properties an element has: its property id for each (0 = the
 * element does not have that property), the defaults that differ between
 * elements, and how to read its pool's statistics.  One static const
 * instance per element class. */
typedef struct
{
  guint max_memory;
  guint max_disk;
  guint spill_format;
  guint jpeg_quality;
  guint eviction;
  guint spill_directory;

  /* read-only statistics */
  guint resident_bytes;
  guint spilled_bytes;
  guint frames_resident;
  guint frames_spilled;
  guint spills;
  guint reloads;

  guint64 default_max_memory;
  gint default_jpeg_quality;

  GstMemvideoSpillStatsFunc get_stats;
} GstMemvideoSpillProps;

/* Installs every property of @props with a non-zero id on @klass. */
void gst_memvideo_spill_install_properties (GObjectClass * klass,
    const GstMemvideoSpillProps * props);

/* The defaults of @props; clear frees the directory. */
void gst_memvideo_spill_settings_init (GstMemvideoSpillSettings * settings,
    const GstMemvideoSpillProps * props);
void gst_memvideo_spill_settings_clear (GstMemvideoSpillSettings * settings);

/* set_property/get_property for the properties of @props: TRUE when
 * @prop_id is one of them (and was handled), FALSE otherwise.  @settings is
 * accessed under @element's object lock, statistics are read through
 * props->get_stats without it. */
gboolean gst_memvideo_spill_set_property (const GstMemvideoSpillProps * props,
    GstObject * element, GstMemvideoSpillSettings * settings, guint prop_id,
    const GValue * value);
gboolean gst_memvideo_spill_get_property (const GstMemvideoSpillProps * props,
    GstObject * element, GstMemvideoSpillSettings * settings, guint prop_id,
    GValue * value);

/* Pushes @settings (a copy, taken under the object lock) to @pool.  The
 * eviction order only when the element has the eviction property; max-memory
 * last, since lowering it evicts at once with the other settings.  Call it
 * without the element's locks: evicting may call the pool's error function
 * in this thread. */
void gst_memvideo_spill_settings_apply (const GstMemvideoSpillProps * props,
    const GstMemvideoSpillSettings * settings, MemvideoSpillPool * pool);

G_END_DECLS

#endif /* __GST_MEMVIDEO_SPILL_H__ */
