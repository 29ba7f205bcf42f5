/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_MEM_SPILL_H__
#define __GST_MEM_SPILL_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_MEM_SPILL (gst_mem_spill_get_type ())
G_DECLARE_FINAL_TYPE (GstMemSpill, gst_mem_spill, GST, MEM_SPILL,
    GstBaseTransform);

G_END_DECLS

#endif /* __GST_MEM_SPILL_H__ */
