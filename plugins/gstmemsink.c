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
 * muxer or any byte stream) selects *file* mode, anything else *samples*.
 *
 * *file*: a seekable in-memory file.  memsink answers SEEKING (bytes,
 * seekable) and POSITION (bytes) queries and moves its write position on
 * BYTES segments, so mp4mux, qtmux and matroskamux can rewrite their headers
 * at EOS.  The length is the furthest byte written, a gap reads as zeros,
 * and FLUSH_STOP truncates to 0.  The "get-bytes" action signal returns the
 * whole file as a GBytes at any time; with #GstMemSink:location set, the
 * file is also saved there at EOS, atomically (temporary name beside it,
 * fsync, rename).
 *
 * *samples*: every buffer is kept as a GstSample.  A history window bounded
 * by #GstMemSink:max-samples and #GstMemSink:max-age (by PTS) drops the
 * oldest samples, and for encoded caps whole groups of pictures (keyframe
 * up to the next keyframe) so the kept samples start with a keyframe.  The
 * "get-sample", "pull-sample", "try-pull-sample" and "clear" action signals
 * and the "new-sample" signal follow appsink's names and blocking rules.
 * Upstream is offered the pool's allocator, so raw frames written straight
 * into pageable memory are kept without a copy.
 *
 * At EOS memsink posts an element message `memsink-summary` with the fields
 * `mode` (string: "file" or "samples"), `size` (guint64, file mode) or
 * `n-samples` (guint, samples mode), `resident-bytes`, `spilled-bytes` and
 * `dropped` (guint64).
 *
 * Data stays readable after EOS and after the pipeline stops; it is
 * discarded at the next start (READY to PAUSED), on FLUSH_STOP and by
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

#include "memvideo/hugepages.h"
#include "memvideo/memfile.h"
#include "memvideo/samplewindow.h"
#include "memvideo/spillpool.h"
#include "gstmemvideospill.h"

GST_DEBUG_CATEGORY_STATIC (gst_mem_sink_debug);
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
  PROP_EMIT_SIGNALS,
  PROP_N_SAMPLES,
  PROP_SIZE,
  PROP_RESIDENT_BYTES,
  PROP_SPILLED_BYTES,
  PROP_DROPPED,
  PROP_EOS,
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

static void gst_mem_sink_get_stats (GstObject * element,
    MemvideoSpillStats * stats);

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
  .default_max_memory = DEFAULT_MAX_MEMORY,
  .default_jpeg_quality = DEFAULT_JPEG_QUALITY,
  .get_stats = gst_mem_sink_get_stats,
};

typedef struct
{
  GstMemSinkMode mode;
  GstMemvideoSpillSettings spill;
  guint max_samples;
  GstClockTime max_age;
  gchar *location;
  gboolean emit_signals;
} Settings;

struct _GstMemSink
{
  GstBaseSink parent;

  /* Guarded by the object lock; copied by the streaming thread */
  Settings settings;

  /* Guards every field below; cond signals new samples, EOS, flushing
   * and stop to pull-sample.  Order: lock, then the file's and the pool's
   * own locks; never the object lock inside it. */
  GMutex lock;
  GCond cond;
  MemvideoSpillPool *pool;      /* from start until the next start */
  GstMemSinkMode active_mode;   /* AUTO until the first SEGMENT decides */
  MemvideoMemFile *file;
  guint64 position;             /* file mode write position */
  MemvideoSampleWindow *window;
  GstCaps *caps;
  GstVideoInfo vinfo;
  gboolean have_vinfo;
  guint64 dropped;
  gboolean eos;
  gboolean flushing;
  gboolean started;

  /* Spill pool errors, reported by the pool from any thread (possibly with
   * lock held), posted as a warning by the streaming thread.  Guarded by
   * error_lock, which is never held while taking another lock. */
  GMutex error_lock;
  GError *pool_error;
  gboolean pool_error_posted;
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
    {GST_MEM_SINK_MODE_AUTO, "BYTES segment: file, otherwise samples",
        "auto"},
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

static GBytes *gst_mem_sink_get_bytes (GstMemSink * self);
static GstSample *gst_mem_sink_get_sample (GstMemSink * self, guint index);
static GstSample *gst_mem_sink_pull_sample (GstMemSink * self);
static GstSample *gst_mem_sink_try_pull_sample (GstMemSink * self,
    GstClockTime timeout);
static void gst_mem_sink_clear (GstMemSink * self);

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
          "What to keep: auto decides by the SEGMENT format (BYTES: file, "
          "otherwise samples)", GST_TYPE_MEM_SINK_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  gst_memvideo_spill_install_properties (gobject_class, &spill_props);
  g_object_class_install_property (gobject_class, PROP_MAX_SAMPLES,
      g_param_spec_uint ("max-samples", "Max samples",
          "Samples mode: keep at most this many samples, dropping the oldest "
          "(whole groups of pictures for encoded caps; 0 = unlimited)",
          0, G_MAXUINT, DEFAULT_MAX_SAMPLES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX_AGE,
      g_param_spec_uint64 ("max-age", "Max age",
          "Samples mode: drop samples whose PTS is more than this many "
          "nanoseconds older than the newest (-1 = unlimited)",
          0, G_MAXUINT64, DEFAULT_MAX_AGE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "File mode: save the file here at EOS, atomically (NULL = don't); "
          "an error in samples mode", DEFAULT_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
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
  gst_memvideo_spill_settings_init (&self->settings.spill, &spill_props);
  self->settings.max_samples = DEFAULT_MAX_SAMPLES;
  self->settings.max_age = DEFAULT_MAX_AGE;
  self->settings.location = g_strdup (DEFAULT_LOCATION);
  self->settings.emit_signals = DEFAULT_EMIT_SIGNALS;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_mutex_init (&self->error_lock);
  self->active_mode = GST_MEM_SINK_MODE_AUTO;

  /* A store, not a renderer: take data as fast as it comes, like filesink */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}

/* Called with lock held.  Drops the data of the previous run. */
static void
gst_mem_sink_release_store (GstMemSink * self, GPtrArray * dropped)
{
  if (self->window) {
    memvideo_sample_window_clear (self->window, dropped);
    memvideo_sample_window_free (self->window);
    self->window = NULL;
  }
  g_clear_pointer (&self->file, memvideo_mem_file_free);
  /* The pool keeps its error function (and the weak reference it was
   * given) until it is finalized: memories an application still holds may
   * report errors from any thread, and a call may be in flight now */
  g_clear_pointer (&self->pool, memvideo_spill_pool_unref);
  gst_clear_caps (&self->caps);
  self->have_vinfo = FALSE;
}

static void
gst_mem_sink_finalize (GObject * object)
{
  GstMemSink *self = GST_MEM_SINK (object);
  GPtrArray *dropped = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_sample_unref);

  gst_mem_sink_release_store (self, dropped);
  g_ptr_array_unref (dropped);
  gst_memvideo_spill_settings_clear (&self->settings.spill);
  g_free (self->settings.location);
  g_clear_error (&self->pool_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->error_lock);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* Applies the pool settings to the live pool, if any. */
static void
gst_mem_sink_apply_pool_settings (GstMemSink * self)
{
  MemvideoSpillPool *pool = NULL;
  GstMemvideoSpillSettings s;

  GST_OBJECT_LOCK (self);
  s = self->settings.spill;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  if (self->pool)
    pool = memvideo_spill_pool_ref (self->pool);
  g_mutex_unlock (&self->lock);

  /* only plain values of the copy are used */
  if (pool == NULL)
    return;
  gst_memvideo_spill_settings_apply (&spill_props, &s, pool);
  memvideo_spill_pool_unref (pool);
}

static void
gst_mem_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMemSink *self = GST_MEM_SINK (object);

  if (gst_memvideo_spill_set_property (&spill_props, GST_OBJECT (self),
          &self->settings.spill, prop_id, value)) {
    /* the directory is used by the next start() */
    if (prop_id != PROP_SPILL_DIRECTORY)
      gst_mem_sink_apply_pool_settings (self);
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      self->settings.mode = g_value_get_enum (value);
      break;
    case PROP_MAX_SAMPLES:
      self->settings.max_samples = g_value_get_uint (value);
      break;
    case PROP_MAX_AGE:
      self->settings.max_age = g_value_get_uint64 (value);
      break;
    case PROP_LOCATION:
      g_free (self->settings.location);
      self->settings.location = g_value_dup_string (value);
      break;
    case PROP_EMIT_SIGNALS:
      self->settings.emit_signals = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* Statistics of the pool of the current (or last) run. */
static void
gst_mem_sink_get_stats (GstObject * element, MemvideoSpillStats * stats)
{
  GstMemSink *self = GST_MEM_SINK (element);

  memset (stats, 0, sizeof (*stats));
  g_mutex_lock (&self->lock);
  if (self->pool)
    memvideo_spill_pool_get_stats (self->pool, stats);
  g_mutex_unlock (&self->lock);
}

static void
gst_mem_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstMemSink *self = GST_MEM_SINK (object);

  if (gst_memvideo_spill_get_property (&spill_props, GST_OBJECT (self),
          &self->settings.spill, prop_id, value))
    return;

  switch (prop_id) {
    case PROP_MODE:
      GST_OBJECT_LOCK (self);
      g_value_set_enum (value, self->settings.mode);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_SAMPLES:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->settings.max_samples);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_AGE:
      GST_OBJECT_LOCK (self);
      g_value_set_uint64 (value, self->settings.max_age);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_LOCATION:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->settings.location);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_EMIT_SIGNALS:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->settings.emit_signals);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_N_SAMPLES:
      g_mutex_lock (&self->lock);
      g_value_set_uint (value, self->window ?
          memvideo_sample_window_get_length (self->window) : 0);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_SIZE:
      g_mutex_lock (&self->lock);
      g_value_set_uint64 (value, self->file ?
          memvideo_mem_file_get_size (self->file) : 0);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_DROPPED:
      g_mutex_lock (&self->lock);
      g_value_set_uint64 (value, self->dropped);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_EOS:
      g_mutex_lock (&self->lock);
      g_value_set_boolean (value, self->eos);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* Runs in whatever thread made the pool write or read; lock may be held
 * there, so only error_lock is taken. */
static void
gst_mem_sink_pool_error (MemvideoSpillPool * pool, const GError * error,
    gpointer user_data)
{
  GstMemSink *self = g_weak_ref_get (user_data);

  if (self == NULL)
    return;

  g_mutex_lock (&self->error_lock);
  if (self->pool_error == NULL)
    self->pool_error = g_error_copy (error);
  g_mutex_unlock (&self->error_lock);
  gst_object_unref (self);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Posts the first spill error of this run as a warning: the data it
 * concerns stayed in RAM, nothing is lost.  Called without locks. */
static void
gst_mem_sink_post_pool_error (GstMemSink * self)
{
  GError *error = NULL;

  g_mutex_lock (&self->error_lock);
  if (self->pool_error && !self->pool_error_posted) {
    error = g_error_copy (self->pool_error);
    self->pool_error_posted = TRUE;
  }
  g_mutex_unlock (&self->error_lock);

  if (error == NULL)
    return;
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
      ("Could not spill to disk; the data stays in memory, over the "
          "max-memory budget"), ("%s", error->message));
  g_error_free (error);
}

/* Called with lock held: forget the stream but keep the pool. */
static void
gst_mem_sink_reset (GstMemSink * self, GPtrArray * dropped)
{
  if (self->window)
    memvideo_sample_window_clear (self->window, dropped);
  if (self->file)
    memvideo_mem_file_truncate (self->file, 0, NULL);
  self->position = 0;
  self->eos = FALSE;
}

static gboolean
gst_mem_sink_start (GstBaseSink * sink)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GPtrArray *dropped = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_sample_unref);
  MemvideoSpillPool *pool;
  GWeakRef *weak;
  GError *error = NULL;
  Settings s;

  GST_OBJECT_LOCK (self);
  s = self->settings;
  s.spill.directory = g_strdup (s.spill.directory);
  s.location = NULL;
  if (self->settings.mode == GST_MEM_SINK_MODE_SAMPLES
      && self->settings.location)
    s.location = g_strdup (self->settings.location);
  GST_OBJECT_UNLOCK (self);

  if (s.location)
    goto location_in_samples_mode;

  pool = memvideo_spill_pool_new (s.spill.directory, &error);
  if (pool == NULL)
    goto pool_failed;

  /* Set once per pool, never replaced: see gst_mem_sink_release_store() */
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  memvideo_spill_pool_set_error_func (pool, gst_mem_sink_pool_error, weak,
      weak_ref_free);
  gst_memvideo_spill_settings_apply (&spill_props, &s.spill, pool);

  g_mutex_lock (&self->error_lock);
  g_clear_error (&self->pool_error);
  self->pool_error_posted = FALSE;
  g_mutex_unlock (&self->error_lock);

  g_mutex_lock (&self->lock);
  gst_mem_sink_release_store (self, dropped);
  self->pool = pool;
  self->file = memvideo_mem_file_new (pool,
      memvideo_mem_file_chunk_size_for (s.spill.max_memory,
          memvideo_huge_page_size ()));
  self->window = memvideo_sample_window_new ();
  self->active_mode = s.mode;
  self->dropped = 0;
  self->flushing = FALSE;
  self->started = TRUE;
  gst_mem_sink_reset (self, dropped);
  g_mutex_unlock (&self->lock);

  g_ptr_array_unref (dropped);
  g_free (s.spill.directory);

  return TRUE;

  /* ERRORS */
location_in_samples_mode:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("location is set to \"%s\" but mode is samples: only a file can be "
            "saved; set mode=file (or auto with a muxer upstream) or unset "
            "location", s.location), (NULL));
    g_free (s.location);
    g_free (s.spill.directory);
    g_ptr_array_unref (dropped);
    return FALSE;
  }
pool_failed:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("Could not create the spill store in directory \"%s\"",
            s.spill.directory ? s.spill.directory : g_get_tmp_dir ()),
        ("%s", error->message));
    g_clear_error (&error);
    g_free (s.spill.directory);
    g_ptr_array_unref (dropped);
    return FALSE;
  }
}

static gboolean
gst_mem_sink_stop (GstBaseSink * sink)
{
  GstMemSink *self = GST_MEM_SINK (sink);

  /* The data stays readable until the next start; only the RAM blocks the
   * pool kept for frames that will no longer come are given back. */
  g_mutex_lock (&self->lock);
  self->started = FALSE;
  g_cond_broadcast (&self->cond);
  if (self->pool)
    memvideo_spill_pool_trim (self->pool);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static gboolean
gst_mem_sink_set_caps (GstBaseSink * sink, GstCaps * caps)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GstVideoInfo vinfo;
  gboolean have_vinfo = FALSE;

  if (gst_caps_get_size (caps) > 0
      && gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "video/x-raw"))
    have_vinfo = gst_video_info_from_caps (&vinfo, caps);

  g_mutex_lock (&self->lock);
  gst_caps_replace (&self->caps, caps);
  self->have_vinfo = have_vinfo;
  if (have_vinfo)
    self->vinfo = vinfo;
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/* Called with lock held. */
static void
gst_mem_sink_set_active_mode (GstMemSink * self, GstFormat format)
{
  if (self->active_mode != GST_MEM_SINK_MODE_AUTO)
    return;

  self->active_mode = format == GST_FORMAT_BYTES ?
      GST_MEM_SINK_MODE_FILE : GST_MEM_SINK_MODE_SAMPLES;
  GST_DEBUG_OBJECT (self, "%s segment: %s mode", gst_format_get_name (format),
      self->active_mode == GST_MEM_SINK_MODE_FILE ? "file" : "samples");
}

/* The eviction order that fits the mode, with lock held: in a file the
 * chunk being written and the header chunks are reused, so least recently
 * used; samples are read in arrival order, so the newest is needed last. */
static void
gst_mem_sink_set_eviction (GstMemSink * self)
{
  if (self->pool && self->active_mode != GST_MEM_SINK_MODE_AUTO)
    memvideo_spill_pool_set_eviction (self->pool,
        self->active_mode == GST_MEM_SINK_MODE_FILE ?
        MEMVIDEO_EVICTION_LRU : MEMVIDEO_EVICTION_NEWEST);
}

static gboolean
gst_mem_sink_handle_segment (GstMemSink * self, GstEvent * event)
{
  const GstSegment *segment;
  gboolean has_location;
  GstMemSinkMode mode;

  gst_event_parse_segment (event, &segment);

  GST_OBJECT_LOCK (self);
  has_location = self->settings.location != NULL;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  gst_mem_sink_set_active_mode (self, segment->format);
  gst_mem_sink_set_eviction (self);
  mode = self->active_mode;
  if (mode == GST_MEM_SINK_MODE_FILE && segment->format == GST_FORMAT_BYTES) {
    if (segment->start > (guint64) G_MAXINT64)
      goto negative_position;
    if (segment->start > MEMVIDEO_MEM_FILE_MAX_SIZE)
      goto position_too_large;
    GST_LOG_OBJECT (self, "write position %" G_GUINT64_FORMAT " -> %"
        G_GUINT64_FORMAT, self->position, segment->start);
    self->position = segment->start;
  }
  g_mutex_unlock (&self->lock);

  if (mode == GST_MEM_SINK_MODE_SAMPLES && has_location)
    goto location_in_samples_mode;

  return TRUE;

  /* ERRORS */
negative_position:
  {
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, SEEK,
        ("Got a BYTES segment with a negative start position (%"
            G_GINT64_FORMAT "): cannot move the write position of the "
            "in-memory file there", (gint64) segment->start), (NULL));
    return FALSE;
  }
position_too_large:
  {
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, SEEK,
        ("Got a BYTES segment with start position %" G_GUINT64_FORMAT
            ", beyond the in-memory file's limit of %" G_GUINT64_FORMAT
            " bytes", segment->start, MEMVIDEO_MEM_FILE_MAX_SIZE), (NULL));
    return FALSE;
  }
location_in_samples_mode:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("location is set but the stream is in samples mode (%s segment): "
            "only a file can be saved; put a muxer before memsink or unset "
            "location", gst_format_get_name (segment->format)), (NULL));
    return FALSE;
  }
}

/* Writes the file to @location atomically: a temporary file beside it
 * (created exclusively), fsync, rename over @location. */
static gboolean
gst_mem_sink_save (GstMemSink * self, const gchar * location, GError ** error)
{
  gchar *dir = g_path_get_dirname (location);
  gchar *base = g_path_get_basename (location);
  gchar *tmpl_name = g_strdup_printf (".%s.XXXXXX", base);
  gchar *tmp = g_build_filename (dir, tmpl_name, NULL);
  gboolean ret = FALSE;
  gint fd, err;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) {
    err = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "Could not create a temporary file in \"%s\" to save \"%s\": %s",
        dir, location, g_strerror (err));
    goto done;
  }

  g_mutex_lock (&self->lock);
  ret = memvideo_mem_file_write_to_fd (self->file, fd, error);
  g_mutex_unlock (&self->lock);

  if (ret && fsync (fd) < 0) {
    err = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "Could not flush \"%s\" to disk: %s", tmp, g_strerror (err));
    ret = FALSE;
  }
  if (close (fd) < 0 && ret) {
    err = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "Could not close \"%s\": %s", tmp, g_strerror (err));
    ret = FALSE;
  }
  if (ret && g_rename (tmp, location) < 0) {
    err = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "Could not rename \"%s\" to \"%s\": %s", tmp, location,
        g_strerror (err));
    ret = FALSE;
  }
  if (!ret)
    g_unlink (tmp);

done:
  g_free (tmp);
  g_free (tmpl_name);
  g_free (base);
  g_free (dir);

  return ret;
}

static gboolean
gst_mem_sink_handle_eos (GstMemSink * self)
{
  MemvideoSpillStats stats;
  GstStructure *s;
  GstMemSinkMode mode;
  gchar *location;
  GError *error = NULL;
  guint n_samples = 0;
  guint64 size = 0, dropped;

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->settings.location);
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  self->eos = TRUE;
  g_cond_broadcast (&self->cond);
  gst_mem_sink_set_active_mode (self, GST_BASE_SINK (self)->segment.format);
  mode = self->active_mode;
  if (self->window)
    n_samples = memvideo_sample_window_get_length (self->window);
  if (self->file)
    size = memvideo_mem_file_get_size (self->file);
  dropped = self->dropped;
  memset (&stats, 0, sizeof (stats));
  if (self->pool)
    memvideo_spill_pool_get_stats (self->pool, &stats);
  g_mutex_unlock (&self->lock);

  gst_mem_sink_post_pool_error (self);

  if (mode == GST_MEM_SINK_MODE_FILE)
    s = gst_structure_new ("memsink-summary", "mode", G_TYPE_STRING, "file",
        "size", G_TYPE_UINT64, size, NULL);
  else
    s = gst_structure_new ("memsink-summary", "mode", G_TYPE_STRING,
        "samples", "n-samples", G_TYPE_UINT, n_samples, NULL);
  gst_structure_set (s, "resident-bytes", G_TYPE_UINT64, stats.resident_bytes,
      "spilled-bytes", G_TYPE_UINT64, stats.spilled_bytes, "dropped",
      G_TYPE_UINT64, dropped, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));

  if (mode == GST_MEM_SINK_MODE_FILE && location
      && !gst_mem_sink_save (self, location, &error))
    goto save_failed;

  g_free (location);
  return TRUE;

  /* ERRORS */
save_failed:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Could not save the in-memory file to \"%s\"; it is still "
            "available through get-bytes", location), ("%s", error->message));
    g_clear_error (&error);
    g_free (location);
    return FALSE;
  }
}

static gboolean
gst_mem_sink_event (GstBaseSink * sink, GstEvent * event)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GPtrArray *dropped;

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
      dropped = g_ptr_array_new_with_free_func (
          (GDestroyNotify) gst_sample_unref);
      g_mutex_lock (&self->lock);
      self->flushing = FALSE;
      gst_mem_sink_reset (self, dropped);
      g_mutex_unlock (&self->lock);
      g_ptr_array_unref (dropped);
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

static gboolean
gst_mem_sink_query (GstBaseSink * sink, GstQuery * query)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GstMemSinkMode mode;
  GstFormat format;

  g_mutex_lock (&self->lock);
  mode = self->active_mode;
  g_mutex_unlock (&self->lock);

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_SEEKING:
      gst_query_parse_seeking (query, &format, NULL, NULL, NULL);
      /* Undecided auto mode becomes file mode with a BYTES segment, which
       * is what a muxer asking this will send */
      gst_query_set_seeking (query, format, format == GST_FORMAT_BYTES
          && mode != GST_MEM_SINK_MODE_SAMPLES, 0, -1);
      return TRUE;
    case GST_QUERY_POSITION:
      gst_query_parse_position (query, &format, NULL);
      if (format == GST_FORMAT_BYTES && mode != GST_MEM_SINK_MODE_SAMPLES) {
        g_mutex_lock (&self->lock);
        gst_query_set_position (query, GST_FORMAT_BYTES, self->position);
        g_mutex_unlock (&self->lock);
        return TRUE;
      }
      break;
    default:
      break;
  }

  return GST_BASE_SINK_CLASS (parent_class)->query (sink, query);
}

/* Offering the pool's allocator lets upstream write samples straight into
 * pageable memory, which memsink then keeps without a copy.  Not with
 * spill-format=jpeg: the allocator's memories are raw-codec, while copies
 * made with the caps' video layout can be spilled as JPEG. */
static gboolean
gst_mem_sink_propose_allocation (GstBaseSink * sink, GstQuery * query)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  MemvideoSpillPool *pool = NULL;
  MemvideoSpillFormat format;

  GST_OBJECT_LOCK (self);
  format = self->settings.spill.format;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  if (self->pool && self->active_mode != GST_MEM_SINK_MODE_FILE)
    pool = memvideo_spill_pool_ref (self->pool);
  g_mutex_unlock (&self->lock);

  if (pool && format == MEMVIDEO_SPILL_FORMAT_RAW)
    gst_query_add_allocation_param (query,
        memvideo_spill_pool_get_allocator (pool), NULL);
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  if (pool)
    memvideo_spill_pool_unref (pool);

  return TRUE;
}

static GstFlowReturn
gst_mem_sink_render_file (GstMemSink * self, GstBuffer * buffer)
{
  GError *error = NULL;
  GstMapInfo map;
  guint64 position;
  gboolean ok;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    goto map_failed;

  g_mutex_lock (&self->lock);
  position = self->position;
  ok = memvideo_mem_file_write (self->file, position, map.data, map.size,
      &error);
  if (ok)
    self->position += map.size;
  g_mutex_unlock (&self->lock);
  gst_buffer_unmap (buffer, &map);

  if (!ok)
    goto write_failed;

  return GST_FLOW_OK;

  /* ERRORS */
map_failed:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, READ,
        ("Could not map a %" G_GSIZE_FORMAT "-byte buffer for reading",
            gst_buffer_get_size (buffer)), (NULL));
    return GST_FLOW_ERROR;
  }
write_failed:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
        ("Could not write %" G_GSIZE_FORMAT " bytes at position %"
            G_GUINT64_FORMAT " of the in-memory file",
            gst_buffer_get_size (buffer), position), ("%s", error->message));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
}

static gboolean
buffer_is_pageable (GstBuffer * buffer)
{
  guint i, n = gst_buffer_n_memory (buffer);

  for (i = 0; i < n; i++) {
    if (!memvideo_is_spill_memory (gst_buffer_peek_memory (buffer, i)))
      return FALSE;
  }

  return n > 0;
}

static GstFlowReturn
gst_mem_sink_render_sample (GstMemSink * self, GstBuffer * buffer,
    const Settings * s)
{
  GstBaseSink *sink = GST_BASE_SINK (self);
  MemvideoSpillPool *pool;
  GstVideoInfo vinfo;
  gboolean have_vinfo;
  GstCaps *caps;
  GstBuffer *kept;
  GstSample *sample;
  GPtrArray *dropped;
  GError *error = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  gboolean was_kept;

  g_mutex_lock (&self->lock);
  pool = memvideo_spill_pool_ref (self->pool);
  caps = self->caps ? gst_caps_ref (self->caps) : NULL;
  have_vinfo = self->have_vinfo;
  if (have_vinfo)
    vinfo = self->vinfo;
  g_mutex_unlock (&self->lock);

  if (buffer_is_pageable (buffer) && buffer->pool == NULL) {
    kept = gst_buffer_ref (buffer);
  } else if (buffer_is_pageable (buffer)) {
    /* Pageable memory in a buffer of an upstream pool (our allocator was
     * used): keep the memories in a buffer of our own, so the pool gets its
     * buffer back at once (it drops it, its memory being shared) */
    guint i;

    kept = gst_buffer_new ();
    for (i = 0; i < gst_buffer_n_memory (buffer); i++)
      gst_buffer_append_memory (kept,
          gst_memory_ref (gst_buffer_peek_memory (buffer, i)));
    gst_buffer_copy_into (kept, buffer, GST_BUFFER_COPY_FLAGS |
        GST_BUFFER_COPY_TIMESTAMPS | GST_BUFFER_COPY_META, 0, -1);
  } else if (gst_buffer_get_size (buffer) == 0) {
    /* Nothing to page; keep flags, timestamps and metas, not the memory of
     * an upstream pool */
    kept = gst_buffer_new ();
    gst_buffer_copy_into (kept, buffer, GST_BUFFER_COPY_FLAGS |
        GST_BUFFER_COPY_TIMESTAMPS | GST_BUFFER_COPY_META, 0, 0);
  } else {
    kept = memvideo_spill_pool_copy_buffer (pool, buffer,
        have_vinfo ? &vinfo : NULL, &error);
    if (kept == NULL)
      goto copy_failed;
  }
  memvideo_spill_pool_unref (pool);

  GST_OBJECT_LOCK (sink);
  sample = gst_sample_new (kept, caps, &sink->segment, NULL);
  GST_OBJECT_UNLOCK (sink);
  gst_buffer_unref (kept);
  if (caps)
    gst_caps_unref (caps);

  dropped = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  g_mutex_lock (&self->lock);
  memvideo_sample_window_set_limits (self->window, s->max_samples, s->max_age);
  was_kept = memvideo_sample_window_push (self->window, sample, dropped);
  self->dropped += dropped->len;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_ptr_array_unref (dropped);

  if (was_kept && s->emit_signals)
    g_signal_emit (self, gst_mem_sink_signals[SIGNAL_NEW_SAMPLE], 0, &ret);

  return ret;

  /* ERRORS */
copy_failed:
  {
    memvideo_spill_pool_unref (pool);
    if (caps)
      gst_caps_unref (caps);
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
        ("Could not copy a %" G_GSIZE_FORMAT "-byte buffer into the spill "
            "store", gst_buffer_get_size (buffer)), ("%s", error->message));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
}

static GstFlowReturn
gst_mem_sink_render (GstBaseSink * sink, GstBuffer * buffer)
{
  GstMemSink *self = GST_MEM_SINK (sink);
  GstMemSinkMode mode;
  GstFlowReturn ret;
  Settings s;

  GST_OBJECT_LOCK (self);
  s = self->settings;
  GST_OBJECT_UNLOCK (self);
  /* Only plain values of the copy are used */
  s.spill.directory = NULL;
  s.location = NULL;

  g_mutex_lock (&self->lock);
  gst_mem_sink_set_active_mode (self, sink->segment.format);
  mode = self->active_mode;
  g_mutex_unlock (&self->lock);

  if (mode == GST_MEM_SINK_MODE_FILE)
    ret = gst_mem_sink_render_file (self, buffer);
  else
    ret = gst_mem_sink_render_sample (self, buffer, &s);

  gst_mem_sink_post_pool_error (self);

  return ret;
}

static GBytes *
gst_mem_sink_get_bytes (GstMemSink * self)
{
  GBytes *bytes = NULL;
  GError *error = NULL;
  gchar *directory;

  /* The snapshot file goes where the spill file goes: the place the user
   * chose for big temporary data */
  GST_OBJECT_LOCK (self);
  directory = g_strdup (self->settings.spill.directory);
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->lock);
  if (self->file && self->active_mode != GST_MEM_SINK_MODE_SAMPLES)
    bytes = memvideo_mem_file_snapshot (self->file, directory, &error);
  g_mutex_unlock (&self->lock);
  g_free (directory);

  if (error) {
    GST_ELEMENT_WARNING (self, RESOURCE, READ,
        ("Could not take a snapshot of the in-memory file"),
        ("%s", error->message));
    g_clear_error (&error);
  }

  return bytes;
}

static GstSample *
gst_mem_sink_get_sample (GstMemSink * self, guint index)
{
  GstSample *sample = NULL;

  g_mutex_lock (&self->lock);
  if (self->window)
    sample = memvideo_sample_window_get (self->window, index);
  if (sample)
    gst_sample_ref (sample);
  g_mutex_unlock (&self->lock);

  return sample;
}

static GstSample *
gst_mem_sink_try_pull_sample (GstMemSink * self, GstClockTime timeout)
{
  GstSample *sample = NULL;
  gint64 end_time = 0;

  if (GST_CLOCK_TIME_IS_VALID (timeout))
    end_time = g_get_monotonic_time () + timeout / GST_USECOND;

  g_mutex_lock (&self->lock);
  /* appsink's rules: NULL while flushing, NULL at EOS or stop once empty */
  while (!self->flushing) {
    if (self->window)
      sample = memvideo_sample_window_pop (self->window);
    if (sample || self->eos || !self->started)
      break;
    if (!GST_CLOCK_TIME_IS_VALID (timeout)) {
      g_cond_wait (&self->cond, &self->lock);
    } else if (!g_cond_wait_until (&self->cond, &self->lock, end_time)) {
      if (self->window)
        sample = memvideo_sample_window_pop (self->window);
      break;
    }
  }
  g_mutex_unlock (&self->lock);

  return sample;
}

static GstSample *
gst_mem_sink_pull_sample (GstMemSink * self)
{
  return gst_mem_sink_try_pull_sample (self, GST_CLOCK_TIME_NONE);
}

static void
gst_mem_sink_clear (GstMemSink * self)
{
  GPtrArray *dropped = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_sample_unref);

  g_mutex_lock (&self->lock);
  if (self->window)
    memvideo_sample_window_clear (self->window, dropped);
  if (self->file)
    memvideo_mem_file_truncate (self->file, 0, NULL);
  g_mutex_unlock (&self->lock);

  g_ptr_array_unref (dropped);
}
