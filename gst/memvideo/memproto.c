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

#include <string.h>

#include "memproto.h"

/* ------------------------------------------------------------ encoding */

static GByteArray *
begin (MemvideoProtoType type)
{
  GByteArray *a = g_byte_array_sized_new (64);
  guint8 h[MEMVIDEO_PROTO_HEADER_SIZE] = { 'M', 'V',
    MEMVIDEO_PROTO_VERSION, type, 0, 0, 0, 0
  };

  g_byte_array_append (a, h, sizeof (h));
  return a;
}

static void
put_u32 (GByteArray * a, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);

  g_byte_array_append (a, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray * a, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);

  g_byte_array_append (a, (const guint8 *) &le, 8);
}

static void
put_string (GByteArray * a, const gchar * s)
{
  gsize len = s ? strlen (s) : 0;

  len = MIN (len, MEMVIDEO_PROTO_MAX_STRING);
  put_u32 (a, len);
  g_byte_array_append (a, (const guint8 *) s, len);
}

static GBytes *
finish (GByteArray * a)
{
  guint32 body = GUINT32_TO_LE (a->len - MEMVIDEO_PROTO_HEADER_SIZE);

  memcpy (a->data + 4, &body, 4);
  return g_byte_array_free_to_bytes (a);
}

GBytes *
memvideo_proto_encode_request (MemvideoProtoType type, guint64 number)
{
  GByteArray *a = begin (type);

  if (type == MEMVIDEO_PROTO_FETCH)
    put_u64 (a, number);
  return finish (a);
}

static void
put_entry (GByteArray * a, const MemvideoProtoEntry * e)
{
  put_u64 (a, e->number);
  put_u64 (a, e->pts);
  put_u64 (a, e->dts);
  put_u64 (a, e->duration);
  put_u32 (a, e->flags);
  put_string (a, e->caps);
}

GBytes *
memvideo_proto_encode_list_reply (const MemvideoProtoEntry * entries,
    guint n_entries)
{
  GByteArray *a = begin (MEMVIDEO_PROTO_LIST_REPLY);
  guint i;

  put_u32 (a, n_entries);
  for (i = 0; i < n_entries; i++)
    put_entry (a, &entries[i]);
  return finish (a);
}

GBytes *
memvideo_proto_encode_frame (const MemvideoProtoFrame * f)
{
  GByteArray *a = begin (MEMVIDEO_PROTO_FRAME);
  guint i;

  put_entry (a, &f->entry);
  put_u64 (a, f->size);
  put_u64 (a, f->missed);
  put_u32 (a, f->video_format);
  put_u32 (a, f->width);
  put_u32 (a, f->height);
  put_u32 (a, f->n_planes);
  for (i = 0; i < f->n_planes && i < MEMVIDEO_PROTO_MAX_PLANES; i++) {
    put_u64 (a, f->offset[i]);
    put_u32 (a, f->stride[i]);
  }
  return finish (a);
}

GBytes *
memvideo_proto_encode_end (guint64 missed)
{
  GByteArray *a = begin (MEMVIDEO_PROTO_END);

  put_u64 (a, missed);
  return finish (a);
}

GBytes *
memvideo_proto_encode_error (guint32 code, const gchar * message)
{
  GByteArray *a = begin (MEMVIDEO_PROTO_ERROR);

  put_u32 (a, code);
  put_string (a, message);
  return finish (a);
}

GBytes *
memvideo_proto_encode_bye (void)
{
  return finish (begin (MEMVIDEO_PROTO_BYE));
}

/* ------------------------------------------------------------- parsing */

typedef struct
{
  const guint8 *p;
  gsize left;
  gboolean bad;
} Reader;

static guint32
get_u32 (Reader * r)
{
  guint32 v;

  if (r->bad || r->left < 4) {
    r->bad = TRUE;
    return 0;
  }
  memcpy (&v, r->p, 4);
  r->p += 4;
  r->left -= 4;
  return GUINT32_FROM_LE (v);
}

static guint64
get_u64 (Reader * r)
{
  guint64 v;

  if (r->bad || r->left < 8) {
    r->bad = TRUE;
    return 0;
  }
  memcpy (&v, r->p, 8);
  r->p += 8;
  r->left -= 8;
  return GUINT64_FROM_LE (v);
}

/* A string of printable ASCII (caps and messages are) */
static gchar *
get_string (Reader * r)
{
  guint32 len = get_u32 (r), i;
  gchar *s;

  if (r->bad || len > MEMVIDEO_PROTO_MAX_STRING || len > r->left) {
    r->bad = TRUE;
    return NULL;
  }
  for (i = 0; i < len; i++) {
    if (r->p[i] < 0x20 || r->p[i] > 0x7e) {
      r->bad = TRUE;
      return NULL;
    }
  }
  s = g_strndup ((const gchar *) r->p, len);
  r->p += len;
  r->left -= len;
  return s;
}

/* Checks the header; returns the type, or 0 */
static guint
read_header (Reader * r, const guint8 * data, gsize size)
{
  guint32 body;

  if (size < MEMVIDEO_PROTO_HEADER_SIZE || size > MEMVIDEO_PROTO_MAX_PACKET)
    return 0;
  if (data[0] != 'M' || data[1] != 'V' || data[2] != MEMVIDEO_PROTO_VERSION)
    return 0;
  memcpy (&body, data + 4, 4);
  if (GUINT32_FROM_LE (body) != size - MEMVIDEO_PROTO_HEADER_SIZE)
    return 0;
  r->p = data + MEMVIDEO_PROTO_HEADER_SIZE;
  r->left = size - MEMVIDEO_PROTO_HEADER_SIZE;
  r->bad = FALSE;
  return data[3];
}

static MemvideoProtoResult
done (Reader * r, MemvideoProtoMessage * msg)
{
  if (r->bad || r->left != 0) {
    memvideo_proto_message_clear (msg);
    return MEMVIDEO_PROTO_INVALID;
  }
  return MEMVIDEO_PROTO_OK;
}

MemvideoProtoResult
memvideo_proto_parse_request (const guint8 * data, gsize size,
    MemvideoProtoMessage * msg)
{
  Reader r;
  guint type = read_header (&r, data, size);

  memset (msg, 0, sizeof (*msg));
  switch (type) {
    case MEMVIDEO_PROTO_FETCH:
      msg->number = get_u64 (&r);
      break;
    case MEMVIDEO_PROTO_LIST:
    case MEMVIDEO_PROTO_FOLLOW:
    case MEMVIDEO_PROTO_REPLAY:
      break;
    default:
      return MEMVIDEO_PROTO_INVALID;
  }
  msg->type = type;
  return done (&r, msg);
}

static void
get_entry (Reader * r, MemvideoProtoEntry * e)
{
  e->number = get_u64 (r);
  e->pts = get_u64 (r);
  e->dts = get_u64 (r);
  e->duration = get_u64 (r);
  e->flags = get_u32 (r);
  e->caps = get_string (r);
}

static void
get_frame (Reader * r, MemvideoProtoFrame * f)
{
  guint i;

  get_entry (r, &f->entry);
  f->size = get_u64 (r);
  f->missed = get_u64 (r);
  f->video_format = get_u32 (r);
  f->width = get_u32 (r);
  f->height = get_u32 (r);
  f->n_planes = get_u32 (r);
  if (f->n_planes > MEMVIDEO_PROTO_MAX_PLANES) {
    r->bad = TRUE;
    return;
  }
  for (i = 0; i < f->n_planes; i++) {
    f->offset[i] = get_u64 (r);
    f->stride[i] = get_u32 (r);
    if (f->offset[i] >= f->size)
      r->bad = TRUE;
  }
}

static void
get_list (Reader * r, MemvideoProtoMessage * msg)
{
  guint32 n = get_u32 (r), i;

  /* an entry takes at least 40 bytes: no allocation beyond the packet */
  if (r->bad || n > r->left / 40) {
    r->bad = TRUE;
    return;
  }
  msg->entries = g_array_sized_new (FALSE, TRUE,
      sizeof (MemvideoProtoEntry), n);
  for (i = 0; i < n && !r->bad; i++) {
    MemvideoProtoEntry e;

    get_entry (r, &e);
    g_array_append_val (msg->entries, e);
  }
}

MemvideoProtoResult
memvideo_proto_parse_response (const guint8 * data, gsize size,
    MemvideoProtoMessage * msg)
{
  Reader r;
  guint type = read_header (&r, data, size);

  memset (msg, 0, sizeof (*msg));
  msg->type = type;
  switch (type) {
    case MEMVIDEO_PROTO_LIST_REPLY:
      get_list (&r, msg);
      break;
    case MEMVIDEO_PROTO_FRAME:
      get_frame (&r, &msg->frame);
      if (!r.bad && msg->frame.entry.caps == NULL)
        r.bad = TRUE;
      break;
    case MEMVIDEO_PROTO_END:
      msg->number = get_u64 (&r);
      break;
    case MEMVIDEO_PROTO_ERROR:
      msg->code = get_u32 (&r);
      msg->message = get_string (&r);
      break;
    case MEMVIDEO_PROTO_BYE:
      break;
    default:
      return MEMVIDEO_PROTO_INVALID;
  }
  return done (&r, msg);
}

void
memvideo_proto_message_clear (MemvideoProtoMessage * msg)
{
  guint i;

  g_free (msg->message);
  g_free (msg->frame.entry.caps);
  if (msg->entries) {
    for (i = 0; i < msg->entries->len; i++)
      g_free (g_array_index (msg->entries, MemvideoProtoEntry, i).caps);
    g_array_unref (msg->entries);
  }
  memset (msg, 0, sizeof (*msg));
}
