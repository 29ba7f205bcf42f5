/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* keyframeselect's input side: a frame checked against its caps and video
 * meta, mapped and turned into a luma proxy, and the time the rules
 * measure.  Streaming thread only. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkeyframeselectprivate.h"
#include "memvideo/videolayout.h"

#define GST_CAT_DEFAULT gst_keyframe_select_debug

/* The time the rules measure intervals in: the running time of the PTS
 * (it grows in reverse playback too, where the PTS goes down; before the
 * segment start it is 0), else the frame count times the frame duration
 * from the caps, else none (rules off). */
GstClockTime
gst_keyframe_select_timing (GstKeyframeSelect * self, const Settings * s,
    GstBuffer * buf, guint64 frame)
{
  State *st = &self->state;
  GstVideoInfo *info = &st->info;
  GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;

  if (GST_BUFFER_PTS_IS_VALID (buf)) {
    guint64 rt;
    gint sign;

    if (segment->format != GST_FORMAT_TIME)
      return GST_BUFFER_PTS (buf);
    sign = gst_segment_to_running_time_full (segment, GST_FORMAT_TIME,
        GST_BUFFER_PTS (buf), &rt);
    if (sign > 0)
      return rt;
    if (sign < 0)
      return 0;
  }

  if (GST_VIDEO_INFO_FPS_N (info) > 0 && GST_VIDEO_INFO_FPS_D (info) > 0)
    return gst_util_uint64_scale (frame - st->timing_base,
        GST_VIDEO_INFO_FPS_D (info) * GST_SECOND, GST_VIDEO_INFO_FPS_N (info));

  if (!st->warned_timing && (s->params.interval > 0 ||
          s->params.min_interval > 0 || s->params.settle_time > 0)) {
    st->warned_timing = TRUE;
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("The video has no timestamps and no framerate: interval, "
            "min-interval and settle-time are ignored until timestamps "
            "arrive."), ("frame %" G_GUINT64_FORMAT " has no PTS, caps "
            "framerate %d/%d", frame, GST_VIDEO_INFO_FPS_N (info),
            GST_VIDEO_INFO_FPS_D (info)));
  }
  return GST_CLOCK_TIME_NONE;
}

static void
gst_keyframe_select_warn_roi (GstKeyframeSelect * self,
    const MemvideoRect * requested, const MemvideoRect * roi, guint width,
    guint height)
{
  State *st = &self->state;

  if (st->warned_roi && st->warned_roi_w == width &&
      st->warned_roi_h == height &&
      memcmp (&st->warned_roi_rect, requested, sizeof (*requested)) == 0)
    return;

  st->warned_roi = TRUE;
  st->warned_roi_rect = *requested;
  st->warned_roi_w = width;
  st->warned_roi_h = height;
  GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
      ("The region of interest does not fit the frame; the part inside it "
          "is analysed."),
      ("requested x=%u y=%u width=%u height=%u on a %ux%u frame, analysing "
          "x=%u y=%u width=%u height=%u", requested->x, requested->y,
          requested->width, requested->height, width, height, roi->x, roi->y,
          roi->width, roi->height));
}

/* Builds st->proxy from the mapped @frame. */
static GstFlowReturn
gst_keyframe_select_analyse_frame (GstKeyframeSelect * self,
    const Settings * settings, const GstVideoFrame * frame)
{
  State *st = &self->state;
  MemvideoLumaSource src;
  MemvideoRect roi;

  if (!memvideo_luma_source_init_from_frame (&src, frame))
    goto unsupported;

  if (settings->have_roi_frac)
    memvideo_frac_rect_to_pixels (&settings->roi_frac, src.width, src.height,
        &roi);
  else if (memvideo_keyframe_clamp_roi (&settings->roi, src.width,
          src.height, &roi))
    gst_keyframe_select_warn_roi (self, &settings->roi, &roi, src.width,
        src.height);
  st->roi = roi;
  st->frame_width = src.width;
  st->frame_height = src.height;
  memvideo_proxy_builder_build (st->builder, &src, &roi,
      settings->analysis_width, &st->proxy);
  return GST_FLOW_OK;

  /* ERRORS */
unsupported:
  {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Video format %s is not supported.", GST_VIDEO_INFO_NAME (&st->info)),
        (NULL));
    return GST_FLOW_NOT_SUPPORTED;
  }
}

/* Checks @buf against the caps and its video meta, maps it and builds
 * st->proxy. */
GstFlowReturn
gst_keyframe_select_analyse (GstKeyframeSelect * self,
    const Settings * settings, GstBuffer * buf, guint64 index)
{
  State *st = &self->state;
  GstVideoInfo *info = &st->info;
  GstVideoFrame frame;
  GstVideoMeta *meta;
  GstFlowReturn ret;
  gsize size = gst_buffer_get_size (buf);

  if (!st->have_info)
    goto not_negotiated;
  meta = gst_buffer_get_video_meta (buf);
  if (size == 0 || (meta == NULL && size < GST_VIDEO_INFO_SIZE (info)))
    goto short_buffer;
  if (!gst_video_frame_map (&frame, info, buf, GST_MAP_READ))
    goto map_failed;
  if (!memvideo_video_frame_fits (&frame)) {
    gst_video_frame_unmap (&frame);
    goto bad_layout;
  }
  ret = gst_keyframe_select_analyse_frame (self, settings, &frame);
  gst_video_frame_unmap (&frame);
  return ret;

  /* ERRORS */
not_negotiated:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("A buffer arrived before any caps."), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
short_buffer:
  {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("A video frame is smaller than its caps say."),
        ("frame %" G_GUINT64_FORMAT " has %" G_GSIZE_FORMAT " bytes, but a "
            "%dx%d %s frame needs %" G_GSIZE_FORMAT " bytes", index, size,
            GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
            GST_VIDEO_INFO_NAME (info), GST_VIDEO_INFO_SIZE (info)));
    return GST_FLOW_ERROR;
  }
bad_layout:
  {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("A video frame is smaller than its video meta says."),
        ("frame %" G_GUINT64_FORMAT " has %" G_GSIZE_FORMAT " bytes, fewer "
            "than the planes of its video meta need (%ux%u %s, plane 0 at "
            "offset %" G_GSIZE_FORMAT " with stride %d)", index, size,
            meta->width, meta->height, GST_VIDEO_INFO_NAME (info),
            meta->offset[0], meta->stride[0]));
    return GST_FLOW_ERROR;
  }
map_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Could not read a video frame: its video meta does not match the "
            "caps."),
        ("frame %" G_GUINT64_FORMAT " (%" G_GSIZE_FORMAT " bytes) does not "
            "map as a %dx%d %s frame", index, size,
            GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
            GST_VIDEO_INFO_NAME (info)));
    return GST_FLOW_ERROR;
  }
}
