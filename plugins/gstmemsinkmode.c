/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's auto mode: which streams are files.  A BYTES segment is one
 * (a muxer that seeks); so are the caps of a container or any system
 * stream, whatever the segment: mpegtsmux and oggmux send a TIME segment
 * though what they produce is a byte stream to be kept whole.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmemsinkpriv.h"

static const gchar *const container_types[] = {
  "video/mpegts",
  "application/ogg",
  "video/ogg",
  "audio/ogg",
  "video/quicktime",
  "video/x-matroska",
  "audio/x-matroska",
  "video/webm",
  "audio/webm",
  "video/x-msvideo",
  "video/x-flv",
  "video/x-ms-asf",
  "application/mxf",
  "audio/x-wav",
  "audio/x-aiff",
  "audio/x-caf",
  "multipart/x-mixed-replace",
  "application/x-yuv4mpeg",
};

gboolean
gst_mem_sink_caps_are_file (const GstCaps * caps)
{
  const GstStructure *s;
  gboolean systemstream = FALSE;
  guint i;

  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_get_boolean (s, "systemstream", &systemstream)
      && systemstream)
    return TRUE;
  for (i = 0; i < G_N_ELEMENTS (container_types); i++) {
    if (gst_structure_has_name (s, container_types[i]))
      return TRUE;
  }

  return FALSE;
}
