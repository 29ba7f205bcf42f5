/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The spill file of one pool and the extent allocator inside it.
 *
 * The file is created unlinked (O_TMPFILE, or open + unlink) with mode 0600
 * in a private 0700 directory made with mkdtemp under the spill directory;
 * the private directory is removed as soon as the file is open, so nothing
 * is left on disk however the process ends.
 *
 * Extents are multiples of MEMVIDEO_SPILL_FILE_BLOCK.  Freed extents are
 * punched out of the file (their disk blocks return to the filesystem),
 * coalesced with free neighbours and reused best-fit; a free extent at the
 * end of the file shrinks the file.  The extent functions are not thread
 * safe (the pool calls them under its lock); read and write are, for
 * distinct extents.
 */

#ifndef __MEMVIDEO_SPILL_FILE_H__
#define __MEMVIDEO_SPILL_FILE_H__

#include <glib.h>

G_BEGIN_DECLS

#define MEMVIDEO_SPILL_FILE_BLOCK 4096

typedef struct _MemvideoSpillFile MemvideoSpillFile;

MemvideoSpillFile *memvideo_spill_file_new (const gchar * directory,
    GError ** error);
void memvideo_spill_file_free (MemvideoSpillFile * file);

/* The spill directory the file was created under, as given to
 * memvideo_spill_file_new() (NULL or "" = g_get_tmp_dir()): it exists and
 * the user chose it, so every message names it. */
const gchar *memvideo_spill_file_get_directory (MemvideoSpillFile * file);
/* The private directory made in it for the file.  It is removed before
 * memvideo_spill_file_new() returns: only a name for debug logs. */
const gchar *memvideo_spill_file_get_private_directory (MemvideoSpillFile *
    file);

/* Reserves an extent of at least @size bytes.  Fails with
 * MEMVIDEO_SPILL_ERROR_MAX_DISK when the live extents would exceed
 * @max_disk (0 = unlimited). */
gboolean memvideo_spill_file_alloc_extent (MemvideoSpillFile * file,
    gsize size, guint64 max_disk, guint64 * offset, GError ** error);
void memvideo_spill_file_free_extent (MemvideoSpillFile * file,
    guint64 offset, gsize size);

/* Bytes held by live extents (rounded to blocks) and the file length. */
guint64 memvideo_spill_file_get_live_bytes (MemvideoSpillFile * file);
guint64 memvideo_spill_file_get_length (MemvideoSpillFile * file);

/* Full writes and reads, retried on EINTR and short transfers.  ENOSPC and
 * EFBIG fail with MEMVIDEO_SPILL_ERROR_NO_SPACE, anything else (including a
 * read past the end of the file) with MEMVIDEO_SPILL_ERROR_IO. */
gboolean memvideo_spill_file_write (MemvideoSpillFile * file, guint64 offset,
    const guint8 * data, gsize size, GError ** error);
gboolean memvideo_spill_file_read (MemvideoSpillFile * file, guint64 offset,
    guint8 * data, gsize size, GError ** error);

/* TRUE while page-aligned transfers bypass the page cache (O_DIRECT; see
 * spillfile.c).  Either way the bytes read back are the bytes written. */
gboolean memvideo_spill_file_is_direct (MemvideoSpillFile * file);

/* Testing only: files created from now on do not use O_DIRECT. */
void memvideo_spill_file_set_no_direct (gboolean no_direct);

/* Testing only: cut the file to @length bytes so later reads fail. */
void memvideo_spill_file_truncate (MemvideoSpillFile * file, guint64 length);

/* Testing only: skip O_TMPFILE and use the open + unlink fallback for files
 * created from now on. */
void memvideo_spill_file_set_no_tmpfile (gboolean no_tmpfile);

/* Testing only: called with the private directory and the file's
 * descriptor just before the directory is removed. */
typedef void (*MemvideoSpillFileHook) (const gchar * directory, gint fd);
void memvideo_spill_file_set_created_hook (MemvideoSpillFileHook hook);

G_END_DECLS

#endif /* __MEMVIDEO_SPILL_FILE_H__ */
