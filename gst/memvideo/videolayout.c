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

#include "videolayout.h"

/* Bytes one row of @plane spans, and how many rows it has: the furthest
 * byte any component of the plane reaches. */
static void
plane_extent (const GstVideoFrame * frame, guint plane, guint64 * row_bytes,
    guint64 * rows)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  guint c;

  *row_bytes = 0;
  *rows = 0;
  for (c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++) {
    guint64 w, h, end;

    if (GST_VIDEO_FORMAT_INFO_PLANE (finfo, c) != plane)
      continue;
    w = GST_VIDEO_FRAME_COMP_WIDTH (frame, c);
    h = GST_VIDEO_FRAME_COMP_HEIGHT (frame, c);
    if (w == 0 || h == 0)
      continue;
    end = GST_VIDEO_FRAME_COMP_POFFSET (frame, c) +
        (w - 1) * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c) +
        (GST_VIDEO_FRAME_COMP_DEPTH (frame, c) + 7) / 8;
    *row_bytes = MAX (*row_bytes, end);
    *rows = MAX (*rows, h);
  }
}

gboolean
memvideo_video_frame_fits (const GstVideoFrame * frame)
{
  guint p;

  g_return_val_if_fail (frame != NULL, FALSE);

  for (p = 0; p < GST_VIDEO_FRAME_N_PLANES (frame); p++) {
    /* without a meta the whole buffer is map[0]; with one, each plane is
     * mapped on its own */
    const GstMapInfo *map = frame->meta ? &frame->map[p] : &frame->map[0];
    const guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
    guint64 row_bytes, rows, skip;

    plane_extent (frame, p, &row_bytes, &rows);
    if (rows == 0)
      continue;
    if (data == NULL || data < map->data || stride <= 0
        || (guint64) stride < row_bytes)
      return FALSE;
    skip = data - map->data;
    if (skip > map->size
        || (rows - 1) * (guint64) stride + row_bytes > map->size - skip)
      return FALSE;
  }
  return TRUE;
}
