/* gst-memvideo
 * Synthetic picture drawing for the test clips and the benchmarks.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Every picture is drawn with plain integer C from a fixed seed, so the
 * clips and their ground truth are the same on every machine.  Sizes are
 * given for a 640 pixel wide frame and scaled by width / 640. */

#include <math.h>
#include <string.h>

#include "draw.h"

/* splitmix64: small, fast and fully specified, unlike rand () */
guint32
draw_rand (guint64 * state)
{
  guint64 z;

  *state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  z = *state;
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return (guint32) ((z ^ (z >> 31)) >> 32);
}

/* uniform in [lo, hi] */
gint
draw_rand_range (guint64 * state, gint lo, gint hi)
{
  return lo + (gint) (draw_rand (state) % (guint32) (hi - lo + 1));
}

DrawFrame *
draw_frame_new (gint width, gint height)
{
  DrawFrame *frame = g_new0 (DrawFrame, 1);
  gsize luma = (gsize) width * height;

  frame->width = width;
  frame->height = height;
  frame->size = luma + luma / 2;
  frame->data = g_malloc (frame->size);
  frame->y = frame->data;
  frame->u = frame->y + luma;
  frame->v = frame->u + luma / 4;
  return frame;
}

void
draw_frame_free (DrawFrame * frame)
{
  if (frame == NULL)
    return;
  g_free (frame->data);
  g_free (frame);
}

void
draw_frame_fill (DrawFrame * frame, guint8 y, guint8 u, guint8 v)
{
  gsize luma = (gsize) frame->width * frame->height;

  memset (frame->y, y, luma);
  memset (frame->u, u, luma / 4);
  memset (frame->v, v, luma / 4);
}

void
draw_frame_copy (DrawFrame * dst, const DrawFrame * src)
{
  g_assert (dst->size == src->size);
  memcpy (dst->data, src->data, src->size);
}

DrawCanvas *
draw_canvas_new (gint width, gint height)
{
  DrawCanvas *canvas = g_new0 (DrawCanvas, 1);

  canvas->width = width;
  canvas->height = height;
  canvas->y = g_malloc ((gsize) width * height);
  return canvas;
}

void
draw_canvas_free (DrawCanvas * canvas)
{
  if (canvas == NULL)
    return;
  g_free (canvas->y);
  g_free (canvas);
}

static void
canvas_rect (DrawCanvas * canvas, gint x, gint y, gint w, gint h, guint8 val)
{
  gint x0 = MAX (x, 0), y0 = MAX (y, 0);
  gint x1 = MIN (x + w, canvas->width), y1 = MIN (y + h, canvas->height);
  gint row;

  for (row = y0; row < y1; row++)
    if (x1 > x0)
      memset (canvas->y + (gsize) row * canvas->width + x0, val, x1 - x0);
}

/* A word of text: a dark block, as text looks to a box-averaged proxy. */
void
draw_word (DrawCanvas * canvas, gint x, gint y, gint w, gint h)
{
  canvas_rect (canvas, x, y, w, h, DRAW_INK);
}

/* A text-like slide: a title and rows of random-width words on paper.
 * Rows are drawn down to @last_row_y (or to the bottom margin when it is 0),
 * so the caller can leave room to type into. */
void
draw_slide (DrawCanvas * canvas, guint32 seed, gint last_row_y)
{
  gint s = MAX (canvas->width / 640, 1);
  gint margin = 40 * s, pitch = 20 * s, word_h = 10 * s, gap = 8 * s;
  guint64 st = seed;
  gint y, bottom;

  memset (canvas->y, DRAW_PAPER, (gsize) canvas->width * canvas->height);
  canvas_rect (canvas, margin, 24 * s, draw_rand_range (&st, 180, 360) * s,
      20 * s, DRAW_INK);

  bottom = last_row_y > 0 ? last_row_y : canvas->height - margin;
  for (y = 72 * s; y + word_h <= bottom; y += pitch) {
    gint x = margin, right;

    /* a blank line now and then: paragraphs */
    if (draw_rand_range (&st, 0, 5) == 0)
      continue;
    right = canvas->width - margin - draw_rand_range (&st, 0, 160) * s;
    if (draw_rand_range (&st, 0, 3) == 0)
      x += 24 * s;              /* indented bullet line */
    while (TRUE) {
      gint w = draw_rand_range (&st, 10, 70) * s;

      if (x + w > right)
        break;
      draw_word (canvas, x, y, w, word_h);
      x += w + gap;
    }
  }
}

/* Copies the canvas into the frame's luma, starting @offset_q8 / 256 rows
 * down (linear interpolation between rows for sub-pixel scrolling); chroma
 * is neutral. */
void
draw_canvas_to_frame (DrawFrame * frame, const DrawCanvas * canvas,
    gint offset_q8)
{
  gint row, col, base = offset_q8 >> 8, frac = offset_q8 & 255;
  gsize luma = (gsize) frame->width * frame->height;

  g_assert (canvas->width == frame->width);
  g_assert (base + frame->height + (frac ? 1 : 0) <= canvas->height);

  for (row = 0; row < frame->height; row++) {
    const guint8 *a = canvas->y + (gsize) (base + row) * canvas->width;
    guint8 *d = frame->y + (gsize) row * frame->width;

    if (frac == 0) {
      memcpy (d, a, frame->width);
      continue;
    }
    for (col = 0; col < frame->width; col++)
      d[col] = (a[col] * (256 - frac) + a[col + canvas->width] * frac
          + 128) >> 8;
  }
  memset (frame->u, 128, luma / 4);
  memset (frame->v, 128, luma / 4);
}

static void
frame_put_luma (DrawFrame * frame, gint x, gint y, guint8 val)
{
  if (x >= 0 && y >= 0 && x < frame->width && y < frame->height)
    frame->y[(gsize) y * frame->width + x] = val;
}

static void
frame_put (DrawFrame * frame, gint x, gint y, guint8 yv, guint8 uv, guint8 vv)
{
  gsize c;

  if (x < 0 || y < 0 || x >= frame->width || y >= frame->height)
    return;
  frame->y[(gsize) y * frame->width + x] = yv;
  c = (gsize) (y / 2) * (frame->width / 2) + x / 2;
  frame->u[c] = uv;
  frame->v[c] = vv;
}

/* The classic arrow pointer, 11 x 18 at scale 1. */
static gboolean
cursor_inside (gint px, gint py)
{
  if (py < 0 || px < 0)
    return FALSE;
  if (py < 13)
    return px <= py * 7 / 10;
  if (py < 19) {
    gint left = 3 + (py - 13) / 2;
    return px >= left && px <= left + 2;
  }
  return FALSE;
}

/* A black pointer with a white outline, tip at (@x, @y). */
void
draw_cursor (DrawFrame * frame, gint x, gint y, gint scale)
{
  gint px, py;

  for (py = -1; py < 20 * scale; py++) {
    for (px = -1; px < 12 * scale; px++) {
      gint cx = px / scale, cy = py / scale;
      gboolean in = px >= 0 && py >= 0 && cursor_inside (cx, cy);
      gboolean edge = !in && (cursor_inside ((px + 1) / scale, cy)
          || cursor_inside ((px - 1) / scale, cy)
          || cursor_inside (cx, (py + 1) / scale)
          || cursor_inside (cx, (py - 1) / scale));

      if (px < 0 || py < 0)
        edge = cursor_inside ((px + 1) / scale, (py + 1) / scale);
      if (in)
        frame_put_luma (frame, x + px, y + py, DRAW_BLACK);
      else if (edge)
        frame_put_luma (frame, x + px, y + py, 250);
    }
  }
}

static gboolean
in_ellipse (gint px, gint py, gdouble cx, gdouble cy, gdouble rx, gdouble ry)
{
  gdouble dx = (px - cx) / rx, dy = (py - cy) / ry;

  return dx * dx + dy * dy <= 1.0;
}

/* A webcam picture of a speaker who sways and nods, at time @t seconds. */
void
draw_webcam (DrawFrame * frame, gint x, gint y, gint w, gint h, gdouble t)
{
  gdouble head_x = x + w / 2.0 + 0.18 * w * sin (2 * G_PI * 0.35 * t);
  gdouble head_y = y + 0.42 * h + 0.04 * h * sin (2 * G_PI * 0.9 * t);
  gdouble body_x = x + w / 2.0 + 0.08 * w * sin (2 * G_PI * 0.35 * t - 0.5);
  gint border = MAX (frame->width / 320, 1);
  gint px, py;

  for (py = y - border; py < y + h + border; py++) {
    for (px = x - border; px < x + w + border; px++) {
      if (px < x || py < y || px >= x + w || py >= y + h)
        frame_put (frame, px, py, 200, 128, 128);
      else if (in_ellipse (px, py, head_x, head_y, 0.16 * w, 0.22 * h))
        frame_put (frame, px, py, 172, 108, 160);
      else if (in_ellipse (px, py, body_x, y + 1.1 * h, 0.38 * w, 0.42 * h))
        frame_put (frame, px, py, 92, 150, 118);
      else
        frame_put (frame, px, py, 64 + (py - y) * 40 / h, 140, 120);
    }
  }
}

/* A camera-like scene: a gradient, a few coloured shapes, and a ball whose
 * position the caller animates. */
void
draw_scene (DrawFrame * frame, guint32 seed, gint ball_x, gint ball_y)
{
  guint64 st = seed;
  gint s = MAX (frame->width / 640, 1);
  gint top = draw_rand_range (&st, 30, 220), bottom =
      draw_rand_range (&st, 30, 220);
  guint8 bu = draw_rand_range (&st, 90, 166), bv =
      draw_rand_range (&st, 90, 166);
  gint i, px, py;

  for (py = 0; py < frame->height; py++)
    memset (frame->y + (gsize) py * frame->width,
        top + (bottom - top) * py / frame->height, frame->width);
  memset (frame->u, bu, (gsize) frame->width * frame->height / 4);
  memset (frame->v, bv, (gsize) frame->width * frame->height / 4);

  for (i = 0; i < 8; i++) {
    gint cx = draw_rand_range (&st, 0, frame->width);
    gint cy = draw_rand_range (&st, 0, frame->height);
    gint rx = draw_rand_range (&st, 20, 120) * s;
    gint ry = draw_rand_range (&st, 20, 90) * s;
    guint8 yv = draw_rand_range (&st, 20, 235);
    guint8 uv = draw_rand_range (&st, 70, 186);
    guint8 vv = draw_rand_range (&st, 70, 186);
    gboolean ellipse = draw_rand_range (&st, 0, 1);

    for (py = MAX (cy - ry, 0); py < MIN (cy + ry, frame->height); py++)
      for (px = MAX (cx - rx, 0); px < MIN (cx + rx, frame->width); px++)
        if (!ellipse || in_ellipse (px, py, cx, cy, rx, ry))
          frame_put (frame, px, py, yv, uv, vv);
  }

  for (py = ball_y - 14 * s; py <= ball_y + 14 * s; py++)
    for (px = ball_x - 14 * s; px <= ball_x + 14 * s; px++)
      if (in_ellipse (px, py, ball_x, ball_y, 14 * s, 14 * s))
        frame_put (frame, px, py, 235, 100, 170);
}

/* Sensor noise: a triangular distribution of +-@amplitude on every luma
 * sample, from the caller's generator so every frame differs. */
void
draw_noise (DrawFrame * frame, guint64 * state, gint amplitude)
{
  gsize i, luma = (gsize) frame->width * frame->height;

  for (i = 0; i < luma; i++) {
    guint32 r = draw_rand (state);
    gint n = (gint) (r & 0xffff) % (amplitude + 1)
        + (gint) (r >> 16) % (amplitude + 1) - amplitude;

    frame->y[i] = CLAMP (frame->y[i] + n, 0, 255);
  }
}

/* dst = a * (den - num) / den + b * num / den, on every plane */
void
draw_mix (DrawFrame * dst, const DrawFrame * a, const DrawFrame * b,
    gint num, gint den)
{
  gsize i;

  for (i = 0; i < dst->size; i++)
    dst->data[i] = (a->data[i] * (den - num) + b->data[i] * num + den / 2)
        / den;
}
