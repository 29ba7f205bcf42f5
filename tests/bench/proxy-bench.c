/* gst-memvideo
 * Benchmark: the luma proxy of keyframeselect per pixel format, hot and
 * cold, next to reading every luma byte of the same frames.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* proxy-bench [--reps R] [--sizes 1080,2160] [--formats I420,NV12,...]
 *
 * Lecture-like frames are drawn in I420 and converted once to each format.
 * "hot" builds the proxy of the same frame again and again (it stays in the
 * cache, as right after a decoder wrote it); "cold" cycles through
 * COLD_FRAMES different frames and flushes each from the caches (clflush)
 * before it is read, as when frames wait in a long queue.  Each number is the best of R runs of the thread CPU time of
 * memvideo_proxy_builder_build + memvideo_keyframe_score per frame, the
 * work keyframeselect does per frame.  The peer, "full read", sums every
 * byte of every row that holds luma with psadbw: what a detector that looks
 * at every pixel pays at least, for memory alone.  Prints a table, never asserts a time. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <gst/gst.h>
#include <gst/video/video.h>

#include "draw.h"
#include "memvideo/keyframeproxy.h"

#define COLD_FRAMES 24
#define FRAMES_PER_RUN 480

typedef struct
{
  GstVideoInfo info;
  GstBuffer *buf[COLD_FRAMES];
  GstVideoFrame frame[COLD_FRAMES];
  MemvideoLumaSource src[COLD_FRAMES];
} FrameSet;

static gdouble
thread_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static gboolean
frame_set_init (FrameSet * set, GstVideoFormat format, gint width, gint height)
{
  GstVideoInfo i420;
  DrawCanvas *canvas = draw_canvas_new (width, height);
  DrawFrame *f = draw_frame_new (width, height);
  GstVideoConverter *conv;
  gint s = MAX (1, width / 640), k;

  gst_video_info_set_format (&i420, GST_VIDEO_FORMAT_I420, width, height);
  gst_video_info_set_format (&set->info, format, width, height);
  conv = gst_video_converter_new (&i420, &set->info, NULL);
  if (conv == NULL)
    return FALSE;

  for (k = 0; k < COLD_FRAMES; k++) {
    GstBuffer *in;
    GstVideoFrame inf;

    if (k % 8 == 0)
      draw_slide (canvas, 40 + k, 0);
    draw_canvas_to_frame (f, canvas, 0);
    draw_cursor (f, (200 + 9 * k) * s, (100 + 5 * k) * s, s);
    draw_webcam (f, width - 176 * s, height - 136 * s, 160 * s, 120 * s,
        k / 30.0);
    in = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, f->data,
        f->size, 0, f->size, NULL, NULL);
    set->buf[k] = gst_buffer_new_allocate (NULL, set->info.size, NULL);
    gst_video_frame_map (&inf, &i420, in, GST_MAP_READ);
    gst_video_frame_map (&set->frame[k], &set->info, set->buf[k],
        GST_MAP_READWRITE);
    gst_video_converter_frame (conv, &inf, &set->frame[k]);
    gst_video_frame_unmap (&inf);
    gst_buffer_unref (in);
    g_assert (memvideo_luma_source_init_from_frame (&set->src[k],
            &set->frame[k]));
  }
  gst_video_converter_free (conv);
  draw_frame_free (f);
  draw_canvas_free (canvas);
  return TRUE;
}

static void
frame_set_clear (FrameSet * set)
{
  gint k;

  for (k = 0; k < COLD_FRAMES; k++) {
    gst_video_frame_unmap (&set->frame[k]);
    gst_buffer_unref (set->buf[k]);
  }
}

/* Reads every byte of every row that holds luma (for packed formats also
 * the chroma or colour bytes between, as any full-resolution detector
 * must), summed with psadbw where the CPU has it: the peer. */
static guint64
full_read (const MemvideoLumaSource * src)
{
  gsize n = (gsize) src->width * src->pstride, x;
  guint64 sum = 0;
  guint y;

  for (y = 0; y < src->height; y++) {
    const guint8 *row = src->data + (gssize) y * src->stride;
#ifdef __SSE2__
    __m128i s = _mm_setzero_si128 ();

    for (x = 0; x + 16 <= n; x += 16)
      s = _mm_add_epi64 (s, _mm_sad_epu8 (_mm_loadu_si128 ((const __m128i *)
                  (row + x)), _mm_setzero_si128 ()));
    s = _mm_add_epi64 (s, _mm_srli_si128 (s, 8));
    sum += (guint64) _mm_cvtsi128_si64 (s);
#else
    x = 0;
#endif
    for (; x < n; x++)
      sum += row[x];
  }
  return sum;
}

/* Flushes @buf from every cache level (clflush is SSE2; elsewhere the
 * "cold" column is only as cold as cycling the frames makes it). */
static void
evict (GstBuffer * buf)
{
#ifdef __SSE2__
  GstMapInfo map;
  gsize off;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (off = 0; off < map.size; off += 64)
    _mm_clflush (map.data + off);
  _mm_mfence ();
  gst_buffer_unmap (buf, &map);
#endif
}

/* Best of @reps runs, ms of thread CPU per frame: hot (the same frame
 * again) or @cold (COLD_FRAMES frames cycled, each flushed from the caches
 * before it is read). */
static gdouble
measure (FrameSet * set, guint analysis_width, gboolean cold, gint reps,
    gboolean peer)
{
  gint distinct = cold ? COLD_FRAMES : 1;
  MemvideoProxyBuilder *b = memvideo_proxy_builder_new ();
  MemvideoLumaProxy prev = { 0, }, cur = { 0, };
  MemvideoRect roi = { 0, 0, set->src[0].width, set->src[0].height };
  gdouble best = G_MAXDOUBLE, score = 0;
  volatile guint64 sink = 0;
  gint r, i;

  /* prev gets a proxy, so that the score below has something to compare */
  memvideo_proxy_builder_build (b, &set->src[0], &roi, analysis_width, &prev);
  for (r = 0; r < reps; r++) {
    gdouble t0 = thread_ms (), t;

    for (i = 0; i < FRAMES_PER_RUN; i++) {
      const MemvideoLumaSource *src = &set->src[i % distinct];

      if (cold) {
        /* out of every cache, and that time not counted */
        gdouble f0 = thread_ms ();

        evict (set->buf[i % distinct]);
        t0 += thread_ms () - f0;
      }

      if (peer) {
        sink += full_read (src);
      } else {
        memvideo_proxy_builder_build (b, src, &roi, analysis_width, &cur);
        score += memvideo_keyframe_score (MEMVIDEO_KEYFRAME_METRIC_AREA, 16,
            &prev, &cur);
      }
    }
    t = (thread_ms () - t0) / FRAMES_PER_RUN;
    best = MIN (best, t);
  }
  (void) sink;
  (void) score;
  memvideo_luma_proxy_clear (&prev);
  memvideo_luma_proxy_clear (&cur);
  memvideo_proxy_builder_free (b);
  return best;
}

int
main (int argc, char **argv)
{
  gint reps = 5;

  guint analysis_width = 160;
  gchar *sizes = NULL, *formats = NULL;
  GOptionEntry entries[] = {
    {"reps", 0, 0, G_OPTION_ARG_INT, &reps,
        "Runs per measurement, the best counts (default 5)", "R"},
    {"sizes", 0, 0, G_OPTION_ARG_STRING, &sizes,
        "Frame heights (default 720,1080,2160)", "LIST"},
    {"formats", 0, 0, G_OPTION_ARG_STRING, &formats,
        "Pixel formats (default I420,NV12,YUY2,RGBx,RGB)", "LIST"},
    {"analysis-width", 0, 0, G_OPTION_ARG_INT, &analysis_width,
        "keyframeselect's analysis-width (default 160)", "N"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new (NULL);
  GError *err = NULL;
  gchar **heights, **fmts, **h, **f;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("proxy-bench: %s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (reps < 1 || analysis_width < 8) {
    g_printerr ("proxy-bench: --reps must be >= 1, --analysis-width >= 8\n");
    return 2;
  }
  heights = g_strsplit (sizes ? sizes : "720,1080,2160", ",", -1);
  fmts = g_strsplit (formats ? formats : "I420,NV12,YUY2,RGBx,RGB", ",", -1);

  printf ("luma proxy benchmark: proxy + area score per frame "
      "(analysis-width %u), thread CPU ms, best of %d runs of %d frames\n"
      "hot = the same frame again, cold = %d different frames cycled, "
      "each flushed from the caches first; "
      "ratio = proxy / full read of every luma byte\n\n", analysis_width,
      reps, FRAMES_PER_RUN, COLD_FRAMES);
  printf ("%-10s %-6s %9s %9s %10s %10s %8s %8s\n", "size", "format",
      "proxy hot", "cold", "full hot", "cold", "hot x", "cold x");

  for (h = heights; *h != NULL; h++) {
    gint height = atoi (*h), width = height * 16 / 9;

    if (height < 360 || width % 640 != 0) {
      g_printerr ("proxy-bench: unsupported size %s (use 360, 720, 1080, "
          "1440, 2160)\n", *h);
      return 2;
    }
    for (f = fmts; *f != NULL; f++) {
      GstVideoFormat format = gst_video_format_from_string (*f);
      FrameSet set;
      gdouble ph, pc, fh, fc;
      gchar *label;

      if (format == GST_VIDEO_FORMAT_UNKNOWN ||
          !frame_set_init (&set, format, width, height)) {
        g_printerr ("proxy-bench: cannot make %s frames\n", *f);
        return 2;
      }
      ph = measure (&set, analysis_width, FALSE, reps, FALSE);
      pc = measure (&set, analysis_width, TRUE, reps, FALSE);
      fh = measure (&set, analysis_width, FALSE, reps, TRUE);
      fc = measure (&set, analysis_width, TRUE, reps, TRUE);
      label = g_strdup_printf ("%dx%d", width, height);
      printf ("%-10s %-6s %9.4f %9.4f %10.4f %10.4f %7.3fx %7.3fx\n", label,
          *f, ph, pc, fh, fc, ph / fh, pc / fc);
      fflush (stdout);
      g_free (label);
      frame_set_clear (&set);
    }
  }
  g_strfreev (heights);
  g_strfreev (fmts);
  g_free (sizes);
  g_free (formats);
  return 0;
}
