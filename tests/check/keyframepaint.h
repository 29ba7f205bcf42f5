/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Test pictures for the keyframe tests: grey rectangles in coordinates
 * relative to the frame (so one picture renders at any resolution), drawn
 * into any of the 8-bit formats keyframeselect reads.  YUV gets the luma in
 * its Y samples and neutral chroma, RGB gets R = G = B from the BT.601
 * limited-range inverse, so all renderings have the same luma.
 */

#ifndef __KEYFRAME_PAINT_H__
#define __KEYFRAME_PAINT_H__

#include <string.h>
#include <gst/video/video.h>

typedef struct
{
  gdouble x, y, w, h;
  guint8 luma;
} PaintRect;

#define PAINT_MAX_RECTS 128

typedef struct
{
  guint8 background;
  guint n;
  PaintRect rects[PAINT_MAX_RECTS];
} Picture;

/* The seed of a random test: @fallback unless the environment variable
 * @env gives one; printed either way so that a failure can be replayed. */
static inline guint32
test_seed (const gchar * env, guint32 fallback)
{
  const gchar *v = g_getenv (env);
  guint32 seed = v ? (guint32) g_ascii_strtoull (v, NULL, 0) : fallback;

  g_print ("%s=%u\n", env, seed);
  return seed;
}

static inline void
picture_add (Picture * pic, gdouble x, gdouble y, gdouble w, gdouble h,
    guint8 luma)
{
  PaintRect r = { x, y, w, h, luma };

  g_assert (pic->n < PAINT_MAX_RECTS);
  pic->rects[pic->n++] = r;
}

/* A slide: a title bar and lines of "words" (dark blocks) whose layout
 * depends on @seed; two seeds give two clearly different pages. */
static inline void
picture_slide (Picture * pic, guint seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  guint line;

  pic->background = 235;
  pic->n = 0;
  picture_add (pic, 0.05, 0.04, g_rand_double_range (rand, 0.3, 0.8), 0.08,
      60);
  for (line = 0; line < 7; line++) {
    gdouble x = 0.08;

    while (pic->n < PAINT_MAX_RECTS - 8) {
      gdouble w = g_rand_double_range (rand, 0.03, 0.12);

      if (x + w > 0.92)
        break;
      picture_add (pic, x, 0.2 + line * 0.1, w, 0.04, 30);
      x += w + 0.02;
    }
  }
  g_rand_free (rand);
}

static inline guint8
rgb_from_luma (guint8 y)
{
  gint v = ((gint) y - 16) * 255 / 219;

  return (guint8) CLAMP (v, 0, 255);
}

static inline GstBuffer *
picture_render (const Picture * pic, const GstVideoInfo * info)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, info->size, NULL);
  guint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  const GstVideoFormatInfo *finfo = info->finfo;
  gboolean rgb = GST_VIDEO_FORMAT_INFO_IS_RGB (finfo);
  guint8 *line = g_malloc (w);
  GstVideoFrame frame;
  guint x, y, i;

  gst_buffer_memset (buf, 0, 128, info->size);
  g_assert (gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE));

  for (y = 0; y < h; y++) {
    memset (line, pic->background, w);
    for (i = 0; i < pic->n; i++) {
      const PaintRect *r = &pic->rects[i];
      guint x0 = (guint) (r->x * w + 0.5), x1 = (guint) ((r->x + r->w) * w +
          0.5);
      guint y0 = (guint) (r->y * h + 0.5), y1 = (guint) ((r->y + r->h) * h +
          0.5);

      x1 = MIN (x1, w);
      if (y >= y0 && y < y1 && x0 < x1)
        memset (line + x0, r->luma, x1 - x0);
    }

    if (!rgb) {
      guint8 *d = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, 0) +
          y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0);
      guint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, 0);

      for (x = 0; x < w; x++)
        d[x * ps] = line[x];
    } else {
      guint c;

      for (c = 0; c < 3; c++) {
        guint8 *d = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, c) +
            y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, c);
        guint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, c);

        for (x = 0; x < w; x++)
          d[x * ps] = rgb_from_luma (line[x]);
      }
    }
  }

  gst_video_frame_unmap (&frame);
  g_free (line);
  return buf;
}

#endif /* __KEYFRAME_PAINT_H__ */
