/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's pre-event recording (samples mode): the "save" action signal,
 * which turns the recent past plus what comes next into a file through the
 * clip writer (gst/memvideo/clipwriter.h), and the stable sample numbers
 * (first-sample-number, last-sample-number, "get-sample-by-number").
 *
 * A save takes references to the samples it needs at once and then to
 * each sample that arrives until its end; it also pins its first sample
 * in the window, so the app sees the whole range while the save waits.
 * The pending saves are guarded by the element lock; the file is written
 * on the clip writer's thread, which posts the result through a weak
 * reference to the element.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsinkpriv.h"

#include "memvideo/clipwriter.h"
#include "memvideo/samplewindow.h"

GST_DEBUG_CATEGORY_EXTERN (gst_mem_sink_debug);
#define GST_CAT_DEFAULT gst_mem_sink_debug

typedef struct
{
  gchar *location;
  GPtrArray *samples;           /* GstSample references, in order */
  guint64 first_number;         /* pinned in the window */
  GstClockTime stop;            /* last running time to include */
} Save;

/* What the writer's callback needs: the element (weakly) and the
 * message's fields */
typedef struct
{
  GWeakRef sink;
  guint64 start, stop;
  guint n_samples;
} Done;

static guint prop_first_number, prop_last_number;

static void
save_free (Save * save)
{
  g_free (save->location);
  g_ptr_array_unref (save->samples);
  g_free (save);
}

void
gst_mem_sink_saves_init (GstMemSink * self)
{
  self->saves = g_ptr_array_new_with_free_func ((GDestroyNotify) save_free);
}

void
gst_mem_sink_saves_clear (GstMemSink * self)
{
  g_clear_pointer (&self->saves, g_ptr_array_unref);
}

static GstClockTime
stream_time (GstSample * s, gboolean end)
{
  GstBuffer *b = gst_sample_get_buffer (s);
  const GstSegment *seg = gst_sample_get_segment (s);
  GstClockTime ts = GST_BUFFER_PTS (b);

  if (!GST_CLOCK_TIME_IS_VALID (ts))
    ts = GST_BUFFER_DTS (b);
  if (end && GST_CLOCK_TIME_IS_VALID (ts)
      && GST_BUFFER_DURATION_IS_VALID (b))
    ts += GST_BUFFER_DURATION (b);
  if (seg && seg->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (ts))
    ts = gst_segment_to_stream_time (seg, GST_FORMAT_TIME, ts);

  return ts;
}

/* A short reason for the WARNING's text; the details go to its debug */
static const gchar *
failure_reason (const GError * error)
{
  if (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_WRITE))
    return "its directory does not take new files";
  if (error->domain == GST_RESOURCE_ERROR)
    return "writing it failed";

  return "the muxer did not take the stream";
}

static void
post_failure (GstMemSink * self, const gchar * location, const GError * error)
{
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
      ("Could not save the clip \"%s\": %s.", location,
          failure_reason (error)), ("%s", error->message));
}

static void
on_written (const gchar * location, guint64 size, const GError * error,
    gpointer user_data)
{
  Done *done = user_data;
  GstMemSink *self = g_weak_ref_get (&done->sink);
  GstStructure *s;

  if (self == NULL)
    return;
  if (error) {
    post_failure (self, location, error);
  } else {
    s = gst_structure_new ("memsink-saved", "location", G_TYPE_STRING,
        location, "start", G_TYPE_UINT64, done->start, "stop", G_TYPE_UINT64,
        done->stop, "n-samples", G_TYPE_UINT, done->n_samples, "size",
        G_TYPE_UINT64, size, NULL);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }
  gst_object_unref (self);
}

static void
done_free (gpointer data)
{
  Done *done = data;

  g_weak_ref_clear (&done->sink);
  g_free (done);
}

/* Without the element lock: hands each finished save to the writer. */
static void
write_saves (GstMemSink * self, GPtrArray * ready)
{
  GError *error = NULL;
  guint i;

  for (i = 0; i < ready->len; i++) {
    Save *save = g_ptr_array_index (ready, i);
    Done *done = g_new0 (Done, 1);
    GPtrArray *samples = save->samples;

    g_weak_ref_init (&done->sink, self);
    done->start = stream_time (g_ptr_array_index (samples, 0), FALSE);
    done->stop = stream_time (g_ptr_array_index (samples, samples->len - 1),
        TRUE);
    done->n_samples = samples->len;
    GST_DEBUG_OBJECT (self, "writing %u samples to %s", samples->len,
        save->location);
    if (!memvideo_clip_write (samples, save->location, on_written, done,
            done_free, &error)) {
      post_failure (self, save->location, error);
      g_clear_error (&error);
      done_free (done);
    }
  }
}

/* Element lock held: the window keeps everything from the earliest
 * pending save on. */
static void
update_pin (GstMemSink * self, MemvideoSampleWindow * window)
{
  guint64 pin = G_MAXUINT64;
  guint i;

  for (i = 0; i < self->saves->len; i++)
    pin = MIN (pin, ((Save *) g_ptr_array_index (self->saves,
                i))->first_number);
  memvideo_sample_window_set_pin (window, pin);
}

/* Element lock held, right after @sample (NULL: none kept) entered
 * @window: adds it to the saves waiting for it and moves the saves it
 * ends (or that EOS ends, @all) to @ready. */
static void
collect (GstMemSink * self, MemvideoSampleWindow * window,
    GstSample * sample, gboolean all, GPtrArray * ready)
{
  GstClockTime t = GST_CLOCK_TIME_NONE;
  guint i = 0;

  if (sample)
    t = memvideo_sample_window_get_time (window,
        memvideo_sample_window_get_length (window) - 1);
  while (i < self->saves->len) {
    Save *save = g_ptr_array_index (self->saves, i);
    gboolean past = GST_CLOCK_TIME_IS_VALID (t) && t > save->stop;

    if (sample && !past)
      g_ptr_array_add (save->samples, gst_sample_ref (sample));
    if (all || past || t == save->stop) {
      g_ptr_array_add (ready, g_ptr_array_steal_index (self->saves, i));
      continue;
    }
    i++;
  }
  if (window)
    update_pin (self, window);
}

void
gst_mem_sink_saves_sample_added (GstMemSink * self,
    MemvideoSampleWindow * window, GstSample * sample, GPtrArray * ready)
{
  if (self->saves->len > 0)
    collect (self, window, sample, FALSE, ready);
}

void
gst_mem_sink_saves_write (GstMemSink * self, GPtrArray * ready)
{
  guint i;

  write_saves (self, ready);
  for (i = 0; i < ready->len; i++)
    save_free (g_ptr_array_index (ready, i));
  g_ptr_array_set_size (ready, 0);
}

void
gst_mem_sink_saves_finish (GstMemSink * self)
{
  GPtrArray *ready = g_ptr_array_new_with_free_func ((GDestroyNotify)
      save_free);

  g_mutex_lock (&self->lock);
  if (self->saves->len > 0)
    collect (self, self->store ?
        gst_mem_sink_samples_store_get_window (self->store) : NULL, NULL,
        TRUE, ready);
  g_mutex_unlock (&self->lock);
  write_saves (self, ready);
  g_ptr_array_unref (ready);
}

/* Element lock held.  A new save of the samples from @before ahead of
 * the newest (back to a keyframe) on; NULL with a debug reason. */
static Save *
new_save (GstMemSink * self, const gchar * location, guint64 before,
    guint64 after)
{
  MemvideoSampleWindow *window;
  GstClockTime newest, from;
  GError *error = NULL;
  Save *save;
  guint n, i, first;

  window = self->store ?
      gst_mem_sink_samples_store_get_window (self->store) : NULL;
  if (self->store && window == NULL) {
    GST_DEBUG_OBJECT (self, "save: file mode keeps no samples");
    return NULL;
  }
  n = window ? memvideo_sample_window_get_length (window) : 0;
  if (n == 0) {
    GST_DEBUG_OBJECT (self, "save: no sample held");
    return NULL;
  }
  if (!memvideo_clip_check (gst_sample_get_caps (memvideo_sample_window_get
              (window, n - 1)), location, &error)) {
    GST_DEBUG_OBJECT (self, "save: %s", error->message);
    g_error_free (error);
    return NULL;
  }

  newest = memvideo_sample_window_get_time (window, n - 1);
  from = GST_CLOCK_TIME_IS_VALID (newest) && newest > before ?
      newest - before : 0;
  first = memvideo_sample_window_find_keyframe (window, from);
  save = g_new0 (Save, 1);
  save->location = g_strdup (location);
  save->samples = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_sample_unref);
  for (i = first; i < n; i++)
    g_ptr_array_add (save->samples,
        gst_sample_ref (memvideo_sample_window_get (window, i)));
  save->first_number = memvideo_sample_window_get_first_number (window)
      + first;
  save->stop = GST_CLOCK_TIME_IS_VALID (newest) ? newest + MIN (after,
      G_MAXUINT64 - newest - 1) : GST_CLOCK_TIME_NONE;
  GST_DEBUG_OBJECT (self, "save %s: %u samples held from #%" G_GUINT64_FORMAT
      ", until %" GST_TIME_FORMAT, location, n - first, save->first_number,
      GST_TIME_ARGS (save->stop));

  return save;
}

static gboolean
gst_mem_sink_save (GstMemSink * self, const gchar * location, guint64 before,
    guint64 after)
{
  GPtrArray *ready;
  Save *save;

  if (location == NULL) {
    GST_DEBUG_OBJECT (self, "save: no location");
    return FALSE;
  }
  g_mutex_lock (&self->lock);
  save = new_save (self, location, before, after);
  if (save == NULL || after == 0 || self->eos) {
    g_mutex_unlock (&self->lock);
    if (save == NULL)
      return FALSE;
    ready = g_ptr_array_new_with_free_func ((GDestroyNotify) save_free);
    g_ptr_array_add (ready, save);
    write_saves (self, ready);
    g_ptr_array_unref (ready);
    return TRUE;
  }
  g_ptr_array_add (self->saves, save);
  update_pin (self, gst_mem_sink_samples_store_get_window (self->store));
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static GstSample *
gst_mem_sink_get_sample_by_number (GstMemSink * self, guint64 number)
{
  MemvideoSampleWindow *window;
  GstSample *sample = NULL;

  g_mutex_lock (&self->lock);
  window = self->store ?
      gst_mem_sink_samples_store_get_window (self->store) : NULL;
  if (window)
    sample = memvideo_sample_window_get_by_number (window, number);
  if (sample)
    gst_sample_ref (sample);
  g_mutex_unlock (&self->lock);

  return sample;
}

void
gst_mem_sink_install_event_api (GObjectClass * klass, guint first_number,
    guint last_number)
{
  prop_first_number = first_number;
  prop_last_number = last_number;

  g_object_class_install_property (klass, first_number,
      g_param_spec_uint64 ("first-sample-number", "First sample number",
          "Samples mode: number of the oldest sample held (samples are "
          "numbered from 1 in arrival order and keep their number)",
          0, G_MAXUINT64, 1, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, last_number,
      g_param_spec_uint64 ("last-sample-number", "Last sample number",
          "Samples mode: number of the newest sample held (first - 1 when "
          "none is held)", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstMemSink::save:
   * @memsink: the element
   * @location: the file to write; its extension picks the muxer
   * @before: ns of running time before the newest sample held
   * @after: ns of running time after it
   *
   * Samples mode: writes the samples from @before ahead of the newest held
   * (back to the keyframe at or before that point) up to @after past it
   * as one file, off the streaming thread, and posts `memsink-saved` or a
   * WARNING.  Returns: FALSE when the request is refused (file mode,
   * unknown extension, raw caps, nothing held)
   */
  g_signal_new_class_handler ("save", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK (gst_mem_sink_save),
      NULL, NULL, NULL, G_TYPE_BOOLEAN, 3, G_TYPE_STRING, G_TYPE_UINT64,
      G_TYPE_UINT64);
  /**
   * GstMemSink::get-sample-by-number:
   * @memsink: the element
   * @number: a sample number (see #GstMemSink:first-sample-number)
   *
   * Returns: (transfer full) (nullable): the sample with that number, left
   * in place, or NULL when it is not held (left the window, or not yet
   * arrived).  Never blocks.
   */
  g_signal_new_class_handler ("get-sample-by-number",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_mem_sink_get_sample_by_number), NULL, NULL, NULL,
      GST_TYPE_SAMPLE, 1, G_TYPE_UINT64);
}

/* Element lock held.  TRUE when @prop_id is one of this file's. */
gboolean
gst_mem_sink_event_get_property (GstMemSink * self, guint prop_id,
    GValue * value)
{
  MemvideoSampleWindow *window;
  guint64 first = 1, n = 0;

  if (prop_id != prop_first_number && prop_id != prop_last_number)
    return FALSE;
  window = self->store ?
      gst_mem_sink_samples_store_get_window (self->store) : NULL;
  if (window) {
    first = memvideo_sample_window_get_first_number (window);
    n = memvideo_sample_window_get_length (window);
  }
  g_value_set_uint64 (value, prop_id == prop_first_number ? first :
      first + n - 1);

  return TRUE;
}
