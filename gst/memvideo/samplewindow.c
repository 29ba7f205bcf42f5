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
  GstClockTime ts;              /* running time, see sample_time() */
  gboolean keyframe;
} Entry;

/* Entries live in a ring of @capacity slots (a power of two), oldest at
 * @head, so the sample at any index is one step away. */
struct _MemvideoSampleWindow
{
  Entry *ring;
  guint capacity;
  guint head;
  guint length;
  guint max_samples;
  GstClockTime max_age;

  gboolean have_keyframe;       /* a keyframe arrived since the last clear */
  GstClockTime last_ts;         /* time of the last sample pushed */
  guint64 first_number;         /* number of the sample at @head */
  guint64 pin;                  /* samples numbered from here on stay */
};

#define MIN_CAPACITY 16

static Entry *
entry_at (MemvideoSampleWindow * window, guint index)
{
  return &window->ring[(window->head + index) & (window->capacity - 1)];
}

MemvideoSampleWindow *
memvideo_sample_window_new (void)
{
  MemvideoSampleWindow *window = g_new0 (MemvideoSampleWindow, 1);

  window->capacity = MIN_CAPACITY;
  window->ring = g_new0 (Entry, window->capacity);
  window->max_age = GST_CLOCK_TIME_NONE;
  window->last_ts = GST_CLOCK_TIME_NONE;
  window->first_number = 1;
  window->pin = G_MAXUINT64;

  return window;
}

static Entry
pop_head (MemvideoSampleWindow * window)
{
  Entry e = *entry_at (window, 0);

  window->head = (window->head + 1) & (window->capacity - 1);
  window->length--;
  window->first_number++;

  return e;
}

void
memvideo_sample_window_free (MemvideoSampleWindow * window)
{
  g_return_if_fail (window != NULL);

  while (window->length > 0)
    gst_sample_unref (pop_head (window).sample);
  g_free (window->ring);
  g_free (window);
}

gsize
memvideo_sample_window_entry_size (void)
{
  return sizeof (Entry);
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

/* The running time of the sample's PTS (DTS without PTS) in its TIME
 * segment, so reverse playback ages forward; the timestamp itself in any
 * other segment; NONE when it has neither. */
static GstClockTime
sample_time (GstSample * sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstSegment *segment = gst_sample_get_segment (sample);
  GstClockTime ts;

  if (buffer == NULL)
    return GST_CLOCK_TIME_NONE;
  ts = GST_BUFFER_PTS (buffer);
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    ts = GST_BUFFER_DTS (buffer);
  if (GST_CLOCK_TIME_IS_VALID (ts) && segment
      && segment->format == GST_FORMAT_TIME)
    ts = gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts);

  return ts;
}

static GstClockTime
distance (GstClockTime a, GstClockTime b)
{
  return a > b ? a - b : b - a;
}

/* Whether the oldest group (the @n samples at the head) may go: only when
 * what remains without it still reaches every limit, so the window keeps
 * at least max-samples and at least max-age, and nothing from the pin on.
 * The span of what remains is the distance from its oldest sample to the
 * newest, on either side: after a jump back, a sample left ahead of the
 * newest ages out instead of blocking the window.  With both limits set
 * the window keeps at least both. */
static gboolean
may_drop_group (MemvideoSampleWindow * window, guint n)
{
  GstClockTime newest = window->last_ts, next;
  gboolean by_count = window->max_samples > 0;
  gboolean by_age = GST_CLOCK_TIME_IS_VALID (window->max_age);

  if (n == 0 || window->first_number + n > window->pin)
    return FALSE;
  if (!by_count && !by_age)
    return FALSE;
  if (by_count && window->length - n < window->max_samples)
    return FALSE;
  next = entry_at (window, n)->ts;
  if (by_age && (!GST_CLOCK_TIME_IS_VALID (next)
          || !GST_CLOCK_TIME_IS_VALID (newest)
          || distance (newest, next) < window->max_age))
    return FALSE;

  return TRUE;
}

/* Number of samples from the oldest up to (not including) the next
 * keyframe, or 0 when no later keyframe exists: the newest group stays. */
static guint
oldest_group_length (MemvideoSampleWindow * window)
{
  guint n;

  for (n = 1; n < window->length; n++) {
    if (entry_at (window, n)->keyframe)
      return n;
  }

  return 0;
}

static void
push_tail (MemvideoSampleWindow * window, const Entry * e)
{
  if (window->length == window->capacity) {
    Entry *ring = g_new (Entry, window->capacity * 2);
    guint i;

    for (i = 0; i < window->length; i++)
      ring[i] = *entry_at (window, i);
    g_free (window->ring);
    window->ring = ring;
    window->head = 0;
    window->capacity *= 2;
  }
  *entry_at (window, window->length) = *e;
  window->length++;
}

/* Gives back the RAM of a ring that the window outgrew by far. */
static void
maybe_shrink (MemvideoSampleWindow * window)
{
  Entry *ring;
  guint i;

  if (window->capacity <= MIN_CAPACITY || window->length > window->capacity / 4)
    return;
  ring = g_new (Entry, window->capacity / 2);
  for (i = 0; i < window->length; i++)
    ring[i] = *entry_at (window, i);
  g_free (window->ring);
  window->ring = ring;
  window->head = 0;
  window->capacity /= 2;
}

gboolean
memvideo_sample_window_push (MemvideoSampleWindow * window,
    GstSample * sample, GPtrArray * dropped)
{
  Entry e;

  g_return_val_if_fail (window != NULL, FALSE);
  g_return_val_if_fail (GST_IS_SAMPLE (sample), FALSE);
  g_return_val_if_fail (dropped != NULL, FALSE);

  e.sample = sample;
  e.keyframe = memvideo_sample_is_keyframe (sample);

  /* A delta unit without its keyframe cannot be decoded */
  if (!e.keyframe && !window->have_keyframe) {
    g_ptr_array_add (dropped, sample);
    return FALSE;
  }
  if (e.keyframe)
    window->have_keyframe = TRUE;

  e.ts = sample_time (sample);
  if (!GST_CLOCK_TIME_IS_VALID (e.ts))
    e.ts = window->last_ts;
  window->last_ts = e.ts;
  push_tail (window, &e);

  for (;;) {
    guint n = oldest_group_length (window);

    if (!may_drop_group (window, n))
      break;
    while (n-- > 0)
      g_ptr_array_add (dropped, pop_head (window).sample);
  }
  maybe_shrink (window);

  return TRUE;
}

guint
memvideo_sample_window_get_length (MemvideoSampleWindow * window)
{
  g_return_val_if_fail (window != NULL, 0);

  return window->length;
}

GstSample *
memvideo_sample_window_get (MemvideoSampleWindow * window, guint index)
{
  g_return_val_if_fail (window != NULL, NULL);

  if (index >= window->length)
    return NULL;

  return entry_at (window, index)->sample;
}

GstSample *
memvideo_sample_window_pop (MemvideoSampleWindow * window)
{
  GstSample *sample;

  g_return_val_if_fail (window != NULL, NULL);

  if (window->length == 0)
    return NULL;
  sample = pop_head (window).sample;
  maybe_shrink (window);

  return sample;
}

void
memvideo_sample_window_clear (MemvideoSampleWindow * window,
    GPtrArray * dropped)
{
  g_return_if_fail (window != NULL);
  g_return_if_fail (dropped != NULL);

  while (window->length > 0)
    g_ptr_array_add (dropped, pop_head (window).sample);
  maybe_shrink (window);
  window->have_keyframe = FALSE;
  window->last_ts = GST_CLOCK_TIME_NONE;
}

guint64
memvideo_sample_window_get_first_number (MemvideoSampleWindow * window)
{
  g_return_val_if_fail (window != NULL, 0);

  return window->first_number;
}

GstSample *
memvideo_sample_window_get_by_number (MemvideoSampleWindow * window,
    guint64 number)
{
  g_return_val_if_fail (window != NULL, NULL);

  if (number < window->first_number
      || number - window->first_number >= window->length)
    return NULL;

  return entry_at (window, number - window->first_number)->sample;
}

GstClockTime
memvideo_sample_window_get_time (MemvideoSampleWindow * window, guint index)
{
  g_return_val_if_fail (window != NULL, GST_CLOCK_TIME_NONE);

  if (index >= window->length)
    return GST_CLOCK_TIME_NONE;

  return entry_at (window, index)->ts;
}

void
memvideo_sample_window_set_pin (MemvideoSampleWindow * window, guint64 number)
{
  g_return_if_fail (window != NULL);

  window->pin = number;
}

/* The latest keyframe at or before @time, else the oldest sample. */
guint
memvideo_sample_window_find_keyframe (MemvideoSampleWindow * window,
    GstClockTime time)
{
  guint i;

  g_return_val_if_fail (window != NULL, 0);

  for (i = window->length; i > 0; i--) {
    Entry *e = entry_at (window, i - 1);

    if (e->keyframe && GST_CLOCK_TIME_IS_VALID (e->ts) && e->ts <= time)
      return i - 1;
  }

  return 0;
}
