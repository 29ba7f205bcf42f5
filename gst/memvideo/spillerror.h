/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The error domain of the spill store, shared by the pool, its file and
 * its codecs.
 */

#ifndef __MEMVIDEO_SPILL_ERROR_H__
#define __MEMVIDEO_SPILL_ERROR_H__

#include <glib.h>

G_BEGIN_DECLS

#define MEMVIDEO_SPILL_ERROR (memvideo_spill_error_quark ())
GQuark memvideo_spill_error_quark (void);

/**
 * MemvideoSpillError:
 * @MEMVIDEO_SPILL_ERROR_DIRECTORY: the spill directory could not be used
 *   (missing, not writable, mkdtemp or open failed)
 * @MEMVIDEO_SPILL_ERROR_NO_SPACE: a write failed with ENOSPC or EFBIG
 * @MEMVIDEO_SPILL_ERROR_MAX_DISK: the write would exceed max-disk
 * @MEMVIDEO_SPILL_ERROR_IO: any other write or read error (EIO, ...)
 * @MEMVIDEO_SPILL_ERROR_CODEC: encoding or decoding a spilled memory failed
 * @MEMVIDEO_SPILL_ERROR_NO_MEMORY: no RAM could be had for a memory's data
 *   (the message says whether for a new memory or for a reload)
 */
typedef enum
{
  MEMVIDEO_SPILL_ERROR_DIRECTORY,
  MEMVIDEO_SPILL_ERROR_NO_SPACE,
  MEMVIDEO_SPILL_ERROR_MAX_DISK,
  MEMVIDEO_SPILL_ERROR_IO,
  MEMVIDEO_SPILL_ERROR_CODEC,
  MEMVIDEO_SPILL_ERROR_NO_MEMORY,
} MemvideoSpillError;

G_END_DECLS

#endif /* __MEMVIDEO_SPILL_ERROR_H__ */
