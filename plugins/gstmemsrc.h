/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_MEM_SRC_H__
#define __GST_MEM_SRC_H__

#include <gst/gst.h>
#include <gst/base/gstpushsrc.h>

G_BEGIN_DECLS

/**
 * GstMemSrcMode:
 * @GST_MEM_SRC_MODE_FOLLOW: a live source: the samples memsink keeps from
 *   now on
 * @GST_MEM_SRC_MODE_REPLAY: every sample memsink holds now, oldest first,
 *   then EOS
 */
typedef enum
{
  GST_MEM_SRC_MODE_FOLLOW = 0,
  GST_MEM_SRC_MODE_REPLAY = 1,
} GstMemSrcMode;

#define GST_TYPE_MEM_SRC (gst_mem_src_get_type ())
G_DECLARE_FINAL_TYPE (GstMemSrc, gst_mem_src, GST, MEM_SRC, GstPushSrc)

G_END_DECLS

#endif /* __GST_MEM_SRC_H__ */
