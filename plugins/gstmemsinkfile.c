/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's file store: a seekable MemvideoMemFile.  BYTES segments move
 * its write position, render appends there, the SEEKING and POSITION
 * queries are answered from it, get-bytes snapshots it and EOS saves it
 * to the location (gstmemsinksave.c).  The data and the position are
 * guarded by the MemvideoMemFile's own lock only: a snapshot or a save
 * never holds the element lock.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsinkstore.h"
#include "gstmemsinksave.h"

#include "memvideo/memfile.h"

GST_DEBUG_CATEGORY_EXTERN (gst_mem_sink_debug);
#define GST_CAT_DEFAULT gst_mem_sink_debug

typedef struct
{
  GstMemSinkStore parent;

  MemvideoMemFile *file;        /* its own lock */
  /* streaming thread only: a bad segment was reported (once, not at every
   * retry of the sticky event); cleared by FLUSH_STOP */
  gboolean bad_segment_posted;
} FileStore;

static gboolean
file_segment (GstMemSinkStore * store, const GstSegment * segment)
{
  FileStore *self = (FileStore *) store;

  if (segment->format != GST_FORMAT_BYTES)
    return TRUE;
  if (segment->start > MEMVIDEO_MEM_FILE_MAX_SIZE)
    goto bad_position;

  GST_LOG_OBJECT (store->sink, "write position -> %" G_GUINT64_FORMAT,
      segment->start);
  memvideo_mem_file_set_position (self->file, segment->start);

  return TRUE;

  /* ERRORS */
bad_position:
  {
    if (!self->bad_segment_posted)
      GST_ELEMENT_ERROR (store->sink, RESOURCE, SEEK,
          ("Could not seek in the in-memory file."),
          ("BYTES segment start %" G_GINT64_FORMAT " (as unsigned %"
              G_GUINT64_FORMAT ") is %s; positions 0 to %" G_GUINT64_FORMAT
              " are accepted", (gint64) segment->start, segment->start,
              segment->start > G_MAXINT64 ? "negative" : "beyond the limit",
              MEMVIDEO_MEM_FILE_MAX_SIZE));
    self->bad_segment_posted = TRUE;
    return FALSE;
  }
}

static GstFlowReturn
file_render (GstMemSinkStore * store, GstBuffer * buffer)
{
  FileStore *self = (FileStore *) store;
  GError *error = NULL;
  GstMapInfo map;
  guint64 position;
  gboolean ok;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    goto map_failed;
  ok = memvideo_mem_file_append (self->file, map.data, map.size, &position,
      &error);
  gst_buffer_unmap (buffer, &map);
  if (!ok)
    goto write_failed;

  return GST_FLOW_OK;

  /* ERRORS */
map_failed:
  {
    GST_ELEMENT_ERROR (store->sink, RESOURCE, READ,
        ("Could not read a buffer."),
        ("mapping a %" G_GSIZE_FORMAT "-byte buffer for reading failed",
            gst_buffer_get_size (buffer)));
    return GST_FLOW_ERROR;
  }
write_failed:
  {
    GST_ELEMENT_ERROR (store->sink, RESOURCE, WRITE,
        ("Could not write to the in-memory file."),
        ("%" G_GSIZE_FORMAT " bytes at position %" G_GUINT64_FORMAT ": %s",
            gst_buffer_get_size (buffer), position, error->message));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
}

static gboolean
file_eos (GstMemSinkStore * store, const gchar * location)
{
  FileStore *self = (FileStore *) store;
  GError *error = NULL;

  if (location == NULL || gst_mem_sink_save (self->file, location, &error))
    return TRUE;

  GST_ELEMENT_ERROR (store->sink, RESOURCE, OPEN_WRITE,
      ("Could not save the file to \"%s\".", location),
      ("%s; the data is still available through get-bytes", error->message));
  g_clear_error (&error);

  return FALSE;
}

static gboolean
file_query (GstMemSinkStore * store, GstQuery * query)
{
  FileStore *self = (FileStore *) store;
  GstFormat format;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_SEEKING:
      gst_query_parse_seeking (query, &format, NULL, NULL, NULL);
      gst_query_set_seeking (query, format, format == GST_FORMAT_BYTES, 0, -1);
      return TRUE;
    case GST_QUERY_POSITION:
      gst_query_parse_position (query, &format, NULL);
      if (format != GST_FORMAT_BYTES)
        return FALSE;
      gst_query_set_position (query, GST_FORMAT_BYTES,
          memvideo_mem_file_get_position (self->file));
      return TRUE;
    default:
      return FALSE;
  }
}

static void
file_summary (GstMemSinkStore * store, GstStructure * s)
{
  gst_structure_set (s, "size", G_TYPE_UINT64,
      memvideo_mem_file_get_size (((FileStore *) store)->file), NULL);
}

/* clear keeps the write position (a later write zero-fills up to it);
 * FLUSH_STOP starts the file again at 0 */
static void
file_clear (GstMemSinkStore * store, gboolean flush, GPtrArray * dropped)
{
  FileStore *self = (FileStore *) store;

  memvideo_mem_file_truncate (self->file, 0, NULL);
  if (flush) {
    memvideo_mem_file_set_position (self->file, 0);
    self->bad_segment_posted = FALSE;
  }
}

static guint
file_n_samples (GstMemSinkStore * store)
{
  return 0;
}

static guint64
file_size (GstMemSinkStore * store)
{
  return memvideo_mem_file_get_size (((FileStore *) store)->file);
}

static GstSample *
file_get_sample (GstMemSinkStore * store, guint index)
{
  return NULL;
}

static GstSample *
file_pop_sample (GstMemSinkStore * store)
{
  return NULL;
}

static GBytes *
file_get_bytes (GstMemSinkStore * store, const gchar * directory)
{
  FileStore *self = (FileStore *) store;
  GError *error = NULL;
  GBytes *bytes;

  bytes = memvideo_mem_file_snapshot (self->file, directory, &error);
  if (bytes == NULL) {
    GST_ELEMENT_WARNING (store->sink, RESOURCE, WRITE,
        ("Could not take a snapshot of the in-memory file."),
        ("%s (the snapshot goes to the spill directory, the data stays in "
            "memsink)", error->message));
    g_clear_error (&error);
  }

  return bytes;
}

static void
file_free (GstMemSinkStore * store)
{
  memvideo_mem_file_free (((FileStore *) store)->file);
}

static const GstMemSinkStoreFuncs file_funcs = {
  .mode = GST_MEM_SINK_MODE_FILE,
  .name = "file",
  /* the chunk being written and the header chunks are reused */
  .eviction = MEMVIDEO_EVICTION_LRU,
  .segment = file_segment,
  .render = file_render,
  .eos = file_eos,
  .query = file_query,
  .summary = file_summary,
  .clear = file_clear,
  .n_samples = file_n_samples,
  .size = file_size,
  .get_sample = file_get_sample,
  .pop_sample = file_pop_sample,
  .get_bytes = file_get_bytes,
  .free = file_free,
};

GstMemSinkStore *
gst_mem_sink_file_store_new (GstMemSink * sink, MemvideoSpillPool * pool,
    guint64 max_memory)
{
  FileStore *self = g_new0 (FileStore, 1);

  self->parent.funcs = &file_funcs;
  self->parent.sink = sink;
  self->parent.pool = memvideo_spill_pool_ref (pool);
  self->parent.ref_count = 1;
  self->file = memvideo_mem_file_new_for (pool, max_memory);

  return &self->parent;
}
