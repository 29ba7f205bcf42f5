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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "keyframeproxy.h"

#define MAX_CELL_WIDTH 128
/* Cells are summed in 16 bits: rows * cell width * 255 must fit. */
#define MAX_CELL_SAMPLES 256

struct _MemvideoProxyBuilder
{
  /* geometry the tables below were computed for */
  guint roi_width, roi_height, analysis_width;
  guint pw, ph;
  guint cell;                   /* cell width in pixels, a power of two */
  guint rows;                   /* source rows averaged per proxy row, a
                                 * contiguous block in each band */
  guint shift;                  /* log2 (cell * rows) */
  guint *row_index;             /* ph * rows source rows, relative to roi.y */
  guint16 *acc;                 /* per-pixel-pair sums of one proxy row */
  guint16 *tmp;                 /* halving scratch */
};

gboolean
memvideo_luma_source_init_from_frame (MemvideoLumaSource * src,
    const GstVideoFrame * frame)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;

  memset (src, 0, sizeof (*src));
  src->width = GST_VIDEO_FRAME_WIDTH (frame);
  src->height = GST_VIDEO_FRAME_HEIGHT (frame);

  if (GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0) != 8 ||
      GST_VIDEO_FORMAT_INFO_IS_TILED (finfo))
    return FALSE;

  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) ||
      GST_VIDEO_FORMAT_INFO_IS_GRAY (finfo)) {
    src->layout = MEMVIDEO_LUMA_LAYOUT_Y;
    src->data = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
    src->stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
    src->pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
    return src->pstride == 1 || src->pstride == 2;
  }

  if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo) &&
      GST_VIDEO_FORMAT_INFO_N_PLANES (finfo) == 1) {
    src->layout = MEMVIDEO_LUMA_LAYOUT_RGB;
    src->data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
    src->stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
    src->pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
    src->r_off = GST_VIDEO_FRAME_COMP_POFFSET (frame, 0);
    src->g_off = GST_VIDEO_FRAME_COMP_POFFSET (frame, 1);
    src->b_off = GST_VIDEO_FRAME_COMP_POFFSET (frame, 2);
    return src->pstride == 3 || src->pstride == 4;
  }

  return FALSE;
}

gboolean
memvideo_keyframe_clamp_roi (const MemvideoRect * requested,
    guint frame_width, guint frame_height, MemvideoRect * roi)
{
  gboolean clamped = FALSE;

  if (requested->x >= frame_width || requested->y >= frame_height) {
    /* nothing of it is inside: the whole frame is the only useful region */
    roi->x = roi->y = 0;
    roi->width = frame_width;
    roi->height = frame_height;
    return TRUE;
  }

  roi->x = requested->x;
  roi->y = requested->y;
  roi->width = frame_width - roi->x;
  roi->height = frame_height - roi->y;

  if (requested->width > 0) {
    if (requested->width > roi->width)
      clamped = TRUE;
    else
      roi->width = requested->width;
  }
  if (requested->height > 0) {
    if (requested->height > roi->height)
      clamped = TRUE;
    else
      roi->height = requested->height;
  }

  return clamped;
}

void
memvideo_luma_proxy_init (MemvideoLumaProxy * proxy)
{
  proxy->width = proxy->height = 0;
  proxy->cells = NULL;
}

void
memvideo_luma_proxy_clear (MemvideoLumaProxy * proxy)
{
  g_free (proxy->cells);
  memvideo_luma_proxy_init (proxy);
}

static void
proxy_resize (MemvideoLumaProxy * proxy, guint width, guint height)
{
  if (proxy->width == width && proxy->height == height)
    return;
  g_free (proxy->cells);
  proxy->cells = g_malloc0 ((gsize) width * height);
  proxy->width = width;
  proxy->height = height;
}

void
memvideo_luma_proxy_copy (MemvideoLumaProxy * dest,
    const MemvideoLumaProxy * src)
{
  proxy_resize (dest, src->width, src->height);
  memcpy (dest->cells, src->cells, (gsize) src->width * src->height);
}

static guint
cell_width_for (guint roi_width, guint analysis_width)
{
  gdouble want = (gdouble) roi_width / MAX (analysis_width, 1);
  guint cell = 1;

  /* the power of two nearest (in ratio) to the wanted cell width */
  while (cell < MAX_CELL_WIDTH && cell * 2 <= roi_width &&
      (gdouble) cell * G_SQRT2 < want)
    cell *= 2;
  return cell;
}

void
memvideo_luma_proxy_size (const MemvideoRect * roi, guint analysis_width,
    guint * width, guint * height)
{
  guint cell = cell_width_for (roi->width, analysis_width);

  *width = MAX (1, roi->width / cell);
  *height = MAX (1, roi->height / cell);
}

MemvideoProxyBuilder *
memvideo_proxy_builder_new (void)
{
  return g_new0 (MemvideoProxyBuilder, 1);
}

static void
builder_free_tables (MemvideoProxyBuilder * b)
{
  g_free (b->row_index);
  g_free (b->acc);
  g_free (b->tmp);
  b->row_index = NULL;
  b->acc = NULL;
  b->tmp = NULL;
}

void
memvideo_proxy_builder_free (MemvideoProxyBuilder * builder)
{
  if (builder == NULL)
    return;
  builder_free_tables (builder);
  g_free (builder);
}

static void
builder_setup (MemvideoProxyBuilder * b, const MemvideoRect * roi,
    guint analysis_width)
{
  guint j, k;

  if (b->acc != NULL && b->roi_width == roi->width &&
      b->roi_height == roi->height && b->analysis_width == analysis_width)
    return;

  builder_free_tables (b);
  b->roi_width = roi->width;
  b->roi_height = roi->height;
  b->analysis_width = analysis_width;
  b->cell = cell_width_for (roi->width, analysis_width);
  memvideo_luma_proxy_size (roi, analysis_width, &b->pw, &b->ph);

  /* Up to MEMVIDEO_PROXY_ROWS_PER_CELL rows, no more than the shortest
   * band has, a power of two so that cell * rows is one (the average is a
   * shift) and within MAX_CELL_SAMPLES. */
  b->rows = 1;
  while (b->rows * 2 <= MEMVIDEO_PROXY_ROWS_PER_CELL &&
      b->rows * 2 <= roi->height / b->ph &&
      b->cell * b->rows * 2 <= MAX_CELL_SAMPLES)
    b->rows *= 2;
  b->shift = 0;
  while ((1u << b->shift) < b->cell * b->rows)
    b->shift++;

  /* Bands of rows cover the whole height; each proxy row averages a
   * contiguous block of rows in the middle of its band.  Contiguous, because
   * then a cell is a box average: content moving by s rows changes it by at
   * most contrast * s / rows, while rows sampled apart each see every edge
   * that crosses them, and a slow scroll reads as change. */
  b->row_index = g_new (guint, b->ph * b->rows);
  for (j = 0; j < b->ph; j++) {
    guint y0 = (guint) ((guint64) j * roi->height / b->ph);
    guint y1 = (guint) ((guint64) (j + 1) * roi->height / b->ph);

    for (k = 0; k < b->rows; k++)
      b->row_index[j * b->rows + k] = y0 + (y1 - y0 - b->rows) / 2 + k;
  }

  b->acc = g_new (guint16, b->pw * b->cell);
  b->tmp = g_new (guint16, b->pw * b->cell);
}

/* The inner loops below are kept trivial (fixed strides, sizes as gsize)
 * so that the compiler vectorizes them; each reads one source row and
 * leaves the sum of every pixel pair (or pixel, for 1-pixel cells). */

static void
row_y1 (guint16 * restrict acc, const guint8 * restrict row, gsize n,
    gboolean pairs, gboolean first)
{
  gsize x;

  if (pairs && first) {
    for (x = 0; x < n; x++)
      acc[x] = row[2 * x] + row[2 * x + 1];
  } else if (pairs) {
    for (x = 0; x < n; x++)
      acc[x] += row[2 * x] + row[2 * x + 1];
  } else if (first) {
    for (x = 0; x < n; x++)
      acc[x] = row[x];
  } else {
    for (x = 0; x < n; x++)
      acc[x] += row[x];
  }
}

static void
row_y2 (guint16 * restrict acc, const guint8 * restrict row, gsize n,
    gboolean pairs, gboolean first)
{
  gsize x;

  if (pairs && first) {
    for (x = 0; x < n; x++)
      acc[x] = row[4 * x] + row[4 * x + 2];
  } else if (pairs) {
    for (x = 0; x < n; x++)
      acc[x] += row[4 * x] + row[4 * x + 2];
  } else if (first) {
    for (x = 0; x < n; x++)
      acc[x] = row[2 * x];
  } else {
    for (x = 0; x < n; x++)
      acc[x] += row[2 * x];
  }
}

/* BT.601 limited range: Y = 16 + (66 R + 129 G + 25 B + 128) / 256 */
#define RGB_LUMA(r,g,b) ((guint16) (16 + \
    ((66 * (r) + 129 * (g) + 25 * (b) + 128) >> 8)))

/* RGB is converted one pixel at a time; the caller's halving then makes the
 * pairs.  One function per pixel stride keeps the loads strided by a
 * constant, which the vectorizer needs. */
static void
row_rgb3 (guint16 * restrict acc, const guint8 * restrict row, guint ro,
    guint go, guint bo, gsize n, gboolean first)
{
  const guint8 *r = row + ro, *g = row + go, *b = row + bo;
  gsize x;

  if (first) {
    for (x = 0; x < n; x++)
      acc[x] = RGB_LUMA (r[3 * x], g[3 * x], b[3 * x]);
  } else {
    for (x = 0; x < n; x++)
      acc[x] += RGB_LUMA (r[3 * x], g[3 * x], b[3 * x]);
  }
}

static void
row_rgb4 (guint16 * restrict acc, const guint8 * restrict row, guint ro,
    guint go, guint bo, gsize n, gboolean first)
{
  const guint8 *r = row + ro, *g = row + go, *b = row + bo;
  gsize x;

  if (first) {
    for (x = 0; x < n; x++)
      acc[x] = RGB_LUMA (r[4 * x], g[4 * x], b[4 * x]);
  } else {
    for (x = 0; x < n; x++)
      acc[x] += RGB_LUMA (r[4 * x], g[4 * x], b[4 * x]);
  }
}

static void
halve (guint16 * restrict dst, const guint16 * restrict src, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++)
    dst[i] = src[2 * i] + src[2 * i + 1];
}

#ifdef __SSE2__
/* Planar 8-bit luma in cells of 8 pixels or more, the common case: psadbw
 * against zero sums 8 bytes at once, so each cell is summed straight from
 * its block of @rows rows, without the pairwise halving.  The vectorizer
 * does not find psadbw in the C loops above; this halves the cost at 1080p
 * (docs/keyframeselect.md).  The sums are exact, so the result is the
 * generic path's to the bit (test_proxy_formats). */
/* Asks for the cache lines of @next's block (the next proxy row's) up to
 * byte @upto of each row, from byte *@done on.  Issued while the current
 * block is summed, so the loads of the next one are already under way: the
 * rows of a band are too short and too far apart for the hardware
 * prefetcher to run ahead.  At 1080p I420 this takes a frame that is in no
 * cache from 0.072 to 0.053 ms and costs 0.003 ms when it is in the cache
 * (tests/bench/proxy.sh).  Every line: asking for every other one was
 * slower than none.  The generic loops below do not use it: there it was
 * slower (YUY2 0.138 against 0.115 ms cold), as their own rows are long
 * enough for the hardware prefetcher. */
static inline void
prefetch_block (const guint8 * next, gssize stride, guint rows, gsize upto,
    gsize * done)
{
  guint k;

  if (next == NULL)
    return;
  for (; *done < upto; *done += 64)
    for (k = 0; k < rows; k++)
      _mm_prefetch ((const char *) (next + k * stride + *done), _MM_HINT_T0);
}

static void
cells_y1_sse2 (guint8 * restrict out, const guint8 * restrict block,
    const guint8 * next, gssize stride, guint rows, guint cell, guint shift,
    guint pw)
{
  const __m128i zero = _mm_setzero_si128 ();
  guint32 half = (1u << shift) >> 1;
  guint i = 0, k, c;
  gsize done = 0;

  if (cell == 8) {
    /* two cells per 16 bytes, one in each half of the sum */
    for (; i + 2 <= pw; i += 2) {
      __m128i s = zero;

      prefetch_block (next, stride, rows, 8 * (gsize) (i + 2), &done);
      for (k = 0; k < rows; k++)
        s = _mm_add_epi64 (s, _mm_sad_epu8 (_mm_loadu_si128 ((const __m128i *)
                    (block + k * stride + 8 * i)), zero));
      out[i] = (guint8) (((guint32) _mm_cvtsi128_si32 (s) + half) >> shift);
      out[i + 1] = (guint8) (((guint32)
              _mm_cvtsi128_si32 (_mm_srli_si128 (s, 8)) + half) >> shift);
    }
    for (; i < pw; i++) {
      __m128i s = zero;

      for (k = 0; k < rows; k++)
        s = _mm_add_epi64 (s, _mm_sad_epu8 (_mm_loadl_epi64 ((const __m128i *)
                    (block + k * stride + 8 * i)), zero));
      out[i] = (guint8) (((guint32) _mm_cvtsi128_si32 (s) + half) >> shift);
    }
    return;
  }

  for (; i < pw; i++) {
    __m128i s = zero;

    prefetch_block (next, stride, rows, (gsize) (i + 1) * cell, &done);
    for (k = 0; k < rows; k++)
      for (c = 0; c < cell; c += 16)
        s = _mm_add_epi64 (s, _mm_sad_epu8 (_mm_loadu_si128 ((const __m128i *)
                    (block + k * stride + (gsize) i * cell + c)), zero));
    s = _mm_add_epi64 (s, _mm_srli_si128 (s, 8));
    out[i] = (guint8) (((guint32) _mm_cvtsi128_si32 (s) + half) >> shift);
  }
}

/* TRUE when cells_rgb_sse2() takes this layout: cells of whole 16-byte
 * vectors (4-byte pixels: 4 pixels a vector) or of whole halves of the
 * 48-byte period of 3-byte pixels (8 pixels). */
static gboolean
rgb_sse2_fits (guint pstride, guint cell)
{
  return (pstride == 3 && cell % 8 == 0) || (pstride == 4 && cell % 4 == 0);
}

/* The mean BT.601 luma of @n pixels from the sum of 66 R + 129 G + 25 B
 * over them, rounded: RGB_LUMA averaged without its per-pixel rounding */
static inline guint8
rgb_luma_of_sum (guint64 y, guint64 n)
{
  return (guint8) (16 + (y + 128 * n) / (256 * n));
}

/* @acc plus the weighted sums of the low (or high) 8 bytes of @x */
static inline __m128i
madd_lo (__m128i acc, __m128i x, __m128i w)
{
  return _mm_add_epi32 (acc,
      _mm_madd_epi16 (_mm_unpacklo_epi8 (x, _mm_setzero_si128 ()), w));
}

static inline __m128i
madd_hi (__m128i acc, __m128i x, __m128i w)
{
  return _mm_add_epi32 (acc,
      _mm_madd_epi16 (_mm_unpackhi_epi8 (x, _mm_setzero_si128 ()), w));
}

static inline guint32
hsum_epi32 (__m128i v)
{
  v = _mm_add_epi32 (v, _mm_srli_si128 (v, 8));
  v = _mm_add_epi32 (v, _mm_srli_si128 (v, 4));
  return (guint32) _mm_cvtsi128_si32 (v);
}

/* Packed RGB (3 or 4 bytes per pixel): the bytes are widened to 16 bits
 * and pmaddwd against the BT.601 weights laid out like the channels (0 for
 * padding) sums 66 R + 129 G + 25 B over two pixels' worth of bytes per
 * 32-bit lane; a cell's luma comes from its sum once.  That is the generic
 * RGB_LUMA averaged without per-pixel rounding (within 1 of it; tested
 * against GRAY8 within 2), and 3-byte pixels, which the vectorizer cannot
 * take, cost about a tenth of converting pixel by pixel (1080p: 0.08
 * against 0.77 ms; docs/keyframeselect.md).  3-byte pixels repeat every 48 bytes, six
 * 8-byte halves: the first three are pixels 0-7, the last three 8-15, so
 * 8-pixel cells come in pairs per period.  A cell of 128 x 4 pixels sums
 * at most 512 x 255 x 220 per lane: 32 bits hold it. */
/* The weights of cells_rgb_sse2() for each 8-byte half of a 48-byte
 * period, laid out like the channels of @src; once per frame. */
static void
rgb_weights (__m128i w[6], const MemvideoLumaSource * src)
{
  guint h, j;

  for (h = 0; h < 6; h++) {
    guint16 wt[8];

    for (j = 0; j < 8; j++) {
      guint c = (8 * h + j) % src->pstride;

      wt[j] = c == src->r_off ? 66 : c == src->g_off ? 129 :
          c == src->b_off ? 25 : 0;
    }
    w[h] = _mm_loadu_si128 ((const __m128i *) wt);
  }
}

static void
cells_rgb_sse2 (guint8 * restrict out, const guint8 * restrict block,
    gssize stride, guint rows, guint cell, guint pw, guint pstride,
    const __m128i w[6])
{
  const __m128i zero = _mm_setzero_si128 ();
  guint64 n = (guint64) cell * rows;
  gsize cell_bytes = (gsize) cell * pstride;
  guint i, k;
  gsize off;

  if (pstride == 4) {
    for (i = 0; i < pw; i++) {
      __m128i acc = zero;

      for (k = 0; k < rows; k++) {
        const guint8 *p = block + k * stride + i * cell_bytes;

        for (off = 0; off < cell_bytes; off += 16) {
          __m128i x = _mm_loadu_si128 ((const __m128i *) (p + off));

          acc = madd_hi (madd_lo (acc, x, w[0]), x, w[1]);
        }
      }
      out[i] = rgb_luma_of_sum (hsum_epi32 (acc), n);
    }
    return;
  }

  /* 3-byte pixels: walk 48-byte periods; each gives a sum for its first
   * and its last 8 pixels */
  for (i = 0; i < pw; i += cell == 8 ? 2 : 1) {
    __m128i first = zero, last = zero;
    gsize span = cell == 8 ? 48 : cell_bytes;

    if (cell == 8 && i + 1 == pw)
      span = 24;                /* an odd last cell: half a period */
    for (k = 0; k < rows; k++) {
      const guint8 *p = block + k * stride + i * cell_bytes;

      for (off = 0; off < span; off += 48) {
        __m128i x0 = _mm_loadu_si128 ((const __m128i *) (p + off));
        __m128i x1 = _mm_loadl_epi64 ((const __m128i *) (p + off + 16));

        first = madd_lo (madd_hi (madd_lo (first, x0, w[0]), x0, w[1]), x1,
            w[2]);
        if (span - off >= 48) {
          __m128i x2 = _mm_loadl_epi64 ((const __m128i *) (p + off + 24));
          __m128i x3 = _mm_loadu_si128 ((const __m128i *) (p + off + 32));

          last = madd_hi (madd_lo (madd_lo (last, x2, w[3]), x3, w[4]), x3,
              w[5]);
        }
      }
    }
    if (cell == 8) {
      out[i] = rgb_luma_of_sum (hsum_epi32 (first), n);
      if (i + 1 < pw)
        out[i + 1] = rgb_luma_of_sum (hsum_epi32 (last), n);
    } else {
      out[i] = rgb_luma_of_sum (hsum_epi32 (_mm_add_epi32 (first, last)), n);
    }
  }
}
#endif

/* One proxy row from its block of source rows, in the generic loops: per
 * pixel (pair) sums of the rows, then pairwise sums down to one per cell. */
static void
build_row_generic (MemvideoProxyBuilder * b, const MemvideoLumaSource * src,
    const MemvideoRect * roi, guint j, guint8 * out)
{
  guint16 *sums = b->acc, *spare = b->tmp;
  gboolean pairs = b->cell > 1 && src->layout == MEMVIDEO_LUMA_LAYOUT_Y;
  guint32 half = (1u << b->shift) >> 1;
  gsize npix = (gsize) b->pw * b->cell;
  gsize n = pairs ? npix / 2 : npix, i;
  guint k;

  for (k = 0; k < b->rows; k++) {
    guint y = roi->y + b->row_index[j * b->rows + k];
    const guint8 *row = src->data + (gssize) y * src->stride +
        (gsize) roi->x * src->pstride;

    if (src->layout == MEMVIDEO_LUMA_LAYOUT_RGB && src->pstride == 4)
      row_rgb4 (sums, row, src->r_off, src->g_off, src->b_off, n, k == 0);
    else if (src->layout == MEMVIDEO_LUMA_LAYOUT_RGB)
      row_rgb3 (sums, row, src->r_off, src->g_off, src->b_off, n, k == 0);
    else if (src->pstride == 1)
      row_y1 (sums, row, n, pairs, k == 0);
    else
      row_y2 (sums, row, n, pairs, k == 0);
  }

  for (; n > b->pw; n /= 2) {
    guint16 *t;

    halve (spare, sums, n / 2);
    t = sums;
    sums = spare;
    spare = t;
  }

  for (i = 0; i < b->pw; i++)
    out[i] = (guint8) ((sums[i] + half) >> b->shift);
}

/* The first source row of proxy row @j's block. */
static inline const guint8 *
block_start (const MemvideoProxyBuilder * b, const MemvideoLumaSource * src,
    const MemvideoRect * roi, guint j)
{
  return src->data + (gssize) (roi->y + b->row_index[j * b->rows]) *
      src->stride + (gsize) roi->x * src->pstride;
}

void
memvideo_proxy_builder_build (MemvideoProxyBuilder * b,
    const MemvideoLumaSource * src, const MemvideoRect * roi,
    guint analysis_width, MemvideoLumaProxy * proxy)
{
  guint j;
#ifdef __SSE2__
  gboolean y_sse2, rgb_sse2;
  __m128i rgb_w[6];
#endif

  g_return_if_fail (roi->width > 0 && roi->height > 0);
  g_return_if_fail (roi->x + roi->width <= src->width);
  g_return_if_fail (roi->y + roi->height <= src->height);

  builder_setup (b, roi, analysis_width);
  proxy_resize (proxy, b->pw, b->ph);
#ifdef __SSE2__
  y_sse2 = src->layout == MEMVIDEO_LUMA_LAYOUT_Y && src->pstride == 1 &&
      b->cell >= 8;
  rgb_sse2 = src->layout == MEMVIDEO_LUMA_LAYOUT_RGB &&
      rgb_sse2_fits (src->pstride, b->cell);
  if (rgb_sse2)
    rgb_weights (rgb_w, src);
#endif

  for (j = 0; j < b->ph; j++) {
    guint8 *out = proxy->cells + (gsize) j * b->pw;

#ifdef __SSE2__
    if (y_sse2) {
      /* the block's rows are contiguous, one stride apart */
      cells_y1_sse2 (out, block_start (b, src, roi, j),
          j + 1 < b->ph ? block_start (b, src, roi, j + 1) : NULL,
          src->stride, b->rows, b->cell, b->shift, b->pw);
      continue;
    }
    if (rgb_sse2) {
      cells_rgb_sse2 (out, block_start (b, src, roi, j), src->stride,
          b->rows, b->cell, b->pw, src->pstride, rgb_w);
      continue;
    }
#endif
    build_row_generic (b, src, roi, j, out);
  }
}

/* Branch-free over 0/1 mask bytes, so that the loops vectorize; a NULL
 * mask is all zeros. */
static gdouble
score_area (const guint8 * pa, const guint8 * pb, const guint8 * mask,
    gsize n, guint noise_level)
{
  guint32 count = 0, out = 0;
  gint nl = (gint) MIN (noise_level, 255);
  gsize i;

  if (mask == NULL) {
    for (i = 0; i < n; i++) {
      gint d = (gint) pa[i] - (gint) pb[i];

      count += (d > nl) | (d < -nl);
    }
    return (gdouble) count / n;
  }

  i = 0;
#ifdef __SSE2__
  {
    /* 16 cells a step: |d| > nl from saturating differences, the cells
     * counted with psadbw */
    const __m128i vnl = _mm_set1_epi8 ((gchar) nl), zero =
        _mm_setzero_si128 (), bit = _mm_set1_epi8 (1);
    __m128i c_sum = zero, o_sum = zero;

    for (; i + 16 <= n; i += 16) {
      __m128i a = _mm_loadu_si128 ((const __m128i *) (pa + i));
      __m128i b = _mm_loadu_si128 ((const __m128i *) (pb + i));
      __m128i m = _mm_loadu_si128 ((const __m128i *) (mask + i));
      __m128i ad = _mm_or_si128 (_mm_subs_epu8 (a, b), _mm_subs_epu8 (b, a));
      __m128i same = _mm_cmpeq_epi8 (_mm_subs_epu8 (ad, vnl), zero);

      c_sum = _mm_add_epi64 (c_sum, _mm_sad_epu8 (_mm_andnot_si128 (same,
                  _mm_andnot_si128 (m, bit)), zero));
      o_sum = _mm_add_epi64 (o_sum, _mm_sad_epu8 (m, zero));
    }
    count = (guint32) (_mm_cvtsi128_si32 (c_sum) +
        _mm_cvtsi128_si32 (_mm_srli_si128 (c_sum, 8)));
    out = (guint32) (_mm_cvtsi128_si32 (o_sum) +
        _mm_cvtsi128_si32 (_mm_srli_si128 (o_sum, 8)));
  }
#endif
  for (; i < n; i++) {
    gint d = (gint) pa[i] - (gint) pb[i];

    count += ((d > nl) | (d < -nl)) & (mask[i] ^ 1);
    out += mask[i];
  }
  return n > out ? (gdouble) count / (n - out) : 0.0;
}

static gdouble
score_mean (const guint8 * pa, const guint8 * pb, const guint8 * mask, gsize n)
{
  guint64 sum = 0;
  guint32 out = 0;
  gsize i;

  if (mask == NULL) {
    for (i = 0; i < n; i++) {
      gint d = (gint) pa[i] - (gint) pb[i];

      sum += (guint) ABS (d);
    }
  } else {
    for (i = 0; i < n; i++) {
      gint d = (gint) pa[i] - (gint) pb[i];

      sum += (guint) ABS (d) * (mask[i] ^ 1u);
      out += mask[i];
    }
  }
  return n > out ? (gdouble) sum / (255.0 * (n - out)) : 0.0;
}

gdouble
memvideo_keyframe_score (MemvideoKeyframeMetric metric, guint noise_level,
    const MemvideoLumaProxy * a, const MemvideoLumaProxy * b)
{
  return memvideo_keyframe_score_masked (metric, noise_level, a, b, NULL);
}

gdouble
memvideo_keyframe_score_masked (MemvideoKeyframeMetric metric,
    guint noise_level, const MemvideoLumaProxy * a,
    const MemvideoLumaProxy * b, const guint8 * mask)
{
  gsize n = (gsize) a->width * a->height;

  g_return_val_if_fail (a->width == b->width && a->height == b->height, 1.0);

  switch (metric) {
    case MEMVIDEO_KEYFRAME_METRIC_AREA:
      return score_area (a->cells, b->cells, mask, n, noise_level);
    case MEMVIDEO_KEYFRAME_METRIC_MEAN:
      return score_mean (a->cells, b->cells, mask, n);
  }
  g_return_val_if_reached (0.0);
}
