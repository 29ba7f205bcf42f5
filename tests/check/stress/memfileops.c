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

#include "memfileops.h"

#include <string.h>
#include <gst/check/gstharness.h>

typedef enum
{
  OP_WRITE,
  OP_SEEK,
  OP_FLUSH,
  OP_GET_BYTES,
  OP_EMPTY_BUFFER,
  OP_QUERY,
  OP_EOS,
  OP_GARBAGE_SEGMENT,
  N_OPS
} Op;

typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
} Reader;

typedef struct
{
  const MemfileOpsConfig *config;
  GstElement *sink;
  GstHarness *h;
  GstBus *bus;
  GByteArray *model;
  guint64 position;
  gboolean eos;
  /* set once a segment with an invalid start was sent: from then on only
   * robustness is checked (no crash, no hang, no sanitizer report) */
  gboolean invalid;
  guint op_index;
  GString *trace;
  GString *failure;
} Run;

/* Reads @n little-endian bytes; past the end of the input reads zeros, so
 * every byte string is a valid program. */
static guint32
reader_uint (Reader * r, guint n)
{
  guint32 v = 0;
  guint i;

  for (i = 0; i < n; i++) {
    guint32 b = r->pos < r->len ? r->data[r->pos] : 0;

    r->pos++;
    v |= b << (8 * i);
  }
  return v;
}

static void
run_fail (Run * run, const gchar * format, ...)
G_GNUC_PRINTF (2, 3);

     static void run_fail (Run * run, const gchar * format, ...)
{
  va_list args;

  /* keep the first mismatch: later ones follow from it */
  if (run->failure->len > 0)
    return;
  g_string_append_printf (run->failure, "op %u: ", run->op_index);
  va_start (args, format);
  g_string_append_vprintf (run->failure, format, args);
  va_end (args);
}

static guint8
payload_byte (guint op_index, guint64 file_offset)
{
  /* position dependent, so a chunk written at the wrong offset shows */
  return (guint8) (((file_offset * 2654435761u) >> 13) ^ (op_index * 29));
}

static gboolean
push_bytes_segment (Run * run, guint64 start)
{
  GstSegment segment;

  gst_segment_init (&segment, GST_FORMAT_BYTES);
  segment.start = start;
  segment.time = 0;
  segment.position = start;
  return gst_harness_push_event (run->h, gst_event_new_segment (&segment));
}

static guint64
get_uint64_property (GstElement * element, const gchar * name)
{
  GValue v = G_VALUE_INIT;
  GValue u = G_VALUE_INIT;
  GParamSpec *pspec;
  guint64 ret;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), name);
  g_assert (pspec != NULL);
  g_value_init (&v, pspec->value_type);
  g_object_get_property (G_OBJECT (element), name, &v);
  g_value_init (&u, G_TYPE_UINT64);
  g_assert (g_value_transform (&v, &u));
  ret = g_value_get_uint64 (&u);
  g_value_unset (&v);
  g_value_unset (&u);
  return ret;
}

static void
compare_bytes (Run * run, const gchar * when)
{
  GBytes *bytes = NULL;
  gsize size = 0;
  const guint8 *data = NULL;
  gsize i;

  g_signal_emit_by_name (run->sink, "get-bytes", &bytes);
  if (bytes)
    data = g_bytes_get_data (bytes, &size);
  if (bytes == NULL && run->model->len > 0) {
    run_fail (run, "%s: get-bytes returned NULL, model holds %u bytes",
        when, run->model->len);
    return;
  }
  if (size != run->model->len) {
    run_fail (run, "%s: get-bytes returned %" G_GSIZE_FORMAT
        " bytes, model holds %u", when, size, run->model->len);
  } else if (size > 0 && memcmp (data, run->model->data, size) != 0) {
    for (i = 0; i < size && data[i] == run->model->data[i]; i++);
    run_fail (run, "%s: get-bytes differs from the model at byte %"
        G_GSIZE_FORMAT " (0x%02x, model 0x%02x)", when, i, data[i],
        run->model->data[i]);
  }
  if (bytes)
    g_bytes_unref (bytes);
}

static void
model_write (Run * run, const guint8 * data, gsize len)
{
  guint64 end = run->position + len;

  if (len == 0)
    return;
  /* a gap between the old end and the write position reads as zeros */
  if (end > run->model->len) {
    guint old = run->model->len;

    g_byte_array_set_size (run->model, end);
    memset (run->model->data + old, 0, end - old);
  }
  memcpy (run->model->data + run->position, data, len);
  run->position = end;
}

static void
op_write (Run * run, gsize len)
{
  GstBuffer *buf;
  GstMapInfo map;
  GstFlowReturn ret, expected;
  gsize i;

  g_string_append_printf (run->trace, "  %u: write %" G_GSIZE_FORMAT
      " bytes at %" G_GUINT64_FORMAT "\n", run->op_index, len, run->position);

  buf = gst_buffer_new_allocate (NULL, len, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < len; i++)
    map.data[i] = payload_byte (run->op_index, run->position + i);
  gst_buffer_unmap (buf, &map);
  ret = gst_harness_push (run->h, gst_buffer_ref (buf));
  gst_buffer_map (buf, &map, GST_MAP_READ);
  expected = run->eos ? GST_FLOW_EOS : GST_FLOW_OK;
  if (!run->invalid && ret != expected) {
    run_fail (run, "pushing %" G_GSIZE_FORMAT " bytes returned %s, "
        "expected %s", len, gst_flow_get_name (ret),
        gst_flow_get_name (expected));
  } else if (ret == GST_FLOW_OK) {
    model_write (run, map.data, len);
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
}

static void
op_seek (Run * run, guint64 start)
{
  gboolean ok;

  g_string_append_printf (run->trace, "  %u: segment start %" G_GUINT64_FORMAT
      "\n", run->op_index, start);
  ok = push_bytes_segment (run, start);
  if (run->eos || run->invalid)
    return;
  if (!ok) {
    run_fail (run, "BYTES segment at %" G_GUINT64_FORMAT " refused", start);
    return;
  }
  run->position = start;
}

static void
op_flush (Run * run)
{
  gboolean ok;

  g_string_append_printf (run->trace, "  %u: flush\n", run->op_index);
  ok = gst_harness_push_event (run->h, gst_event_new_flush_start ());
  ok &= gst_harness_push_event (run->h, gst_event_new_flush_stop (TRUE));
  /* FLUSH_STOP with reset-time drops the sticky segment upstream */
  ok &= push_bytes_segment (run, 0);
  if (run->invalid)
    return;
  if (!ok)
    run_fail (run, "flush refused");
  g_byte_array_set_size (run->model, 0);
  run->position = 0;
  run->eos = FALSE;
}

static void
op_query (Run * run)
{
  GstQuery *query;
  gint64 pos = -1;
  gboolean seekable = FALSE;
  GstFormat format = GST_FORMAT_UNDEFINED;
  gboolean ok;

  g_string_append_printf (run->trace, "  %u: query seeking+position\n",
      run->op_index);

  query = gst_query_new_seeking (GST_FORMAT_BYTES);
  ok = gst_pad_peer_query (run->h->srcpad, query);
  if (ok)
    gst_query_parse_seeking (query, &format, &seekable, NULL, NULL);
  gst_query_unref (query);
  if (!run->invalid && (!ok || format != GST_FORMAT_BYTES || !seekable))
    run_fail (run, "SEEKING query in bytes: answered %d, seekable %d",
        ok, seekable);

  query = gst_query_new_position (GST_FORMAT_BYTES);
  ok = gst_pad_peer_query (run->h->srcpad, query);
  if (ok)
    gst_query_parse_position (query, NULL, &pos);
  gst_query_unref (query);
  if (!run->invalid && (!ok || pos != (gint64) run->position))
    run_fail (run, "POSITION query in bytes: answered %d, position %"
        G_GINT64_FORMAT ", model %" G_GUINT64_FORMAT, ok, pos, run->position);
}

static void
op_eos (Run * run)
{
  gboolean ok;

  g_string_append_printf (run->trace, "  %u: eos\n", run->op_index);
  ok = gst_harness_push_event (run->h, gst_event_new_eos ());
  if (run->invalid || run->eos)
    return;
  if (!ok)
    run_fail (run, "EOS refused");
  run->eos = TRUE;
}

static void
op_garbage_segment (Run * run, guint32 v)
{
  GstMessage *msg;
  guint64 start;
  gboolean ok;

  /* starts that are negative as a gint64 or absurdly far away */
  start = (v & 1) ? G_MAXUINT64 - (v >> 1) : ((guint64) G_MAXINT64) + 1 + v;
  g_string_append_printf (run->trace, "  %u: segment start %" G_GUINT64_FORMAT
      " (invalid)\n", run->op_index, start);
  ok = push_bytes_segment (run, start);
  msg = gst_bus_pop_filtered (run->bus, GST_MESSAGE_ERROR);
  if (!run->eos && !run->invalid && ok && msg == NULL)
    run_fail (run, "segment start %" G_GUINT64_FORMAT " accepted without an "
        "error", start);
  if (msg)
    gst_message_unref (msg);
  run->invalid = TRUE;
}

static void
check_size (Run * run)
{
  guint64 size;

  if (run->invalid)
    return;
  size = get_uint64_property (run->sink, "size");
  if (size != run->model->len)
    run_fail (run, "size property %" G_GUINT64_FORMAT ", model %u", size,
        run->model->len);
}

static void
check_no_error (Run * run)
{
  GstMessage *msg;

  if (run->invalid)
    return;
  msg = gst_bus_pop_filtered (run->bus, GST_MESSAGE_ERROR);
  if (msg) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    run_fail (run, "unexpected error message: %s", err->message);
    g_error_free (err);
    gst_message_unref (msg);
  }
}

gchar *
memfile_ops_run (const MemfileOpsConfig * config, const guint8 * ops, gsize len)
{
  Reader r = { ops, len, 0 };
  Run run = { 0, };
  GstCaps *caps;

  run.config = config;
  run.model = g_byte_array_new ();
  run.trace = g_string_new (NULL);
  run.failure = g_string_new (NULL);

  run.sink = gst_element_factory_make ("memsink", NULL);
  g_assert (run.sink != NULL);
  gst_object_ref_sink (run.sink);
  gst_util_set_object_arg (G_OBJECT (run.sink), "mode", "file");
  g_object_set (run.sink, "max-memory", config->max_memory, NULL);
  if (config->spill_directory)
    g_object_set (run.sink, "spill-directory", config->spill_directory, NULL);
  run.bus = gst_bus_new ();
  gst_element_set_bus (run.sink, run.bus);

  run.h = gst_harness_new_with_element (run.sink, "sink", NULL);
  caps = gst_caps_new_empty_simple ("application/octet-stream");
  gst_harness_push_event (run.h, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  if (!push_bytes_segment (&run, 0))
    run_fail (&run, "initial BYTES segment refused");

  while (r.pos < r.len && run.failure->len == 0) {
    guint op = reader_uint (&r, 1) % N_OPS;

    run.op_index++;
    switch (op) {
      case OP_WRITE:
        op_write (&run, reader_uint (&r, 2) % (config->max_write + 1));
        break;
      case OP_SEEK:
        op_seek (&run, reader_uint (&r, 3) % (config->max_position + 1));
        break;
      case OP_FLUSH:
        op_flush (&run);
        break;
      case OP_GET_BYTES:
        g_string_append_printf (run.trace, "  %u: get-bytes\n", run.op_index);
        if (!run.invalid)
          compare_bytes (&run, "get-bytes");
        break;
      case OP_EMPTY_BUFFER:
        op_write (&run, 0);
        break;
      case OP_QUERY:
        op_query (&run);
        break;
      case OP_EOS:
        op_eos (&run);
        break;
      case OP_GARBAGE_SEGMENT:
        if (config->allow_garbage)
          op_garbage_segment (&run, reader_uint (&r, 2));
        else
          op_write (&run, reader_uint (&r, 1));
        break;
      default:
        g_assert_not_reached ();
    }
    check_size (&run);
    check_no_error (&run);
  }
  if (!run.invalid)
    compare_bytes (&run, "end");

  gst_harness_teardown (run.h);
  gst_object_unref (run.sink);
  gst_bus_set_flushing (run.bus, TRUE);
  gst_object_unref (run.bus);
  g_byte_array_unref (run.model);

  if (run.failure->len == 0) {
    g_string_free (run.trace, TRUE);
    g_string_free (run.failure, TRUE);
    return NULL;
  }
  g_string_append (run.failure, "\noperations:\n");
  g_string_append (run.failure, run.trace->str);
  g_string_free (run.trace, TRUE);
  return g_string_free (run.failure, FALSE);
}
