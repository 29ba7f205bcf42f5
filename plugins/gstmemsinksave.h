/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's save of the in-memory file to its location at EOS.
 *
 * What is at the location decides how (docs/memsink.md, "Saving"):
 *
 *  - nothing: a new file, written unnamed (O_TMPFILE), synced, then given
 *    a temporary name beside the location and renamed over it;
 *  - a regular file with one link: the same atomic replacement, keeping
 *    the old file's permission bits (and owner, when run as root); refused
 *    when the user may not write the file (EACCES);
 *  - a regular file with more links: written in place (truncated, then
 *    the data), so every link sees the new contents;
 *  - a symbolic link: refused (never followed, never replaced: a link
 *    planted in a shared directory must not redirect or lose the save);
 *  - a FIFO, a device or a socket: written into in order (gaps as zeros),
 *    as filesink does; a FIFO without a reader is refused (ENXIO) rather
 *    than blocking the streaming thread;
 *  - a directory: refused.
 *
 * Regular files get the gaps of the file as holes.  Where the filesystem
 * has no O_TMPFILE, the temporary file is named from its creation on
 * (".NAME.memsink-XXXXXX" beside NAME); one left by a killed process is
 * removed by gst_mem_sink_save_cleanup() at the next start.
 */

#ifndef __GST_MEM_SINK_SAVE_H__
#define __GST_MEM_SINK_SAVE_H__

#include <gst/gst.h>

#include "memvideo/memfile.h"

G_BEGIN_DECLS

/* Errors in G_FILE_ERROR; the message names the path and the cause. */
gboolean gst_mem_sink_save (MemvideoMemFile * file, const gchar * location,
    GError ** error);

/* Removes temporary files of earlier saves to @location that a killed
 * process left (named ones only; ours are owned by this user). */
void gst_mem_sink_save_cleanup (const gchar * location);

G_END_DECLS

#endif /* __GST_MEM_SINK_SAVE_H__ */
