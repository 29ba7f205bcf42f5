/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of gst/memvideo/keyframeproxy.c: the luma proxy for every
 * format, both metrics and ROI clamping, without a pipeline.  The decision
 * is tested in keyframeselector.c.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include "memvideo/keyframeproxy.h"
#include "../keyframepaint.h"

#define MS (GST_MSECOND)

static const gchar *all_formats[] = {
  "GRAY8", "I420", "YV12", "NV12", "NV21", "Y41B", "Y42B", "Y444", "YUY2",
  "UYVY", "YVYU", "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA",
  "BGRA", "ARGB", "ABGR",
};

/* Renders @pic and builds its proxy over the whole frame. */
static void
proxy_of (const Picture * pic, const gchar * format, guint w, guint h,
    guint analysis_width, MemvideoLumaProxy * proxy)
{
  MemvideoProxyBuilder *b = memvideo_proxy_builder_new ();
  GstVideoInfo info;
  GstVideoFrame frame;
  MemvideoLumaSource src;
  MemvideoRect roi = { 0, 0, w, h };
  GstBuffer *buf;

  gst_video_info_set_format (&info, gst_video_format_from_string (format), w,
      h);
  buf = picture_render (pic, &info);
  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
  fail_unless (memvideo_luma_source_init_from_frame (&src, &frame),
      "%s not supported", format);
  memvideo_proxy_builder_build (b, &src, &roi, analysis_width, proxy);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (buf);
  memvideo_proxy_builder_free (b);
}

static guint
max_cell_diff (const MemvideoLumaProxy * a, const MemvideoLumaProxy * b)
{
  guint i, m = 0;

  fail_unless_equals_int (a->width, b->width);
  fail_unless_equals_int (a->height, b->height);
  for (i = 0; i < a->width * a->height; i++)
    m = MAX (m, (guint) ABS ((gint) a->cells[i] - (gint) b->cells[i]));
  return m;
}

GST_START_TEST (test_proxy_size)
{
  MemvideoRect r1080 = { 0, 0, 1920, 1080 }, r2160 = { 0, 0, 3840, 2160 };
  MemvideoRect r480 = { 0, 0, 854, 480 }, r720 = { 0, 0, 1280, 720 };
  MemvideoRect tiny = { 0, 0, 10, 6 };
  guint w, h;

  memvideo_luma_proxy_size (&r1080, 160, &w, &h);
  fail_unless_equals_int (w, 120);
  fail_unless_equals_int (h, 67);
  memvideo_luma_proxy_size (&r2160, 160, &w, &h);
  fail_unless_equals_int (w, 120);
  fail_unless_equals_int (h, 67);
  memvideo_luma_proxy_size (&r720, 160, &w, &h);
  fail_unless_equals_int (w, 160);
  fail_unless_equals_int (h, 90);
  memvideo_luma_proxy_size (&r480, 160, &w, &h);
  fail_unless_equals_int (w, 213);
  fail_unless_equals_int (h, 120);
  memvideo_luma_proxy_size (&tiny, 160, &w, &h);
  fail_unless_equals_int (w, 10);
  fail_unless_equals_int (h, 6);
}

GST_END_TEST;

GST_START_TEST (test_proxy_values)
{
  MemvideoLumaProxy p;
  Picture pic = { 100, 0 };
  guint x, y;

  memvideo_luma_proxy_init (&p);

  /* uniform picture: every cell is the picture's luma */
  proxy_of (&pic, "I420", 320, 240, 40, &p);
  fail_unless_equals_int (p.width, 40);
  fail_unless_equals_int (p.height, 30);
  for (x = 0; x < p.width * p.height; x++)
    fail_unless_equals_int (p.cells[x], 100);

  /* left half 16, right half 235, the edge on a cell boundary */
  pic.background = 16;
  picture_add (&pic, 0.5, 0.0, 0.5, 1.0, 235);
  proxy_of (&pic, "GRAY8", 320, 240, 40, &p);
  for (y = 0; y < p.height; y++)
    for (x = 0; x < p.width; x++)
      fail_unless_equals_int (p.cells[y * p.width + x], x < 20 ? 16 : 235);

  /* a cell half covered is the average of both */
  pic.n = 0;
  picture_add (&pic, 0.0, 0.0, 4.0 / 320, 1.0, 216);
  proxy_of (&pic, "GRAY8", 320, 240, 40, &p);
  fail_unless_equals_int (p.cells[0], (16 + 216) / 2);
  fail_unless_equals_int (p.cells[1], 16);

  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

/* Every supported format gives the same proxy as GRAY8 for the same
 * picture: exactly for YUV, within rounding for RGB. */
GST_START_TEST (test_proxy_formats)
{
  MemvideoLumaProxy ref, p;
  Picture pic;
  guint i;

  picture_slide (&pic, 7);
  memvideo_luma_proxy_init (&ref);
  memvideo_luma_proxy_init (&p);
  proxy_of (&pic, "GRAY8", 640, 360, 160, &ref);

  for (i = 0; i < G_N_ELEMENTS (all_formats); i++) {
    GstVideoFormat f = gst_video_format_from_string (all_formats[i]);
    const GstVideoFormatInfo *finfo = gst_video_format_get_info (f);

    proxy_of (&pic, all_formats[i], 640, 360, 160, &p);
    if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo))
      fail_unless (max_cell_diff (&ref, &p) <= 2, "%s differs by %u",
          all_formats[i], max_cell_diff (&ref, &p));
    else
      fail_unless (max_cell_diff (&ref, &p) == 0, "%s differs by %u",
          all_formats[i], max_cell_diff (&ref, &p));
  }

  /* Larger frames have cells of 8, 16 and 32 pixels, where planar luma
   * takes another summing path than packed 4:2:2 (SSE2 on x86): the
   * proxies must still be identical. */
  proxy_of (&pic, "GRAY8", 1280, 720, 160, &ref);
  proxy_of (&pic, "YUY2", 1280, 720, 160, &p);
  fail_unless_equals_int (max_cell_diff (&ref, &p), 0);
  proxy_of (&pic, "I420", 1920, 1080, 160, &ref);
  proxy_of (&pic, "UYVY", 1920, 1080, 160, &p);
  fail_unless_equals_int (max_cell_diff (&ref, &p), 0);
  proxy_of (&pic, "NV12", 3840, 2160, 160, &ref);
  proxy_of (&pic, "YUY2", 3840, 2160, 160, &p);
  fail_unless_equals_int (max_cell_diff (&ref, &p), 0);
  /* an odd number of 8-pixel cells: 1256 / 8 = 157 */
  proxy_of (&pic, "GRAY8", 1256, 720, 160, &ref);
  proxy_of (&pic, "YUY2", 1256, 720, 160, &p);
  fail_unless_equals_int (ref.width, 157);
  fail_unless_equals_int (max_cell_diff (&ref, &p), 0);

  /* Packed RGB in cells of 8 (in pairs, and an odd last one), 16 and 32
   * pixels, which take the channel-sum path on x86: within rounding */
  {
    const gchar *rgb[] = { "RGB", "BGR", "RGBx", "xBGR", "ARGB", "BGRA" };
    const guint sizes[][2] = { {1256, 720}, {1280, 720}, {1920, 1080},
    {3840, 2160}
    };
    guint k;

    for (k = 0; k < G_N_ELEMENTS (sizes); k++) {
      proxy_of (&pic, "GRAY8", sizes[k][0], sizes[k][1], 160, &ref);
      for (i = 0; i < G_N_ELEMENTS (rgb); i++) {
        proxy_of (&pic, rgb[i], sizes[k][0], sizes[k][1], 160, &p);
        fail_unless (max_cell_diff (&ref, &p) <= 2, "%s at %ux%u differs by "
            "%u", rgb[i], sizes[k][0], sizes[k][1], max_cell_diff (&ref, &p));
      }
    }
  }

  memvideo_luma_proxy_clear (&ref);
  memvideo_luma_proxy_clear (&p);
}

GST_END_TEST;

/* The same picture at 1080p and 4K: the same grid and the same
 * selections.  Both average 4 rows of each band, a quarter of a 1080p band
 * and an eighth of a 4K one, so the cells that a word's top or bottom edge
 * crosses differ; all others agree within rounding. */
GST_START_TEST (test_proxy_resolutions)
{
  MemvideoLumaProxy a, b;
  Picture pic;

  picture_slide (&pic, 3);
  memvideo_luma_proxy_init (&a);
  memvideo_luma_proxy_init (&b);
  proxy_of (&pic, "I420", 1920, 1080, 160, &a);
  proxy_of (&pic, "NV12", 3840, 2160, 160, &b);
  fail_unless (memvideo_keyframe_score (MEMVIDEO_KEYFRAME_METRIC_AREA, 2,
          &a, &b) < 0.04);
  fail_unless (memvideo_keyframe_score (MEMVIDEO_KEYFRAME_METRIC_AREA, 12,
          &a, &b) < 0.02);
  memvideo_luma_proxy_clear (&a);
  memvideo_luma_proxy_clear (&b);
}

GST_END_TEST;

/* A GRAY8 page of dark bars (words, 2 to 9 rows tall) on paper, @extra
 * rows taller than @h so that it can scroll. */
static guint8 *
scroll_page (guint w, guint h, guint extra)
{
  GRand *rand = g_rand_new_with_seed (test_seed ("KEYFRAME_PAGE_SEED", 11));
  guint8 *page = g_malloc ((gsize) w * (h + extra));
  guint y = 3;

  memset (page, 232, (gsize) w * (h + extra));
  while (y + 10 < h + extra) {
    guint bar = g_rand_int_range (rand, 2, 10), x = 8, row;

    while (x + 70 < w) {
      guint len = g_rand_int_range (rand, 10, 60);

      for (row = y; row < y + bar; row++)
        memset (page + (gsize) row * w + x, 32, len);
      x += len + g_rand_int_range (rand, 6, 20);
    }
    y += bar + g_rand_int_range (rand, 3, 12);
  }
  g_rand_free (rand);
  return page;
}

/* Each proxy row is the box average of a contiguous block of rows, so
 * moving the picture up by one row changes a cell by at most
 * contrast / rows: here (232 - 32) / 4 = 50, plus 1 for the rounding of
 * both averages.  Rows sampled apart would each see every edge crossing
 * them and change by up to the full contrast; a slow scroll would then
 * read as change (see docs/keyframeselect.md). */
GST_START_TEST (test_proxy_scroll)
{
  static const guint sizes[][2] = {
    {640, 360}, {854, 480}, {1280, 720}, {1920, 1080}, {3840, 2160},
  };
  MemvideoProxyBuilder *b = memvideo_proxy_builder_new ();
  MemvideoLumaProxy p0, p1;
  MemvideoLumaSource src = { 0 };
  guint i;

  memvideo_luma_proxy_init (&p0);
  memvideo_luma_proxy_init (&p1);
  src.layout = MEMVIDEO_LUMA_LAYOUT_Y;
  src.pstride = 1;
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    MemvideoRect roi = { 0, 0, sizes[i][0], sizes[i][1] };
    guint8 *page = scroll_page (sizes[i][0], sizes[i][1], 1);
    guint d;

    src.stride = src.width = sizes[i][0];
    src.height = sizes[i][1];
    src.data = page;
    memvideo_proxy_builder_build (b, &src, &roi, 160, &p0);
    src.data = page + sizes[i][0];
    memvideo_proxy_builder_build (b, &src, &roi, 160, &p1);
    d = max_cell_diff (&p0, &p1);
    fail_unless (d <= 51, "%ux%u: a one-row scroll changes a cell by %u",
        sizes[i][0], sizes[i][1], d);
    g_free (page);
  }

  /* At 640x360 the cells are 4x4 and the proxy averages all four rows: a
   * one-row line in any of them moves the cell by a quarter of its
   * contrast. */
  {
    MemvideoRect roi = { 0, 0, 640, 360 };
    guint8 *page = g_malloc (640 * 360);
    guint y;

    src.stride = src.width = 640;
    src.height = 360;
    src.data = page;
    for (y = 0; y < 4; y++) {
      memset (page, 232, 640 * 360);
      memset (page + y * 640, 32, 640);
      memvideo_proxy_builder_build (b, &src, &roi, 160, &p0);
      fail_unless_equals_int (p0.cells[0], (3 * 232 + 32) / 4);
      fail_unless_equals_int (p0.cells[p0.width], 232);
    }
    g_free (page);
  }

  memvideo_luma_proxy_clear (&p0);
  memvideo_luma_proxy_clear (&p1);
  memvideo_proxy_builder_free (b);
}

GST_END_TEST;

GST_START_TEST (test_proxy_roi)
{
  MemvideoProxyBuilder *b = memvideo_proxy_builder_new ();
  MemvideoLumaProxy p;
  MemvideoLumaSource src = { 0 };
  MemvideoRect roi = { 8, 4, 16, 8 };
  guint8 data[32 * 16];
  guint x, y;

  /* luma = x + 10 * y, analysed in the region (8,4) 16x8 with 1-px cells */
  for (y = 0; y < 16; y++)
    for (x = 0; x < 32; x++)
      data[y * 32 + x] = x + 10 * y;
  src.layout = MEMVIDEO_LUMA_LAYOUT_Y;
  src.data = data;
  src.stride = 32;
  src.pstride = 1;
  src.width = 32;
  src.height = 16;

  memvideo_luma_proxy_init (&p);
  memvideo_proxy_builder_build (b, &src, &roi, 16, &p);
  fail_unless_equals_int (p.width, 16);
  fail_unless_equals_int (p.height, 8);
  for (y = 0; y < 8; y++)
    for (x = 0; x < 16; x++)
      fail_unless_equals_int (p.cells[y * 16 + x], (8 + x) + 10 * (4 + y));

  memvideo_luma_proxy_clear (&p);
  memvideo_proxy_builder_free (b);
}

GST_END_TEST;

GST_START_TEST (test_clamp_roi)
{
  MemvideoRect req, roi;

  req = (MemvideoRect) {
  0, 0, 0, 0};
  fail_if (memvideo_keyframe_clamp_roi (&req, 320, 240, &roi));
  fail_unless (roi.x == 0 && roi.y == 0 && roi.width == 320
      && roi.height == 240);

  req = (MemvideoRect) {
  10, 20, 100, 0};
  fail_if (memvideo_keyframe_clamp_roi (&req, 320, 240, &roi));
  fail_unless (roi.x == 10 && roi.y == 20 && roi.width == 100
      && roi.height == 220);

  /* partly outside: cut at the edges */
  req = (MemvideoRect) {
  300, 200, 100, 100};
  fail_unless (memvideo_keyframe_clamp_roi (&req, 320, 240, &roi));
  fail_unless (roi.x == 300 && roi.y == 200 && roi.width == 20
      && roi.height == 40);

  /* wholly outside: the whole frame */
  req = (MemvideoRect) {
  400, 0, 10, 10};
  fail_unless (memvideo_keyframe_clamp_roi (&req, 320, 240, &roi));
  fail_unless (roi.x == 0 && roi.y == 0 && roi.width == 320
      && roi.height == 240);
}

GST_END_TEST;

static void
proxy_fill (MemvideoLumaProxy * p, guint w, guint h, guint8 v)
{
  memvideo_luma_proxy_clear (p);
  p->width = w;
  p->height = h;
  p->cells = g_malloc (w * h);
  memset (p->cells, v, w * h);
}

GST_START_TEST (test_metrics)
{
  MemvideoLumaProxy a, b;
  guint i;

  memvideo_luma_proxy_init (&a);
  memvideo_luma_proxy_init (&b);
  proxy_fill (&a, 10, 10, 100);
  proxy_fill (&b, 10, 10, 100);

  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 0, &a, &b), 0.0);
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_MEAN, 0, &a, &b), 0.0);

  /* 7 cells up by 12, 5 cells down by 13: with noise-level 12 only the 5
   * count; with 11 all 12 */
  for (i = 0; i < 7; i++)
    b.cells[i] = 112;
  for (i = 50; i < 55; i++)
    b.cells[i] = 87;
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 12, &a, &b), 0.05);
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 11, &a, &b), 0.12);
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 12, &b, &a), 0.05);
  /* mean ignores noise-level: (7*12 + 5*13) / (100 * 255) */
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_MEAN, 200, &a, &b), 149.0 / 25500.0);

  /* black to white */
  proxy_fill (&a, 10, 10, 0);
  proxy_fill (&b, 10, 10, 255);
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_MEAN, 0, &a, &b), 1.0);
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 254, &a, &b), 1.0);
  fail_unless_equals_float (memvideo_keyframe_score
      (MEMVIDEO_KEYFRAME_METRIC_AREA, 255, &a, &b), 0.0);

  memvideo_luma_proxy_clear (&a);
  memvideo_luma_proxy_clear (&b);
}

GST_END_TEST;

static Suite *
keyframeproxy_suite (void)
{
  Suite *s = suite_create ("keyframeproxy");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_proxy_size);
  tcase_add_test (tc, test_proxy_values);
  tcase_add_test (tc, test_proxy_formats);
  tcase_add_test (tc, test_proxy_resolutions);
  tcase_add_test (tc, test_proxy_scroll);
  tcase_add_test (tc, test_proxy_roi);
  tcase_add_test (tc, test_clamp_roi);
  tcase_add_test (tc, test_metrics);
  return s;
}

GST_CHECK_MAIN (keyframeproxy);
