/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemvideoelements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (keyframeselect, plugin);
  ret |= GST_ELEMENT_REGISTER (memspill, plugin);
  ret |= GST_ELEMENT_REGISTER (memsink, plugin);
  ret |= GST_ELEMENT_REGISTER (memsrc, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR,
    GST_VERSION_MINOR,
    memvideo,
    "Keep the frames that matter within a memory budget: keyframe selection, "
    "pageable frames that spill to disk, and an in-memory sink",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
