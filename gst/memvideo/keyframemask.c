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

#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "keyframemask.h"

/* Without times a frame counts as this fraction of the window (3 s at
 * 30 fps). */
#define UNTIMED_WEIGHT (1.0 / 90.0)

/* Shares in Q15 and weights in Q16, at most one half (a frame never weighs
 * more than half the window): the per-cell loop is 16-bit arithmetic with
 * a high-half multiply, which the vectorizer turns into pmulhw, eight
 * cells a step. */
#define SHARE_ONE 32767
#define WEIGHT_ONE 65536
#define WEIGHT_MAX 32767

struct _MemvideoCellMask
{
  guint width, height;          /* proxy geometry the state is for */
  MemvideoRect roi;
  guint8 *cells;                /* 1: left out */
  guint8 *live;                 /* 1: live (activity) */
  gint16 *share;                /* weighted share of frames changed, of
                                 * SHARE_ONE */
  MemvideoLumaProxy prev;
  gboolean have_prev;
  GstClockTime last_t;
  guint count, live_count;
};

static gboolean
parse_one (const gchar * s, MemvideoFracRect * r)
{
  gchar **v = g_strsplit (s, ",", -1);
  gdouble d[4];
  gboolean ok = g_strv_length (v) == 4;
  guint i;

  for (i = 0; ok && i < 4; i++) {
    gchar *end;

    d[i] = g_ascii_strtod (g_strstrip (v[i]), &end);
    ok = end != v[i] && *end == '\0' && d[i] >= 0.0 && d[i] <= 1.0;
  }
  g_strfreev (v);
  if (!ok || d[2] <= 0.0 || d[3] <= 0.0 || d[0] + d[2] > 1.0 + 1e-9 ||
      d[1] + d[3] > 1.0 + 1e-9)
    return FALSE;
  r->x = d[0];
  r->y = d[1];
  r->width = d[2];
  r->height = d[3];
  return TRUE;
}

gboolean
memvideo_frac_rects_parse (const gchar * str, MemvideoFracRect * rects,
    guint max, guint * n, GError ** error)
{
  gchar **parts;
  guint i, k = 0;
  gboolean ok = TRUE;

  *n = 0;
  if (str == NULL || *str == '\0')
    return TRUE;
  parts = g_strsplit (str, ";", -1);
  for (i = 0; ok && parts[i] != NULL; i++) {
    if (*g_strstrip (parts[i]) == '\0')
      continue;
    if (k == max) {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
          "more than %u rectangles", max);
      ok = FALSE;
    } else if (!parse_one (parts[i], &rects[k])) {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
          "'%s' is not x,y,width,height in fractions 0-1 of the frame",
          parts[i]);
      ok = FALSE;
    } else {
      k++;
    }
  }
  g_strfreev (parts);
  if (ok)
    *n = k;
  return ok;
}

gchar *
memvideo_frac_rects_to_string (const MemvideoFracRect * rects, guint n)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++) {
    gchar b[4][G_ASCII_DTOSTR_BUF_SIZE];

    g_string_append_printf (s, "%s%s,%s,%s,%s", i ? ";" : "",
        g_ascii_formatd (b[0], sizeof (b[0]), "%g", rects[i].x),
        g_ascii_formatd (b[1], sizeof (b[1]), "%g", rects[i].y),
        g_ascii_formatd (b[2], sizeof (b[2]), "%g", rects[i].width),
        g_ascii_formatd (b[3], sizeof (b[3]), "%g", rects[i].height));
  }
  return g_string_free (s, FALSE);
}

void
memvideo_frac_rect_to_pixels (const MemvideoFracRect * f, guint fw, guint fh,
    MemvideoRect * r)
{
  guint x1 = (guint) lround (MIN (f->x + f->width, 1.0) * fw);
  guint y1 = (guint) lround (MIN (f->y + f->height, 1.0) * fh);

  r->x = MIN ((guint) lround (f->x * fw), fw ? fw - 1 : 0);
  r->y = MIN ((guint) lround (f->y * fh), fh ? fh - 1 : 0);
  r->width = MAX (x1, r->x + 1) - r->x;
  r->height = MAX (y1, r->y + 1) - r->y;
}

MemvideoCellMask *
memvideo_cell_mask_new (void)
{
  MemvideoCellMask *m = g_new0 (MemvideoCellMask, 1);

  memvideo_luma_proxy_init (&m->prev);
  memvideo_cell_mask_reset (m);
  return m;
}

void
memvideo_cell_mask_free (MemvideoCellMask * m)
{
  if (m == NULL)
    return;
  g_free (m->cells);
  g_free (m->live);
  g_free (m->share);
  memvideo_luma_proxy_clear (&m->prev);
  g_free (m);
}

/* Forgets the activity (a new stream, a new geometry). */
void
memvideo_cell_mask_reset (MemvideoCellMask * m)
{
  gsize n = (gsize) m->width * m->height;

  m->have_prev = FALSE;
  m->last_t = GST_CLOCK_TIME_NONE;
  m->count = m->live_count = 0;
  if (n > 0) {
    memset (m->cells, 0, n);
    memset (m->live, 0, n);
    memset (m->share, 0, n * sizeof (gint16));
  }
}

static void
resize (MemvideoCellMask * m, const MemvideoLumaProxy * p,
    const MemvideoRect * roi)
{
  gsize n = (gsize) p->width * p->height;

  if (m->width == p->width && m->height == p->height &&
      memcmp (&m->roi, roi, sizeof (*roi)) == 0)
    return;
  g_free (m->cells);
  g_free (m->live);
  g_free (m->share);
  m->width = p->width;
  m->height = p->height;
  m->roi = *roi;
  m->cells = g_malloc0 (n);
  m->live = g_malloc0 (n);
  m->share = g_new0 (gint16, n);
  memvideo_cell_mask_reset (m);
}

/* Marks the cells that overlap any of @exclude. */
static void
mark_excluded (MemvideoCellMask * m, guint fw, guint fh,
    const MemvideoFracRect * exclude, guint n_exclude)
{
  guint cw = MAX (1, m->roi.width / m->width), i, j, k;

  for (k = 0; k < n_exclude; k++) {
    MemvideoRect r;

    memvideo_frac_rect_to_pixels (&exclude[k], fw, fh, &r);
    for (j = 0; j < m->height; j++) {
      guint y0 = m->roi.y + (guint) ((guint64) j * m->roi.height / m->height);
      guint y1 = m->roi.y +
          (guint) ((guint64) (j + 1) * m->roi.height / m->height);

      if (y1 <= r.y || y0 >= r.y + r.height)
        continue;
      for (i = 0; i < m->width; i++) {
        guint x0 = m->roi.x + i * cw, x1 = x0 + cw;

        if (x1 > r.x && x0 < r.x + r.width)
          m->cells[(gsize) j * m->width + i] = 1;
      }
    }
  }
}

/* The weight of this frame in the running share, of WEIGHT_ONE: its time
 * since the previous frame over the window. */
static gint32
frame_weight (MemvideoCellMask * m, const MemvideoActivityParams * a,
    GstClockTime t)
{
  gdouble w = UNTIMED_WEIGHT;

  if (GST_CLOCK_TIME_IS_VALID (t) && GST_CLOCK_TIME_IS_VALID (m->last_t) &&
      t > m->last_t)
    w = (gdouble) (t - m->last_t) / a->window;
  if (GST_CLOCK_TIME_IS_VALID (t))
    m->last_t = t;
  return (gint32) MIN (w * WEIGHT_ONE + 0.5, WEIGHT_MAX);
}

/* share += w * (changed - share); live from `on`, until below `on` / 2.
 * One cell; the SSE2 loop below does sixteen at once, to the bit the same
 * (the high-half multiply floors as the shift does). */
static inline void
update_cell (gint16 * share, guint8 * live, guint8 cur, guint8 prev, gint nl,
    gint16 w, gint16 on, gint16 off)
{
  gint d = (gint) cur - (gint) prev;
  gint16 target = (d > nl || d < -nl) ? SHARE_ONE : 0;
  gint16 s = *share;

  s += (gint16) (((gint32) (gint16) (target - s) * w) >> 16);
  *share = s;
  *live = (s >= on) | (*live & (s >= off));
}

#ifdef __SSE2__
/* 16 cells: 8-bit |difference| against noise-level, then the shares in two
 * halves of 8 16-bit lanes with pmulhw */
static inline __m128i
update_half (gint16 * share, __m128i changed16, __m128i w, __m128i one)
{
  __m128i s = _mm_loadu_si128 ((const __m128i *) share);
  __m128i diff = _mm_sub_epi16 (_mm_and_si128 (changed16, one), s);

  s = _mm_add_epi16 (s, _mm_mulhi_epi16 (diff, w));
  _mm_storeu_si128 ((__m128i *) share, s);
  return s;
}

static gsize
update_cells_sse2 (gint16 * share, guint8 * live, const guint8 * cur,
    const guint8 * prev, gsize n, gint nl, gint16 w, gint16 on, gint16 off)
{
  const __m128i vnl = _mm_set1_epi8 ((gchar) nl), zero = _mm_setzero_si128 ();
  const __m128i vw = _mm_set1_epi16 (w), one = _mm_set1_epi16 (SHARE_ONE);
  const __m128i von = _mm_set1_epi16 (on - 1), voff = _mm_set1_epi16 (off - 1);
  const __m128i bit = _mm_set1_epi8 (1);
  gsize i;

  for (i = 0; i + 16 <= n; i += 16) {
    __m128i a = _mm_loadu_si128 ((const __m128i *) (cur + i));
    __m128i b = _mm_loadu_si128 ((const __m128i *) (prev + i));
    __m128i ad = _mm_or_si128 (_mm_subs_epu8 (a, b), _mm_subs_epu8 (b, a));
    /* 0xff where |d| > nl */
    __m128i ch = _mm_xor_si128 (_mm_cmpeq_epi8 (_mm_subs_epu8 (ad, vnl),
            zero), _mm_set1_epi8 ((gchar) 0xff));
    __m128i s0 = update_half (share + i, _mm_unpacklo_epi8 (ch, ch), vw, one);
    __m128i s1 = update_half (share + i + 8, _mm_unpackhi_epi8 (ch, ch), vw,
        one);
    __m128i ge_on = _mm_packs_epi16 (_mm_cmpgt_epi16 (s0, von),
        _mm_cmpgt_epi16 (s1, von));
    __m128i ge_off = _mm_packs_epi16 (_mm_cmpgt_epi16 (s0, voff),
        _mm_cmpgt_epi16 (s1, voff));
    __m128i l = _mm_loadu_si128 ((const __m128i *) (live + i));

    l = _mm_or_si128 (_mm_and_si128 (ge_on, bit),
        _mm_and_si128 (l, _mm_and_si128 (ge_off, bit)));
    _mm_storeu_si128 ((__m128i *) (live + i), l);
  }
  return i;
}
#endif

static void
update_cells (gint16 * share, guint8 * live, const guint8 * cur,
    const guint8 * prev, gsize n, gint nl, gint16 w, gint16 on)
{
  gint16 off = on / 2;
  gsize i = 0;

#ifdef __SSE2__
  i = update_cells_sse2 (share, live, cur, prev, n, nl, w, on, off);
#endif
  for (; i < n; i++)
    update_cell (&share[i], &live[i], cur[i], prev[i], nl, w, on, off);
}

/* cells |= live (when given); returns the cells set, *added those live
 * added.  Byte counts with psadbw where there is SSE2. */
static guint
merge_count (guint8 * cells, const guint8 * live, gsize n, guint * added)
{
  guint count = 0, more = 0;
  gsize i = 0;

#ifdef __SSE2__
  {
    __m128i c_sum = _mm_setzero_si128 (), a_sum = _mm_setzero_si128 ();
    const __m128i zero = _mm_setzero_si128 ();

    for (; i + 16 <= n; i += 16) {
      __m128i c = _mm_loadu_si128 ((const __m128i *) (cells + i));

      if (live != NULL) {
        __m128i l = _mm_loadu_si128 ((const __m128i *) (live + i));

        a_sum = _mm_add_epi64 (a_sum, _mm_sad_epu8 (_mm_andnot_si128 (c, l),
                zero));
        c = _mm_or_si128 (c, l);
        _mm_storeu_si128 ((__m128i *) (cells + i), c);
      }
      c_sum = _mm_add_epi64 (c_sum, _mm_sad_epu8 (c, zero));
    }
    count = (guint) (_mm_cvtsi128_si32 (c_sum) +
        _mm_cvtsi128_si32 (_mm_srli_si128 (c_sum, 8)));
    more = (guint) (_mm_cvtsi128_si32 (a_sum) +
        _mm_cvtsi128_si32 (_mm_srli_si128 (a_sum, 8)));
  }
#endif
  for (; i < n; i++) {
    if (live != NULL) {
      more += live[i] & (cells[i] ^ 1);
      cells[i] |= live[i];
    }
    count += cells[i];
  }
  *added = more;
  return count;
}

static void
update_activity (MemvideoCellMask * m, const MemvideoLumaProxy * p,
    const MemvideoActivityParams * a, GstClockTime t)
{
  gint16 w = (gint16) frame_weight (m, a, t);
  gint16 on = (gint16) MAX (1, (gint32) (a->share * SHARE_ONE + 0.5));

  if (m->have_prev)
    update_cells (m->share, m->live, p->cells, m->prev.cells,
        (gsize) p->width * p->height, (gint) MIN (a->noise_level, 255), w, on);
  memvideo_luma_proxy_copy (&m->prev, p);
  m->have_prev = TRUE;
}

const guint8 *
memvideo_cell_mask_update (MemvideoCellMask * m, const MemvideoLumaProxy * p,
    const MemvideoRect * roi, guint fw, guint fh,
    const MemvideoFracRect * exclude, guint n_exclude,
    const MemvideoActivityParams * a, GstClockTime t)
{
  gsize n = (gsize) p->width * p->height;

  resize (m, p, roi);
  if (a->window == 0 && m->have_prev)
    memvideo_cell_mask_reset (m);       /* switched off: forget the activity */
  memset (m->cells, 0, n);
  mark_excluded (m, fw, fh, exclude, n_exclude);

  if (a->window > 0)
    update_activity (m, p, a, t);
  m->count = merge_count (m->cells, a->window > 0 ? m->live : NULL, n,
      &m->live_count);
  return m->count ? m->cells : NULL;
}

guint
memvideo_cell_mask_count (const MemvideoCellMask * m)
{
  return m->count;
}

guint
memvideo_cell_mask_live_count (const MemvideoCellMask * m)
{
  return m->live_count;
}
