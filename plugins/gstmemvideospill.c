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

GST_DEBUG_CATEGORY_STATIC (gst_memvideo_spill_debug);
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

  if (!gst_memvideo_spill_debug)
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

gboolean
gst_memvideo_spill_set_property (const GstMemvideoSpillProps * props,
    GstObject * element, GstMemvideoSpillSettings * settings, guint prop_id,
    const GValue * value)
{
  gboolean handled, changed;

  GST_OBJECT_LOCK (element);
  handled = store_setting (props, settings, prop_id, value, &changed);
  GST_OBJECT_UNLOCK (element);

  return handled;
}

gboolean
gst_memvideo_spill_get_property (const GstMemvideoSpillProps * props,
    GstObject * element, GstMemvideoSpillSettings * settings, guint prop_id,
    GValue * value)
{
  const StatProp *sp = find_stat (props, prop_id);
  MemvideoSpillStats stats;
  gboolean handled;

  if (sp) {
    /* without the object lock: the element may take it to find its pool */
    props->get_stats (element, &stats);
    g_value_set_uint64 (value, G_STRUCT_MEMBER (guint64, &stats,
            sp->stat_offset));
    return TRUE;
  }

  GST_OBJECT_LOCK (element);
  handled = load_setting (props, settings, prop_id, value);
  GST_OBJECT_UNLOCK (element);

  return handled;
}

void
gst_memvideo_spill_settings_apply (const GstMemvideoSpillProps * props,
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
/* The binding */

/* What failed, for the error policy (gstmemvideospill.h). */
typedef enum
{
  SITUATION_WRITE,              /* frame kept in RAM over budget */
  SITUATION_MAX_DISK,           /* frame kept in RAM: the limit works */
  SITUATION_RELOAD,             /* a spilled frame could not be read back */
} Situation;

/* A message recorded by the pool's error function, posted later. */
typedef struct
{
  Situation situation;
  GError *error;
  MemvideoSpillStats stats;
  gchar *directory;
} Pending;

static void
pending_free (Pending * p)
{
  g_error_free (p->error);
  g_free (p->directory);
  g_free (p);
}

/* The user data of a pool's error function: set once, when the pool is
 * created, and freed by the pool when it goes (after any call in flight,
 * since every caller holds a reference on the pool).  The binding is found
 * at @offset in the element, as long as the element lives. */
typedef struct
{
  GWeakRef element;
  gsize offset;
} ErrorTarget;

static void
error_target_free (gpointer data)
{
  ErrorTarget *target = data;

  g_weak_ref_clear (&target->element);
  g_free (target);
}

#define BINDING_AT(element, offset) \
  ((GstMemvideoSpillBinding *) G_STRUCT_MEMBER_P ((element), (offset)))

void
gst_memvideo_spill_binding_init (GstMemvideoSpillBinding * binding,
    GstElement * element, const GstMemvideoSpillProps * props)
{
  memset (binding, 0, sizeof (*binding));
  binding->props = props;
  binding->element = element;
  gst_memvideo_spill_settings_init (&binding->settings, props);
  g_rec_mutex_init (&binding->apply_lock);
  g_rec_mutex_init (&binding->post_lock);
  g_mutex_init (&binding->lock);
  gst_video_info_init (&binding->vinfo);
}

void
gst_memvideo_spill_binding_clear (GstMemvideoSpillBinding * binding)
{
  g_clear_pointer (&binding->pool, memvideo_spill_pool_unref);
  g_slist_free_full (binding->pending, (GDestroyNotify) pending_free);
  binding->pending = NULL;
  gst_memvideo_spill_settings_clear (&binding->settings);
  g_rec_mutex_clear (&binding->apply_lock);
  g_rec_mutex_clear (&binding->post_lock);
  g_mutex_clear (&binding->lock);
}

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

/* Pushes the current settings to the pool, if there is one.  The copy is
 * taken with apply_lock held, so that whichever setter applies last
 * applies the value stored last. */
static void
apply_settings (GstMemvideoSpillBinding * binding)
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
    gst_memvideo_spill_settings_apply (binding->props, &s, pool);
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

  apply_settings (binding);

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

/* Which situation of the error policy @error is.  Lock held.  A full disk
 * and max-disk only happen in writes; I/O and codec errors happen in
 * writes and reloads alike, but the pool counts a failed write (in
 * write_errors) before it reports it, so a report beyond the writes
 * already seen is a write.  (Two threads failing a write and a reload at
 * the same instant may swap their reports; each still gets one.) */
static Situation
classify (GstMemvideoSpillBinding * binding, const GError * error,
    const MemvideoSpillStats * stats)
{
  Situation situation;

  if (g_error_matches (error, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_MAX_DISK))
    situation = SITUATION_MAX_DISK;
  else if (g_error_matches (error, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_NO_SPACE))
    situation = SITUATION_WRITE;
  else if (stats->write_errors > binding->seen_write_errors)
    situation = SITUATION_WRITE;
  else
    return SITUATION_RELOAD;

  binding->seen_write_errors++;
  return situation;
}

static void post_pending (GstMemvideoSpillBinding * binding);

static void
post_pending_async (GstElement * element, gpointer user_data)
{
  post_pending (BINDING_AT (element, GPOINTER_TO_SIZE (user_data)));
}

/* The pool's error function.  Runs in whatever thread wrote or read the
 * spill file, possibly with element locks held, possibly after the element
 * is gone (the pool outlives it): it only records the message, which is
 * posted from GStreamer's thread pool or by the next _check_flow. */
static void
on_pool_error (MemvideoSpillPool * pool, const GError * error,
    gpointer user_data)
{
  ErrorTarget *target = user_data;
  GstElement *element = g_weak_ref_get (&target->element);
  GstMemvideoSpillBinding *binding;
  MemvideoSpillStats stats;
  Situation situation;
  Pending *p = NULL;

  if (element == NULL)
    return;
  binding = BINDING_AT (element, target->offset);
  memvideo_spill_pool_get_stats (pool, &stats);

  g_mutex_lock (&binding->lock);
  if (binding->pool != pool) {
    /* a frame of an earlier run: nothing streams into that pool anymore */
    g_mutex_unlock (&binding->lock);
    GST_WARNING_OBJECT (element, "spill pool of a stopped run: %s",
        error->message);
    gst_object_unref (element);
    return;
  }
  situation = classify (binding, error, &stats);
  if (situation == SITUATION_RELOAD)
    binding->failed = TRUE;
  if (!(binding->reported & (1u << situation))) {
    binding->reported |= 1u << situation;
    p = g_new0 (Pending, 1);
    p->situation = situation;
    p->error = g_error_copy (error);
    p->stats = stats;
    p->directory = g_strdup (memvideo_spill_pool_get_directory (pool));
    binding->pending = g_slist_prepend (binding->pending, p);
  }
  g_mutex_unlock (&binding->lock);

  GST_WARNING_OBJECT (element, "spill store error: %s", error->message);
  if (p)
    gst_element_call_async (element, post_pending_async,
        GSIZE_TO_POINTER (target->offset), NULL);
  gst_object_unref (element);
}

/* Filesink's way: the user text is one sentence saying what to do, the
 * numbers and the store's message go to the debug string. */
static void
post_one (GstMemvideoSpillBinding * binding, const Pending * p,
    const GstMemvideoSpillSettings * s)
{
  GstElement *element = binding->element;
  const gchar *dir = p->directory;
  gchar *dbg;

  dbg = g_strdup_printf ("%s (%" G_GUINT64_FORMAT " bytes spilled, %"
      G_GUINT64_FORMAT " bytes in RAM, %" G_GUINT64_FORMAT " failed writes; "
      "max-memory %" G_GUINT64_FORMAT ", max-disk %" G_GUINT64_FORMAT ")",
      p->error->message, p->stats.spilled_bytes, p->stats.resident_bytes,
      p->stats.write_errors, s->max_memory, s->max_disk);

  switch (p->situation) {
    case SITUATION_MAX_DISK:
      GST_ELEMENT_WARNING (element, RESOURCE, NO_SPACE_LEFT,
          ("The spill file reached max-disk: frames stay in memory; raise "
              "max-disk to spill them."), ("%s", dbg));
      break;
    case SITUATION_WRITE:
      if (g_error_matches (p->error, MEMVIDEO_SPILL_ERROR,
              MEMVIDEO_SPILL_ERROR_NO_SPACE)) {
        GST_ELEMENT_WARNING (element, RESOURCE, NO_SPACE_LEFT,
            ("No space left in spill directory \"%s\": frames stay in "
                "memory until space is freed.", dir), ("%s", dbg));
      } else {
        GST_ELEMENT_WARNING (element, RESOURCE, WRITE,
            ("Could not write to the spill file in directory \"%s\": frames "
                "stay in memory.", dir), ("%s", dbg));
      }
      break;
    case SITUATION_RELOAD:
      GST_ELEMENT_ERROR (element, RESOURCE, READ,
          ("Could not read a spilled frame back from spill directory "
              "\"%s\".", dir), ("%s", dbg));
      break;
  }
  g_free (dbg);
}

static void
post_pending (GstMemvideoSpillBinding * binding)
{
  GSList *list, *l;

  g_rec_mutex_lock (&binding->post_lock);
  g_mutex_lock (&binding->lock);
  list = g_slist_reverse (binding->pending);
  binding->pending = NULL;
  g_mutex_unlock (&binding->lock);

  if (list) {
    GstMemvideoSpillSettings s;

    GST_OBJECT_LOCK (binding->element);
    s = binding->settings;
    GST_OBJECT_UNLOCK (binding->element);
    s.directory = NULL;
    for (l = list; l; l = l->next)
      post_one (binding, l->data, &s);
  }
  g_slist_free_full (list, (GDestroyNotify) pending_free);
  g_rec_mutex_unlock (&binding->post_lock);
}

GstFlowReturn
gst_memvideo_spill_binding_check_flow (GstMemvideoSpillBinding * binding)
{
  gboolean failed;

  post_pending (binding);
  g_mutex_lock (&binding->lock);
  failed = binding->failed;
  g_mutex_unlock (&binding->lock);

  if (failed) {
    GST_DEBUG_OBJECT (binding->element, "a spilled frame was lost");
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

gboolean
gst_memvideo_spill_binding_start (GstMemvideoSpillBinding * binding)
{
  GstElement *element = binding->element;
  MemvideoSpillPool *pool, *old;
  ErrorTarget *target;
  GError *err = NULL;
  gchar *dir;

  /* messages of the last run first */
  post_pending (binding);

  GST_OBJECT_LOCK (element);
  dir = g_strdup (binding->settings.directory);
  GST_OBJECT_UNLOCK (element);

  pool = memvideo_spill_pool_new (dir, &err);
  if (pool == NULL)
    goto no_pool;
  GST_INFO_OBJECT (element, "spilling to %s",
      memvideo_spill_pool_get_directory (pool));

  /* once for the pool's whole life: never replaced, so no call in flight
   * can see its data freed */
  target = g_new0 (ErrorTarget, 1);
  g_weak_ref_init (&target->element, element);
  target->offset = (guint8 *) binding - (guint8 *) element;
  memvideo_spill_pool_set_error_func (pool, on_pool_error, target,
      error_target_free);

  g_rec_mutex_lock (&binding->apply_lock);
  g_mutex_lock (&binding->lock);
  old = binding->pool;
  binding->pool = pool;
  memset (&binding->last_stats, 0, sizeof (binding->last_stats));
  binding->reported = 0;
  binding->seen_write_errors = 0;
  binding->failed = FALSE;
  g_mutex_unlock (&binding->lock);
  apply_settings (binding);
  g_rec_mutex_unlock (&binding->apply_lock);

  if (old)
    memvideo_spill_pool_unref (old);
  g_free (dir);
  return TRUE;

  /* ERRORS */
no_pool:
  {
    GST_ELEMENT_ERROR (element, RESOURCE, OPEN_WRITE,
        ("Could not create a spill file in spill-directory \"%s\".",
            dir ? dir : g_get_tmp_dir ()), ("%s", err->message));
    g_clear_error (&err);
    g_free (dir);
    return FALSE;
  }
}

void
gst_memvideo_spill_binding_stop (GstMemvideoSpillBinding * binding,
    gboolean keep_pool)
{
  MemvideoSpillPool *pool, *released = NULL;
  MemvideoSpillStats stats;

  post_pending (binding);

  pool = gst_memvideo_spill_binding_get_pool (binding);
  if (pool == NULL)
    return;

  memvideo_spill_pool_get_stats (pool, &stats);
  if (!keep_pool) {
    g_mutex_lock (&binding->lock);
    binding->last_stats = stats;
    if (binding->pool == pool) {
      released = binding->pool;
      binding->pool = NULL;
    }
    g_mutex_unlock (&binding->lock);
  }
  /* frames still held keep the pool alive; it need not also keep the
   * blocks it saved for frames that will no longer come */
  memvideo_spill_pool_trim (pool);
  memvideo_spill_pool_unref (pool);
  if (released)
    memvideo_spill_pool_unref (released);
}

void
gst_memvideo_spill_binding_note_caps (GstMemvideoSpillBinding * binding,
    GstCaps * caps)
{
  GstVideoInfo vinfo;
  gboolean have_vinfo = FALSE, jpeg_able = FALSE;

  if (caps && gst_caps_get_size (caps) > 0 &&
      gst_structure_has_name (gst_caps_get_structure (caps, 0), "video/x-raw"))
    have_vinfo = gst_video_info_from_caps (&vinfo, caps);
  if (!have_vinfo)
    gst_video_info_init (&vinfo);
  /* the store's own test, so element and store agree */
  jpeg_able = have_vinfo && memvideo_spill_pool_can_jpeg (&vinfo);

  g_mutex_lock (&binding->lock);
  binding->have_vinfo = have_vinfo;
  binding->vinfo = vinfo;
  binding->jpeg_able = jpeg_able;
  /* a new format may or may not be JPEG-able: say so again */
  binding->fallback_warned = FALSE;
  g_mutex_unlock (&binding->lock);

  GST_DEBUG_OBJECT (binding->element, "caps %" GST_PTR_FORMAT ", raw video: "
      "%d, JPEG: %d", caps, have_vinfo, jpeg_able);
}

static void
post_fallback_warning (GstMemvideoSpillBinding * binding,
    const GstMemvideoSpillFrame * frame)
{
  const GstVideoInfo *v = &frame->vinfo;

  if (!frame->have_vinfo) {
    GST_ELEMENT_WARNING (binding->element, STREAM, FORMAT,
        ("spill-format=jpeg applies to raw video only: buffers are spilled "
            "raw."), (NULL));
  } else if (!memvideo_spill_pool_jpeg_supported (GST_VIDEO_INFO_FORMAT (v))) {
    GST_ELEMENT_WARNING (binding->element, STREAM, FORMAT,
        ("spill-format=jpeg does not support video format %s: frames are "
            "spilled raw.", GST_VIDEO_INFO_NAME (v)),
        ("JPEG is used for I420, YV12, Y42B, Y444, GRAY8 and 8-bit RGB"));
  } else {
    GST_ELEMENT_WARNING (binding->element, STREAM, FORMAT,
        ("spill-format=jpeg cannot code these %s frames: they are spilled "
            "raw.", GST_VIDEO_INFO_NAME (v)),
        ("%dx%d, %u planes, size %" G_GSIZE_FORMAT, GST_VIDEO_INFO_WIDTH (v),
            GST_VIDEO_INFO_HEIGHT (v), GST_VIDEO_INFO_N_PLANES (v),
            GST_VIDEO_INFO_SIZE (v)));
  }
}

void
gst_memvideo_spill_binding_begin_frame (GstMemvideoSpillBinding * binding,
    GstMemvideoSpillFrame * frame)
{
  gboolean warn;

  GST_OBJECT_LOCK (binding->element);
  frame->format = binding->settings.format;
  GST_OBJECT_UNLOCK (binding->element);

  g_mutex_lock (&binding->lock);
  frame->have_vinfo = binding->have_vinfo;
  frame->vinfo = binding->vinfo;
  frame->jpeg = frame->format == MEMVIDEO_SPILL_FORMAT_JPEG &&
      binding->jpeg_able;
  warn = frame->format == MEMVIDEO_SPILL_FORMAT_JPEG && !binding->jpeg_able
      && !binding->fallback_warned;
  if (warn)
    binding->fallback_warned = TRUE;
  g_mutex_unlock (&binding->lock);

  if (warn)
    post_fallback_warning (binding, frame);
}

/* A buffer handed out by a pool with a maximum size goes back to that pool
 * only when released: holding it would stall its producer. */
static gboolean
buffer_is_from_bounded_pool (GstBuffer * buffer)
{
  GstStructure *config;
  guint max_buffers = 0;

  if (buffer->pool == NULL)
    return FALSE;

  config = gst_buffer_pool_get_config (buffer->pool);
  gst_buffer_pool_config_get_params (config, NULL, NULL, NULL, &max_buffers);
  gst_structure_free (config);
  return max_buffers != 0;
}

GstFlowReturn
gst_memvideo_spill_binding_adopt (GstMemvideoSpillBinding * binding,
    const GstMemvideoSpillFrame * frame, GstBuffer * buffer, GstBuffer ** out)
{
  MemvideoSpillPool *pool = gst_memvideo_spill_binding_get_pool (binding);
  GError *err = NULL;
  gsize size = gst_buffer_get_size (buffer);

  *out = NULL;
  if (pool == NULL)
    goto not_started;

  /* An empty buffer (a gap) has nothing to page.  Our allocator's memories
   * spill raw: when JPEG is wanted they are copied like any other. */
  if (size == 0 || (memvideo_spill_pool_owns_buffer (pool, buffer) &&
          !buffer_is_from_bounded_pool (buffer) && !frame->jpeg)) {
    *out = buffer;
    memvideo_spill_pool_unref (pool);
    return GST_FLOW_OK;
  }

  *out = memvideo_spill_pool_copy_buffer (pool, buffer,
      frame->have_vinfo ? &frame->vinfo : NULL, &err);
  memvideo_spill_pool_unref (pool);
  if (*out == NULL)
    goto copy_failed;
  gst_buffer_unref (buffer);
  return GST_FLOW_OK;

  /* ERRORS */
not_started:
  {
    GST_DEBUG_OBJECT (binding->element, "not started, dropping %"
        GST_PTR_FORMAT, buffer);
    gst_buffer_unref (buffer);
    return GST_FLOW_FLUSHING;
  }
copy_failed:
  {
    GST_ELEMENT_ERROR (binding->element, STREAM, FAILED,
        ("Could not read an input buffer."),
        ("%" G_GSIZE_FORMAT " bytes: %s", size, err->message));
    g_clear_error (&err);
    gst_buffer_unref (buffer);
    return GST_FLOW_ERROR;
  }
}

gboolean
gst_memvideo_spill_binding_add_allocator (GstMemvideoSpillBinding * binding,
    GstQuery * query)
{
  MemvideoSpillPool *pool = gst_memvideo_spill_binding_get_pool (binding);
  GstAllocationParams params;
  MemvideoSpillFormat format;
  GstCaps *caps = NULL;
  gboolean raw_video = FALSE;

  if (pool == NULL)
    return FALSE;

  gst_query_parse_allocation (query, &caps, NULL);
  if (caps && gst_caps_get_size (caps) > 0)
    raw_video = gst_structure_has_name (gst_caps_get_structure (caps, 0),
        "video/x-raw");
  GST_OBJECT_LOCK (binding->element);
  format = binding->settings.format;
  GST_OBJECT_UNLOCK (binding->element);

  /* Memories made by the allocator alone spill raw: with JPEG, raw video is
   * better copied (once) into memories that know their video layout. */
  if (format == MEMVIDEO_SPILL_FORMAT_RAW || !raw_video) {
    gst_allocation_params_init (&params);
    gst_query_add_allocation_param (query,
        memvideo_spill_pool_get_allocator (pool), &params);
  }
  memvideo_spill_pool_unref (pool);
  return TRUE;
}
