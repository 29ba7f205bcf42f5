/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The spill binding's life with its pool: start and stop, the pool's error
 * function and the error policy, the caps and the codec choice, adopting
 * buffers and the ALLOCATION answer.  Its properties are in
 * gstmemvideospill.c; gstmemvideospill.h describes the whole binding.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstmemvideospill.h"

GST_DEBUG_CATEGORY_EXTERN (gst_memvideo_spill_debug);
#define GST_CAT_DEFAULT gst_memvideo_spill_debug

/* What failed, for the error policy (gstmemvideospill.h). */
typedef enum
{
  SITUATION_WRITE,              /* frame kept in RAM over budget */
  SITUATION_MAX_DISK,           /* frame kept in RAM: the limit works */
  SITUATION_RELOAD,             /* a spilled frame could not be read back */
  SITUATION_NO_MEMORY,          /* no RAM for a frame's data: its map fails */
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
          MEMVIDEO_SPILL_ERROR_NO_MEMORY))
    return SITUATION_NO_MEMORY;
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
  if (situation == SITUATION_RELOAD || situation == SITUATION_NO_MEMORY)
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
    case SITUATION_NO_MEMORY:
      GST_ELEMENT_ERROR (element, RESOURCE, FAILED,
          ("Out of memory for a frame: lower max-memory or free RAM."),
          ("%s", dbg));
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
  gst_memvideo_spill_binding_apply (binding);
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

GstFlowReturn
gst_memvideo_spill_binding_adopt (GstMemvideoSpillBinding * binding,
    const GstMemvideoSpillFrame * frame, GstBuffer * buffer, GstBuffer ** out)
{
  MemvideoSpillPool *pool = gst_memvideo_spill_binding_get_pool (binding);
  gsize size = gst_buffer_get_size (buffer);
  GError *err = NULL;

  *out = NULL;
  if (pool == NULL)
    goto not_started;

  /* the store's one rule: its own memories with the right codec are kept,
   * anything else is copied (gst/memvideo/spillpool.h) */
  *out = memvideo_spill_pool_adopt_buffer (pool, buffer,
      frame->have_vinfo ? &frame->vinfo : NULL, &err);
  memvideo_spill_pool_unref (pool);
  if (*out == NULL)
    goto copy_failed;
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
    /* Our own pool failed the copy (no RAM for it) and reported that: one
     * ERROR, the policy's.  Otherwise the input could not be read. */
    if (gst_memvideo_spill_binding_check_flow (binding) != GST_FLOW_OK) {
      GST_DEBUG_OBJECT (binding->element, "%s", err->message);
      g_clear_error (&err);
      return GST_FLOW_ERROR;
    }
    GST_ELEMENT_ERROR (binding->element, STREAM, FAILED,
        ("Could not read an input buffer."),
        ("%" G_GSIZE_FORMAT " bytes: %s", size, err->message));
    g_clear_error (&err);
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
