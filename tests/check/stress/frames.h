/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * Self-describing test frames: the frame index in the first four bytes, a
 * pattern of index and offset after it, so a frame read back from any
 * thread, copy or spill can be checked byte for byte without a reference.
 */

#ifndef __MEMVIDEO_TEST_FRAMES_H__
#define __MEMVIDEO_TEST_FRAMES_H__

#include <gst/gst.h>

G_BEGIN_DECLS

static inline guint8
test_frame_byte (guint frame, gsize offset)
{
  return (guint8) (frame * 131 + offset * 7 + (offset >> 8) * 13);
}

static inline GstBuffer *
test_frame_new (guint frame, gsize size)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;
  gsize o;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (o = 4; o < size; o++)
    map.data[o] = test_frame_byte (frame, o);
  GST_WRITE_UINT32_LE (map.data, frame);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = frame * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

/* Returns the offset of the first wrong byte, or -1 when @data is frame
 * @frame (G_MAXUINT: any frame, read from the data) of @size bytes. */
static inline gssize
test_frame_check (const guint8 * data, gsize len, guint frame, gsize size)
{
  gsize o;

  if (len != size || len < 4)
    return 0;
  if (frame == G_MAXUINT)
    frame = GST_READ_UINT32_LE (data);
  else if (GST_READ_UINT32_LE (data) != frame)
    return 0;
  for (o = 4; o < len; o++) {
    if (data[o] != test_frame_byte (frame, o))
      return o;
  }
  return -1;
}

G_END_DECLS

#endif /* __MEMVIDEO_TEST_FRAMES_H__ */
