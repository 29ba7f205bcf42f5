/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of the spill codecs (gst/memvideo/spillcodec.h) through their
 * function tables, without a pool: what each accepts, round trips from a
 * memory "disk copy", ranges, the bytes a decode leaves alone, damaged
 * data.  Frames are made of a seeded smooth pattern (SPILLCODEC_SEED=<n>,
 * default 1, printed).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/video/video.h>

#include "memvideo/spillcodec.h"
#include "memvideo/spillerror.h"

#include <math.h>
#include <string.h>

static guint32
base_seed (void)
{
  const gchar *env = g_getenv ("SPILLCODEC_SEED");
  guint32 seed = env ? (guint32) g_ascii_strtoull (env, NULL, 10) : 1;

  g_print ("random test seed %u (SPILLCODEC_SEED=<n> to change)\n", seed);
  return seed;
}

/* The "disk copy": encoded bytes in RAM, read as the pool reads its file */
typedef struct
{
  const guint8 *data;
  gsize size;
  guint reads;
} Source;

static void
source_init (Source * s, const guint8 * data, gsize size)
{
  s->data = data;
  s->size = size;
  s->reads = 0;
}

static gboolean
source_read (gpointer source, guint64 offset, guint8 * dest, gsize size,
    GError ** error)
{
  Source *s = source;

  s->reads++;
  if (offset > s->size || size > s->size - offset) {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "read of %" G_GSIZE_FORMAT " bytes at %" G_GUINT64_FORMAT " past %"
        G_GSIZE_FORMAT, size, offset, s->size);
    return FALSE;
  }
  memcpy (dest, s->data + offset, size);
  return TRUE;
}

/* smooth content JPEG codes well, shifted by @seed */
static void
fill_frame (guint8 * data, gsize size, guint32 seed)
{
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) (128 + 100 * sin ((i % 97 + seed) / 15.0) *
        cos ((i / 97 + seed) / 11.0));
}

static gdouble
psnr (const guint8 * a, const guint8 * b, gsize size)
{
  gdouble se = 0;
  gsize i;

  for (i = 0; i < size; i++)
    se += (a[i] - (gdouble) b[i]) * (a[i] - (gdouble) b[i]);
  if (se == 0)
    return 99;
  return 10 * log10 (255.0 * 255.0 * size / se);
}

GST_START_TEST (test_codec_table)
{
  fail_unless (memvideo_spill_codec_get (MEMVIDEO_SPILL_FORMAT_RAW) ==
      &memvideo_spill_codec_raw);
  fail_unless (memvideo_spill_codec_get (MEMVIDEO_SPILL_FORMAT_JPEG) ==
      &memvideo_spill_codec_jpeg);
  fail_unless (memvideo_spill_codec_get ((MemvideoSpillFormat) 77) ==
      &memvideo_spill_codec_raw);
  fail_unless_equals_string (memvideo_spill_codec_raw.name, "raw");
  fail_unless_equals_string (memvideo_spill_codec_jpeg.name, "jpeg");
  fail_unless (memvideo_spill_codec_raw.writes_in_place);
  fail_if (memvideo_spill_codec_jpeg.writes_in_place);
}

GST_END_TEST;

/* raw takes anything and its disk copy is the data itself */
GST_START_TEST (test_raw_round_trip)
{
  const MemvideoSpillCodec *c = &memvideo_spill_codec_raw;
  MemvideoSpillLayout layout;
  guint8 data[1000], back[1000];
  const guint8 *out;
  gsize out_size;
  Source src;

  fill_frame (data, sizeof (data), base_seed ());
  fail_unless (c->accepts (NULL, NULL, NULL, sizeof (data), &layout));
  fail_unless (c->encode (NULL, data, sizeof (data), 90, &out, &out_size,
          NULL));
  fail_unless (out == data);
  fail_unless_equals_int (out_size, sizeof (data));
  source_init (&src, out, out_size);
  memset (back, 0, sizeof (back));
  fail_unless (c->decode (NULL, source_read, &src, out_size, back,
          sizeof (back), NULL));
  fail_unless (memcmp (back, data, sizeof (data)) == 0);
  /* a range reads just that range */
  memset (back, 0, sizeof (back));
  fail_unless (c->decode_range (NULL, source_read, &src, out_size,
          sizeof (data), 300, back, 50, NULL));
  fail_unless (memcmp (back, data + 300, 50) == 0);
  fail_unless_equals_int (src.reads, 2);
}

GST_END_TEST;

/* What the JPEG codec takes: the 8-bit formats TurboJPEG codes directly,
 * planes that fit, sizes it handles */
GST_START_TEST (test_jpeg_accepts)
{
  const MemvideoSpillCodec *c = &memvideo_spill_codec_jpeg;
  static const GstVideoFormat yes[] = { GST_VIDEO_FORMAT_I420,
    GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_Y42B, GST_VIDEO_FORMAT_Y444,
    GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGRx,
    GST_VIDEO_FORMAT_ARGB
  };
  static const GstVideoFormat no[] = { GST_VIDEO_FORMAT_NV12,
    GST_VIDEO_FORMAT_YUY2, GST_VIDEO_FORMAT_GRAY16_LE,
    GST_VIDEO_FORMAT_I420_10LE, GST_VIDEO_FORMAT_v210
  };
  MemvideoSpillLayout layout;
  GstVideoInfo vinfo;
  gint stride[4] = { 10, 5, 5, 0 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (yes); i++) {
    gst_video_info_set_format (&vinfo, yes[i], 64, 48);
    fail_unless (memvideo_spill_codec_accepts_info (c, &vinfo), "%s",
        gst_video_format_to_string (yes[i]));
  }
  for (i = 0; i < G_N_ELEMENTS (no); i++) {
    gst_video_info_set_format (&vinfo, no[i], 64, 48);
    fail_if (memvideo_spill_codec_accepts_info (c, &vinfo), "%s",
        gst_video_format_to_string (no[i]));
  }
  fail_if (c->accepts (NULL, NULL, NULL, 1000, &layout));

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 64, 48);
  /* the planes must fit in the memory */
  fail_unless (c->accepts (&vinfo, NULL, NULL, GST_VIDEO_INFO_SIZE (&vinfo),
          &layout));
  fail_unless_equals_int (layout.width, 64);
  fail_unless_equals_int (layout.offset[1], vinfo.offset[1]);
  fail_if (c->accepts (&vinfo, NULL, NULL, GST_VIDEO_INFO_SIZE (&vinfo) - 1,
          &layout));
  /* strides shorter than a row */
  fail_if (c->accepts (&vinfo, vinfo.offset, stride, 100000, &layout));
  /* TurboJPEG's largest dimension */
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_GRAY8, 65501, 2);
  fail_if (memvideo_spill_codec_accepts_info (c, &vinfo));
}

GST_END_TEST;

/* A padded I420 frame: decoded planes close to the original, padding left
 * alone by decode and zeroed by clear_stale */
GST_START_TEST (test_jpeg_round_trip)
{
  const MemvideoSpillCodec *c = &memvideo_spill_codec_jpeg;
  MemvideoSpillLayout layout;
  GstVideoInfo vinfo;
  gsize offset[4] = { 16, 0, 0, 0 }, size, i;
  gint stride[4] = { 96, 48, 48, 0 };
  guint8 *data, *back, *range;
  const guint8 *out;
  gsize out_size;
  Source src;
  gint y;

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 80, 60);
  offset[1] = offset[0] + 96 * 60;
  offset[2] = offset[1] + 48 * 30;
  size = offset[2] + 48 * 30 + 10;
  fail_unless (c->accepts (&vinfo, offset, stride, size, &layout));
  data = g_malloc (size);
  fill_frame (data, size, base_seed ());

  fail_unless (c->encode (&layout, data, size, 90, &out, &out_size, NULL));
  fail_unless (out != data);
  fail_unless (out_size < size / 2, "%" G_GSIZE_FORMAT, out_size);
  source_init (&src, out, out_size);

  back = g_malloc (size);
  memset (back, 0x33, size);
  fail_unless (c->decode (&layout, source_read, &src, out_size, back, size,
          NULL));
  for (y = 0; y < 60; y++)
    fail_unless (psnr (data + 16 + y * 96, back + 16 + y * 96, 80) > 30,
        "row %d", y);
  /* decode writes pixels only */
  fail_unless_equals_int (back[0], 0x33);
  fail_unless_equals_int (back[16 + 80], 0x33);
  fail_unless_equals_int (back[size - 1], 0x33);
  c->clear_stale (&layout, back, size);
  fail_unless_equals_int (back[0], 0);
  fail_unless_equals_int (back[16 + 80], 0);
  fail_unless_equals_int (back[size - 1], 0);

  /* a range of the decoded frame, the memory's other bytes being zeros */
  range = g_malloc (200);
  fail_unless (c->decode_range (&layout, source_read, &src, out_size, size,
          offset[1] - 100, range, 200, NULL));
  c->decode (&layout, source_read, &src, out_size, back, size, NULL);
  fail_unless (memcmp (range + 100, back + offset[1], 100) == 0);
  for (i = 0; i < 100; i++) {
    /* bytes 80..95 of each row are padding: zeros */
    if ((offset[1] - 100 + i - 16) % 96 >= 80)
      fail_unless_equals_int (range[i], 0);
  }

  c->release_encoded (out);
  g_free (range);
  g_free (back);
  g_free (data);
}

GST_END_TEST;

/* Damaged or foreign data fails with MEMVIDEO_SPILL_ERROR_CODEC and never
 * writes a different geometry */
GST_START_TEST (test_jpeg_damaged)
{
  const MemvideoSpillCodec *c = &memvideo_spill_codec_jpeg;
  MemvideoSpillLayout layout, other;
  GstVideoInfo vinfo, small;
  guint8 *data, *back, junk[64];
  const guint8 *out;
  gsize out_size, size;
  GError *err = NULL;
  Source src;

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_GRAY8, 64, 32);
  size = GST_VIDEO_INFO_SIZE (&vinfo);
  fail_unless (c->accepts (&vinfo, NULL, NULL, size, &layout));
  data = g_malloc (size);
  back = g_malloc (size);
  fill_frame (data, size, base_seed ());
  fail_unless (c->encode (&layout, data, size, 80, &out, &out_size, NULL));

  /* another geometry */
  gst_video_info_set_format (&small, GST_VIDEO_FORMAT_GRAY8, 32, 32);
  fail_unless (c->accepts (&small, NULL, NULL, size, &other));
  source_init (&src, out, out_size);
  fail_if (c->decode (&other, source_read, &src, out_size, back, size, &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_CODEC), "%s", err->message);
  fail_unless (strstr (err->message, "is 64x32, expected 32x32") != NULL,
      "%s", err->message);
  g_clear_error (&err);

  /* not JPEG at all */
  memset (junk, 0x5a, sizeof (junk));
  source_init (&src, junk, sizeof (junk));
  fail_if (c->decode (&layout, source_read, &src, sizeof (junk), back, size,
          &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_CODEC), "%s", err->message);
  fail_unless (strstr (err->message, "JPEG decoding of a 64 byte 64x32 "
          "GRAY8 frame failed") != NULL, "%s", err->message);
  g_clear_error (&err);

  /* the read fails: its error comes through */
  source_init (&src, out, 10);
  fail_if (c->decode (&layout, source_read, &src, out_size, back, size, &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_IO), "%s", err->message);
  g_clear_error (&err);

  c->release_encoded (out);
  g_free (back);
  g_free (data);
}

GST_END_TEST;

static Suite *
spillcodec_suite (void)
{
  Suite *s = suite_create ("spillcodec");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_codec_table);
  tcase_add_test (tc, test_raw_round_trip);
  tcase_add_test (tc, test_jpeg_accepts);
  tcase_add_test (tc, test_jpeg_round_trip);
  tcase_add_test (tc, test_jpeg_damaged);
  return s;
}

GST_CHECK_MAIN (spillcodec);
