/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of memvideo_video_frame_fits() (gst/memvideo/videolayout.h):
 * frames whose GstVideoMeta describes planes inside or outside the mapped
 * memory.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/video/video.h>

#include "memvideo/videolayout.h"

/* A buffer of @size bytes with a video meta of @offset/@stride (NULL: no
 * meta), mapped as a frame of @vinfo: what memvideo_video_frame_fits()
 * says of it.  The map itself must work (it does not check the planes). */
static gboolean
fits (const GstVideoInfo * vinfo, gsize size, const gsize * offset,
    const gint * stride)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstVideoFrame frame;
  gboolean ret;

  if (offset)
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_INFO_FORMAT (vinfo), GST_VIDEO_INFO_WIDTH (vinfo),
        GST_VIDEO_INFO_HEIGHT (vinfo), GST_VIDEO_INFO_N_PLANES (vinfo),
        (gsize *) offset, (gint *) stride);
  fail_unless (gst_video_frame_map (&frame, vinfo, buf, GST_MAP_READ));
  ret = memvideo_video_frame_fits (&frame);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (buf);
  return ret;
}

GST_START_TEST (test_default_layout)
{
  GstVideoInfo vinfo;

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 64, 48);
  fail_unless (fits (&vinfo, GST_VIDEO_INFO_SIZE (&vinfo), NULL, NULL));
  fail_unless (fits (&vinfo, GST_VIDEO_INFO_SIZE (&vinfo), vinfo.offset,
          vinfo.stride));
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_RGB, 33, 17);
  fail_unless (fits (&vinfo, GST_VIDEO_INFO_SIZE (&vinfo), NULL, NULL));
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_YUY2, 30, 4);
  fail_unless (fits (&vinfo, GST_VIDEO_INFO_SIZE (&vinfo), vinfo.offset,
          vinfo.stride));
}

GST_END_TEST;

/* padded rows that still fit, and the same rows one byte short */
GST_START_TEST (test_padded_rows)
{
  GstVideoInfo vinfo;
  gsize offset[4] = { 0, };
  gint stride[4] = { 80, 0, };

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_GRAY8, 64, 48);
  fail_unless (fits (&vinfo, 47 * 80 + 64, offset, stride));
  fail_if (fits (&vinfo, 47 * 80 + 63, offset, stride));
  /* a plane that starts further in */
  offset[0] = 10;
  fail_unless (fits (&vinfo, 10 + 47 * 80 + 64, offset, stride));
  fail_if (fits (&vinfo, 47 * 80 + 64, offset, stride));
}

GST_END_TEST;

/* strides that are not plain top-down rows wider than the pixels */
GST_START_TEST (test_bad_strides)
{
  GstVideoInfo vinfo;
  gsize offset[4] = { 47 * 64, 0, };
  gint stride[4] = { -64, 0, };

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_GRAY8, 64, 48);
  /* bottom-up rows */
  fail_if (fits (&vinfo, 48 * 64, offset, stride));
  /* rows overlapping each other */
  offset[0] = 0;
  stride[0] = 32;
  fail_if (fits (&vinfo, 48 * 64, offset, stride));
  /* chroma planes of I420 beyond the memory */
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 64, 48);
  {
    gsize o[4] = { vinfo.offset[0], vinfo.offset[1], vinfo.offset[2] + 64, 0 };
    gint st[4] = { vinfo.stride[0], vinfo.stride[1], vinfo.stride[2], 0 };

    fail_if (fits (&vinfo, GST_VIDEO_INFO_SIZE (&vinfo), o, st));
    fail_unless (fits (&vinfo, GST_VIDEO_INFO_SIZE (&vinfo) + 64, o, st));
  }
}

GST_END_TEST;

static Suite *
videolayout_suite (void)
{
  Suite *s = suite_create ("videolayout");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_default_layout);
  tcase_add_test (tc, test_padded_rows);
  tcase_add_test (tc, test_bad_strides);
  return s;
}

GST_CHECK_MAIN (videolayout);
