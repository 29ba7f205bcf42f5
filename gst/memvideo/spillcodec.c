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

#include "spillcodec.h"

/* MemvideoSpillFormat -> codec: one line per codec */
static const MemvideoSpillCodec *const codecs[] = {
  [MEMVIDEO_SPILL_FORMAT_RAW] = &memvideo_spill_codec_raw,
  [MEMVIDEO_SPILL_FORMAT_JPEG] = &memvideo_spill_codec_jpeg,
};

const MemvideoSpillCodec *
memvideo_spill_codec_get (MemvideoSpillFormat format)
{
  if ((guint) format >= G_N_ELEMENTS (codecs) || codecs[format] == NULL)
    return &memvideo_spill_codec_raw;
  return codecs[format];
}

gboolean
memvideo_spill_codec_accepts_info (const MemvideoSpillCodec * codec,
    const GstVideoInfo * vinfo)
{
  MemvideoSpillLayout layout;

  g_return_val_if_fail (codec != NULL && vinfo != NULL, FALSE);

  return codec->accepts (vinfo, NULL, NULL, GST_VIDEO_INFO_SIZE (vinfo),
      &layout);
}
