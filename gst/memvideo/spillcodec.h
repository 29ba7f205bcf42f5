/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The JPEG codec of the spill store (TurboJPEG).
 *
 * Planar YUV (I420, YV12, Y42B, Y444) goes through the YUV-plane API with the
 * memory's own plane offsets and strides, so no conversion happens and the
 * decoded frame lands in the same layout.  GRAY8 and the packed RGB family go
 * through tjCompress2/tjDecompress2 with the row pitch.  RGB is coded 4:4:4
 * (chroma subsampling of RGB costs too much PSNR on sharp colour edges);
 * alpha and padding bytes are not kept (alpha decodes as 0xff).
 *
 * TurboJPEG handles are per thread (GPrivate), so encoding and decoding
 * need no lock and run concurrently.
 */

#ifndef __MEMVIDEO_SPILL_CODEC_H__
#define __MEMVIDEO_SPILL_CODEC_H__

#include <gst/video/video.h>

G_BEGIN_DECLS

/* Where the planes of a video frame lie inside a memory, relative to the
 * start of the memory's data (the mapped pointer). */
typedef struct
{
  GstVideoFormat format;
  gint width;
  gint height;
  gsize offset[GST_VIDEO_MAX_PLANES];
  gint stride[GST_VIDEO_MAX_PLANES];
} MemvideoSpillLayout;

/* Fills @layout from @vinfo and @offset/@stride (NULL = the layout of
 * @vinfo).  FALSE when the format is not one JPEG supports or the planes do
 * not fit in @size bytes. */
gboolean memvideo_spill_layout_init (MemvideoSpillLayout * layout,
    const GstVideoInfo * vinfo, const gsize * offset, const gint * stride,
    gsize size);

/* Compresses the frame at @data.  *@jpeg is freed with
 * memvideo_spill_jpeg_free(). */
gboolean memvideo_spill_jpeg_encode (const MemvideoSpillLayout * layout,
    const guint8 * data, gint quality, guint8 ** jpeg, gsize * jpeg_size,
    GError ** error);
void memvideo_spill_jpeg_free (guint8 * jpeg);

/* Decompresses into @data, laid out as @layout; bytes outside the planes'
 * pixels are left as they are. */
gboolean memvideo_spill_jpeg_decode (const MemvideoSpillLayout * layout,
    const guint8 * jpeg, gsize jpeg_size, guint8 * data, GError ** error);

/* Zeroes the bytes of the @size bytes at @data that no pixel of @layout's
 * planes covers (row padding, gaps between planes, the tail): what
 * memvideo_spill_jpeg_decode() leaves as it is. */
void memvideo_spill_layout_clear_gaps (const MemvideoSpillLayout * layout,
    guint8 * data, gsize size);

G_END_DECLS

#endif /* __MEMVIDEO_SPILL_CODEC_H__ */
