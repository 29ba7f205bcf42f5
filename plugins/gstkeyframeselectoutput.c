/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* keyframeselect's output side: a selection announced (meta, element
 * message, force-key-unit event), the held candidate sent on, DISCONT on
 * the first buffer after dropped ones, the EOS summary.  Streaming thread
 * only; messages and events outside any lock. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkeyframeselectprivate.h"

#define GST_CAT_DEFAULT gst_keyframe_select_debug

/* Posts the selection's message and sends the force-key-unit event; if @buf
 * is given, attaches the meta to it (it must be writable). */
void
gst_keyframe_select_announce (GstKeyframeSelect * self,
    const Settings * settings, const Selection * sel, GstBuffer * buf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  const gchar *reason = memvideo_keyframe_reason_name (sel->reason);

  GST_DEBUG_OBJECT (self, "selected frame %" G_GUINT64_FORMAT " at %"
      GST_TIME_FORMAT ": %s, score %.4f", sel->frame, GST_TIME_ARGS (sel->pts),
      reason, sel->score);

  if (GST_CLOCK_TIME_IS_VALID (sel->pts) &&
      trans->segment.format == GST_FORMAT_TIME) {
    stream_time = gst_segment_to_stream_time (&trans->segment,
        GST_FORMAT_TIME, sel->pts);
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, sel->pts);
  }

  if (buf != NULL) {
    GstCustomMeta *meta;

    meta = gst_buffer_add_custom_meta (buf, GST_KEYFRAME_SELECT_META_NAME);
    gst_structure_set (gst_custom_meta_get_structure (meta),
        "score", G_TYPE_DOUBLE, sel->score,
        "reason", G_TYPE_STRING, reason,
        "frame", G_TYPE_UINT64, sel->frame,
        "stream-time", G_TYPE_UINT64, stream_time,
        "running-time", G_TYPE_UINT64, running_time,
        "masked-cells", G_TYPE_UINT, sel->masked_cells, NULL);
  }

  if (settings->post_messages) {
    GstStructure *s = gst_structure_new ("keyframeselect",
        "timestamp", G_TYPE_UINT64, sel->pts,
        "stream-time", G_TYPE_UINT64, stream_time,
        "running-time", G_TYPE_UINT64, running_time,
        "duration", G_TYPE_UINT64, sel->duration,
        "frame", G_TYPE_UINT64, sel->frame,
        "score", G_TYPE_DOUBLE, sel->score,
        "reason", G_TYPE_STRING, reason,
        "masked-cells", G_TYPE_UINT, sel->masked_cells, NULL);

    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }

  if (settings->force_keyunit && buf != NULL) {
    MemvideoKeyframeCounts counts;
    GstEvent *event;

    GST_OBJECT_LOCK (self);
    memvideo_keyframe_selector_get_counts (self->selector, &counts);
    GST_OBJECT_UNLOCK (self);
    /* The running time is left unset, which asks for "the next frame": the
     * selected buffer follows right after the event.  A running time would
     * be compared by GstVideoEncoder with its own, which x264enc shifts by
     * 1000 hours in GStreamer 1.22, so every request after the first would
     * be ignored. */
    event = gst_video_event_new_downstream_force_key_unit (sel->pts,
        stream_time, GST_CLOCK_TIME_NONE, TRUE, (guint) counts.selected);
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (self), event);
  }
}

/* Marks @buf DISCONT when frames before it were not sent downstream, and
 * records it as the last frame sent. */
void
gst_keyframe_select_mark_out (GstKeyframeSelect * self, GstBuffer * buf,
    guint64 frame)
{
  State *st = &self->state;

  if (st->have_out ? frame != st->last_out + 1 : frame > 0)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  st->have_out = TRUE;
  st->last_out = frame;
}

/* Sends the settled candidate on as a `change` selection.  Without a held
 * buffer (drop=false) only its message is posted. */
GstFlowReturn
gst_keyframe_select_emit_held (GstKeyframeSelect * self,
    const Settings * settings, gdouble score, guint masked_cells)
{
  Held *held = &self->state.held;
  GstBuffer *buf = held->buffer;
  Selection sel = { held->frame, held->pts, held->duration,
    MEMVIDEO_KEYFRAME_REASON_CHANGE, score, masked_cells
  };

  held->buffer = NULL;
  if (buf == NULL) {
    gst_keyframe_select_announce (self, settings, &sel, NULL);
    return GST_FLOW_OK;
  }

  buf = gst_buffer_make_writable (buf);
  gst_keyframe_select_mark_out (self, buf, sel.frame);
  gst_keyframe_select_announce (self, settings, &sel, buf);
  return gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
}

void
gst_keyframe_select_post_summary (GstKeyframeSelect * self)
{
  MemvideoKeyframeCounts counts;
  GstStructure *s;
  guint64 frames_in;

  GST_OBJECT_LOCK (self);
  memvideo_keyframe_selector_get_counts (self->selector, &counts);
  frames_in = self->frames_in;
  GST_OBJECT_UNLOCK (self);

  s = gst_structure_new ("keyframeselect-summary",
      "frames-in", G_TYPE_UINT64, frames_in,
      "frames-selected", G_TYPE_UINT64, counts.selected,
      "first", G_TYPE_UINT64, counts.first,
      "change", G_TYPE_UINT64, counts.change,
      "periodic", G_TYPE_UINT64, counts.periodic, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* drop was switched off while a candidate was held: frames pass from now
 * on, so the held one goes first, unmarked, to keep the order (the
 * selector still decides on it). */
GstFlowReturn
gst_keyframe_select_pass_held (GstKeyframeSelect * self)
{
  Held *held = &self->state.held;
  GstBuffer *buf = held->buffer;

  if (buf == NULL)
    return GST_FLOW_OK;
  held->buffer = NULL;
  buf = gst_buffer_make_writable (buf);
  gst_keyframe_select_mark_out (self, buf, held->frame);
  return gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
}
