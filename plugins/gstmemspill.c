/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-memspill
 * @title: memspill
 *
 * Moves every buffer into pageable memory of a spill pool: the frames a
 * downstream element or the application holds stay within a RAM budget
 * (#GstMemSpill:max-memory), the rest is paged out to an unlinked file in
 * a private directory and read back transparently when it is mapped.
 *
 * Timestamps, flags and metas (#GstVideoMeta included) are kept.  Buffers
 * whose memory already belongs to the element's pool pass through
 * untouched; upstream is offered the pool's allocator in the ALLOCATION
 * query so that it can produce such buffers directly (only while
 * #GstMemSpill:spill-format is raw, since those memories spill raw).
 * Buffers from a bounded upstream buffer pool are always copied out, so
 * holding many frames never stalls a decoder.
 *
 * With spill-format=jpeg, raw video in I420, YV12, Y42B, Y444, GRAY8 or
 * one of the 8-bit RGB layouts is spilled as JPEG (lossy); any other data
 * is spilled raw, and the element posts one warning saying so.
 *
 * A failed spill write (disk full, file size limit, I/O error) or reaching
 * #GstMemSpill:max-disk never loses a frame: the frame stays in RAM.  The
 * element then posts an error naming the directory and the numbers and
 * returns GST_FLOW_ERROR for the next buffer; frames already handed out
 * stay readable.
 *
 * Statistics (#GstMemSpill:resident-bytes, #GstMemSpill:spilled-bytes,
 * #GstMemSpill:frames-resident, #GstMemSpill:frames-spilled,
 * #GstMemSpill:spills, #GstMemSpill:reloads) cover every live frame of the
 * element's pool, also those held downstream; see docs/memspill.md.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=90 ! video/x-raw,width=1280,height=720,framerate=30/1 ! memspill max-memory=20000000 ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! fakesink sync=true
 * ]| The queue grows (the sink plays at 30 fps); at most about 20 MB of the
 * waiting frames stay in RAM, the rest waits on disk.
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=90 ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! memspill max-memory=0 spill-format=jpeg jpeg-quality=95 ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! fakesink sync=true
 * ]| Every waiting frame is paged out as a JPEG.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/video/video.h>

#include "memvideo/spillpool.h"
#include "gstmemvideoelements.h"
#include "gstmemvideospill.h"
#include "gstmemspill.h"

GST_DEBUG_CATEGORY_STATIC (gst_mem_spill_debug);
#define GST_CAT_DEFAULT gst_mem_spill_debug

/* the other spill properties have their defaults in gstmemvideospill.c */
#define DEFAULT_MAX_MEMORY (G_GUINT64_CONSTANT (512) * 1024 * 1024)
#define DEFAULT_JPEG_QUALITY 90

enum
{
  PROP_0,
  PROP_MAX_MEMORY,
  PROP_MAX_DISK,
  PROP_SPILL_FORMAT,
  PROP_JPEG_QUALITY,
  PROP_EVICTION,
  PROP_SPILL_DIRECTORY,
  PROP_RESIDENT_BYTES,
  PROP_SPILLED_BYTES,
  PROP_FRAMES_RESIDENT,
  PROP_FRAMES_SPILLED,
  PROP_SPILLS,
  PROP_RELOADS,
};

static void gst_mem_spill_get_stats (GstObject * element,
    MemvideoSpillStats * stats);

/* All properties are the shared spill-pool ones */
static const GstMemvideoSpillProps spill_props = {
  .max_memory = PROP_MAX_MEMORY,
  .max_disk = PROP_MAX_DISK,
  .spill_format = PROP_SPILL_FORMAT,
  .jpeg_quality = PROP_JPEG_QUALITY,
  .eviction = PROP_EVICTION,
  .spill_directory = PROP_SPILL_DIRECTORY,
  .resident_bytes = PROP_RESIDENT_BYTES,
  .spilled_bytes = PROP_SPILLED_BYTES,
  .frames_resident = PROP_FRAMES_RESIDENT,
  .frames_spilled = PROP_FRAMES_SPILLED,
  .spills = PROP_SPILLS,
  .reloads = PROP_RELOADS,
  .default_max_memory = DEFAULT_MAX_MEMORY,
  .default_jpeg_quality = DEFAULT_JPEG_QUALITY,
  .get_stats = gst_mem_spill_get_stats,
};

/* Streaming-thread state, cleared by gst_mem_spill_reset_state(). */
typedef struct
{
  /* from the current caps; only raw video has one */
  gboolean have_vinfo;
  GstVideoInfo vinfo;
  /* the caps describe frames the store can spill as JPEG */
  gboolean jpeg_able;
  /* spill-format of the frame being processed, copied in before_transform */
  MemvideoSpillFormat format;
  /* the one warning about JPEG falling back to raw was posted */
  gboolean jpeg_fallback_warned;
} State;

struct _GstMemSpill
{
  GstBaseTransform parent;

  /* Object lock: settings, pool, failed, last_stats.  The pool's error
   * function runs in any thread (an application unmapping a frame
   * included) and only takes the object lock. */
  GstMemvideoSpillSettings settings;
  MemvideoSpillPool *pool;
  gboolean failed;
  MemvideoSpillStats last_stats;

  /* Held while settings are pushed to the pool, so that the value set last
   * is the one applied.  Recursive: pushing a lower budget evicts at once,
   * which may post an error whose sync handler sets a property again. */
  GRecMutex apply_lock;

  /* streaming thread only */
  State state;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE (GstMemSpill, gst_mem_spill, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (memspill, "memspill", GST_RANK_NONE,
    GST_TYPE_MEM_SPILL);

static void gst_mem_spill_finalize (GObject * object);
static void gst_mem_spill_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_mem_spill_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_mem_spill_start (GstBaseTransform * trans);
static gboolean gst_mem_spill_stop (GstBaseTransform * trans);
static gboolean gst_mem_spill_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps);
static gboolean gst_mem_spill_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query);
static void gst_mem_spill_before_transform (GstBaseTransform * trans,
    GstBuffer * buffer);
static GstFlowReturn gst_mem_spill_prepare_output_buffer (GstBaseTransform *
    trans, GstBuffer * inbuf, GstBuffer ** outbuf);
static GstFlowReturn gst_mem_spill_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);

static void
gst_mem_spill_class_init (GstMemSpillClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_mem_spill_debug, "memspill", 0,
      "pageable frames with a RAM budget");

  gobject_class->finalize = gst_mem_spill_finalize;
  gobject_class->set_property = gst_mem_spill_set_property;
  gobject_class->get_property = gst_mem_spill_get_property;

  gst_memvideo_spill_install_properties (gobject_class, &spill_props);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Memory spill", "Filter/Video",
      "Holds buffers in pageable memory that spills to disk beyond a RAM "
      "budget", "gst-memvideo developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_mem_spill_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_mem_spill_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_mem_spill_set_caps);
  trans_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_mem_spill_propose_allocation);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_mem_spill_before_transform);
  trans_class->prepare_output_buffer =
      GST_DEBUG_FUNCPTR (gst_mem_spill_prepare_output_buffer);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_mem_spill_transform_ip);

}

static void
gst_mem_spill_init (GstMemSpill * self)
{
  gst_memvideo_spill_settings_init (&self->settings, &spill_props);
  g_rec_mutex_init (&self->apply_lock);
}

static void
gst_mem_spill_finalize (GObject * object)
{
  GstMemSpill *self = GST_MEM_SPILL (object);

  gst_memvideo_spill_settings_clear (&self->settings);
  g_rec_mutex_clear (&self->apply_lock);

  G_OBJECT_CLASS (gst_mem_spill_parent_class)->finalize (object);
}

/* Pushes the current settings to the pool, if there is one. */
static void
gst_mem_spill_apply_settings (GstMemSpill * self)
{
  MemvideoSpillPool *pool = NULL;
  GstMemvideoSpillSettings s;

  g_rec_mutex_lock (&self->apply_lock);
  GST_OBJECT_LOCK (self);
  s = self->settings;
  if (self->pool)
    pool = memvideo_spill_pool_ref (self->pool);
  GST_OBJECT_UNLOCK (self);

  /* outside the object lock: a lower budget evicts at once, and a failing
   * write calls our error function, which takes the object lock */
  if (pool) {
    gst_memvideo_spill_settings_apply (&spill_props, &s, pool);
    memvideo_spill_pool_unref (pool);
  }
  g_rec_mutex_unlock (&self->apply_lock);
}

static void
gst_mem_spill_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMemSpill *self = GST_MEM_SPILL (object);

  if (!gst_memvideo_spill_set_property (&spill_props, GST_OBJECT (self),
          &self->settings, prop_id, value)) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  /* used by the next start(); GST_PARAM_MUTABLE_READY */
  if (prop_id == PROP_SPILL_DIRECTORY)
    return;

  gst_mem_spill_apply_settings (self);
  /* whether upstream is offered our allocator depends on the format */
  if (prop_id == PROP_SPILL_FORMAT)
    gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (self),
        gst_event_new_reconfigure ());
}

/* Statistics of the running pool, or the last ones seen before stop(). */
static void
gst_mem_spill_get_stats (GstObject * element, MemvideoSpillStats * stats)
{
  GstMemSpill *self = GST_MEM_SPILL (element);
  MemvideoSpillPool *pool = NULL;

  GST_OBJECT_LOCK (self);
  if (self->pool)
    pool = memvideo_spill_pool_ref (self->pool);
  else
    *stats = self->last_stats;
  GST_OBJECT_UNLOCK (self);

  if (pool) {
    memvideo_spill_pool_get_stats (pool, stats);
    memvideo_spill_pool_unref (pool);
  }
}

static void
gst_mem_spill_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstMemSpill *self = GST_MEM_SPILL (object);

  if (!gst_memvideo_spill_get_property (&spill_props, GST_OBJECT (self),
          &self->settings, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_mem_spill_reset_state (GstMemSpill * self)
{
  self->state.have_vinfo = FALSE;
  self->state.jpeg_able = FALSE;
  gst_video_info_init (&self->state.vinfo);
  self->state.format = MEMVIDEO_SPILL_FORMAT_RAW;
  self->state.jpeg_fallback_warned = FALSE;
}

static void
free_weak_ref (gpointer data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

/* The pool's error function.  Runs in whatever thread wrote or read the
 * spill file: the streaming thread, or an application thread mapping or
 * unmapping a frame, possibly after the element was stopped or finalized
 * (the pool outlives it), hence the weak reference.  It records the
 * failure for transform_ip and posts the message; both are thread safe. */
static void
gst_mem_spill_on_pool_error (MemvideoSpillPool * pool, const GError * error,
    gpointer user_data)
{
  GstMemSpill *self = g_weak_ref_get (user_data);
  MemvideoSpillStats stats;
  guint64 max_memory, max_disk;
  const gchar *dir;
  gboolean first;

  if (self == NULL)
    return;

  GST_OBJECT_LOCK (self);
  if (self->pool != pool) {
    /* a frame of an earlier run failed: nothing streams into it anymore */
    GST_OBJECT_UNLOCK (self);
    GST_WARNING_OBJECT (self, "spill pool of a stopped run: %s",
        error->message);
    gst_object_unref (self);
    return;
  }
  first = !self->failed;
  self->failed = TRUE;
  max_memory = self->settings.max_memory;
  max_disk = self->settings.max_disk;
  GST_OBJECT_UNLOCK (self);

  GST_WARNING_OBJECT (self, "spill store error: %s", error->message);
  if (!first)
    goto done;

  memvideo_spill_pool_get_stats (pool, &stats);
  dir = memvideo_spill_pool_get_directory (pool);

  switch (error->code) {
    case MEMVIDEO_SPILL_ERROR_MAX_DISK:
      GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
          ("max-disk of %" G_GUINT64_FORMAT " bytes reached in spill "
              "directory \"%s\" (%" G_GUINT64_FORMAT " bytes spilled, %"
              G_GUINT64_FORMAT " bytes in RAM, max-memory %" G_GUINT64_FORMAT
              "). Frames already held stay readable; raise max-disk.",
              max_disk, dir, stats.spilled_bytes, stats.resident_bytes,
              max_memory), ("%s", error->message));
      break;
    case MEMVIDEO_SPILL_ERROR_NO_SPACE:
      GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
          ("No space left to spill frames in directory \"%s\" (%"
              G_GUINT64_FORMAT " bytes spilled, %" G_GUINT64_FORMAT
              " bytes in RAM, max-memory %" G_GUINT64_FORMAT "). Frames "
              "already held stay readable; free disk space or choose another "
              "spill-directory.", dir, stats.spilled_bytes,
              stats.resident_bytes, max_memory), ("%s", error->message));
      break;
    default:
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
          ("Spill file error in directory \"%s\" (%" G_GUINT64_FORMAT
              " bytes spilled, %" G_GUINT64_FORMAT " bytes in RAM): %s",
              dir, stats.spilled_bytes, stats.resident_bytes,
              error->message), ("%s", error->message));
      break;
  }

done:
  gst_object_unref (self);
}

static gboolean
gst_mem_spill_start (GstBaseTransform * trans)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  MemvideoSpillPool *pool;
  GWeakRef *ref;
  GError *err = NULL;
  gchar *dir;

  GST_OBJECT_LOCK (self);
  dir = g_strdup (self->settings.directory);
  GST_OBJECT_UNLOCK (self);

  pool = memvideo_spill_pool_new (dir, &err);
  if (pool == NULL)
    goto no_pool;
  GST_INFO_OBJECT (self, "spilling to %s",
      memvideo_spill_pool_get_directory (pool));

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  memvideo_spill_pool_set_error_func (pool, gst_mem_spill_on_pool_error, ref,
      free_weak_ref);

  GST_OBJECT_LOCK (self);
  self->pool = pool;
  self->failed = FALSE;
  memset (&self->last_stats, 0, sizeof (self->last_stats));
  GST_OBJECT_UNLOCK (self);
  gst_mem_spill_apply_settings (self);

  gst_mem_spill_reset_state (self);
  g_free (dir);
  return TRUE;

  /* ERRORS */
no_pool:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not create a spill file in directory \"%s\": %s",
            dir ? dir : g_get_tmp_dir (), err->message),
        ("set spill-directory to a writable directory"));
    g_clear_error (&err);
    g_free (dir);
    return FALSE;
  }
}

static gboolean
gst_mem_spill_stop (GstBaseTransform * trans)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  MemvideoSpillPool *pool;
  MemvideoSpillStats stats;

  GST_OBJECT_LOCK (self);
  pool = self->pool;
  GST_OBJECT_UNLOCK (self);

  if (pool) {
    memvideo_spill_pool_get_stats (pool, &stats);
    GST_OBJECT_LOCK (self);
    self->last_stats = stats;
    self->pool = NULL;
    GST_OBJECT_UNLOCK (self);
    /* frames still held downstream keep the pool alive; it need not also
     * keep the blocks it saved for frames that will no longer come */
    memvideo_spill_pool_trim (pool);
    memvideo_spill_pool_unref (pool);
  }

  gst_mem_spill_reset_state (self);
  return TRUE;
}

static gboolean
gst_mem_spill_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  GstStructure *s = gst_caps_get_structure (incaps, 0);

  self->state.have_vinfo = gst_structure_has_name (s, "video/x-raw") &&
      gst_video_info_from_caps (&self->state.vinfo, incaps);
  /* the spill store's own test, so element and store agree */
  self->state.jpeg_able = self->state.have_vinfo &&
      memvideo_spill_pool_can_jpeg (&self->state.vinfo);
  /* a new format may or may not be JPEG-able: say so again */
  self->state.jpeg_fallback_warned = FALSE;

  GST_DEBUG_OBJECT (self, "caps %" GST_PTR_FORMAT ", raw video: %d", incaps,
      self->state.have_vinfo);
  return TRUE;
}

static gboolean
gst_mem_spill_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  MemvideoSpillPool *pool = NULL;
  MemvideoSpillFormat format;
  GstAllocationParams params;
  GstCaps *caps;
  gboolean raw_video = FALSE;

  /* Metas pass through unchanged, so what downstream supports is what we
   * support; its pools and allocators do not matter, our output is ours. */
  gst_pad_peer_query (GST_BASE_TRANSFORM_SRC_PAD (trans), query);
  while (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_remove_nth_allocation_pool (query, 0);
  while (gst_query_get_n_allocation_params (query) > 0)
    gst_query_remove_nth_allocation_param (query, 0);

  gst_query_parse_allocation (query, &caps, NULL);
  if (caps) {
    raw_video = gst_structure_has_name (gst_caps_get_structure (caps, 0),
        "video/x-raw");
  }

  GST_OBJECT_LOCK (self);
  if (self->pool)
    pool = memvideo_spill_pool_ref (self->pool);
  format = self->settings.format;
  GST_OBJECT_UNLOCK (self);

  if (pool == NULL)
    return FALSE;

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

static void
gst_mem_spill_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  State *state = &self->state;

  GST_OBJECT_LOCK (self);
  state->format = self->settings.format;
  GST_OBJECT_UNLOCK (self);

  if (state->format != MEMVIDEO_SPILL_FORMAT_JPEG ||
      state->jpeg_fallback_warned)
    return;
  if (state->jpeg_able)
    return;

  state->jpeg_fallback_warned = TRUE;
  if (state->have_vinfo) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("spill-format=jpeg does not support video format %s: frames are "
            "spilled raw", GST_VIDEO_INFO_NAME (&state->vinfo)),
        ("JPEG is used for I420, YV12, Y42B, Y444, GRAY8 and 8-bit RGB"));
  } else {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("spill-format=jpeg only applies to raw video: buffers are spilled "
            "raw"), (NULL));
  }
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

static GstFlowReturn
gst_mem_spill_prepare_output_buffer (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer ** outbuf)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  const GstVideoInfo *vinfo = NULL;
  MemvideoSpillPool *pool = NULL;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  if (self->pool)
    pool = memvideo_spill_pool_ref (self->pool);
  GST_OBJECT_UNLOCK (self);

  if (pool == NULL)
    goto not_started;

  /* An empty buffer (a gap) has nothing to page.  Our allocator's memories
   * spill raw: when JPEG is wanted they are copied like any other. */
  if (gst_buffer_get_size (inbuf) == 0 ||
      (memvideo_spill_pool_owns_buffer (pool, inbuf) &&
          !buffer_is_from_bounded_pool (inbuf) &&
          !(self->state.format == MEMVIDEO_SPILL_FORMAT_JPEG &&
              self->state.jpeg_able))) {
    GST_LOG_OBJECT (self, "passing %" GST_PTR_FORMAT " through", inbuf);
    *outbuf = inbuf;
    memvideo_spill_pool_unref (pool);
    return GST_FLOW_OK;
  }

  if (self->state.have_vinfo)
    vinfo = &self->state.vinfo;
  *outbuf = memvideo_spill_pool_copy_buffer (pool, inbuf, vinfo, &err);
  memvideo_spill_pool_unref (pool);
  if (*outbuf == NULL)
    goto copy_failed;

  return GST_FLOW_OK;

  /* ERRORS */
not_started:
  {
    /* stop() ran: the pads are being deactivated */
    GST_DEBUG_OBJECT (self, "not started, dropping %" GST_PTR_FORMAT, inbuf);
    return GST_FLOW_FLUSHING;
  }
copy_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("Could not read an input buffer of %" G_GSIZE_FORMAT " bytes",
            gst_buffer_get_size (inbuf)), ("%s", err->message));
    g_clear_error (&err);
    return GST_FLOW_ERROR;
  }
}

/* The buffer is pageable now.  A spill that failed while copying it (or any
 * earlier one, in any thread) has posted its error: stop the stream here,
 * frames already handed out stay readable. */
static GstFlowReturn
gst_mem_spill_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  gboolean failed;

  GST_OBJECT_LOCK (self);
  failed = self->failed;
  GST_OBJECT_UNLOCK (self);

  if (failed) {
    GST_DEBUG_OBJECT (self, "spilling failed, refusing %" GST_PTR_FORMAT, buf);
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}
