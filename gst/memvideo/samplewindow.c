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

#include "samplewindow.h"

typedef struct
{
  GstSample *sample;
  GstClockTime ts;
  gboolean keyframe;
} Entry;

struct _MemvideoSampleWindow
{
  GQueue entries;               /* Entry *, oldest first */
  guint max_samples;
  GstClockTime max_age;

  gboolean have_keyframe;       /* a keyframe arrived since the last clear */
  GstClockTime last_ts;         /* timestamp of the last sample pushed */
  GstClockTime max_ts;          /* highest timestamp pushed */
};

MemvideoSampleWindow *
memvideo_sample_window_new (void)
{
  MemvideoSampleWindow *window = g_new0 (MemvideoSampleWindow, 1);

  g_queue_init (&window->entries);
  window->max_age = GST_CLOCK_TIME_NONE;
  window->last_ts = GST_CLOCK_TIME_NONE;
  window->max_ts = GST_CLOCK_TIME_NONE;

  return window;
}

void
memvideo_sample_window_free (MemvideoSampleWindow * window)
{
  Entry *e;

  g_return_if_fail (window != NULL);

  while ((e = g_queue_pop_head (&window->entries))) {
    gst_sample_unref (e->sample);
    g_free (e);
  }
  g_free (window);
}

void
memvideo_sample_window_set_limits (MemvideoSampleWindow * window,
    guint max_samples, GstClockTime max_age)
{
  g_return_if_fail (window != NULL);

  window->max_samples = max_samples;
  window->max_age = max_age;
}

gboolean
memvideo_sample_is_keyframe (GstSample * sample)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);

  if (caps && gst_caps_get_size (caps) > 0) {
    const gchar *name =
        gst_structure_get_name (gst_caps_get_structure (caps, 0));

    if (g_str_has_suffix (name, "/x-raw"))
      return TRUE;
  }

  return buffer == NULL
      || !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
}

static gboolean
over_limits (MemvideoSampleWindow * window, Entry * head)
{
  if (window->max_samples > 0 && window->entries.length > window->max_samples)
    return TRUE;

  return GST_CLOCK_TIME_IS_VALID (window->max_age)
      && GST_CLOCK_TIME_IS_VALID (head->ts)
      && GST_CLOCK_TIME_IS_VALID (window->max_ts)
      && window->max_ts > head->ts
      && window->max_ts - head->ts > window->max_age;
}

/* Number of samples from the oldest up to (not including) the next
 * keyframe, or 0 when no later keyframe exists: the newest group stays. */
static guint
oldest_group_length (MemvideoSampleWindow * window)
{
  GList *l;
  guint n = 1;

  for (l = window->entries.head->next; l; l = l->next, n++) {
    Entry *e = l->data;

    if (e->keyframe)
      return n;
  }

  return 0;
}

gboolean
memvideo_sample_window_push (MemvideoSampleWindow * window,
    GstSample * sample, GPtrArray * dropped)
{
  GstBuffer *buffer;
  Entry *e;

  g_return_val_if_fail (window != NULL, FALSE);
  g_return_val_if_fail (GST_IS_SAMPLE (sample), FALSE);
  g_return_val_if_fail (dropped != NULL, FALSE);

  e = g_new0 (Entry, 1);
  e->sample = sample;
  e->keyframe = memvideo_sample_is_keyframe (sample);

  /* A delta unit without its keyframe cannot be decoded */
  if (!e->keyframe && !window->have_keyframe) {
    g_ptr_array_add (dropped, sample);
    g_free (e);
    return FALSE;
  }
  if (e->keyframe)
    window->have_keyframe = TRUE;

  buffer = gst_sample_get_buffer (sample);
  e->ts = GST_CLOCK_TIME_NONE;
  if (buffer) {
    e->ts = GST_BUFFER_PTS (buffer);
    if (!GST_CLOCK_TIME_IS_VALID (e->ts))
      e->ts = GST_BUFFER_DTS (buffer);
  }
  if (!GST_CLOCK_TIME_IS_VALID (e->ts))
    e->ts = window->last_ts;
  window->last_ts = e->ts;
  if (GST_CLOCK_TIME_IS_VALID (e->ts) && (!GST_CLOCK_TIME_IS_VALID
          (window->max_ts) || e->ts > window->max_ts))
    window->max_ts = e->ts;

  g_queue_push_tail (&window->entries, e);

  while (window->entries.length > 0
      && over_limits (window, g_queue_peek_head (&window->entries))) {
    guint n = oldest_group_length (window);

    if (n == 0)
      break;
    while (n-- > 0) {
      Entry *old = g_queue_pop_head (&window->entries);

      g_ptr_array_add (dropped, old->sample);
      g_free (old);
    }
  }

  return TRUE;
}

guint
memvideo_sample_window_get_length (MemvideoSampleWindow * window)
{
  g_return_val_if_fail (window != NULL, 0);

  return window->entries.length;
}

GstSample *
memvideo_sample_window_get (MemvideoSampleWindow * window, guint index)
{
  Entry *e;

  g_return_val_if_fail (window != NULL, NULL);

  e = g_queue_peek_nth (&window->entries, index);

  return e ? e->sample : NULL;
}

GstSample *
memvideo_sample_window_pop (MemvideoSampleWindow * window)
{
  GstSample *sample;
  Entry *e;

  g_return_val_if_fail (window != NULL, NULL);

  e = g_queue_pop_head (&window->entries);
  if (e == NULL)
    return NULL;
  sample = e->sample;
  g_free (e);

  return sample;
}

void
memvideo_sample_window_clear (MemvideoSampleWindow * window,
    GPtrArray * dropped)
{
  Entry *e;

  g_return_if_fail (window != NULL);
  g_return_if_fail (dropped != NULL);

  while ((e = g_queue_pop_head (&window->entries))) {
    g_ptr_array_add (dropped, e->sample);
    g_free (e);
  }
  window->have_keyframe = FALSE;
  window->last_ts = GST_CLOCK_TIME_NONE;
  window->max_ts = GST_CLOCK_TIME_NONE;
}
