/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * An in-memory seekable file on top of a spill pool, the way a spooled
 * temporary file works: the data lives in fixed-size chunks that are raw
 * pool memories, so the pool's max-memory bounds the RAM used and the rest
 * pages out to the pool's unlinked spill file.
 *
 * Writes are positional (like pwrite), or at the file's write position
 * (like write() on a file descriptor, for memsink's byte stream).  The length is the furthest byte
 * written; a gap before a write reads back as zeros.  Chunks that were
 * never written are not allocated and have no slot in the chunk table
 * (a write 1 TiB ahead costs one chunk), and are written as holes.  Once the chunks in RAM fill
 * max-memory, later data (writes of 64 KiB and more that start a chunk,
 * and any write into a chunk already on disk) goes straight to the spill
 * file instead of being copied into a chunk and evicted: the chunks in
 * RAM, the start of the file where muxers rewrite headers, stay there.
 *
 * Every function takes the file's own lock, so the streaming thread may
 * write while application threads read or take snapshots; a snapshot is
 * consistent (it never shows half of a write).
 */

#ifndef __MEMVIDEO_MEM_FILE_H__
#define __MEMVIDEO_MEM_FILE_H__

#include <gst/gst.h>
#include "spillpool.h"

G_BEGIN_DECLS

typedef struct _MemvideoMemFile MemvideoMemFile;

#define MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE (2 * 1024 * 1024)
#define MEMVIDEO_MEM_FILE_MIN_CHUNK_SIZE (64 * 1024)

/* Positions and lengths beyond this are refused: 1 TiB. */
#define MEMVIDEO_MEM_FILE_MAX_SIZE (G_GUINT64_CONSTANT (1) << 40)

/* Snapshots up to this size are plain heap copies; larger ones are built in
 * an unlinked temporary file and mapped read-only. */
#define MEMVIDEO_MEM_FILE_SNAPSHOT_COPY_MAX (4 * 1024 * 1024)

MemvideoMemFile *memvideo_mem_file_new (MemvideoSpillPool * pool,
    gsize chunk_size);

/* The chunk size for a file whose pool has @max_memory: a transparent huge
 * page (@huge_page_size, from memvideo_huge_page_size(); 0 = none) or
 * else MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE, halved while four chunks do
 * not fit in @max_memory, down to MEMVIDEO_MEM_FILE_MIN_CHUNK_SIZE: large
 * chunks cost fewer faults and less bookkeeping, small budgets want small
 * chunks (the chunk being written stays in RAM). */
gsize memvideo_mem_file_chunk_size_for (guint64 max_memory,
    gsize huge_page_size);

/* A file with the chunk size that fits a pool of @max_memory and the
 * system's transparent huge pages (memvideo_huge_page_size()). */
MemvideoMemFile *memvideo_mem_file_new_for (MemvideoSpillPool * pool,
    guint64 max_memory);
void memvideo_mem_file_free (MemvideoMemFile * file);

guint64 memvideo_mem_file_get_size (MemvideoMemFile * file);

/* Writes @size bytes at @position, zero-filling any gap between the
 * current length and @position.  Fails with G_FILE_ERROR_INVAL
 * beyond MEMVIDEO_MEM_FILE_MAX_SIZE, or G_FILE_ERROR_FAILED when a spilled
 * chunk cannot be read back. */
gboolean memvideo_mem_file_write (MemvideoMemFile * file, guint64 position,
    const guint8 * data, gsize size, GError ** error);

/* Writes at the write position and moves it past the data; @position
 * is set to where the data went (for error messages). */
gboolean memvideo_mem_file_append (MemvideoMemFile * file,
    const guint8 * data, gsize size, guint64 * position, GError ** error);

/* The write position of memvideo_mem_file_append(); 0 at creation, not
 * moved by truncate.  Any position up to MEMVIDEO_MEM_FILE_MAX_SIZE. */
void memvideo_mem_file_set_position (MemvideoMemFile * file,
    guint64 position);
guint64 memvideo_mem_file_get_position (MemvideoMemFile * file);

/* Reads @size bytes at @position without changing what is resident.
 * The range must lie inside the file. */
gboolean memvideo_mem_file_read (MemvideoMemFile * file, guint64 position,
    guint8 * dest, gsize size, GError ** error);

/* Sets the length to @size: shrinking frees the chunks beyond it, growing
 * adds zeros. */
gboolean memvideo_mem_file_truncate (MemvideoMemFile * file, guint64 size,
    GError ** error);

/* The whole file as one read-only GBytes.  Small files (up to
 * MEMVIDEO_MEM_FILE_SNAPSHOT_COPY_MAX) are copied; larger ones are copied
 * chunk by chunk (spilled chunks straight from the spill file) into an
 * unlinked file in @tmp_directory that is mapped read-only, so the
 * snapshot costs page cache, not anonymous RAM.  When that file cannot be
 * made or filled (the directory is full, removed or read-only), the
 * snapshot fails: it is never copied to the heap instead, which would put
 * the whole file in RAM past the budget.  The data stays in the file.
 * The GBytes stays valid after the file changes or is freed. */
GBytes *memvideo_mem_file_snapshot (MemvideoMemFile * file,
    const gchar * tmp_directory, GError ** error);

/* Writes the whole file to @fd.  A regular file gets the data at offsets
 * 0..size (pwrite) with never-written chunks left as holes and its length
 * set to the file's; anything else (a FIFO, a device) gets every byte in
 * order from its current offset, zeros for the gaps. */
gboolean memvideo_mem_file_write_to_fd (MemvideoMemFile * file, gint fd,
    GError ** error);

G_END_DECLS

#endif /* __MEMVIDEO_MEM_FILE_H__ */
