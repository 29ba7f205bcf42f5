/* gst-memvideo
 * Writes a screen-share clip for the fast path's tests and benchmark.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* fast-clip OUT.mp4 WIDTH HEIGHT FRAMES GOP CHANGES [BFRAMES]
 *
 * FRAMES frames at 30 fps of text slides (draw.c); CHANGES is a comma
 * list FRAME:SEED, the slide drawn from SEED shown from FRAME on (the
 * first must be 0).  Encoded with x264enc key-int-max=GOP and scenecut=0,
 * so the keyframes are exactly every GOP frames and never at a change the
 * encoder noticed by itself; BFRAMES (default 0) B-frames between
 * references. */

#include <stdlib.h>

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>

#include "draw.h"

#define FPS 30

static GstElement *
open_encoder (const gchar * path, gint width, gint height, gint gop,
    gint bframes)
{
  GError *err = NULL;
  gchar *desc;
  GstElement *pipeline;

  desc = g_strdup_printf ("appsrc name=src format=time block=true "
      "caps=video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
      "pixel-aspect-ratio=1/1,colorimetry=bt601,interlace-mode=progressive "
      "! x264enc speed-preset=ultrafast threads=1 key-int-max=%d bframes=%d "
      "option-string=scenecut=0 pass=quant quantizer=20 ! mp4mux "
      "! filesink location=\"%s\"", width, height, FPS, gop, bframes, path);
  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  if (pipeline == NULL) {
    g_printerr ("fast-clip: %s\n", err->message);
    exit (1);
  }
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  return pipeline;
}

static void
close_encoder (GstElement * pipeline, GstAppSrc * src)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  gst_app_src_end_of_stream (src);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_printerr ("fast-clip: encoding failed\n");
    exit (1);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

int
main (int argc, char **argv)
{
  GstElement *pipeline;
  GstAppSrc *src;
  DrawFrame *frame;
  DrawCanvas *canvas;
  gchar **changes;
  gint width, height, frames, gop, f, next = 0;

  gst_init (&argc, &argv);
  if (argc != 7 && argc != 8) {
    g_printerr ("usage: fast-clip OUT.mp4 WIDTH HEIGHT FRAMES GOP "
        "FRAME:SEED,... [BFRAMES]\n");
    return 2;
  }
  width = atoi (argv[2]);
  height = atoi (argv[3]);
  frames = atoi (argv[4]);
  gop = atoi (argv[5]);
  changes = g_strsplit (argv[6], ",", -1);
  pipeline = open_encoder (argv[1], width, height, gop,
      argc == 8 ? atoi (argv[7]) : 0);
  src = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (pipeline), "src"));
  frame = draw_frame_new (width, height);
  canvas = draw_canvas_new (width, height);

  for (f = 0; f < frames; f++) {
    GstBuffer *buf;

    if (changes[next] != NULL && atoi (changes[next]) == f) {
      const gchar *seed = strchr (changes[next], ':');

      draw_slide (canvas, seed ? (guint32) atoi (seed + 1) : 1, 0);
      draw_canvas_to_frame (frame, canvas, 0);
      next++;
    }
    buf = gst_buffer_new_memdup (frame->data, frame->size);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (f, GST_SECOND, FPS);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (f + 1, GST_SECOND,
        FPS) - GST_BUFFER_PTS (buf);
    if (gst_app_src_push_buffer (src, buf) != GST_FLOW_OK) {
      g_printerr ("fast-clip: encoding stopped at frame %d\n", f);
      return 1;
    }
  }
  close_encoder (pipeline, src);
  draw_canvas_free (canvas);
  draw_frame_free (frame);
  g_strfreev (changes);
  gst_object_unref (src);
  gst_object_unref (pipeline);
  return 0;
}
