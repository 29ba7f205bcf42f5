/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstmemvideospill.h"

GST_DEBUG_CATEGORY (gst_memvideo_spill_debug);
#define GST_CAT_DEFAULT gst_memvideo_spill_debug

#define DEFAULT_MAX_DISK 0
#define DEFAULT_SPILL_FORMAT MEMVIDEO_SPILL_FORMAT_RAW
#define DEFAULT_EVICTION MEMVIDEO_EVICTION_NEWEST
#define DEFAULT_SPILL_DIRECTORY NULL

#define SETTING_FLAGS (G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | \
    G_PARAM_STATIC_STRINGS)

GType
gst_memvideo_spill_format_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {MEMVIDEO_SPILL_FORMAT_RAW, "Raw bytes (lossless, any data)", "raw"},
    {MEMVIDEO_SPILL_FORMAT_JPEG,
          "JPEG (lossy) for 8-bit YUV, RGB and GRAY raw video, raw otherwise",
        "jpeg"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMemvideoSpillFormat", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_memvideo_eviction_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {MEMVIDEO_EVICTION_NEWEST,
        "Spill the newest frame first (FIFO, accumulate then read)", "newest"},
    {MEMVIDEO_EVICTION_LRU,
        "Spill the least recently mapped frame first (random access)", "lru"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMemvideoEviction", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* The read-only statistics: all guint64 fields of MemvideoSpillStats, so
 * one table serves installing and reading them. */
typedef struct
{
  gsize id_offset;              /* of the id in GstMemvideoSpillProps */
  gsize stat_offset;            /* of the value in MemvideoSpillStats */
  const gchar *name;
  const gchar *nick;
  const gchar *blurb;
} StatProp;

#define STAT_PROP(field, name, nick, blurb) \
  { G_STRUCT_OFFSET (GstMemvideoSpillProps, field), \
    G_STRUCT_OFFSET (MemvideoSpillStats, field), name, nick, blurb }

static const StatProp stat_props[] = {
  STAT_PROP (resident_bytes, "resident-bytes", "Resident bytes",
      "Bytes of the element's spill pool held in RAM"),
  STAT_PROP (spilled_bytes, "spilled-bytes", "Spilled bytes",
      "Bytes the spilled data of the element's pool occupies on disk "
      "(encoded size)"),
  STAT_PROP (frames_resident, "frames-resident", "Frames resident",
      "Number of live frames held in RAM"),
  STAT_PROP (frames_spilled, "frames-spilled", "Frames spilled",
      "Number of live frames whose data is only on disk"),
  STAT_PROP (spills, "spills", "Spills",
      "Writes to the spill file since the element started"),
  STAT_PROP (reloads, "reloads", "Reloads",
      "Reads back from the spill file since the element started"),
};

#define STAT_PROP_ID(props, sp) \
  G_STRUCT_MEMBER (guint, (props), (sp)->id_offset)

/* Installs @pspec at @prop_id, or drops it when the element does not have
 * the property. */
static void
install (GObjectClass * klass, guint prop_id, GParamSpec * pspec)
{
  if (prop_id == 0) {
    g_param_spec_ref_sink (pspec);
    g_param_spec_unref (pspec);
    return;
  }
  g_object_class_install_property (klass, prop_id, pspec);
}

void
gst_memvideo_spill_install_properties (GObjectClass * klass,
    const GstMemvideoSpillProps * props)
{
  guint i;

  if (gst_memvideo_spill_debug == NULL)
    GST_DEBUG_CATEGORY_INIT (gst_memvideo_spill_debug, "memvideospill", 0,
        "spill pool binding of memspill and memsink");

  install (klass, props->max_memory,
      g_param_spec_uint64 ("max-memory", "Maximum memory",
          "Bytes of unmapped data kept in RAM before the rest is spilled to "
          "disk (0 = spill everything as soon as it is unmapped, "
          "18446744073709551615 = no budget)",
          0, G_MAXUINT64, props->default_max_memory, SETTING_FLAGS));
  install (klass, props->max_disk,
      g_param_spec_uint64 ("max-disk", "Maximum disk",
          "Bytes the spill file may hold (0 = unlimited); data that does not "
          "fit stays in RAM", 0, G_MAXUINT64, DEFAULT_MAX_DISK, SETTING_FLAGS));
  install (klass, props->spill_format,
      g_param_spec_enum ("spill-format", "Spill format",
          "How spilled data is written (raw = as it is; jpeg = raw video in "
          "an 8-bit YUV, RGB or GRAY layout as JPEG, everything else raw)",
          GST_TYPE_MEMVIDEO_SPILL_FORMAT, DEFAULT_SPILL_FORMAT, SETTING_FLAGS));
  install (klass, props->jpeg_quality,
      g_param_spec_int ("jpeg-quality", "JPEG quality",
          "Quality of frames spilled as JPEG (1 = smallest, 100 = best)",
          1, 100, props->default_jpeg_quality, SETTING_FLAGS));
  install (klass, props->eviction,
      g_param_spec_enum ("eviction", "Eviction",
          "Which unmapped frame is spilled first when over max-memory",
          GST_TYPE_MEMVIDEO_EVICTION, DEFAULT_EVICTION, SETTING_FLAGS));
  install (klass, props->spill_directory,
      g_param_spec_string ("spill-directory", "Spill directory",
          "Directory for the element's temporary files, all unlinked: the "
          "spill file lives in a private directory created in it (NULL = the "
          "system temporary directory)",
          DEFAULT_SPILL_DIRECTORY,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  for (i = 0; i < G_N_ELEMENTS (stat_props); i++) {
    const StatProp *sp = &stat_props[i];

    install (klass, STAT_PROP_ID (props, sp),
        g_param_spec_uint64 (sp->name, sp->nick, sp->blurb, 0, G_MAXUINT64,
            0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  }

  gst_type_mark_as_plugin_api (GST_TYPE_MEMVIDEO_SPILL_FORMAT, 0);
  if (props->eviction)
    gst_type_mark_as_plugin_api (GST_TYPE_MEMVIDEO_EVICTION, 0);
}


void
gst_memvideo_spill_settings_init (GstMemvideoSpillSettings * settings,
    const GstMemvideoSpillProps * props)
{
  settings->max_memory = props->default_max_memory;
  settings->max_disk = DEFAULT_MAX_DISK;
  settings->format = DEFAULT_SPILL_FORMAT;
  settings->jpeg_quality = props->default_jpeg_quality;
  settings->eviction = DEFAULT_EVICTION;
  settings->directory = g_strdup (DEFAULT_SPILL_DIRECTORY);
}

void
gst_memvideo_spill_settings_clear (GstMemvideoSpillSettings * settings)
{
  g_clear_pointer (&settings->directory, g_free);
}

/* Stores @value if @prop_id is a writable spill property; *@changed says
 * whether it differs from the old value.  Object lock held. */
static gboolean
store_setting (const GstMemvideoSpillProps * props,
    GstMemvideoSpillSettings * settings, guint prop_id, const GValue * value,
    gboolean * changed)
{
  GstMemvideoSpillSettings old = *settings;

  if (prop_id == 0)
    return FALSE;
  if (prop_id == props->max_memory) {
    settings->max_memory = g_value_get_uint64 (value);
    *changed = settings->max_memory != old.max_memory;
  } else if (prop_id == props->max_disk) {
    settings->max_disk = g_value_get_uint64 (value);
    *changed = settings->max_disk != old.max_disk;
  } else if (prop_id == props->spill_format) {
    settings->format = g_value_get_enum (value);
    *changed = settings->format != old.format;
  } else if (prop_id == props->jpeg_quality) {
    settings->jpeg_quality = g_value_get_int (value);
    *changed = settings->jpeg_quality != old.jpeg_quality;
  } else if (prop_id == props->eviction) {
    settings->eviction = g_value_get_enum (value);
    *changed = settings->eviction != old.eviction;
  } else if (prop_id == props->spill_directory) {
    settings->directory = g_value_dup_string (value);
    *changed = g_strcmp0 (settings->directory, old.directory) != 0;
    g_free (old.directory);
  } else {
    return FALSE;
  }
  return TRUE;
}

/* Reads a writable spill property.  Object lock held. */
static gboolean
load_setting (const GstMemvideoSpillProps * props,
    const GstMemvideoSpillSettings * settings, guint prop_id, GValue * value)
{
  if (prop_id == 0)
    return FALSE;
  if (prop_id == props->max_memory)
    g_value_set_uint64 (value, settings->max_memory);
  else if (prop_id == props->max_disk)
    g_value_set_uint64 (value, settings->max_disk);
  else if (prop_id == props->spill_format)
    g_value_set_enum (value, settings->format);
  else if (prop_id == props->jpeg_quality)
    g_value_set_int (value, settings->jpeg_quality);
  else if (prop_id == props->eviction)
    g_value_set_enum (value, settings->eviction);
  else if (prop_id == props->spill_directory)
    g_value_set_string (value, settings->directory);
  else
    return FALSE;
  return TRUE;
}

/* The statistic at @prop_id, or NULL when it is not one. */
static const StatProp *
find_stat (const GstMemvideoSpillProps * props, guint prop_id)
{
  guint i;

  for (i = 0; prop_id != 0 && i < G_N_ELEMENTS (stat_props); i++) {
    if (prop_id == STAT_PROP_ID (props, &stat_props[i]))
      return &stat_props[i];
  }
  return NULL;
}

/* Pushes @settings to @pool: the eviction order only when the element has
 * that property, max-memory last (lowering it evicts at once). */
static void
settings_apply (const GstMemvideoSpillProps * props,
    const GstMemvideoSpillSettings * settings, MemvideoSpillPool * pool)
{
  memvideo_spill_pool_set_format (pool, settings->format);
  memvideo_spill_pool_set_jpeg_quality (pool, settings->jpeg_quality);
  if (props->eviction)
    memvideo_spill_pool_set_eviction (pool, settings->eviction);
  memvideo_spill_pool_set_max_disk (pool, settings->max_disk);
  memvideo_spill_pool_set_max_memory (pool, settings->max_memory);
}

/* ------------------------------------------------------------------ */
/* The binding's properties (the rest is in gstmemvideospillbinding.c) */

MemvideoSpillPool *
gst_memvideo_spill_binding_get_pool (GstMemvideoSpillBinding * binding)
{
  MemvideoSpillPool *pool = NULL;

  g_mutex_lock (&binding->lock);
  if (binding->pool)
    pool = memvideo_spill_pool_ref (binding->pool);
  g_mutex_unlock (&binding->lock);
  return pool;
}

void
gst_memvideo_spill_binding_get_settings (GstMemvideoSpillBinding * binding,
    GstMemvideoSpillSettings * copy)
{
  GST_OBJECT_LOCK (binding->element);
  *copy = binding->settings;
  copy->directory = g_strdup (binding->settings.directory);
  GST_OBJECT_UNLOCK (binding->element);
}

/* The copy is taken with apply_lock held, so that whichever setter
 * applies last applies the value stored last. */
void
gst_memvideo_spill_binding_apply (GstMemvideoSpillBinding * binding)
{
  MemvideoSpillPool *pool;
  GstMemvideoSpillSettings s;

  g_rec_mutex_lock (&binding->apply_lock);
  GST_OBJECT_LOCK (binding->element);
  s = binding->settings;
  s.directory = NULL;           /* only plain values are applied */
  GST_OBJECT_UNLOCK (binding->element);

  pool = gst_memvideo_spill_binding_get_pool (binding);
  if (pool) {
    settings_apply (binding->props, &s, pool);
    memvideo_spill_pool_unref (pool);
  }
  g_rec_mutex_unlock (&binding->apply_lock);
}

static void
send_reconfigure (GstMemvideoSpillBinding * binding)
{
  GstPad *sinkpad = gst_element_get_static_pad (binding->element, "sink");

  if (sinkpad == NULL)
    return;
  GST_DEBUG_OBJECT (binding->element, "spill-format changed: reconfigure");
  gst_pad_push_event (sinkpad, gst_event_new_reconfigure ());
  gst_object_unref (sinkpad);
}

gboolean
gst_memvideo_spill_binding_set_property (GstMemvideoSpillBinding * binding,
    guint prop_id, const GValue * value)
{
  const GstMemvideoSpillProps *props = binding->props;
  gboolean handled, changed = FALSE, raw_video;

  GST_OBJECT_LOCK (binding->element);
  handled = store_setting (props, &binding->settings, prop_id, value, &changed);
  GST_OBJECT_UNLOCK (binding->element);

  /* spill-directory is used by the next start (GST_PARAM_MUTABLE_READY) */
  if (!handled || prop_id == props->spill_directory)
    return handled;

  gst_memvideo_spill_binding_apply (binding);

  /* The format decides whether upstream is offered our allocator, which
   * matters for raw video only.  A RECONFIGURE for nothing makes upstream
   * renegotiate, which can deadlock a tee's other branch in preroll. */
  if (prop_id == props->spill_format && changed) {
    g_mutex_lock (&binding->lock);
    raw_video = binding->have_vinfo;
    g_mutex_unlock (&binding->lock);
    if (raw_video)
      send_reconfigure (binding);
  }
  return TRUE;
}

void
gst_memvideo_spill_binding_get_stats (GstMemvideoSpillBinding * binding,
    MemvideoSpillStats * stats)
{
  MemvideoSpillPool *pool;

  g_mutex_lock (&binding->lock);
  pool = binding->pool ? memvideo_spill_pool_ref (binding->pool) : NULL;
  if (pool == NULL)
    *stats = binding->last_stats;
  g_mutex_unlock (&binding->lock);

  if (pool) {
    memvideo_spill_pool_get_stats (pool, stats);
    memvideo_spill_pool_unref (pool);
  }
}

gboolean
gst_memvideo_spill_binding_get_property (GstMemvideoSpillBinding * binding,
    guint prop_id, GValue * value)
{
  const StatProp *sp = find_stat (binding->props, prop_id);
  MemvideoSpillStats stats;
  gboolean handled;

  if (sp) {
    gst_memvideo_spill_binding_get_stats (binding, &stats);
    g_value_set_uint64 (value, G_STRUCT_MEMBER (guint64, &stats,
            sp->stat_offset));
    return TRUE;
  }

  GST_OBJECT_LOCK (binding->element);
  handled = load_setting (binding->props, &binding->settings, prop_id, value);
  GST_OBJECT_UNLOCK (binding->element);
  return handled;
}
