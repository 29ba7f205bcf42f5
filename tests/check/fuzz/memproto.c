/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * libFuzzer target: the memsink/memsrc wire protocol's parsers
 * (gst/memvideo/memproto.c).  Every input goes through the request and the
 * response parser; what they accept must encode back to the same bytes
 * (the encoding is canonical), so a parser that accepts more than the
 * protocol, or reads a field wrongly, aborts.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memvideo/memproto.h"

int LLVMFuzzerTestOneInput (const guint8 * data, size_t size);

static GBytes *
reencode (const MemvideoProtoMessage * m)
{
  switch (m->type) {
    case MEMVIDEO_PROTO_LIST_REPLY:
      return memvideo_proto_encode_list_reply ((const MemvideoProtoEntry *)
          m->entries->data, m->entries->len);
    case MEMVIDEO_PROTO_FRAME:
      return memvideo_proto_encode_frame (&m->frame);
    case MEMVIDEO_PROTO_END:
      return memvideo_proto_encode_end (m->number);
    case MEMVIDEO_PROTO_ERROR:
      return memvideo_proto_encode_error (m->code, m->message);
    case MEMVIDEO_PROTO_BYE:
      return memvideo_proto_encode_bye ();
    default:
      return memvideo_proto_encode_request (m->type, m->number);
  }
}

static void
check_canonical (const guint8 * data, size_t size,
    const MemvideoProtoMessage * m)
{
  GBytes *b = reencode (m);
  gsize n;
  const guint8 *p = g_bytes_get_data (b, &n);

  if (n != size || memcmp (p, data, n) != 0) {
    fprintf (stderr, "type %d accepted but encodes differently\n", m->type);
    abort ();
  }
  g_bytes_unref (b);
}

int
LLVMFuzzerTestOneInput (const guint8 * data, size_t size)
{
  MemvideoProtoMessage m;

  if (memvideo_proto_parse_request (data, size, &m) == MEMVIDEO_PROTO_OK) {
    check_canonical (data, size, &m);
    memvideo_proto_message_clear (&m);
  }
  if (memvideo_proto_parse_response (data, size, &m) == MEMVIDEO_PROTO_OK) {
    check_canonical (data, size, &m);
    memvideo_proto_message_clear (&m);
  }
  return 0;
}
