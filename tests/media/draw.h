/* gst-memvideo
 * Synthetic picture drawing for the test clips and the benchmarks.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __MEMVIDEO_TEST_DRAW_H__
#define __MEMVIDEO_TEST_DRAW_H__

#include <glib.h>

G_BEGIN_DECLS

/* An I420 picture with tightly packed planes (width and height even). */
typedef struct
{
  gint width;
  gint height;
  guint8 *y;
  guint8 *u;
  guint8 *v;
  guint8 *data;                 /* all three planes, y then u then v */
  gsize size;
} DrawFrame;

/* A luma-only canvas, possibly taller than a frame (scrolling). */
typedef struct
{
  gint width;
  gint height;
  guint8 *y;
} DrawCanvas;

#define DRAW_PAPER 232
#define DRAW_INK 36
#define DRAW_BLACK 16

guint32 draw_rand (guint64 * state);
gint draw_rand_range (guint64 * state, gint lo, gint hi);

DrawFrame *draw_frame_new (gint width, gint height);
void draw_frame_free (DrawFrame * frame);
void draw_frame_fill (DrawFrame * frame, guint8 y, guint8 u, guint8 v);
void draw_frame_copy (DrawFrame * dst, const DrawFrame * src);

DrawCanvas *draw_canvas_new (gint width, gint height);
void draw_canvas_free (DrawCanvas * canvas);

void draw_slide (DrawCanvas * canvas, guint32 seed, gint last_row_y);
void draw_word (DrawCanvas * canvas, gint x, gint y, gint w, gint h);
void draw_canvas_to_frame (DrawFrame * frame, const DrawCanvas * canvas,
    gint offset_q8);

void draw_cursor (DrawFrame * frame, gint x, gint y, gint scale);
void draw_webcam (DrawFrame * frame, gint x, gint y, gint w, gint h,
    gdouble t);
void draw_scene (DrawFrame * frame, guint32 seed, gint ball_x, gint ball_y);
void draw_noise (DrawFrame * frame, guint64 * state, gint amplitude);
void draw_mix (DrawFrame * dst, const DrawFrame * a, const DrawFrame * b,
    gint num, gint den);

G_END_DECLS

#endif /* __MEMVIDEO_TEST_DRAW_H__ */
