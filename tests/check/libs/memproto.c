/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of the memsink/memsrc wire protocol (gst/memvideo/memproto.c):
 * every message round-trips field for field; every truncation, a wrong
 * magic, version, length or type, out-of-range fields and non-printable
 * strings are rejected; random bit flips (seed MEMPROTO_SEED, printed)
 * never make a parser read beyond the packet.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "memvideo/memproto.h"

static MemvideoProtoFrame
sample_frame (void)
{
  MemvideoProtoFrame f = { {0} };

  f.entry.number = 1234567890123ULL;
  f.entry.pts = 40 * GST_MSECOND;
  f.entry.dts = MEMVIDEO_PROTO_NONE;
  f.entry.duration = 33 * GST_MSECOND;
  f.entry.flags = GST_BUFFER_FLAG_DELTA_UNIT;
  f.entry.caps = (gchar *) "video/x-raw, format=(string)I420, width=(int)64";
  f.size = 4608;
  f.missed = 7;
  f.video_format = 2;
  f.width = 64;
  f.height = 48;
  f.n_planes = 3;
  f.offset[1] = 3072;
  f.offset[2] = 3840;
  f.stride[0] = 64;
  f.stride[1] = f.stride[2] = 32;
  return f;
}

static MemvideoProtoResult
parse (GBytes * b, gboolean request, MemvideoProtoMessage * m)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (b, &n);

  return request ? memvideo_proto_parse_request (p, n, m) :
      memvideo_proto_parse_response (p, n, m);
}

GST_START_TEST (test_requests_round_trip)
{
  MemvideoProtoType types[] = { MEMVIDEO_PROTO_LIST, MEMVIDEO_PROTO_FETCH,
    MEMVIDEO_PROTO_FOLLOW, MEMVIDEO_PROTO_REPLAY
  };
  MemvideoProtoMessage m;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    GBytes *b = memvideo_proto_encode_request (types[i], 99);

    fail_unless_equals_int (parse (b, TRUE, &m), MEMVIDEO_PROTO_OK);
    fail_unless_equals_int (m.type, types[i]);
    fail_unless_equals_uint64 (m.number, types[i] == MEMVIDEO_PROTO_FETCH ?
        99 : 0);
    /* a request is not a response */
    fail_unless_equals_int (parse (b, FALSE, &m), MEMVIDEO_PROTO_INVALID);
    g_bytes_unref (b);
  }
}

GST_END_TEST;

GST_START_TEST (test_frame_round_trip)
{
  MemvideoProtoFrame f = sample_frame ();
  GBytes *b = memvideo_proto_encode_frame (&f);
  MemvideoProtoMessage m;
  guint i;

  fail_unless_equals_int (parse (b, FALSE, &m), MEMVIDEO_PROTO_OK);
  fail_unless_equals_int (m.type, MEMVIDEO_PROTO_FRAME);
  fail_unless_equals_uint64 (m.frame.entry.number, f.entry.number);
  fail_unless_equals_uint64 (m.frame.entry.pts, f.entry.pts);
  fail_unless_equals_uint64 (m.frame.entry.dts, MEMVIDEO_PROTO_NONE);
  fail_unless_equals_uint64 (m.frame.entry.duration, f.entry.duration);
  fail_unless_equals_int (m.frame.entry.flags, f.entry.flags);
  fail_unless_equals_string (m.frame.entry.caps, f.entry.caps);
  fail_unless_equals_uint64 (m.frame.size, 4608);
  fail_unless_equals_uint64 (m.frame.missed, 7);
  fail_unless_equals_int (m.frame.n_planes, 3);
  for (i = 0; i < 3; i++) {
    fail_unless_equals_uint64 (m.frame.offset[i], f.offset[i]);
    fail_unless_equals_int (m.frame.stride[i], f.stride[i]);
  }
  memvideo_proto_message_clear (&m);
  fail_unless_equals_int (parse (b, TRUE, &m), MEMVIDEO_PROTO_INVALID);
  g_bytes_unref (b);
}

GST_END_TEST;

GST_START_TEST (test_other_responses_round_trip)
{
  MemvideoProtoEntry e[2] = { {5, 0, 0, 10, 0, (gchar *) "video/x-raw"},
  {6, 10, 10, 10, 0, (gchar *) "ANY"}
  };
  MemvideoProtoMessage m;
  GBytes *b;

  b = memvideo_proto_encode_list_reply (e, 2);
  fail_unless_equals_int (parse (b, FALSE, &m), MEMVIDEO_PROTO_OK);
  fail_unless_equals_int (m.entries->len, 2);
  fail_unless_equals_uint64 (g_array_index (m.entries, MemvideoProtoEntry,
          1).number, 6);
  fail_unless_equals_string (g_array_index (m.entries, MemvideoProtoEntry,
          1).caps, "ANY");
  memvideo_proto_message_clear (&m);
  g_bytes_unref (b);

  b = memvideo_proto_encode_error (MEMVIDEO_PROTO_ERROR_NOT_HELD, "gone");
  fail_unless_equals_int (parse (b, FALSE, &m), MEMVIDEO_PROTO_OK);
  fail_unless_equals_int (m.code, MEMVIDEO_PROTO_ERROR_NOT_HELD);
  fail_unless_equals_string (m.message, "gone");
  memvideo_proto_message_clear (&m);
  g_bytes_unref (b);

  b = memvideo_proto_encode_end (3);
  fail_unless_equals_int (parse (b, FALSE, &m), MEMVIDEO_PROTO_OK);
  fail_unless_equals_int (m.type, MEMVIDEO_PROTO_END);
  fail_unless_equals_uint64 (m.number, 3);
  g_bytes_unref (b);

  b = memvideo_proto_encode_bye ();
  fail_unless_equals_int (parse (b, FALSE, &m), MEMVIDEO_PROTO_OK);
  fail_unless_equals_int (m.type, MEMVIDEO_PROTO_BYE);
  g_bytes_unref (b);
}

GST_END_TEST;

/* Every prefix of a valid packet, and the packet with a byte more */
GST_START_TEST (test_truncated_and_extended)
{
  MemvideoProtoFrame f = sample_frame ();
  GBytes *b = memvideo_proto_encode_frame (&f);
  MemvideoProtoMessage m;
  gsize n, i;
  const guint8 *p = g_bytes_get_data (b, &n);
  guint8 *longer = g_malloc0 (n + 1);

  for (i = 0; i < n; i++)
    fail_unless (memvideo_proto_parse_response (p, i, &m) ==
        MEMVIDEO_PROTO_INVALID, "prefix of %u bytes accepted", (guint) i);
  memcpy (longer, p, n);
  fail_unless_equals_int (memvideo_proto_parse_response (longer, n + 1, &m),
      MEMVIDEO_PROTO_INVALID);
  g_free (longer);
  g_bytes_unref (b);
}

GST_END_TEST;

static MemvideoProtoResult
parse_patched (GBytes * b, gsize at, guint8 value, gboolean request)
{
  MemvideoProtoMessage m;
  gsize n;
  const guint8 *data = g_bytes_get_data (b, &n);
  guint8 *copy = g_memdup2 (data, n);
  MemvideoProtoResult r;

  copy[at] = value;
  r = request ? memvideo_proto_parse_request (copy, n, &m) :
      memvideo_proto_parse_response (copy, n, &m);
  if (r == MEMVIDEO_PROTO_OK)
    memvideo_proto_message_clear (&m);
  g_free (copy);
  return r;
}

GST_START_TEST (test_bad_header_and_fields)
{
  GBytes *req = memvideo_proto_encode_request (MEMVIDEO_PROTO_FETCH, 1);
  MemvideoProtoFrame f = sample_frame ();
  GBytes *frame;

  fail_unless_equals_int (parse_patched (req, 0, 'X', TRUE),
      MEMVIDEO_PROTO_INVALID);
  fail_unless_equals_int (parse_patched (req, 2, 2, TRUE),
      MEMVIDEO_PROTO_INVALID);
  fail_unless_equals_int (parse_patched (req, 3, 77, TRUE),
      MEMVIDEO_PROTO_INVALID);
  fail_unless_equals_int (parse_patched (req, 4, 9, TRUE),
      MEMVIDEO_PROTO_INVALID);
  g_bytes_unref (req);

  /* n_planes over 4; a plane offset beyond the data; a control character
   * in the caps */
  f.n_planes = 4;
  f.offset[3] = 4608;
  frame = memvideo_proto_encode_frame (&f);
  fail_unless_equals_int (parse (frame, FALSE, &(MemvideoProtoMessage) {
          0}
      ), MEMVIDEO_PROTO_INVALID);
  g_bytes_unref (frame);
  f = sample_frame ();
  frame = memvideo_proto_encode_frame (&f);
  /* header 8 + four u64 + u32 flags + u32 length: the caps' first byte */
  fail_unless_equals_int (parse_patched (frame, 8 + 32 + 4 + 4, '\n',
          FALSE), MEMVIDEO_PROTO_INVALID);
  fail_unless_equals_int (parse_patched (frame, 8 + 32 + 4 + 4, 'V',
          FALSE), MEMVIDEO_PROTO_OK);
  /* the caps length pointing past the packet */
  fail_unless_equals_int (parse_patched (frame, 8 + 32 + 4 + 2, 0x7f,
          FALSE), MEMVIDEO_PROTO_INVALID);
  g_bytes_unref (frame);
}

GST_END_TEST;

/* A LIST_REPLY claiming more entries than the packet can hold allocates
 * nothing for them */
GST_START_TEST (test_list_count_bounded)
{
  GBytes *b = memvideo_proto_encode_list_reply (NULL, 0);
  gsize n;
  const guint8 *data = g_bytes_get_data (b, &n);
  guint8 *copy = g_memdup2 (data, n);
  MemvideoProtoMessage m;

  memset (copy + 8, 0xff, 4);
  fail_unless_equals_int (memvideo_proto_parse_response (copy, n, &m),
      MEMVIDEO_PROTO_INVALID);
  g_free (copy);
  g_bytes_unref (b);
}

GST_END_TEST;

GST_START_TEST (test_random_flips)
{
  const gchar *env = g_getenv ("MEMPROTO_SEED");
  guint32 seed = env ? (guint32) g_ascii_strtoull (env, NULL, 10) : 16;
  GRand *rand = g_rand_new_with_seed (seed);
  MemvideoProtoFrame f = sample_frame ();
  GBytes *b = memvideo_proto_encode_frame (&f);
  gsize n;
  const guint8 *p = g_bytes_get_data (b, &n);
  guint i, accepted = 0;

  g_print ("MEMPROTO_SEED=%u\n", seed);
  for (i = 0; i < 20000; i++) {
    /* exact-size heap copies: ASan catches a read past the end */
    gsize len = g_rand_int_range (rand, 0, n + 1);
    guint8 *copy = g_memdup2 (p, MAX (len, 1));
    MemvideoProtoMessage m;

    if (len)
      copy[g_rand_int_range (rand, 0, len)] ^= 1 << g_rand_int_range (rand,
          0, 8);
    if (memvideo_proto_parse_response (copy, len, &m) == MEMVIDEO_PROTO_OK) {
      accepted++;
      memvideo_proto_message_clear (&m);
    }
    if (memvideo_proto_parse_request (copy, len, &m) == MEMVIDEO_PROTO_OK)
      memvideo_proto_message_clear (&m);
    g_free (copy);
  }
  /* flips in numbers stay valid, so some are accepted, but not all */
  fail_unless (accepted > 0 && accepted < 20000);
  g_rand_free (rand);
  g_bytes_unref (b);
}

GST_END_TEST;

static Suite *
memproto_suite (void)
{
  Suite *s = suite_create ("memproto");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_requests_round_trip);
  tcase_add_test (tc, test_frame_round_trip);
  tcase_add_test (tc, test_other_responses_round_trip);
  tcase_add_test (tc, test_truncated_and_extended);
  tcase_add_test (tc, test_bad_header_and_fields);
  tcase_add_test (tc, test_list_count_bounded);
  tcase_add_test (tc, test_random_flips);

  return s;
}

GST_CHECK_MAIN (memproto);
