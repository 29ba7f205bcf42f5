/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-memspill
 * @title: memspill
 *
 * Moves every buffer into pageable memory of a spill pool: the frames a
 * downstream element or the application holds stay within a RAM budget
 * (#GstMemSpill:max-memory), the rest is paged out to an unlinked file in
 * a private directory and read back transparently when it is mapped.
 *
 * Timestamps, flags and metas (#GstVideoMeta included) are kept.  Buffers
 * whose memory already belongs to the element's pool pass through
 * untouched; upstream is offered the pool's allocator in the ALLOCATION
 * query so that it can produce such buffers directly (only while
 * #GstMemSpill:spill-format is raw, since those memories spill raw).
 * Buffers of an upstream buffer pool are never held: their data is copied
 * out, or their pageable memories leave in a buffer of memspill's own, so
 * holding many frames never stalls a decoder.
 *
 * With spill-format=jpeg, raw video in I420, YV12, Y42B, Y444, GRAY8 or
 * one of the 8-bit RGB layouts is spilled as JPEG (lossy); any other data
 * is spilled raw, and the element posts one warning saying so.
 *
 * A failed spill write (disk full, file size limit, I/O error) or reaching
 * #GstMemSpill:max-disk never loses a frame: the frame stays in RAM, over
 * budget, the element posts one warning and the stream goes on; the pool
 * writes again once the spill file has room.  A spilled frame that cannot
 * be read back is lost: the element posts an error and returns
 * GST_FLOW_ERROR for the next buffer.  Frames already handed out stay
 * readable.  memsink follows the same rules (docs/design.md).
 *
 * Statistics (#GstMemSpill:resident-bytes, #GstMemSpill:spilled-bytes,
 * #GstMemSpill:frames-resident, #GstMemSpill:frames-spilled,
 * #GstMemSpill:spills, #GstMemSpill:reloads) cover every live frame of the
 * element's pool, also those held downstream; see docs/memspill.md.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=90 ! video/x-raw,width=1280,height=720,framerate=30/1 ! memspill max-memory=20000000 ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! fakesink sync=true
 * ]| The queue grows (the sink plays at 30 fps); at most about 20 MB of the
 * waiting frames stay in RAM, the rest waits on disk.
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=90 ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! memspill max-memory=0 spill-format=jpeg jpeg-quality=95 ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! fakesink sync=true
 * ]| Every waiting frame is paged out as a JPEG.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif


#include "gstmemvideoelements.h"
#include "gstmemvideospill.h"
#include "gstmemspill.h"

GST_DEBUG_CATEGORY_STATIC (gst_mem_spill_debug);
#define GST_CAT_DEFAULT gst_mem_spill_debug

/* the other spill properties have their defaults in gstmemvideospill.c */
#define DEFAULT_MAX_MEMORY (G_GUINT64_CONSTANT (512) * 1024 * 1024)
#define DEFAULT_JPEG_QUALITY 90

enum
{
  PROP_0,
  PROP_MAX_MEMORY,
  PROP_MAX_DISK,
  PROP_SPILL_FORMAT,
  PROP_JPEG_QUALITY,
  PROP_EVICTION,
  PROP_SPILL_DIRECTORY,
  PROP_RESIDENT_BYTES,
  PROP_SPILLED_BYTES,
  PROP_FRAMES_RESIDENT,
  PROP_FRAMES_SPILLED,
  PROP_SPILLS,
  PROP_RELOADS,
};

/* All properties are the shared spill-pool ones */
static const GstMemvideoSpillProps spill_props = {
  .max_memory = PROP_MAX_MEMORY,
  .max_disk = PROP_MAX_DISK,
  .spill_format = PROP_SPILL_FORMAT,
  .jpeg_quality = PROP_JPEG_QUALITY,
  .eviction = PROP_EVICTION,
  .spill_directory = PROP_SPILL_DIRECTORY,
  .resident_bytes = PROP_RESIDENT_BYTES,
  .spilled_bytes = PROP_SPILLED_BYTES,
  .frames_resident = PROP_FRAMES_RESIDENT,
  .frames_spilled = PROP_FRAMES_SPILLED,
  .spills = PROP_SPILLS,
  .reloads = PROP_RELOADS,
  .default_max_memory = DEFAULT_MAX_MEMORY,
  .default_jpeg_quality = DEFAULT_JPEG_QUALITY,
};

struct _GstMemSpill
{
  GstBaseTransform parent;

  /* Settings, pool, error policy: its own locks (gstmemvideospill.h) */
  GstMemvideoSpillBinding spill;

  /* Streaming thread only: what the binding decided for the buffer being
   * processed, from before_transform to transform_ip */
  GstMemvideoSpillFrame frame;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE (GstMemSpill, gst_mem_spill, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (memspill, "memspill", GST_RANK_NONE,
    GST_TYPE_MEM_SPILL);

static void gst_mem_spill_finalize (GObject * object);
static void gst_mem_spill_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_mem_spill_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_mem_spill_start (GstBaseTransform * trans);
static gboolean gst_mem_spill_stop (GstBaseTransform * trans);
static gboolean gst_mem_spill_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps);
static gboolean gst_mem_spill_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query);
static void gst_mem_spill_before_transform (GstBaseTransform * trans,
    GstBuffer * buffer);
static GstFlowReturn gst_mem_spill_prepare_output_buffer (GstBaseTransform *
    trans, GstBuffer * inbuf, GstBuffer ** outbuf);
static GstFlowReturn gst_mem_spill_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);

static void
gst_mem_spill_class_init (GstMemSpillClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_mem_spill_debug, "memspill", 0,
      "pageable frames with a RAM budget");

  gobject_class->finalize = gst_mem_spill_finalize;
  gobject_class->set_property = gst_mem_spill_set_property;
  gobject_class->get_property = gst_mem_spill_get_property;

  gst_memvideo_spill_install_properties (gobject_class, &spill_props);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Memory spill", "Filter/Video",
      "Holds buffers in pageable memory that spills to disk beyond a RAM "
      "budget", "gst-memvideo developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_mem_spill_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_mem_spill_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_mem_spill_set_caps);
  trans_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_mem_spill_propose_allocation);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_mem_spill_before_transform);
  trans_class->prepare_output_buffer =
      GST_DEBUG_FUNCPTR (gst_mem_spill_prepare_output_buffer);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_mem_spill_transform_ip);

}

static void
gst_mem_spill_init (GstMemSpill * self)
{
  gst_memvideo_spill_binding_init (&self->spill, GST_ELEMENT (self),
      &spill_props);
}

static void
gst_mem_spill_finalize (GObject * object)
{
  GstMemSpill *self = GST_MEM_SPILL (object);

  gst_memvideo_spill_binding_clear (&self->spill);

  G_OBJECT_CLASS (gst_mem_spill_parent_class)->finalize (object);
}

static void
gst_mem_spill_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMemSpill *self = GST_MEM_SPILL (object);

  if (!gst_memvideo_spill_binding_set_property (&self->spill, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_mem_spill_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstMemSpill *self = GST_MEM_SPILL (object);

  if (!gst_memvideo_spill_binding_get_property (&self->spill, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static gboolean
gst_mem_spill_start (GstBaseTransform * trans)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);

  memset (&self->frame, 0, sizeof (self->frame));
  gst_memvideo_spill_binding_note_caps (&self->spill, NULL);
  return gst_memvideo_spill_binding_start (&self->spill);
}

static gboolean
gst_mem_spill_stop (GstBaseTransform * trans)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);

  gst_memvideo_spill_binding_stop (&self->spill, FALSE);
  gst_memvideo_spill_binding_note_caps (&self->spill, NULL);
  return TRUE;
}

static gboolean
gst_mem_spill_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);

  gst_memvideo_spill_binding_note_caps (&self->spill, incaps);
  return TRUE;
}

static gboolean
gst_mem_spill_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);

  /* Metas pass through unchanged, so what downstream supports is what we
   * support; its pools and allocators do not matter, our output is ours. */
  gst_pad_peer_query (GST_BASE_TRANSFORM_SRC_PAD (trans), query);
  while (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_remove_nth_allocation_pool (query, 0);
  while (gst_query_get_n_allocation_params (query) > 0)
    gst_query_remove_nth_allocation_param (query, 0);

  return gst_memvideo_spill_binding_add_allocator (&self->spill, query);
}

static void
gst_mem_spill_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);

  gst_memvideo_spill_binding_begin_frame (&self->spill, &self->frame);
}

static GstFlowReturn
gst_mem_spill_prepare_output_buffer (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer ** outbuf)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);
  GstFlowReturn ret;

  ret = gst_memvideo_spill_binding_adopt (&self->spill, &self->frame,
      gst_buffer_ref (inbuf), outbuf);
  /* kept as it is: the base class passes on its own reference */
  if (*outbuf == inbuf) {
    GST_LOG_OBJECT (self, "passing %" GST_PTR_FORMAT " through", inbuf);
    gst_buffer_unref (inbuf);
  }
  return ret;
}

/* The buffer is pageable now.  Posts what a spill error left pending (in
 * any thread, this buffer's copy included); after a lost frame the stream
 * stops, frames already handed out stay readable. */
static GstFlowReturn
gst_mem_spill_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstMemSpill *self = GST_MEM_SPILL (trans);

  return gst_memvideo_spill_binding_check_flow (&self->spill);
}
