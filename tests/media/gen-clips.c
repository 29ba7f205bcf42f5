/* gst-memvideo
 * Writes the test clips and their ground truth.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gen-clips OUTDIR            the short test clips + OUTDIR/ground-truth.ini
 * gen-clips --lecture OUTDIR  the ~60 s demo lecture + OUTDIR/lecture.ini
 *
 * Frames are drawn with plain C (draw.c) from fixed seeds and encoded with
 * x264enc into MP4, so the tests meet real compression artefacts when they
 * decode the clips again.  The ground truth (GKeyFile) describes each clip
 * in a [clip NAME] group and each expectation in a [check NAME] group; see
 * tests/media/README.md for the keys. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <math.h>

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>

#include "draw.h"

#define FPS 30
#define QUANTIZER 20
#define SECOND_FRAMES(s) ((gint) ((s) * FPS + 0.5))

typedef struct
{
  GstElement *pipeline;
  GstAppSrc *src;
  guint64 frames;
  gchar *path;
} Encoder;

static Encoder *
encoder_open (const gchar * dir, const gchar * name, gint width, gint height)
{
  Encoder *enc = g_new0 (Encoder, 1);
  GError *err = NULL;
  gchar *desc;

  enc->path = g_build_filename (dir, name, NULL);
  /* ultrafast keeps generation quick; one encoder thread because x264's
   * frame threads make the decoded pictures differ from run to run; a
   * constant quantizer (no rate control) so that slow motion is coded
   * smoothly rather than frozen by skipped blocks and then caught up in a
   * jump, as a starved bitrate does */
  desc = g_strdup_printf ("appsrc name=src format=time block=true "
      "caps=video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
      "pixel-aspect-ratio=1/1,colorimetry=bt601,interlace-mode=progressive "
      "! x264enc speed-preset=ultrafast threads=1 key-int-max=150 "
      "pass=quant quantizer=%d ! mp4mux ! filesink location=\"%s\"", width,
      height, FPS, QUANTIZER, enc->path);
  enc->pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  if (enc->pipeline == NULL) {
    g_printerr ("gen-clips: cannot build the encoding pipeline: %s\n",
        err->message);
    exit (1);
  }
  enc->src = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (enc->pipeline), "src"));
  gst_element_set_state (enc->pipeline, GST_STATE_PLAYING);
  return enc;
}

static void
encoder_push (Encoder * enc, const DrawFrame * frame)
{
  GstBuffer *buf = gst_buffer_new_memdup (frame->data, frame->size);

  GST_BUFFER_PTS (buf) = gst_util_uint64_scale (enc->frames, GST_SECOND, FPS);
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (enc->frames + 1,
      GST_SECOND, FPS) - GST_BUFFER_PTS (buf);
  enc->frames++;
  if (gst_app_src_push_buffer (enc->src, buf) != GST_FLOW_OK) {
    g_printerr ("gen-clips: encoding %s stopped at frame %" G_GUINT64_FORMAT
        "\n", enc->path, enc->frames);
    exit (1);
  }
}

static void
encoder_close (Encoder * enc)
{
  GstBus *bus = gst_element_get_bus (enc->pipeline);
  GstMessage *msg;

  gst_app_src_end_of_stream (enc->src);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    g_printerr ("gen-clips: writing %s failed: %s\n", enc->path, err->message);
    exit (1);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (enc->pipeline, GST_STATE_NULL);
  gst_object_unref (enc->src);
  gst_object_unref (enc->pipeline);
  g_free (enc->path);
  g_free (enc);
}

static void
clip_header (GString * gt, const gchar * name, gint width, gint height,
    gint frames, const gchar * description)
{
  g_string_append_printf (gt, "[clip %s]\nfile=%s.mp4\nwidth=%d\nheight=%d\n"
      "framerate=%d\nframes=%d\ndescription=%s\n", name, name, width, height,
      FPS, frames, description);
}

/* One expectation: with @properties set, exactly the frames in @select are
 * selected (each may come up to @late frames after its index), with these
 * @reasons, and nothing else unless @min_count > 0, which instead allows
 * extra selections as long as there are at least @min_count in all. */
static void
check (GString * gt, const gchar * name, const gchar * clip,
    const gchar * properties, const gchar * select, const gchar * reasons,
    gint late, gint min_count, gboolean final_picture, const gchar * why)
{
  g_string_append_printf (gt, "\n[check %s]\nclip=%s\nproperties=%s\n"
      "select=%s\nreasons=%s\nlate=%d\nmin-count=%d\nfinal-picture=%s\n"
      "why=%s\n", name, clip, properties, select, reasons, late, min_count,
      final_picture ? "true" : "false", why);
}

static void
canvas_frame (DrawFrame * frame, DrawCanvas * canvas, guint32 seed,
    gint last_row_y)
{
  draw_slide (canvas, seed, last_row_y);
  draw_canvas_to_frame (frame, canvas, 0);
}

#define W 640
#define H 360

static void
gen_slides (const gchar * dir, GString * gt)
{
  static const gint changes[] = { 0, 57, 131, 190 };
  const gint frames = 240;
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "slides.mp4", W, H);
  gint f, page = -1;

  for (f = 0; f < frames; f++) {
    if (page + 1 < (gint) G_N_ELEMENTS (changes) && f == changes[page + 1]) {
      page++;
      canvas_frame (frame, canvas, 101 + page, 0);
    }
    encoder_push (enc, frame);
  }
  encoder_close (enc);
  clip_header (gt, "slides", W, H, frames, "a slide deck: four text pages, "
      "page changes at frames 57, 131 and 190");
  g_string_append (gt, "page-changes=57;131;190\n");
  check (gt, "slides-default", "slides", "", "0;57;131;190",
      "first;change;change;change", FPS / 2, 0, FALSE,
      "default settings: every page change selected within 0.5 s, "
      "nothing else");
  check (gt, "slides-mean", "slides", "metric=mean", "0;57;131;190",
      "first;change;change;change", FPS / 2, 0, FALSE,
      "metric=mean with the default threshold: every page change within "
      "0.5 s, nothing else");
  draw_frame_free (frame);
  draw_canvas_free (canvas);
}

/* Each typed word is 48 x 14 = 672 pixels, 0.29% of 640 x 360. */
static void
gen_typing (const gchar * dir, GString * gt)
{
  static const gint typed[] = { 30, 60, 90 };
  const gint frames = 150;
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "typing.mp4", W, H);
  gint f, words = 0;

  draw_slide (canvas, 201, 250);
  for (f = 0; f < frames; f++) {
    if (words < (gint) G_N_ELEMENTS (typed) && f == typed[words]) {
      draw_word (canvas, 40 + words * 56, 276, 48, 14);
      words++;
    }
    draw_canvas_to_frame (frame, canvas, 0);
    encoder_push (enc, frame);
  }
  encoder_close (enc);
  clip_header (gt, "typing", W, H, frames, "one text page; a 48x14 word "
      "(0.29% of the picture) is typed at frames 30, 60 and 90 "
      "(0.88% in all)");
  g_string_append (gt, "typed=30;60;90\ntyped-fraction=0.0029\n");
  check (gt, "typing-quiet", "typing", "interval=0", "0", "first", 0, 0,
      FALSE, "typing below the threshold selects nothing");
  draw_frame_free (frame);
  draw_canvas_free (canvas);
}

static void
cursor_path (gint f, gint * x, gint * y)
{
  *x = 300 + (gint) (250 * sin (2 * G_PI * f / 97.0));
  *y = 170 + (gint) (140 * sin (2 * G_PI * f / 61.0 + 0.7));
}

static void
gen_cursor (const gchar * dir, GString * gt)
{
  const gint frames = 150;
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *page = draw_frame_new (W, H), *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "cursor.mp4", W, H);
  gint f, x, y;

  canvas_frame (page, canvas, 301, 0);
  for (f = 0; f < frames; f++) {
    draw_frame_copy (frame, page);
    cursor_path (f, &x, &y);
    draw_cursor (frame, x, y, 1);
    encoder_push (enc, frame);
  }
  encoder_close (enc);
  clip_header (gt, "cursor", W, H, frames, "one text page with a mouse "
      "pointer moving over it the whole time (up to 17 px per frame)");
  check (gt, "cursor-quiet", "cursor", "interval=0", "0", "first", 0, 0,
      FALSE, "a moving pointer selects nothing");
  draw_frame_free (frame);
  draw_frame_free (page);
  draw_canvas_free (canvas);
}

static void
gen_noise (const gchar * dir, GString * gt)
{
  const gint frames = 120;
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *page = draw_frame_new (W, H), *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "noise.mp4", W, H);
  guint64 st = 401;
  gint f;

  canvas_frame (page, canvas, 402, 0);
  for (f = 0; f < frames; f++) {
    draw_frame_copy (frame, page);
    draw_noise (frame, &st, 10);
    encoder_push (enc, frame);
  }
  encoder_close (enc);
  clip_header (gt, "noise", W, H, frames, "one text page with fresh sensor "
      "noise every frame (triangular, +-10 luma, sigma 4.1)");
  check (gt, "noise-quiet", "noise", "interval=0", "0", "first", 0, 0,
      FALSE, "sensor noise selects nothing");
  draw_frame_free (frame);
  draw_frame_free (page);
  draw_canvas_free (canvas);
}

static void
gen_webcam (const gchar * dir, GString * gt)
{
  const gint frames = 180, change = 90;
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *page = draw_frame_new (W, H), *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "webcam.mp4", W, H);
  gint f;

  for (f = 0; f < frames; f++) {
    if (f == 0 || f == change)
      canvas_frame (page, canvas, f == 0 ? 501 : 502, 0);
    draw_frame_copy (frame, page);
    draw_webcam (frame, 464, 224, 160, 120, (gdouble) f / FPS);
    encoder_push (enc, frame);
  }
  encoder_close (enc);
  clip_header (gt, "webcam", W, H, frames, "text pages with a 160x120 "
      "webcam inset at (464,224) (8.3% of the picture) showing a speaker "
      "who sways and nods; page change at frame 90");
  g_string_append (gt, "page-changes=90\ninset=464;224;160;120\n");
  check (gt, "webcam-roi", "webcam",
      "interval=0 roi-x=0 roi-y=0 roi-width=456 roi-height=0", "0;90",
      "first;change", FPS / 2, 0, FALSE,
      "with the inset outside the ROI only the page change is selected");
  check (gt, "webcam-default", "webcam", "interval=0", "0;90",
      "first;change", FPS / 2, 2, FALSE,
      "default settings still find the page change; the inset may add "
      "selections");
  draw_frame_free (frame);
  draw_frame_free (page);
  draw_canvas_free (canvas);
}

static void
gen_cuts (const gchar * dir, GString * gt)
{
  static const gint cuts[] = { 0, 45, 90, 135 };
  const gint frames = 180;
  DrawFrame *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "cuts.mp4", W, H);
  gint f, scene = 0;

  for (f = 0; f < frames; f++) {
    if (scene + 1 < (gint) G_N_ELEMENTS (cuts) && f == cuts[scene + 1])
      scene++;
    draw_scene (frame, 601 + scene, 60 + 3 * (f - cuts[scene]), 200);
    encoder_push (enc, frame);
  }
  encoder_close (enc);
  clip_header (gt, "cuts", W, H, frames, "four camera-like scenes (gradient, "
      "coloured shapes, a ball moving 3 px per frame), hard cuts at "
      "frames 45, 90 and 135");
  g_string_append (gt, "cuts=45;90;135\n");
  check (gt, "cuts-previous", "cuts", "interval=0 reference=previous",
      "0;45;90;135", "first;change;change;change", 0, 0, FALSE,
      "reference=previous finds every hard cut at its exact frame");
  draw_frame_free (frame);
}

/* A transition of @steps frames from @a to @b starting at frame @start;
 * frame start + steps - 1 is exactly @b. */
static void
push_transition (Encoder * enc, DrawFrame * frame, const DrawFrame * a,
    const DrawFrame * b, gint steps)
{
  gint k;

  for (k = 1; k <= steps; k++) {
    draw_mix (frame, a, b, k, steps);
    encoder_push (enc, frame);
  }
}

static void
push_still (Encoder * enc, const DrawFrame * frame, gint count)
{
  gint k;

  for (k = 0; k < count; k++)
    encoder_push (enc, frame);
}

static void
gen_fade (const gchar * dir, GString * gt)
{
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *a = draw_frame_new (W, H), *b = draw_frame_new (W, H);
  DrawFrame *black = draw_frame_new (W, H), *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "fade.mp4", W, H);

  canvas_frame (a, canvas, 701, 0);
  canvas_frame (b, canvas, 702, 0);
  draw_frame_fill (black, DRAW_BLACK, 128, 128);
  push_still (enc, a, 45);      /* 0..44 */
  push_transition (enc, frame, a, black, 20);   /* 45..64, 64 is black */
  push_still (enc, black, 55);  /* 65..119 */
  push_transition (enc, frame, black, b, 20);   /* 120..139, 139 is B */
  push_still (enc, b, 70);      /* 140..209 */
  encoder_close (enc);
  clip_header (gt, "fade", W, H, 210, "page A, fade to black over frames "
      "45-64 (black from 64), fade in page B over frames 120-139 "
      "(B from 139)");
  g_string_append (gt, "transitions=45-64;120-139\n");
  check (gt, "fade-settle", "fade", "interval=0 settle-time=500000000",
      "0;64;139", "first;change;change", 1, 0, TRUE,
      "settle-time 0.5 s: one selection per fade, showing its final picture");
  check (gt, "fade-default", "fade", "interval=0", "0;64;139",
      "first;change;change", 10, 0, TRUE, "defaults (settle-time 0.3 s): "
      "one selection per fade, its final picture, 0.3 s after it settled");
  draw_frame_free (frame);
  draw_frame_free (black);
  draw_frame_free (b);
  draw_frame_free (a);
  draw_canvas_free (canvas);
}

static void
gen_dissolve (const gchar * dir, GString * gt)
{
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *a = draw_frame_new (W, H), *b = draw_frame_new (W, H);
  DrawFrame *c = draw_frame_new (W, H), *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "dissolve.mp4", W, H);

  canvas_frame (a, canvas, 801, 0);
  canvas_frame (b, canvas, 802, 0);
  draw_scene (c, 803, 320, 180);
  push_still (enc, a, 45);      /* 0..44 */
  push_transition (enc, frame, a, b, 20);       /* 45..64, 64 is B */
  push_still (enc, b, 70);      /* 65..134 */
  push_transition (enc, frame, b, c, 20);       /* 135..154, 154 is C */
  push_still (enc, c, 70);      /* 155..224 */
  encoder_close (enc);
  clip_header (gt, "dissolve", W, H, 225, "text page A dissolves into text "
      "page B over frames 45-64 (B from 64), B dissolves into a camera-like "
      "picture C over frames 135-154 (C from 154)");
  g_string_append (gt, "transitions=45-64;135-154\n");
  check (gt, "dissolve-settle", "dissolve",
      "interval=0 settle-time=500000000", "0;64;154", "first;change;change",
      1, 0, TRUE, "settle-time 0.5 s: one selection per dissolve, showing "
      "its final picture");
  check (gt, "dissolve-default", "dissolve", "interval=0", "0;64;154",
      "first;change;change", 10, 0, TRUE, "defaults (settle-time 0.3 s): "
      "one selection per dissolve, its final picture");
  draw_frame_free (frame);
  draw_frame_free (c);
  draw_frame_free (b);
  draw_frame_free (a);
  draw_canvas_free (canvas);
}

static void
gen_flash (const gchar * dir, GString * gt)
{
  DrawCanvas *canvas = draw_canvas_new (W, H);
  DrawFrame *page = draw_frame_new (W, H), *white = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "flash.mp4", W, H);

  canvas_frame (page, canvas, 901, 0);
  draw_frame_fill (white, 250, 128, 128);
  push_still (enc, page, 60);   /* 0..59 */
  push_still (enc, white, 1);   /* 60 */
  push_still (enc, page, 59);   /* 61..119 */
  encoder_close (enc);
  clip_header (gt, "flash", W, H, 120, "one text page, frame 60 alone is "
      "a white flash");
  g_string_append (gt, "flash=60\n");
  check (gt, "flash-default", "flash", "interval=0", "0", "first", 0, 0,
      FALSE, "defaults (settle-time 0.3 s): a one-frame flash never "
      "settles and the page comes back: nothing selected");
  check (gt, "flash-no-settle", "flash", "interval=0 settle-time=0",
      "0;60;61", "first;change;change", 0, 0, FALSE,
      "without settle-time the flash and the return to the page are both "
      "changes");
  check (gt, "flash-settle", "flash", "interval=0 settle-time=500000000",
      "0", "first", 0, 0, FALSE,
      "with settle-time the flash never settles and the settled picture is "
      "the reference again: nothing selected");
  draw_frame_free (white);
  draw_frame_free (page);
  draw_canvas_free (canvas);
}

/* 40/256 px per frame: between two frames a 4x4 box-averaged cell (the
 * proxy cell at 640x360) on a text edge changes by at most
 * (232 - 36) * 40/256 / 4 = 7.7 luma, below the noise level, so
 * reference=previous selects nothing and only the drift against the last
 * selected frame catches the scroll. */
#define SCROLL_Q8 40

static void
gen_scroll (const gchar * dir, GString * gt)
{
  const gint frames = 240;
  DrawCanvas *canvas = draw_canvas_new (W, H + 40);
  DrawFrame *frame = draw_frame_new (W, H);
  Encoder *enc = encoder_open (dir, "scroll.mp4", W, H);
  gint f;

  draw_slide (canvas, 1001, 0);
  for (f = 0; f < frames; f++) {
    draw_canvas_to_frame (frame, canvas, f * SCROLL_Q8);
    encoder_push (enc, frame);
  }
  encoder_close (enc);
  clip_header (gt, "scroll", W, H, frames, "a long text page scrolling up "
      "slowly, 40/256 px per frame (4.7 px/s, 37 px in all)");
  g_string_append_printf (gt, "scroll-q8-per-frame=%d\n", SCROLL_Q8);
  check (gt, "scroll-previous", "scroll", "interval=0 reference=previous",
      "0", "first", 0, 0, FALSE, "with reference=previous a slow scroll is "
      "no change: between two frames a cell moves by at most 7.7 luma, so "
      "only frame 0 is selected");
  check (gt, "scroll-last-selected", "scroll", "interval=0", "0", "first",
      0, 2, FALSE, "with reference=last-selected the drift adds up and the "
      "scroll is selected at some point");
  draw_frame_free (frame);
  draw_canvas_free (canvas);
}

/* The demo lecture: slides every 6-8 s, a pointer that wanders and rests,
 * a webcam inset, and typing on one slide. */
static void
gen_lecture (const gchar * dir, gint width, gint height, gint seconds)
{
  static const gdouble changes[] = { 0, 6.0, 13.5, 20.0, 27.0, 33.5, 41.0,
    48.0, 54.0
  };
  gint s = MAX (width / 640, 1), frames = seconds * FPS;
  gint cam_w = 160 * s, cam_h = 120 * s;
  gint cam_x = width - 16 * s - cam_w, cam_y = height - 16 * s - cam_h;
  DrawCanvas *canvas = draw_canvas_new (width, height);
  DrawFrame *frame = draw_frame_new (width, height);
  Encoder *enc = encoder_open (dir, "lecture.mp4", width, height);
  GString *gt = g_string_new (NULL);
  gchar *path;
  gint f, page = -1, typed = 0;

  for (f = 0; f < frames; f++) {
    gint x, y;

    if (page + 1 < (gint) G_N_ELEMENTS (changes)
        && f == SECOND_FRAMES (changes[page + 1])) {
      page++;
      typed = 0;
      draw_slide (canvas, 2001 + page, page == 3 ? height / 2 : 0);
    }
    /* typing on the fourth slide, a word every half second from 21 s */
    if (page == 3 && f >= SECOND_FRAMES (21) && typed < 8
        && (f - SECOND_FRAMES (21)) % (FPS / 2) == 0) {
      draw_word (canvas, 40 * s + typed * 56 * s, height / 2 + 16 * s,
          48 * s, 14 * s);
      typed++;
    }
    draw_canvas_to_frame (frame, canvas, 0);
    /* the pointer rests for a second out of every four */
    cursor_path (MIN (f % (4 * FPS), 3 * FPS) + f / (4 * FPS) * 3 * FPS,
        &x, &y);
    draw_cursor (frame, x * s, y * s, s);
    draw_webcam (frame, cam_x, cam_y, cam_w, cam_h, (gdouble) f / FPS);
    encoder_push (enc, frame);
  }
  encoder_close (enc);

  clip_header (gt, "lecture", width, height, frames, "a lecture: text "
      "slides, a wandering pointer, a webcam inset, typing on slide 4");
  g_string_append (gt, "page-changes=");
  for (page = 1; page < (gint) G_N_ELEMENTS (changes); page++)
    g_string_append_printf (gt, "%s%d", page > 1 ? ";" : "",
        SECOND_FRAMES (changes[page]));
  g_string_append_printf (gt, "\ninset=%d;%d;%d;%d\n", cam_x, cam_y, cam_w,
      cam_h);
  path = g_build_filename (dir, "lecture.ini", NULL);
  if (!g_file_set_contents (path, gt->str, -1, NULL)) {
    g_printerr ("gen-clips: cannot write %s\n", path);
    exit (1);
  }
  g_free (path);
  g_string_free (gt, TRUE);
  draw_frame_free (frame);
  draw_canvas_free (canvas);
}

int
main (int argc, char **argv)
{
  gboolean lecture = FALSE;
  gint width = 1280, height = 720, seconds = 60;
  GOptionEntry entries[] = {
    {"lecture", 0, 0, G_OPTION_ARG_NONE, &lecture,
        "Write the demo lecture instead of the test clips", NULL},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Lecture width (default 1280)",
        "PIXELS"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height,
        "Lecture height (default 720)", "PIXELS"},
    {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds,
        "Lecture length (default 60)", "SECONDS"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("OUTDIR");
  GError *err = NULL;
  const gchar *dir;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || argc != 2) {
    g_printerr ("usage: gen-clips [--lecture] OUTDIR%s%s\n",
        err ? ": " : "", err ? err->message : "");
    return 2;
  }
  g_option_context_free (ctx);
  if (width % 8 || height % 8 || width < 640 || height < 360 || seconds < 1) {
    g_printerr ("gen-clips: the lecture needs a size of at least 640x360 "
        "in multiples of 8 and at least 1 s, not %dx%d, %d s\n", width,
        height, seconds);
    return 2;
  }
  dir = argv[1];
  if (g_mkdir_with_parents (dir, 0755) != 0) {
    g_printerr ("gen-clips: cannot create %s\n", dir);
    return 1;
  }

  if (lecture) {
    gen_lecture (dir, width, height, seconds);
  } else {
    GString *gt = g_string_new ("# Ground truth of the generated test clips "
        "(written by tests/media/gen-clips.c).\n"
        "# Frame numbers count decoded frames from 0.\n\n");
    gchar *path = g_build_filename (dir, "ground-truth.ini", NULL);

    gen_slides (dir, gt);
    g_string_append_c (gt, '\n');
    gen_typing (dir, gt);
    g_string_append_c (gt, '\n');
    gen_cursor (dir, gt);
    g_string_append_c (gt, '\n');
    gen_noise (dir, gt);
    g_string_append_c (gt, '\n');
    gen_webcam (dir, gt);
    g_string_append_c (gt, '\n');
    gen_cuts (dir, gt);
    g_string_append_c (gt, '\n');
    gen_fade (dir, gt);
    g_string_append_c (gt, '\n');
    gen_dissolve (dir, gt);
    g_string_append_c (gt, '\n');
    gen_flash (dir, gt);
    g_string_append_c (gt, '\n');
    gen_scroll (dir, gt);
    if (!g_file_set_contents (path, gt->str, -1, NULL)) {
      g_printerr ("gen-clips: cannot write %s\n", path);
      return 1;
    }
    g_free (path);
    g_string_free (gt, TRUE);
  }
  gst_deinit ();
  return 0;
}
