/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * An interpreter that drives memsink's file mode through its element
 * interface (BYTES segments, buffers, flushes, EOS, queries, get-bytes)
 * from a byte string, and checks every observation against a plain
 * GByteArray model of the file.  The model-based random test feeds it
 * random bytes from a seed, the libFuzzer target feeds it fuzz input.
 */

#ifndef __MEMVIDEO_MEMFILE_OPS_H__
#define __MEMVIDEO_MEMFILE_OPS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 max_memory;           /* memsink max-memory: small forces spill */
  guint32 max_position;         /* seeks land in [0, max_position] */
  guint32 max_write;            /* buffers hold [0, max_write] bytes */
  gboolean allow_garbage;       /* allow segments with an invalid start */
  const gchar *spill_directory; /* NULL: the default */
} MemfileOpsConfig;

/* Runs @ops on a fresh memsink.  Returns NULL when every observation
 * matched the model, else a description of the first mismatch followed by
 * the operations that led to it (free with g_free). */
gchar *memfile_ops_run (const MemfileOpsConfig * config, const guint8 * ops,
    gsize len);

G_END_DECLS

#endif /* __MEMVIDEO_MEMFILE_OPS_H__ */
