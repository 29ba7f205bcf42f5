/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The memsink/memsrc wire protocol (docs/memsrc.md), version 1.
 *
 * Messages travel on a SOCK_SEQPACKET unix socket, one message per
 * packet, so a message is never split or merged.  Every message starts
 * with an 8-byte header: magic "MV", version (1), type, then the body
 * length (little-endian u32) that must equal the rest of the packet.
 * Integers are little-endian; strings are a u32 length then the bytes, no
 * NUL, at most MEMVIDEO_PROTO_MAX_STRING.  A FRAME carries the frame data
 * as one sealed memfd in SCM_RIGHTS.
 *
 * The parsers accept only a packet of exactly the right size with known
 * type and version, and every field in range; anything else is
 * MEMVIDEO_PROTO_INVALID and the connection is closed.
 */

#ifndef __MEMVIDEO_PROTO_H__
#define __MEMVIDEO_PROTO_H__

#include <glib.h>

G_BEGIN_DECLS

#define MEMVIDEO_PROTO_VERSION 1
#define MEMVIDEO_PROTO_HEADER_SIZE 8
#define MEMVIDEO_PROTO_MAX_STRING 16384
#define MEMVIDEO_PROTO_MAX_PACKET (1024 * 1024)
#define MEMVIDEO_PROTO_MAX_PLANES 4
#define MEMVIDEO_PROTO_NONE G_MAXUINT64

typedef enum
{
  /* requests (reader to writer) */
  MEMVIDEO_PROTO_LIST = 1,      /* no body */
  MEMVIDEO_PROTO_FETCH = 2,     /* u64 number */
  MEMVIDEO_PROTO_FOLLOW = 3,    /* no body: new samples from now on */
  MEMVIDEO_PROTO_REPLAY = 4,    /* no body: every sample held now, then END */
  /* responses (writer to reader) */
  MEMVIDEO_PROTO_LIST_REPLY = 64,
  MEMVIDEO_PROTO_FRAME = 65,
  MEMVIDEO_PROTO_END = 66,      /* u64 missed: a replay is complete */
  MEMVIDEO_PROTO_ERROR = 67,    /* u32 code, string message */
  MEMVIDEO_PROTO_BYE = 68,      /* no body: the writer stops */
} MemvideoProtoType;

typedef enum
{
  MEMVIDEO_PROTO_ERROR_NOT_HELD = 1,    /* FETCH of a number not held */
  MEMVIDEO_PROTO_ERROR_REFUSED = 2,     /* peer credentials */
  MEMVIDEO_PROTO_ERROR_VERSION = 3,
  MEMVIDEO_PROTO_ERROR_NO_SAMPLES = 4,  /* memsink is not in samples mode */
  MEMVIDEO_PROTO_ERROR_INTERNAL = 5,
} MemvideoProtoErrorCode;

typedef enum
{
  MEMVIDEO_PROTO_OK = 0,
  MEMVIDEO_PROTO_INVALID = -1,
} MemvideoProtoResult;

/* What a LIST entry and a FRAME describe */
typedef struct
{
  guint64 number;
  guint64 pts, dts, duration;   /* MEMVIDEO_PROTO_NONE: none */
  guint32 flags;                /* GstBufferFlags */
  gchar *caps;                  /* serialized GstCaps, owned */
} MemvideoProtoEntry;

typedef struct
{
  MemvideoProtoEntry entry;
  guint64 size;                 /* bytes of the memfd that hold the frame */
  guint64 missed;               /* samples this reader missed so far */
  /* GstVideoMeta; n_planes 0 = none */
  guint32 video_format, width, height, n_planes;
  guint64 offset[MEMVIDEO_PROTO_MAX_PLANES];
  guint32 stride[MEMVIDEO_PROTO_MAX_PLANES];
} MemvideoProtoFrame;

typedef struct
{
  MemvideoProtoType type;
  guint64 number;               /* FETCH; END: missed */
  guint32 code;                 /* ERROR */
  gchar *message;               /* ERROR, owned */
  MemvideoProtoFrame frame;     /* FRAME */
  GArray *entries;              /* LIST_REPLY: MemvideoProtoEntry, owned */
} MemvideoProtoMessage;

/* Encoders: the whole packet */
GBytes *memvideo_proto_encode_request (MemvideoProtoType type,
    guint64 number);
GBytes *memvideo_proto_encode_list_reply (const MemvideoProtoEntry * entries,
    guint n_entries);
GBytes *memvideo_proto_encode_frame (const MemvideoProtoFrame * frame);
GBytes *memvideo_proto_encode_end (guint64 missed);
GBytes *memvideo_proto_encode_error (guint32 code, const gchar * message);
GBytes *memvideo_proto_encode_bye (void);

/* Parsers: @msg is filled on MEMVIDEO_PROTO_OK only; free it with
 * memvideo_proto_message_clear. */
MemvideoProtoResult memvideo_proto_parse_request (const guint8 * data,
    gsize size, MemvideoProtoMessage * msg);
MemvideoProtoResult memvideo_proto_parse_response (const guint8 * data,
    gsize size, MemvideoProtoMessage * msg);
void memvideo_proto_message_clear (MemvideoProtoMessage * msg);

G_END_DECLS

#endif /* __MEMVIDEO_PROTO_H__ */
