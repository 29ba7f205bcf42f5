/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_MEMVIDEO_ELEMENTS_H__
#define __GST_MEMVIDEO_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE (keyframeselect);
GST_ELEMENT_REGISTER_DECLARE (memspill);
GST_ELEMENT_REGISTER_DECLARE (memsink);
GST_ELEMENT_REGISTER_DECLARE (memsrc);

G_END_DECLS

#endif /* __GST_MEMVIDEO_ELEMENTS_H__ */
