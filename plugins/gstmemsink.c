/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-memsink
 * @title: memsink
 *
 * Keeps what a pipeline produces in memory, under a RAM budget: either
 * every sample (a GstSample with its caps, in arrival order) or a whole
 * muxed file.  Data beyond #GstMemSink:max-memory pages out to an unlinked
 * spill file in #GstMemSink:spill-directory.
 *
 * In #GstMemSink:mode auto the first SEGMENT decides: a BYTES segment (a
 * muxer or any byte stream) or container caps before it (video/mpegts,
 * application/ogg, video/quicktime, video/x-matroska, ..., systemstream=true:
 * mpegtsmux and oggmux send a TIME segment) select *file* mode, anything
 * else *samples*.
 *
 * *file*: a seekable in-memory file.  memsink answers SEEKING (bytes,
 * seekable) and POSITION (bytes) queries and moves its write position on
 * BYTES segments, so mp4mux, qtmux and matroskamux can rewrite their headers
 * at EOS.  The length is the furthest byte written, a gap reads as zeros,
 * and FLUSH_STOP truncates to 0.  The "get-bytes" action signal returns the
 * whole file as a GBytes at any time; with #GstMemSink:location set, the
 * file is also saved there at EOS: a regular file is replaced atomically
 * (unnamed temporary file, fsync, rename; its mode kept), a file with more
 * links, a FIFO or a device is written into, a symbolic link or a file
 * the user may not write is refused (docs/memsink.md).
 *
 * *samples*: every buffer is kept as a GstSample.  A history window keeping
 * at least #GstMemSink:max-samples and at least #GstMemSink:max-age (running
 * time) drops the oldest samples, and for encoded caps whole groups of
 * pictures (keyframe up to the next keyframe) so the kept samples start
 * with a keyframe: a group goes only when the rest still holds both limits.
 * The "get-sample", "pull-sample", "try-pull-sample" and "clear" action
 * signals and the "new-sample" signal follow appsink's names and blocking
 * rules.  Samples keep their number (#GstMemSink:first-sample-number,
 * "get-sample-by-number"), and "save" writes the recent past plus what
 * comes next as an MP4, MOV, MKV or TS clip (docs/memsink.md).
 * Upstream is offered the pool's allocator, so raw frames written straight
 * into pageable memory are kept without a copy.
 *
 * At EOS memsink posts an element message `memsink-summary` with the fields
 * `mode` (string: "file" or "samples"), `size` (guint64, file mode) or
 * `n-samples` (guint, samples mode), `resident-bytes`, `spilled-bytes` and
 * `dropped` (guint64).
 *
 * Data stays readable after EOS and after the pipeline stops; it is
 * discarded at the next start (NULL to READY), on FLUSH_STOP and by
 * "clear".  memsink does not sync on the clock by default.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=60 ! x264enc ! mp4mux ! memsink max-memory=1048576 location=clip.mp4
 * ]| Encodes 60 frames into an MP4 held in memory (spilling beyond 1 MiB)
 * and saves it atomically to clip.mp4 at EOS.
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=100 ! memsink max-samples=10 spill-format=jpeg max-memory=0
 * ]| Keeps the last 10 raw frames, paged out to disk as JPEG.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsink.h"
#include "gstmemvideoelements.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/video/video.h>

#include "memvideo/spillpool.h"
#include "gstmemsinksave.h"
#include "gstmemsinkpriv.h"
#include "gstmemsinkserve.h"
#include "gstmemvideospill.h"

GST_DEBUG_CATEGORY (gst_mem_sink_debug);
#define GST_CAT_DEFAULT gst_mem_sink_debug

enum
{
  PROP_0,
  PROP_MODE,
  PROP_MAX_MEMORY,
  PROP_MAX_DISK,
  PROP_SPILL_FORMAT,
  PROP_JPEG_QUALITY,
  PROP_SPILL_DIRECTORY,
  PROP_MAX_SAMPLES,
  PROP_MAX_AGE,
  PROP_LOCATION,
  PROP_SOCKET_PATH,
  PROP_EMIT_SIGNALS,
  PROP_N_SAMPLES,
  PROP_SIZE,
  PROP_RESIDENT_BYTES,
  PROP_SPILLED_BYTES,
  PROP_DROPPED,
  PROP_EOS,
  PROP_FIRST_SAMPLE_NUMBER,
  PROP_LAST_SAMPLE_NUMBER,
  PROP_FRAMES_RESIDENT,
  PROP_FRAMES_SPILLED,
  PROP_SPILLS,
  PROP_RELOADS,
};

enum
{
  SIGNAL_NEW_SAMPLE,
  SIGNAL_GET_BYTES,
  SIGNAL_GET_SAMPLE,
  SIGNAL_PULL_SAMPLE,
  SIGNAL_TRY_PULL_SAMPLE,
  SIGNAL_CLEAR,
  LAST_SIGNAL
};

#define DEFAULT_MODE GST_MEM_SINK_MODE_AUTO
/* the other spill properties have their defaults in gstmemvideospill.c */
#define DEFAULT_MAX_MEMORY G_MAXUINT64
#define DEFAULT_JPEG_QUALITY 85
#define DEFAULT_MAX_SAMPLES 0
#define DEFAULT_MAX_AGE GST_CLOCK_TIME_NONE
#define DEFAULT_LOCATION NULL
#define DEFAULT_EMIT_SIGNALS FALSE

/* memsink has no eviction property: its mode picks the order (see
 * gst_mem_sink_set_eviction) */
static const GstMemvideoSpillProps spill_props = {
  .max_memory = PROP_MAX_MEMORY,
  .max_disk = PROP_MAX_DISK,
  .spill_format = PROP_SPILL_FORMAT,
  .jpeg_quality = PROP_JPEG_QUALITY,
  .spill_directory = PROP_SPILL_DIRECTORY,
  .resident_bytes = PROP_RESIDENT_BYTES,
  .spilled_bytes = PROP_SPILLED_BYTES,
  .frames_resident = PROP_FRAMES_RESIDENT,
  .frames_spilled = PROP_FRAMES_SPILLED,
  .spills = PROP_SPILLS,
  .reloads = PROP_RELOADS,
  .default_max_memory = DEFAULT_MAX_MEMORY,
  .default_jpeg_quality = DEFAULT_JPEG_QUALITY,
};

static guint gst_mem_sink_signals[LAST_SIGNAL] = { 0 };

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

#define GST_TYPE_MEM_SINK_MODE (gst_mem_sink_mode_get_type ())
static GType
gst_mem_sink_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_MEM_SINK_MODE_AUTO, "BYTES segment or container caps: file, "
          "otherwise samples", "auto"},
    {GST_MEM_SINK_MODE_SAMPLES, "Keep every buffer as a sample", "samples"},
    {GST_MEM_SINK_MODE_FILE, "Keep the byte stream as a seekable file",
        "file"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstMemSinkMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define gst_mem_sink_parent_class parent_class
G_DEFINE_TYPE (GstMemSink, gst_mem_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE (memsink, "memsink", GST_RANK_NONE,
    GST_TYPE_MEM_SINK);

static void gst_mem_sink_finalize (GObject * object);
static void gst_mem_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_mem_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static gboolean gst_mem_sink_start (GstBaseSink * sink);
static gboolean gst_mem_sink_stop (GstBaseSink * sink);
static gboolean gst_mem_sink_set_caps (GstBaseSink * sink, GstCaps * caps);
static gboolean gst_mem_sink_event (GstBaseSink * sink, GstEvent * event);
static gboolean gst_mem_sink_query (GstBaseSink * sink, GstQuery * query);
static gboolean gst_mem_sink_propose_allocation (GstBaseSink * sink,
    GstQuery * query);
static GstFlowReturn gst_mem_sink_render (GstBaseSink * sink,
    GstBuffer * buffer);


static void
gst_mem_sink_class_init (GstMemSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *basesink_class = GST_BASE_SINK_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_mem_sink_debug, "memsink", 0,
      "In-memory sink for samples and files");

  gobject_class->finalize = gst_mem_sink_finalize;
  gobject_class->set_property = gst_mem_sink_set_property;
  gobject_class->get_property = gst_mem_sink_get_property;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "What to keep: auto decides by the SEGMENT format and the caps "
          "(BYTES or a container: file, otherwise samples)",
          GST_TYPE_MEM_SINK_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  gst_memvideo_spill_install_properties (gobject_class, &spill_props);
  g_object_class_install_property (gobject_class, PROP_MAX_SAMPLES,
      g_param_spec_uint ("max-samples", "Max samples",
          "Samples mode: keep at least this many samples, dropping the "
          "oldest group of pictures when the rest still has as many "
          "(0 = unlimited)",
          0, G_MAXUINT, DEFAULT_MAX_SAMPLES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX_AGE,
      g_param_spec_uint64 ("max-age", "Max age",
          "Samples mode: keep at least this many nanoseconds of running time, "
          "dropping the oldest group of pictures when the rest still spans "
          "as much (-1 = unlimited)",
          0, G_MAXUINT64, DEFAULT_MAX_AGE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "File mode: save the file here at EOS, a regular file atomically "
          "(NULL = don't); an error in samples mode", DEFAULT_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  gst_mem_sink_serve_install_property (gobject_class, PROP_SOCKET_PATH);
  g_object_class_install_property (gobject_class, PROP_EMIT_SIGNALS,
      g_param_spec_boolean ("emit-signals", "Emit signals",
          "Emit new-sample for every kept sample", DEFAULT_EMIT_SIGNALS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_N_SAMPLES,
      g_param_spec_uint ("n-samples", "Number of samples",
          "Samples held now", 0, G_MAXUINT, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_SIZE,
      g_param_spec_uint64 ("size", "Size",
          "File mode: length of the file in bytes", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_DROPPED,
      g_param_spec_uint64 ("dropped", "Dropped",
          "Samples dropped by the history window since start", 0,
          G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_EOS,
      g_param_spec_boolean ("eos", "EOS", "The stream has ended", FALSE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstMemSink::new-sample:
   * @memsink: the element
   *
   * Samples mode, with #GstMemSink:emit-signals: a sample was kept.  Emitted
   * from the streaming thread; the returned GstFlowReturn is returned
   * upstream.
   */
  gst_mem_sink_signals[SIGNAL_NEW_SAMPLE] =
      g_signal_new ("new-sample", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, GST_TYPE_FLOW_RETURN, 0,
      G_TYPE_NONE);
  /**
   * GstMemSink::get-bytes:
   * @memsink: the element
   *
   * File mode: a consistent snapshot of the whole file, at any time.
   * Returns: (transfer full) (nullable): the bytes, NULL in samples mode
   */
  gst_mem_sink_signals[SIGNAL_GET_BYTES] =
      g_signal_new_class_handler ("get-bytes", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_mem_sink_get_bytes), NULL, NULL, NULL, G_TYPE_BYTES, 0,
      G_TYPE_NONE);
  /**
   * GstMemSink::get-sample:
   * @memsink: the element
   * @index: 0 = the oldest sample held
   *
   * Returns: (transfer full) (nullable): the sample, left in place, or NULL
   * when @index is out of range.  Never blocks.
   */
  gst_mem_sink_signals[SIGNAL_GET_SAMPLE] =
      g_signal_new_class_handler ("get-sample", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_mem_sink_get_sample), NULL, NULL, NULL,
      GST_TYPE_SAMPLE, 1, G_TYPE_UINT);
  /**
   * GstMemSink::pull-sample:
   * @memsink: the element
   *
   * Takes the oldest sample, blocking until one is there, EOS, flushing or
   * stop.  Returns: (transfer full) (nullable): the sample or NULL
   */
  gst_mem_sink_signals[SIGNAL_PULL_SAMPLE] =
      g_signal_new_class_handler ("pull-sample", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_mem_sink_pull_sample), NULL, NULL, NULL,
      GST_TYPE_SAMPLE, 0, G_TYPE_NONE);
  /**
   * GstMemSink::try-pull-sample:
   * @memsink: the element
   * @timeout: the longest wait in nanoseconds (-1 = forever, 0 = none)
   *
   * As pull-sample, giving up after @timeout.
   * Returns: (transfer full) (nullable): the sample or NULL
   */
  gst_mem_sink_signals[SIGNAL_TRY_PULL_SAMPLE] =
      g_signal_new_class_handler ("try-pull-sample",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_mem_sink_try_pull_sample), NULL, NULL, NULL,
      GST_TYPE_SAMPLE, 1, GST_TYPE_CLOCK_TIME);
  /**
   * GstMemSink::clear:
   * @memsink: the element
   *
   * Discards every sample and empties the file (the write position stays,
   * so a later write zero-fills up to it).
   */
  gst_mem_sink_signals[SIGNAL_CLEAR] =
      g_signal_new_class_handler ("clear", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_mem_sink_clear), NULL, NULL, NULL, G_TYPE_NONE, 0,
      G_TYPE_NONE);

  gst_mem_sink_install_event_api (gobject_class, PROP_FIRST_SAMPLE_NUMBER,
      PROP_LAST_SAMPLE_NUMBER);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class, "Memory sink",
      "Sink", "Keeps samples or a whole muxed file in memory, spilling to "
      "disk beyond a budget", "gst-memvideo developers");

  basesink_class->start = GST_DEBUG_FUNCPTR (gst_mem_sink_start);
  basesink_class->stop = GST_DEBUG_FUNCPTR (gst_mem_sink_stop);
  basesink_class->set_caps = GST_DEBUG_FUNCPTR (gst_mem_sink_set_caps);
  basesink_class->event = GST_DEBUG_FUNCPTR (gst_mem_sink_event);
  basesink_class->query = GST_DEBUG_FUNCPTR (gst_mem_sink_query);
  basesink_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_mem_sink_propose_allocation);
  basesink_class->render = GST_DEBUG_FUNCPTR (gst_mem_sink_render);

  gst_type_mark_as_plugin_api (GST_TYPE_MEM_SINK_MODE, 0);
}

static void
gst_mem_sink_init (GstMemSink * self)
{
  self->settings.mode = DEFAULT_MODE;
  gst_memvideo_spill_binding_init (&self->spill, GST_ELEMENT (self),
      &spill_props);
  self->settings.location = g_strdup (DEFAULT_LOCATION);
  self->max_samples = DEFAULT_MAX_SAMPLES;
  self->max_age = DEFAULT_MAX_AGE;
  self->emit_signals = DEFAULT_EMIT_SIGNALS;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  gst_segment_init (&self->segment, GST_FORMAT_TIME);
  gst_mem_sink_saves_init (self);

  /* A store, not a renderer: take data as fast as it comes, like filesink */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}



static void
gst_mem_sink_finalize (GObject * object)
{
  GstMemSink *self = GST_MEM_SINK (object);

  gst_mem_sink_saves_clear (self);
  g_clear_pointer (&self->store, gst_mem_sink_store_unref);
  /* memories an application still holds keep the pool alive */
  gst_memvideo_spill_binding_clear (&self->spill);
  gst_clear_caps (&self->caps);
  g_free (self->settings.location);
  g_free (self->settings.socket_path);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}


static void
gst_mem_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMemSink *self = GST_MEM_SINK (object);

  if (gst_memvideo_spill_binding_set_property (&self->spill, prop_id, value))
    return;

  switch (prop_id) {
    case PROP_MODE:
      GST_OBJECT_LOCK (self);
      self->settings.mode = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_LOCATION:
      GST_OBJECT_LOCK (self);
      g_free (self->settings.location);
      self->settings.location = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_SOCKET_PATH:
      GST_OBJECT_LOCK (self);
      g_free (self->settings.socket_path);
      self->settings.socket_path = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_SAMPLES:
      g_mutex_lock (&self->lock);
      self->max_samples = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_MAX_AGE:
      g_mutex_lock (&self->lock);
      self->max_age = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_EMIT_SIGNALS:
      g_mutex_lock (&self->lock);
      self->emit_signals = g_value_get_boolean (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}


static void
gst_mem_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstMemSink *self = GST_MEM_SINK (object);
  GstMemSinkStore *store;

  if (gst_memvideo_spill_binding_get_property (&self->spill, prop_id, value))
    return;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->settings.mode);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->settings.location);
      break;
    case PROP_SOCKET_PATH:
      g_value_set_string (value, self->settings.socket_path);
      break;
    default:
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* the file's size without the element lock: a snapshot in progress
   * holds the file's lock */
  if (prop_id == PROP_SIZE) {
    g_mutex_lock (&self->lock);
    store = self->store ? gst_mem_sink_store_ref (self->store) : NULL;
    g_mutex_unlock (&self->lock);
    g_value_set_uint64 (value, store ? store->funcs->size (store) : 0);
    if (store)
      gst_mem_sink_store_unref (store);
    return;
  }

  g_mutex_lock (&self->lock);
  store = self->store;
  switch (prop_id) {
    case PROP_MODE:
    case PROP_LOCATION:
    case PROP_SOCKET_PATH:
      break;
    case PROP_MAX_SAMPLES:
      g_value_set_uint (value, self->max_samples);
      break;
    case PROP_MAX_AGE:
      g_value_set_uint64 (value, self->max_age);
      break;
    case PROP_EMIT_SIGNALS:
      g_value_set_boolean (value, self->emit_signals);
      break;
    case PROP_N_SAMPLES:
      g_value_set_uint (value, store ? store->funcs->n_samples (store) : 0);
      break;
    case PROP_DROPPED:
      g_value_set_uint64 (value, self->dropped);
      break;
    case PROP_EOS:
      g_value_set_boolean (value, self->eos);
      break;
    default:
      if (gst_mem_sink_event_get_property (self, prop_id, value))
        break;
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}





static gboolean
gst_mem_sink_start (GstBaseSink * sink)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GstMemSinkMode mode;
  gchar *location;

  GST_OBJECT_LOCK (self);
  mode = self->settings.mode;
  location = g_strdup (self->settings.location);
  GST_OBJECT_UNLOCK (self);

  if (location && mode == GST_MEM_SINK_MODE_SAMPLES)
    goto location_in_samples_mode;
  if (location)
    gst_mem_sink_save_cleanup (location);
  g_free (location);

  /* a new pool (the last run's goes with its store), or an ERROR */
  gst_memvideo_spill_binding_note_caps (&self->spill, NULL);
  if (!gst_memvideo_spill_binding_start (&self->spill))
    return FALSE;
  gst_mem_sink_begin_run (self);

  return gst_mem_sink_serve_start (self);

  /* ERRORS */
location_in_samples_mode:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Only a file can be saved: set mode to file or auto, or unset "
            "location."), ("mode is samples and location is \"%s\"", location));
    g_free (location);
    return FALSE;
  }
}

static gboolean
gst_mem_sink_stop (GstBaseSink * sink)
{
  GstMemSink *self = GST_MEM_SINK (sink);

  gst_mem_sink_saves_finish (self);
  gst_mem_sink_serve_stop (self);
  g_mutex_lock (&self->lock);
  self->started = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  /* The data stays readable until the next start, so the pool and its
   * statistics stay; only the RAM blocks it kept for frames that will no
   * longer come are given back. */
  gst_memvideo_spill_binding_stop (&self->spill, TRUE);

  return TRUE;
}

static gboolean
gst_mem_sink_set_caps (GstBaseSink * sink, GstCaps * caps)
{
  GstMemSink *self = GST_MEM_SINK (sink);

  /* streaming thread: read by the samples store's render and by auto
   * mode's decision only */
  gst_caps_replace (&self->caps, caps);
  /* raw video: the samples store's copies take its layout (and may be
   * JPEG), a spill-format change then needs a new allocation */
  gst_memvideo_spill_binding_note_caps (&self->spill, caps);

  return TRUE;
}


static gboolean
gst_mem_sink_handle_segment (GstMemSink * self, GstEvent * event)
{
  const GstSegment *segment;
  GstMemSinkStore *store;
  gboolean has_location;

  gst_event_parse_segment (event, &segment);
  store = gst_mem_sink_ensure_store (self, segment->format);
  if (store == NULL)
    return FALSE;

  GST_OBJECT_LOCK (self);
  has_location = self->settings.location != NULL;
  GST_OBJECT_UNLOCK (self);
  if (has_location && store->funcs->mode == GST_MEM_SINK_MODE_SAMPLES)
    goto location_in_samples_mode;

  if (!store->funcs->segment (store, segment))
    return FALSE;
  gst_segment_copy_into (segment, &self->segment);

  return TRUE;

  /* ERRORS */
location_in_samples_mode:
  {
    /* once, not at every retry of the sticky event */
    if (!self->segment_error_posted)
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Only a file can be saved: put a muxer before memsink, or unset "
              "location."), ("location is set and the stream is in samples "
              "mode (%s segment)", gst_format_get_name (segment->format)));
    self->segment_error_posted = TRUE;
    return FALSE;
  }
}

static gboolean
gst_mem_sink_handle_eos (GstMemSink * self)
{
  MemvideoSpillStats stats;
  GstMemSinkStore *store;
  GstStructure *s;
  gchar *location;
  gboolean ret;

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->settings.location);
  GST_OBJECT_UNLOCK (self);

  store = gst_mem_sink_ensure_store (self, self->segment.format);
  if (store == NULL) {
    g_free (location);
    return FALSE;
  }

  s = gst_structure_new ("memsink-summary", "mode", G_TYPE_STRING,
      store->funcs->name, NULL);
  store->funcs->summary (store, s);
  gst_memvideo_spill_binding_get_stats (&self->spill, &stats);
  g_mutex_lock (&self->lock);
  self->eos = TRUE;
  g_cond_broadcast (&self->cond);
  gst_structure_set (s, "resident-bytes", G_TYPE_UINT64, stats.resident_bytes,
      "spilled-bytes", G_TYPE_UINT64, stats.spilled_bytes, "dropped",
      G_TYPE_UINT64, self->dropped, NULL);
  g_mutex_unlock (&self->lock);

  /* what a spill error left pending goes first; the summary follows even
   * after an ERROR, the data kept stays readable */
  gst_memvideo_spill_binding_check_flow (&self->spill);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));

  gst_mem_sink_saves_finish (self);
  /* the store's own lock only: get-bytes and queries go on meanwhile */
  ret = store->funcs->eos (store, location);
  g_free (location);

  return ret;
}

static void
gst_mem_sink_flush_stop (GstMemSink * self)
{
  GPtrArray *dropped =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);

  gst_mem_sink_saves_finish (self);
  g_mutex_lock (&self->lock);
  self->flushing = FALSE;
  self->eos = FALSE;
  if (self->store)
    self->store->funcs->clear (self->store, TRUE, dropped);
  g_mutex_unlock (&self->lock);
  self->segment_error_posted = FALSE;
  g_ptr_array_unref (dropped);
}

static gboolean
gst_mem_sink_event (GstBaseSink * sink, GstEvent * event)
{
  GstMemSink *self = GST_MEM_SINK (sink);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_SEGMENT:
      if (!gst_mem_sink_handle_segment (self, event)) {
        gst_event_unref (event);
        return FALSE;
      }
      break;
    case GST_EVENT_FLUSH_START:
      /* render never blocks, so basesink's unlock/unlock_stop pair (which
       * it runs back to back) has nothing to interrupt; waiting pulls are
       * woken here and stay NULL until FLUSH_STOP, as in appsink */
      g_mutex_lock (&self->lock);
      self->flushing = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_mem_sink_flush_stop (self);
      break;
    case GST_EVENT_EOS:
      if (!gst_mem_sink_handle_eos (self)) {
        gst_event_unref (event);
        return FALSE;
      }
      break;
    default:
      break;
  }

  return GST_BASE_SINK_CLASS (parent_class)->event (sink, event);
}

/* Before the first SEGMENT, as the store of the mode to come would
 * answer: undecided auto mode becomes file mode with a BYTES segment,
 * which is what a muxer asking this will send. */
static gboolean
gst_mem_sink_query_undecided (GstMemSink * self, GstQuery * query)
{
  gboolean file;
  GstFormat format;

  GST_OBJECT_LOCK (self);
  file = self->settings.mode != GST_MEM_SINK_MODE_SAMPLES;
  GST_OBJECT_UNLOCK (self);

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_SEEKING:
      gst_query_parse_seeking (query, &format, NULL, NULL, NULL);
      gst_query_set_seeking (query, format, file
          && format == GST_FORMAT_BYTES, 0, -1);
      return TRUE;
    case GST_QUERY_POSITION:
      gst_query_parse_position (query, &format, NULL);
      if (!file || format != GST_FORMAT_BYTES)
        return FALSE;
      gst_query_set_position (query, GST_FORMAT_BYTES, 0);
      return TRUE;
    default:
      return FALSE;
  }
}

static gboolean
gst_mem_sink_query (GstBaseSink * sink, GstQuery * query)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GstMemSinkStore *store = NULL;
  gboolean answered;

  /* on a reference, without the element lock (a POSITION query waits for
   * the file's lock only) */
  g_mutex_lock (&self->lock);
  if (self->store)
    store = gst_mem_sink_store_ref (self->store);
  g_mutex_unlock (&self->lock);

  if (store) {
    answered = store->funcs->query (store, query);
    gst_mem_sink_store_unref (store);
  } else {
    answered = gst_mem_sink_query_undecided (self, query);
  }
  if (answered)
    return TRUE;

  return GST_BASE_SINK_CLASS (parent_class)->query (sink, query);
}

/* Offering the pool's allocator lets upstream write samples straight into
 * pageable memory, which memsink then keeps without a copy; the binding
 * decides whether it fits the spill-format.  Not in file mode: memfile
 * copies every write. */
static gboolean
gst_mem_sink_propose_allocation (GstBaseSink * sink, GstQuery * query)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GstMemSinkMode mode;

  GST_OBJECT_LOCK (self);
  mode = self->settings.mode;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  if (self->store)
    mode = self->store->funcs->mode;
  g_mutex_unlock (&self->lock);

  if (mode != GST_MEM_SINK_MODE_FILE)
    gst_memvideo_spill_binding_add_allocator (&self->spill, query);
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);

  return TRUE;
}

static GstFlowReturn
gst_mem_sink_render (GstBaseSink * sink, GstBuffer * buffer)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GstFlowReturn ret, spill;

  /* the store is written by this thread only (at SEGMENT) */
  if (self->store == NULL)
    goto no_segment;
  ret = self->store->funcs->render (self->store, buffer);
  /* posts what a spill error left pending; after a lost frame the stream
   * stops, the samples kept stay readable */
  spill = gst_memvideo_spill_binding_check_flow (&self->spill);

  return ret == GST_FLOW_OK ? spill : ret;

  /* ERRORS */
no_segment:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("Received data before a segment."), ("no SEGMENT event came "
            "before the first buffer"));
    return GST_FLOW_ERROR;
  }
}






GstFlowReturn
gst_mem_sink_emit_new_sample (GstMemSink * sink)
{
  GstFlowReturn ret = GST_FLOW_OK;

  g_signal_emit (sink, gst_mem_sink_signals[SIGNAL_NEW_SAMPLE], 0, &ret);
  return ret;
}
