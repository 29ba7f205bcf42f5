/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * Buffers into the spill pool: copies (data, timestamps, flags and metas)
 * and the adoption rule of memvideo_spill_pool_adopt_buffer() (see
 * spillpool.h).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "spillpoolprivate.h"

#include <string.h>

/* Copies the data of @src into @dest without pulling spilled memories
 * back into RAM. */
static gboolean
extract_all (GstBuffer * src, guint8 * dest, GError ** error)
{
  guint i, n = gst_buffer_n_memory (src);
  gsize pos = 0;

  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (src, i);
    GstMapInfo map;

    if (memvideo_is_spill_memory (mem)) {
      if (!memvideo_spill_memory_read (mem, 0, dest + pos, mem->size, error))
        return FALSE;
      pos += mem->size;
      continue;
    }
    if (!gst_memory_map (mem, &map, GST_MAP_READ)) {
      g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
          "Could not map memory %u of %u (%" G_GSIZE_FORMAT " bytes) of the "
          "buffer to copy", i, n, mem->size);
      return FALSE;
    }
    memcpy (dest + pos, map.data, map.size);
    pos += map.size;
    gst_memory_unmap (mem, &map);
  }
  return TRUE;
}

/* gst_buffer_copy_into() leaves out metas tagged "memory" when the
 * memories are not copied with it, GstVideoMeta among them.  Here they
 * are still right: the plane offsets are relative to the buffer, and dest
 * holds the same bytes at the same offsets. */
static void
copy_video_metas (GstBuffer * dest, GstBuffer * src)
{
  GstMetaTransformCopy copy = { FALSE, 0, -1 };
  gpointer state = NULL;
  GstMeta *meta;

  if (gst_buffer_get_video_meta (dest))
    return;
  while ((meta = gst_buffer_iterate_meta_filtered (src, &state,
              GST_VIDEO_META_API_TYPE)))
    meta->info->transform_func (dest, meta, src, _gst_meta_transform_copy,
        &copy);
}

/* Where the planes of @src lie for the codec: the GstVideoMeta's plane
 * offsets and strides when it describes @vinfo's frame (they are relative
 * to the buffer, and a copy holds the same bytes at the same offsets),
 * else NULL for @vinfo's own layout. */
static void
buffer_planes (GstBuffer * src, const GstVideoInfo * vinfo,
    const gsize ** offset, const gint ** stride)
{
  GstVideoMeta *vmeta = vinfo ? gst_buffer_get_video_meta (src) : NULL;

  *offset = NULL;
  *stride = NULL;
  if (vmeta && vmeta->format == GST_VIDEO_INFO_FORMAT (vinfo)
      && (gint) vmeta->width == GST_VIDEO_INFO_WIDTH (vinfo)
      && (gint) vmeta->height == GST_VIDEO_INFO_HEIGHT (vinfo)) {
    *offset = vmeta->offset;
    *stride = vmeta->stride;
  }
}

GstBuffer *
memvideo_spill_pool_copy_buffer (MemvideoSpillPool * pool, GstBuffer * src,
    const GstVideoInfo * vinfo, GError ** error)
{
  gsize size = gst_buffer_get_size (src);
  const gsize *offset;
  const gint *stride;
  GstMemory *mem;
  GstMapInfo map;
  GstBuffer *dest;

  /* The copy is one memory holding all of src's data in order, so the
   * GstVideoMeta plane offsets stay right, and they describe where the
   * planes really are. */
  buffer_planes (src, vinfo, &offset, &stride);
  mem = memvideo_spill_pool_alloc (pool, size, vinfo, offset, stride);
  if (!gst_memory_map (mem, &map, GST_MAP_WRITE))
    goto map_failed;
  if (!extract_all (src, map.data, error)) {
    gst_memory_unmap (mem, &map);
    gst_memory_unref (mem);
    return NULL;
  }
  gst_memory_unmap (mem, &map);

  dest = gst_buffer_new ();
  gst_buffer_append_memory (dest, mem);
  if (!gst_buffer_copy_into (dest, src, GST_BUFFER_COPY_METADATA, 0, -1))
    goto copy_failed;
  copy_video_metas (dest, src);
  return dest;

  /* ERRORS */
map_failed:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Could not get %" G_GSIZE_FORMAT " bytes of RAM for a copy of the "
        "buffer", size);
    gst_memory_unref (mem);
    return NULL;
  }
copy_failed:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Could not copy the metadata of a %" G_GSIZE_FORMAT " byte buffer",
        size);
    gst_buffer_unref (dest);
    return NULL;
  }
}

/* TRUE when every memory of @buffer is this pool's and spills with the
 * codec the pool would choose for a copy of @buffer. */
static gboolean
buffer_fits_pool (MemvideoSpillPool * pool, GstBuffer * buffer,
    const GstVideoInfo * vinfo)
{
  const MemvideoSpillCodec *codec;
  MemvideoSpillLayout layout = { 0, };
  const gsize *offset;
  const gint *stride;
  gboolean fits = TRUE;
  guint i, n = gst_buffer_n_memory (buffer);

  if (!memvideo_spill_pool_owns_buffer (pool, buffer))
    return FALSE;
  buffer_planes (buffer, vinfo, &offset, &stride);
  codec = spill_choose_codec (pool, vinfo, offset, stride,
      gst_buffer_get_size (buffer), &layout);
  spill_pool_lock (pool);
  for (i = 0; i < n && fits; i++) {
    SpillMemory *m = (SpillMemory *) gst_buffer_peek_memory (buffer, i);

    fits = m->codec == codec;
    /* a codec that codes frames: the one memory of the frame, coded with
     * the frame's layout */
    if (fits && codec->needs_layout)
      fits = n == 1 && m->mem.offset == 0
          && memcmp (m->layout, &layout, sizeof (layout)) == 0;
  }
  spill_pool_unlock (pool);
  return fits;
}

/* TRUE when every memory of @buffer is pageable memory of other pools:
 * it is held under their budgets and codecs already (memspill ! memsink) */
static gboolean
buffer_of_other_pools (MemvideoSpillPool * pool, GstBuffer * buffer)
{
  guint i, n = gst_buffer_n_memory (buffer);

  if (n == 0)
    return FALSE;
  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (buffer, i);

    if (!memvideo_is_spill_memory (mem)
        || mem->allocator == GST_ALLOCATOR_CAST (pool))
      return FALSE;
  }
  return TRUE;
}

/* A buffer of our own with @src's memories (none when @with_memory is
 * FALSE), timestamps, flags and metas.  The memories are the same, so the
 * metas describing them stay right: those gst_buffer_copy_into() leaves
 * out when it does not copy the memories are copied too. */
static GstBuffer *
rewrap_buffer (GstBuffer * src, gboolean with_memory)
{
  GstBuffer *dest = gst_buffer_new ();
  GstMetaTransformCopy copy = { FALSE, 0, -1 };
  gpointer state = NULL;
  GstMeta *meta;
  guint i;

  for (i = 0; with_memory && i < gst_buffer_n_memory (src); i++)
    gst_buffer_append_memory (dest,
        gst_memory_ref (gst_buffer_peek_memory (src, i)));
  gst_buffer_copy_into (dest, src, GST_BUFFER_COPY_METADATA, 0, -1);
  while (with_memory && (meta = gst_buffer_iterate_meta (src, &state))) {
    if (gst_meta_api_type_has_tag (meta->info->api,
            g_quark_from_static_string (GST_META_TAG_MEMORY_STR))
        && meta->info->transform_func)
      meta->info->transform_func (dest, meta, src, _gst_meta_transform_copy,
          &copy);
  }
  return dest;
}

GstBuffer *
memvideo_spill_pool_adopt_buffer (MemvideoSpillPool * pool,
    GstBuffer * buffer, const GstVideoInfo * vinfo, GError ** error)
{
  GstBuffer *ret;

  g_return_val_if_fail (pool != NULL, NULL);
  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  if (gst_buffer_get_size (buffer) == 0) {
    if (gst_buffer_n_memory (buffer) == 0 && buffer->pool == NULL)
      return buffer;
    /* nothing to page: no memory of anybody else's is kept for it */
    ret = rewrap_buffer (buffer, FALSE);
  } else if (buffer_fits_pool (pool, buffer, vinfo)
      || buffer_of_other_pools (pool, buffer)) {
    if (buffer->pool == NULL)
      return buffer;
    /* The upstream buffer pool gets its buffer back at once and drops it
     * (its memories are shared now): holding it could stall a pool of a
     * fixed size. */
    ret = rewrap_buffer (buffer, TRUE);
  } else {
    ret = memvideo_spill_pool_copy_buffer (pool, buffer, vinfo, error);
  }
  gst_buffer_unref (buffer);
  return ret;
}

gboolean
memvideo_spill_pool_owns_buffer (MemvideoSpillPool * pool, GstBuffer * buffer)
{
  guint i, n = gst_buffer_n_memory (buffer);

  if (n == 0)
    return FALSE;
  for (i = 0; i < n; i++) {
    if (gst_buffer_peek_memory (buffer, i)->allocator !=
        GST_ALLOCATOR_CAST (pool))
      return FALSE;
  }
  return TRUE;
}
