/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_MEM_SINK_H__
#define __GST_MEM_SINK_H__

#include <gst/gst.h>
#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

/**
 * GstMemSinkMode:
 * @GST_MEM_SINK_MODE_AUTO: the first SEGMENT decides: BYTES gives file,
 *   anything else samples
 * @GST_MEM_SINK_MODE_SAMPLES: keep every buffer as a GstSample
 * @GST_MEM_SINK_MODE_FILE: keep the byte stream as a seekable file
 */
typedef enum
{
  GST_MEM_SINK_MODE_AUTO = 0,
  GST_MEM_SINK_MODE_SAMPLES = 1,
  GST_MEM_SINK_MODE_FILE = 2,
} GstMemSinkMode;

#define GST_TYPE_MEM_SINK (gst_mem_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstMemSink, gst_mem_sink, GST, MEM_SINK, GstBaseSink)

G_END_DECLS

#endif /* __GST_MEM_SINK_H__ */
