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

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillcodec.h"
#include "spillerror.h"

#include <string.h>
#include <turbojpeg.h>

typedef enum
{
  KIND_NONE,
  KIND_YUV,
  KIND_PACKED,
} CodecKind;

typedef struct
{
  GstVideoFormat format;
  CodecKind kind;
  /* KIND_YUV: TurboJPEG subsampling; KIND_PACKED: pixel format */
  gint tj;
  gint bpp;
  /* KIND_YUV: the GStreamer plane holding Cb and Cr */
  gint cb_plane;
  gint cr_plane;
} CodecFormat;

static const CodecFormat formats[] = {
  {GST_VIDEO_FORMAT_I420, KIND_YUV, TJSAMP_420, 0, 1, 2},
  {GST_VIDEO_FORMAT_YV12, KIND_YUV, TJSAMP_420, 0, 2, 1},
  {GST_VIDEO_FORMAT_Y42B, KIND_YUV, TJSAMP_422, 0, 1, 2},
  {GST_VIDEO_FORMAT_Y444, KIND_YUV, TJSAMP_444, 0, 1, 2},
  {GST_VIDEO_FORMAT_GRAY8, KIND_PACKED, TJPF_GRAY, 1, 1, 2},
  {GST_VIDEO_FORMAT_RGB, KIND_PACKED, TJPF_RGB, 3, 1, 2},
  {GST_VIDEO_FORMAT_BGR, KIND_PACKED, TJPF_BGR, 3, 1, 2},
  {GST_VIDEO_FORMAT_RGBx, KIND_PACKED, TJPF_RGBX, 4, 1, 2},
  {GST_VIDEO_FORMAT_BGRx, KIND_PACKED, TJPF_BGRX, 4, 1, 2},
  {GST_VIDEO_FORMAT_xRGB, KIND_PACKED, TJPF_XRGB, 4, 1, 2},
  {GST_VIDEO_FORMAT_xBGR, KIND_PACKED, TJPF_XBGR, 4, 1, 2},
  {GST_VIDEO_FORMAT_RGBA, KIND_PACKED, TJPF_RGBA, 4, 1, 2},
  {GST_VIDEO_FORMAT_BGRA, KIND_PACKED, TJPF_BGRA, 4, 1, 2},
  {GST_VIDEO_FORMAT_ARGB, KIND_PACKED, TJPF_ARGB, 4, 1, 2},
  {GST_VIDEO_FORMAT_ABGR, KIND_PACKED, TJPF_ABGR, 4, 1, 2},
};

static CodecFormat
codec_format (GstVideoFormat format)
{
  CodecFormat none = { format, KIND_NONE, 0, 0, 1, 2 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    if (formats[i].format == format)
      return formats[i];
  }
  return none;
}

/* Width in bytes and height in rows of plane @p (GStreamer numbering). */
static void
plane_size (const CodecFormat * f, const MemvideoSpillLayout * l, gint p,
    gsize * row_bytes, gsize * rows)
{
  gint w = l->width, h = l->height;

  if (f->kind == KIND_PACKED) {
    *row_bytes = (gsize) w *f->bpp;
    *rows = h;
    return;
  }
  if (p == 0) {
    *row_bytes = w;
    *rows = h;
    return;
  }
  *row_bytes = f->tj == TJSAMP_444 ? w : (w + 1) / 2;
  *rows = f->tj == TJSAMP_420 ? (h + 1) / 2 : h;
}

static gboolean
jpeg_accepts (const GstVideoInfo * vinfo, const gsize * offset,
    const gint * stride, gsize size, MemvideoSpillLayout * layout)
{
  CodecFormat f;
  gint p, n_planes;

  if (vinfo == NULL)
    return FALSE;
  f = codec_format (GST_VIDEO_INFO_FORMAT (vinfo));
  if (f.kind == KIND_NONE)
    return FALSE;
  if (GST_VIDEO_INFO_WIDTH (vinfo) <= 0 || GST_VIDEO_INFO_HEIGHT (vinfo) <= 0)
    return FALSE;
  /* TurboJPEG's limit (JPEG_MAX_DIMENSION) */
  if (GST_VIDEO_INFO_WIDTH (vinfo) > 65500
      || GST_VIDEO_INFO_HEIGHT (vinfo) > 65500)
    return FALSE;

  memset (layout, 0, sizeof (*layout));
  layout->format = GST_VIDEO_INFO_FORMAT (vinfo);
  layout->width = GST_VIDEO_INFO_WIDTH (vinfo);
  layout->height = GST_VIDEO_INFO_HEIGHT (vinfo);
  n_planes = f.kind == KIND_YUV ? 3 : 1;
  for (p = 0; p < n_planes; p++) {
    gsize row_bytes, rows;

    layout->offset[p] = offset ? offset[p] : GST_VIDEO_INFO_PLANE_OFFSET (vinfo,
        p);
    layout->stride[p] = stride ? stride[p] : GST_VIDEO_INFO_PLANE_STRIDE (vinfo,
        p);
    plane_size (&f, layout, p, &row_bytes, &rows);
    /* Only plain top-down rows that fit in the memory. */
    if (layout->stride[p] <= 0 || (gsize) layout->stride[p] < row_bytes)
      return FALSE;
    if (layout->offset[p] > size
        || (rows - 1) * (gsize) layout->stride[p] + row_bytes >
        size - layout->offset[p])
      return FALSE;
  }
  return TRUE;
}

/* Zeroes the bytes no pixel of the planes covers (row padding, gaps
 * between planes, the head and the tail): what a decode leaves alone. */
static void
jpeg_clear_stale (const MemvideoSpillLayout * layout, guint8 * data, gsize size)
{
  CodecFormat f = codec_format (layout->format);
  gint order[3], n = f.kind == KIND_YUV ? 3 : 1, i, j;
  gsize pos = 0;

  /* Planes in memory order, rows top-down: one cursor then meets every
   * gap once.  Every byte below the cursor is zeroed or a pixel, so no gap
   * is missed even when planes interleave or overlap. */
  for (i = 0; i < n; i++) {
    for (j = i; j > 0 && layout->offset[order[j - 1]] > layout->offset[i]; j--)
      order[j] = order[j - 1];
    order[j] = i;
  }
  for (i = 0; i < n; i++) {
    gint p = order[i];
    gsize row_bytes, rows, y;

    plane_size (&f, layout, p, &row_bytes, &rows);
    for (y = 0; y < rows; y++) {
      gsize start = layout->offset[p] + y * (gsize) layout->stride[p];

      if (start > pos)
        memset (data + pos, 0, start - pos);
      pos = MAX (pos, start + row_bytes);
    }
  }
  if (size > pos)
    memset (data + pos, 0, size - pos);
}

static void
tj_destroy (gpointer handle)
{
  tjDestroy (handle);
}

static GPrivate compressor = G_PRIVATE_INIT (tj_destroy);
static GPrivate decompressor = G_PRIVATE_INIT (tj_destroy);

static tjhandle
get_handle (gboolean compress, GError ** error)
{
  GPrivate *key = compress ? &compressor : &decompressor;
  tjhandle h = g_private_get (key);

  if (h == NULL) {
    h = compress ? tjInitCompress () : tjInitDecompress ();
    if (h == NULL) {
      g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_CODEC,
          "Could not create a TurboJPEG instance: %s", tjGetErrorStr2 (NULL));
      return NULL;
    }
    g_private_set (key, h);
  }
  return h;
}

static gboolean
jpeg_encode (const MemvideoSpillLayout * layout, const guint8 * data,
    gsize size, gint quality, const guint8 ** jpeg, gsize * jpeg_size,
    GError ** error)
{
  CodecFormat f = codec_format (layout->format);
  tjhandle h = get_handle (TRUE, error);
  unsigned char *buf = NULL;
  unsigned long buf_size = 0;
  gint ret;

  if (h == NULL)
    return FALSE;

  if (f.kind == KIND_YUV) {
    const unsigned char *planes[3];
    gint strides[3];

    planes[0] = data + layout->offset[0];
    planes[1] = data + layout->offset[f.cb_plane];
    planes[2] = data + layout->offset[f.cr_plane];
    strides[0] = layout->stride[0];
    strides[1] = layout->stride[f.cb_plane];
    strides[2] = layout->stride[f.cr_plane];
    ret = tjCompressFromYUVPlanes (h, planes, layout->width, strides,
        layout->height, f.tj, &buf, &buf_size, quality, 0);
  } else {
    ret = tjCompress2 (h, data + layout->offset[0], layout->width,
        layout->stride[0], layout->height, f.tj, &buf, &buf_size,
        f.tj == TJPF_GRAY ? TJSAMP_GRAY : TJSAMP_444, quality, 0);
  }
  if (ret != 0)
    goto failed;

  *jpeg = buf;
  *jpeg_size = buf_size;
  return TRUE;

  /* ERRORS */
failed:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_CODEC,
        "JPEG encoding of a %dx%d %s frame failed: %s", layout->width,
        layout->height, gst_video_format_to_string (layout->format),
        tjGetErrorStr2 (h));
    tjFree (buf);
    return FALSE;
  }
}

/* Decompresses into @data, laid out as @layout; bytes outside the planes' 
 * pixels are left as they are. */
static gboolean
decode_into (const MemvideoSpillLayout * layout, const guint8 * jpeg,
    gsize jpeg_size, guint8 * data, GError ** error)
{
  CodecFormat f = codec_format (layout->format);
  tjhandle h = get_handle (FALSE, error);
  gint width, height, subsamp, colorspace, ret;

  if (h == NULL)
    return FALSE;

  /* Never let a damaged stream make the decoder scale or write a
   * different geometry into the frame. */
  if (tjDecompressHeader3 (h, jpeg, jpeg_size, &width, &height, &subsamp,
          &colorspace) != 0)
    goto failed;
  if (width != layout->width || height != layout->height)
    goto wrong_size;

  if (f.kind == KIND_YUV) {
    unsigned char *planes[3];
    gint strides[3];

    planes[0] = data + layout->offset[0];
    planes[1] = data + layout->offset[f.cb_plane];
    planes[2] = data + layout->offset[f.cr_plane];
    strides[0] = layout->stride[0];
    strides[1] = layout->stride[f.cb_plane];
    strides[2] = layout->stride[f.cr_plane];
    ret = tjDecompressToYUVPlanes (h, jpeg, jpeg_size, planes, layout->width,
        strides, layout->height, 0);
  } else {
    ret = tjDecompress2 (h, jpeg, jpeg_size, data + layout->offset[0],
        layout->width, layout->stride[0], layout->height, f.tj, 0);
  }
  if (ret != 0)
    goto failed;
  return TRUE;

  /* ERRORS */
wrong_size:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_CODEC,
        "Spilled JPEG frame is %dx%d, expected %dx%d", width, height,
        layout->width, layout->height);
    return FALSE;
  }
failed:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_CODEC,
        "JPEG decoding of a %" G_GSIZE_FORMAT " byte %dx%d %s frame failed: "
        "%s", jpeg_size, layout->width, layout->height,
        gst_video_format_to_string (layout->format), tjGetErrorStr2 (h));
    return FALSE;
  }
}

static void
jpeg_release_encoded (const guint8 * out)
{
  tjFree ((guint8 *) out);
}

static gboolean
read_encoded (MemvideoSpillReadFunc read, gpointer source, gsize enc_size,
    guint8 ** enc, GError ** error)
{
  *enc = g_try_malloc (enc_size);
  if (*enc == NULL) {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_NO_MEMORY,
        "Out of memory reading a %" G_GSIZE_FORMAT " byte JPEG frame back",
        enc_size);
    return FALSE;
  }
  return read (source, 0, *enc, enc_size, error);
}

static gboolean
jpeg_decode (const MemvideoSpillLayout * layout, MemvideoSpillReadFunc read,
    gpointer source, gsize enc_size, guint8 * data, gsize size, GError ** error)
{
  guint8 *enc = NULL;
  gboolean ok;

  ok = read_encoded (read, source, enc_size, &enc, error)
      && decode_into (layout, enc, enc_size, data, error);
  g_free (enc);
  return ok;
}

static gboolean
jpeg_decode_range (const MemvideoSpillLayout * layout,
    MemvideoSpillReadFunc read, gpointer source, gsize enc_size, gsize size,
    gsize start, guint8 * dest, gsize len, GError ** error)
{
  guint8 *frame = g_try_malloc0 (size);
  gboolean ok;

  if (frame == NULL) {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_NO_MEMORY,
        "Out of memory decoding a %" G_GSIZE_FORMAT " byte frame", size);
    return FALSE;
  }
  ok = jpeg_decode (layout, read, source, enc_size, frame, size, error);
  if (ok)
    memcpy (dest, frame + start, len);
  g_free (frame);
  return ok;
}

const MemvideoSpillCodec memvideo_spill_codec_jpeg = {
  .name = "jpeg",
  .needs_layout = TRUE,
  .writes_in_place = FALSE,
  .accepts = jpeg_accepts,
  .encode = jpeg_encode,
  .release_encoded = jpeg_release_encoded,
  .decode = jpeg_decode,
  .decode_range = jpeg_decode_range,
  .clear_stale = jpeg_clear_stale,
};
