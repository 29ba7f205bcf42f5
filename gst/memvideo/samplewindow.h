/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's history window: samples in arrival order, keeping at least
 * a count and at least an age (newest timestamp minus oldest).  The oldest
 * group is dropped only when what remains without it still holds
 * max-samples samples and still spans max-age: one sample at a time for
 * raw caps, and for encoded caps the whole group from the oldest sample up
 * to (not including) the next keyframe, so what is kept starts with a
 * keyframe.  So the window holds max-samples (max-age) plus less than one
 * group of pictures.  The newest group is never dropped.
 *
 * Every sample kept gets a number, 1 for the first one and one more for
 * each next one, which it keeps for as long as it is held (pop and clear
 * do not renumber), so a reader can walk the window by number while it
 * slides.  A pin keeps every sample numbered from it on (a save waiting
 * for its range).
 *
 * Age is measured in running time (the sample's PTS, DTS without PTS, in
 * its TIME segment), so reverse playback ages like forward playback: a
 * sample is dropped when its time lies more than max-age from the newest
 * sample's, on either side.  A timestamp jump forward therefore drops the
 * history before it, and samples left ahead of the newest by a jump back
 * age out as well.  The samples are held in a ring: any index is reached
 * in constant time.
 *
 * A sample is a keyframe when its caps are raw (media type "x-raw") or its
 * buffer lacks GST_BUFFER_FLAG_DELTA_UNIT.  Delta units arriving before the
 * first keyframe (of the stream, or after a clear) cannot be decoded and
 * are dropped at once.  A sample with neither PTS nor DTS takes the time
 * of the sample before it.
 *
 * Not thread safe: the caller guards a window with its own lock.  Dropped
 * samples are handed back so the caller can release them outside it.
 */

#ifndef __MEMVIDEO_SAMPLE_WINDOW_H__
#define __MEMVIDEO_SAMPLE_WINDOW_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _MemvideoSampleWindow MemvideoSampleWindow;

MemvideoSampleWindow *memvideo_sample_window_new (void);
void memvideo_sample_window_free (MemvideoSampleWindow * window);

/* 0 / GST_CLOCK_TIME_NONE = no limit.  Applied at the next push. */
void memvideo_sample_window_set_limits (MemvideoSampleWindow * window,
    guint max_samples, GstClockTime max_age);

/* Appends @sample (transfer full), then applies the limits.  Samples that
 * leave the window (possibly @sample itself) are appended to @dropped
 * (transfer full).  Returns TRUE when @sample was kept. */
gboolean memvideo_sample_window_push (MemvideoSampleWindow * window,
    GstSample * sample, GPtrArray * dropped);

guint memvideo_sample_window_get_length (MemvideoSampleWindow * window);
/* transfer none; NULL when out of range */
GstSample *memvideo_sample_window_get (MemvideoSampleWindow * window,
    guint index);
/* Takes the oldest sample (transfer full), NULL when empty. */
GstSample *memvideo_sample_window_pop (MemvideoSampleWindow * window);
/* Moves every sample to @dropped (transfer full) and forgets the stream
 * state, so the next sample must again be a keyframe. */
void memvideo_sample_window_clear (MemvideoSampleWindow * window,
    GPtrArray * dropped);

/* Number of the oldest sample held (index 0); the number the next sample
 * will get when the window is empty.  The newest held is first + length -
 * 1. */
guint64 memvideo_sample_window_get_first_number (MemvideoSampleWindow *
    window);
/* transfer none; NULL when no sample held has that number */
GstSample *memvideo_sample_window_get_by_number (MemvideoSampleWindow *
    window, guint64 number);
/* The time the window ages the sample at @index by (running time); NONE
 * out of range */
GstClockTime memvideo_sample_window_get_time (MemvideoSampleWindow * window,
    guint index);
/* The limits drop no sample numbered @number or later (G_MAXUINT64: no
 * pin).  pop and clear still take them. */
void memvideo_sample_window_set_pin (MemvideoSampleWindow * window,
    guint64 number);
/* Index of the latest keyframe whose time is at or before @time, else 0
 * (the oldest sample) */
guint memvideo_sample_window_find_keyframe (MemvideoSampleWindow * window,
    GstClockTime time);

/* The window's own bytes per sample held (for a caller charging its
 * bookkeeping to a budget). */
gsize memvideo_sample_window_entry_size (void);

/* TRUE when @sample starts a group of pictures (see above). */
gboolean memvideo_sample_is_keyframe (GstSample * sample);

G_END_DECLS

#endif /* __MEMVIDEO_SAMPLE_WINDOW_H__ */
