/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __MEMVIDEO_VIDEO_LAYOUT_H__
#define __MEMVIDEO_VIDEO_LAYOUT_H__

#include <gst/video/video.h>

G_BEGIN_DECLS

/* TRUE when every row of every plane of a mapped @frame lies inside the
 * memory mapped for that plane, with positive strides.
 *
 * gst_video_frame_map() checks the buffer size only when the buffer has no
 * GstVideoMeta; with a meta, offsets and strides come from the buffer and
 * may describe planes larger than the memory.  Whoever walks the rows must
 * ask first.  Meant for the byte-aligned, non-tiled formats (every format
 * keyframeselect reads). */
gboolean memvideo_video_frame_fits (const GstVideoFrame * frame);

G_END_DECLS

#endif /* __MEMVIDEO_VIDEO_LAYOUT_H__ */
