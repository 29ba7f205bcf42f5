/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The luma proxy of keyframe selection, without a pipeline: a small grid of
 * box averages of the luma inside a region of interest, and the scores that
 * compare two of them.  Cells are square, a power of two pixels wide: the
 * power of two nearest to region width / analysis width, so 1080p at 160
 * gives 120 x 67 cells of 16 pixels.  Each proxy row averages a contiguous
 * block of MEMVIDEO_PROXY_ROWS_PER_CELL source rows in the middle of its
 * band (the whole band when it is no taller) over the full width of every
 * cell, so a frame is read at a fraction of its size and a cell is a box
 * average: a slow scroll changes it only a little.  Luma comes straight
 * from an 8-bit Y plane (or the Y bytes of packed 4:2:2), or is computed
 * from packed RGB with the BT.601 limited-range weights, so that the RGB
 * and YUV renderings of the same picture give nearly the same proxy.  The
 * common layouts have SSE2 paths whose results are the generic ones.
 *
 * The decision built on it is in keyframeselector.h.
 */

#ifndef __MEMVIDEO_KEYFRAME_PROXY_H__
#define __MEMVIDEO_KEYFRAME_PROXY_H__

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* Source rows averaged per proxy row: a scroll of s rows per frame moves a
 * cell by at most contrast * s / 4, while 1080p stays within its budget
 * (measured in docs/keyframeselect.md). */
#define MEMVIDEO_PROXY_ROWS_PER_CELL 4

typedef enum
{
  MEMVIDEO_KEYFRAME_METRIC_AREA,
  MEMVIDEO_KEYFRAME_METRIC_MEAN,
} MemvideoKeyframeMetric;

typedef enum
{
  MEMVIDEO_LUMA_LAYOUT_Y,
  MEMVIDEO_LUMA_LAYOUT_RGB,
} MemvideoLumaLayout;

/* Where the luma of a picture is: an 8-bit Y sample every @pstride bytes
 * (planar Y: 1, packed 4:2:2: 2), or packed 8-bit RGB with the components at
 * byte offsets @r_off, @g_off, @b_off of each @pstride-byte pixel. */
typedef struct
{
  MemvideoLumaLayout layout;
  const guint8 *data;
  gint stride;
  guint pstride;
  guint r_off, g_off, b_off;
  guint width, height;
} MemvideoLumaSource;

typedef struct
{
  guint x, y, width, height;
} MemvideoRect;

typedef struct
{
  guint width, height;
  guint8 *cells;
} MemvideoLumaProxy;

typedef struct _MemvideoProxyBuilder MemvideoProxyBuilder;

gboolean   memvideo_luma_source_init_from_frame (MemvideoLumaSource * src,
                                                 const GstVideoFrame * frame);

gboolean   memvideo_keyframe_clamp_roi          (const MemvideoRect * requested,
                                                 guint frame_width,
                                                 guint frame_height,
                                                 MemvideoRect * roi);

void       memvideo_luma_proxy_init             (MemvideoLumaProxy * proxy);
void       memvideo_luma_proxy_clear            (MemvideoLumaProxy * proxy);
void       memvideo_luma_proxy_copy             (MemvideoLumaProxy * dest,
                                                 const MemvideoLumaProxy * src);
void       memvideo_luma_proxy_size             (const MemvideoRect * roi,
                                                 guint analysis_width,
                                                 guint * width,
                                                 guint * height);

MemvideoProxyBuilder * memvideo_proxy_builder_new (void);
void       memvideo_proxy_builder_free          (MemvideoProxyBuilder * builder);
void       memvideo_proxy_builder_build         (MemvideoProxyBuilder * builder,
                                                 const MemvideoLumaSource * src,
                                                 const MemvideoRect * roi,
                                                 guint analysis_width,
                                                 MemvideoLumaProxy * proxy);

gdouble    memvideo_keyframe_score              (MemvideoKeyframeMetric metric,
                                                 guint noise_level,
                                                 const MemvideoLumaProxy * a,
                                                 const MemvideoLumaProxy * b);
/* The score over the cells whose @mask byte is 0 (1 = left out; NULL: all
 * cells), as a fraction of those cells; 0 when all are left out. */
gdouble    memvideo_keyframe_score_masked       (MemvideoKeyframeMetric metric,
                                                 guint noise_level,
                                                 const MemvideoLumaProxy * a,
                                                 const MemvideoLumaProxy * b,
                                                 const guint8 * mask);

G_END_DECLS

#endif /* __MEMVIDEO_KEYFRAME_PROXY_H__ */
