/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The codecs of the spill store: how a memory's data becomes the bytes of
 * its disk copy and back.
 *
 * A codec is a table of functions (MemvideoSpillCodec); a memory of the
 * pool holds a pointer to its codec (and, when the codec wants one, the
 * layout of its frame), and the store calls the table without knowing
 * which codec it is.  One file per codec: spillrawcodec.c (the bytes as
 * they are, any data) and spilljpegcodec.c (TurboJPEG, 8-bit YUV, RGB and
 * GRAY frames).  Adding a codec: a new file defining a MemvideoSpillCodec,
 * an entry in MemvideoSpillFormat and the line naming it in spillcodec.c's
 * table (docs/design.md, "Spill codecs").
 *
 * Codecs hold no state of their own besides per-thread handles, so every
 * function may run in any thread at the same time, without the pool lock.
 */

#ifndef __MEMVIDEO_SPILL_CODEC_H__
#define __MEMVIDEO_SPILL_CODEC_H__

#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * MemvideoSpillFormat:
 * @MEMVIDEO_SPILL_FORMAT_RAW: bytes are written as they are (lossless, any data)
 * @MEMVIDEO_SPILL_FORMAT_JPEG: raw video frames of a layout TurboJPEG supports
 *   directly are JPEG-compressed; everything else falls back to raw
 */
typedef enum
{
  MEMVIDEO_SPILL_FORMAT_RAW = 0,
  MEMVIDEO_SPILL_FORMAT_JPEG = 1,
} MemvideoSpillFormat;

/* Where the planes of a video frame lie inside a memory, relative to the
 * start of the memory's RAM block. */
typedef struct
{
  GstVideoFormat format;
  gint width;
  gint height;
  gsize offset[GST_VIDEO_MAX_PLANES];
  gint stride[GST_VIDEO_MAX_PLANES];
} MemvideoSpillLayout;

/* Reads @size bytes at @offset of a memory's disk copy into @dest. */
typedef gboolean (*MemvideoSpillReadFunc) (gpointer source, guint64 offset,
    guint8 * dest, gsize size, GError ** error);

typedef struct _MemvideoSpillCodec MemvideoSpillCodec;

/**
 * MemvideoSpillCodec:
 * @name: for messages
 * @needs_layout: the functions below use the frame layout that @accepts
 *   filled in (else they get NULL and any data)
 * @writes_in_place: the disk copy is the data itself, so a range of it can
 *   be written without the rest (memvideo_spill_memory_write())
 * @accepts: TRUE when frames of @vinfo with planes at @offset/@stride
 *   (NULL = @vinfo's own) in a memory of @size bytes can be coded; fills
 *   @layout.  @vinfo NULL (not video): only a codec for any data accepts.
 * @encode: the bytes to write for the @size bytes at @data: *@out is
 *   @data itself or a block @release_encoded frees
 * @release_encoded: frees what @encode made (@out is not @data)
 * @decode: fills the @size bytes at @data from the @enc_size bytes of the
 *   disk copy, read through @read
 * @decode_range: the @len bytes at @start of the decoded memory into
 *   @dest, without touching the memory's RAM (it has none)
 * @clear_stale: zeroes the bytes of the @size bytes at @data that @decode
 *   leaves alone, before decoding into RAM holding another frame
 *
 * Every function fails with MEMVIDEO_SPILL_ERROR_CODEC when the data
 * cannot be coded, with the read function's error when reading fails.
 */
struct _MemvideoSpillCodec
{
  const gchar *name;
  gboolean needs_layout;
  gboolean writes_in_place;

  gboolean (*accepts) (const GstVideoInfo * vinfo, const gsize * offset,
      const gint * stride, gsize size, MemvideoSpillLayout * layout);
  gboolean (*encode) (const MemvideoSpillLayout * layout,
      const guint8 * data, gsize size, gint quality, const guint8 ** out,
      gsize * out_size, GError ** error);
  void (*release_encoded) (const guint8 * out);
  gboolean (*decode) (const MemvideoSpillLayout * layout,
      MemvideoSpillReadFunc read, gpointer source, gsize enc_size,
      guint8 * data, gsize size, GError ** error);
  gboolean (*decode_range) (const MemvideoSpillLayout * layout,
      MemvideoSpillReadFunc read, gpointer source, gsize enc_size, gsize size,
      gsize start, guint8 * dest, gsize len, GError ** error);
  void (*clear_stale) (const MemvideoSpillLayout * layout, guint8 * data,
      gsize size);
};

extern const MemvideoSpillCodec memvideo_spill_codec_raw;
extern const MemvideoSpillCodec memvideo_spill_codec_jpeg;

/* The codec of @format (raw for a value out of range). */
const MemvideoSpillCodec *memvideo_spill_codec_get (MemvideoSpillFormat
    format);

/* TRUE when @codec takes frames of @vinfo laid out as @vinfo says (one
 * memory of GST_VIDEO_INFO_SIZE bytes). */
gboolean memvideo_spill_codec_accepts_info (const MemvideoSpillCodec * codec,
    const GstVideoInfo * vinfo);

G_END_DECLS

#endif /* __MEMVIDEO_SPILL_CODEC_H__ */
