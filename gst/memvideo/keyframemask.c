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

#include "keyframemask.h"

/* Without times a frame counts as this fraction of the window (3 s at
 * 30 fps). */
#define UNTIMED_WEIGHT (1.0 / 90.0)

struct _MemvideoCellMask
{
  guint width, height;          /* proxy geometry the state is for */
  MemvideoRect roi;
  guint8 *cells;                /* 1: left out */
  guint8 *live;                 /* 1: live (activity) */
  gfloat *share;                /* weighted share of frames changed */
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
    memset (m->share, 0, n * sizeof (gfloat));
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
  m->share = g_new0 (gfloat, n);
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

/* The weight of this frame in the running share: its time since the
 * previous frame over the window. */
static gfloat
frame_weight (MemvideoCellMask * m, const MemvideoActivityParams * a,
    GstClockTime t)
{
  gdouble w = UNTIMED_WEIGHT;

  if (GST_CLOCK_TIME_IS_VALID (t) && GST_CLOCK_TIME_IS_VALID (m->last_t) &&
      t > m->last_t)
    w = (gdouble) (t - m->last_t) / a->window;
  if (GST_CLOCK_TIME_IS_VALID (t))
    m->last_t = t;
  return (gfloat) MIN (w, 1.0);
}

static void
update_activity (MemvideoCellMask * m, const MemvideoLumaProxy * p,
    const MemvideoActivityParams * a, GstClockTime t)
{
  gsize n = (gsize) p->width * p->height, i;
  gint nl = (gint) MIN (a->noise_level, 255);
  gfloat w = frame_weight (m, a, t), on = (gfloat) a->share;
  gfloat off = on / 2;

  if (m->have_prev) {
    for (i = 0; i < n; i++) {
      gint d = (gint) p->cells[i] - (gint) m->prev.cells[i];
      gfloat changed = (d > nl || d < -nl) ? 1.0f : 0.0f;

      m->share[i] += w * (changed - m->share[i]);
      if (m->share[i] >= on && on > 0)
        m->live[i] = 1;
      else if (m->share[i] < off)
        m->live[i] = 0;
    }
  }
  memvideo_luma_proxy_copy (&m->prev, p);
  m->have_prev = TRUE;
}

const guint8 *
memvideo_cell_mask_update (MemvideoCellMask * m, const MemvideoLumaProxy * p,
    const MemvideoRect * roi, guint fw, guint fh,
    const MemvideoFracRect * exclude, guint n_exclude,
    const MemvideoActivityParams * a, GstClockTime t)
{
  gsize n = (gsize) p->width * p->height, i;

  resize (m, p, roi);
  if (a->window == 0 && m->have_prev)
    memvideo_cell_mask_reset (m);       /* switched off: forget the activity */
  memset (m->cells, 0, n);
  mark_excluded (m, fw, fh, exclude, n_exclude);

  m->live_count = 0;
  if (a->window > 0) {
    update_activity (m, p, a, t);
    for (i = 0; i < n; i++) {
      m->live_count += m->live[i] & !m->cells[i];
      m->cells[i] |= m->live[i];
    }
  }

  m->count = 0;
  for (i = 0; i < n; i++)
    m->count += m->cells[i];
  return m->cells;
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
