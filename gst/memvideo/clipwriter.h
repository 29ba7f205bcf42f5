/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The clip writer: a list of encoded GstSamples (each with its caps) made
 * into one playable file, off the calling thread.
 *
 * The muxer follows the extension of the location (case-insensitive):
 *
 *   .mp4 mp4mux   .mov qtmux   .mkv matroskamux   .ts mpegtsmux
 *
 * Any other extension is refused.  Raw video and audio (media type
 * x-raw) are refused too: a clip of raw frames would need an encoder, and
 * choosing one is the application's business.  Encoded video and audio a
 * parser is known for (H.264, H.265, MPEG-4 part 2, VP9, AV1, AAC) go
 * through that parser, which converts H.264/H.265 between byte-stream and
 * avc/hvc1 as the muxer needs; anything else is linked to the muxer as it
 * is, which refuses what it cannot hold (reported as a failure).
 *
 * Timestamps are rebased so that the earliest PTS or DTS of the clip is
 * 0; a sample's timestamps are first taken to running time in its own
 * TIME segment, so a clip crossing a segment change stays continuous.
 *
 * A worker thread runs appsrc ! parser ! muxer ! filesink into a
 * temporary file beside the target (".NAME.XXXXXX"), fsyncs it and
 * renames it over the target, so a reader never sees a partial file and
 * a failed write leaves the target as it was and no temporary behind.
 */

#ifndef __MEMVIDEO_CLIP_WRITER_H__
#define __MEMVIDEO_CLIP_WRITER_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Called once, from the worker thread: @error is NULL on success (then
 * @size is the file's length). */
typedef void (*MemvideoClipDoneFunc) (const gchar * location, guint64 size,
    const GError * error, gpointer user_data);

/* The muxer factory for @location's extension, NULL when unknown. */
const gchar *memvideo_clip_muxer_for_location (const gchar * location);

/* Whether a clip of samples with @caps can be written to @location:
 * FALSE with @error (GST_RESOURCE_ERROR_SETTINGS for the extension,
 * GST_STREAM_ERROR_FORMAT for raw caps, GST_CORE_ERROR_MISSING_PLUGIN when
 * the muxer is not installed). */
gboolean memvideo_clip_check (const GstCaps * caps, const gchar * location,
    GError ** error);

/* Starts writing @samples (transfer none: the writer takes its own
 * references) to @location.  Returns FALSE with @error, without calling
 * @done, when the request is refused (see memvideo_clip_check; an empty
 * list: GST_RESOURCE_ERROR_SETTINGS); otherwise @done is called once from
 * the worker thread, then @notify on @user_data. */
gboolean memvideo_clip_write (GPtrArray * samples, const gchar * location,
    MemvideoClipDoneFunc done, gpointer user_data, GDestroyNotify notify,
    GError ** error);

G_END_DECLS

#endif /* __MEMVIDEO_CLIP_WRITER_H__ */
