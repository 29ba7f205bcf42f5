/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The raw codec: the disk copy is the memory's bytes as they are, so a
 * reload reads straight into RAM and a range reads straight from the file.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillcodec.h"

static gboolean
raw_accepts (const GstVideoInfo * vinfo, const gsize * offset,
    const gint * stride, gsize size, MemvideoSpillLayout * layout)
{
  return TRUE;
}

static gboolean
raw_encode (const MemvideoSpillLayout * layout, const guint8 * data,
    gsize size, gint quality, const guint8 ** out, gsize * out_size,
    GError ** error)
{
  *out = data;
  *out_size = size;
  return TRUE;
}

static void
raw_release_encoded (const guint8 * out)
{
}

static gboolean
raw_decode (const MemvideoSpillLayout * layout, MemvideoSpillReadFunc read,
    gpointer source, gsize enc_size, guint8 * data, gsize size, GError ** error)
{
  return read (source, 0, data, size, error);
}

static gboolean
raw_decode_range (const MemvideoSpillLayout * layout,
    MemvideoSpillReadFunc read, gpointer source, gsize enc_size, gsize size,
    gsize start, guint8 * dest, gsize len, GError ** error)
{
  return read (source, start, dest, len, error);
}

static void
raw_clear_stale (const MemvideoSpillLayout * layout, guint8 * data, gsize size)
{
  /* a decode writes every byte */
}

const MemvideoSpillCodec memvideo_spill_codec_raw = {
  .name = "raw",
  .needs_layout = FALSE,
  .writes_in_place = TRUE,
  .accepts = raw_accepts,
  .encode = raw_encode,
  .release_encoded = raw_release_encoded,
  .decode = raw_decode,
  .decode_range = raw_decode_range,
  .clear_stale = raw_clear_stale,
};
