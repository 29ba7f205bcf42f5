/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* O_TMPFILE */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "memfile.h"
#include "hugepages.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

GST_DEBUG_CATEGORY_EXTERN (memvideo_spill_debug);
#define GST_CAT_DEFAULT memvideo_spill_debug

struct _MemvideoMemFile
{
  GMutex lock;

  /* Fixed at creation; not guarded */
  MemvideoSpillPool *pool;
  gsize chunk_size;

  /* Guarded by lock */
  /* chunk index -> GstMemory *; a chunk never written has no entry (it
   * reads as zeros), so a far seek costs nothing but the chunks written */
  GHashTable *chunks;
  guint64 length;
  guint64 position;             /* where memvideo_mem_file_append() writes */

  /* The chunk written last stays mapped, so a muxer's many small writes
   * into one chunk cost one map and the chunk being filled is never
   * evicted half-written.  Guarded by lock. */
  gint64 mapped_index;          /* -1 = none */
  GstMapInfo mapped;
};

/* A new chunk is started on disk by a write of at least this many bytes
 * (write_direct()) */
#define DIRECT_MIN (64 * 1024)

/* Bytes of an allocated chunk beyond the length are never read, so they
 * are not kept zero: appending does not pay for a memset of every chunk.
 * Whatever makes the file longer without writing (a gap, truncate to a
 * larger size) zeroes that stretch first (zero_tail()). */

MemvideoMemFile *
memvideo_mem_file_new (MemvideoSpillPool * pool, gsize chunk_size)
{
  MemvideoMemFile *file;

  g_return_val_if_fail (pool != NULL, NULL);
  g_return_val_if_fail (chunk_size > 0, NULL);

  file = g_new0 (MemvideoMemFile, 1);
  g_mutex_init (&file->lock);
  file->pool = memvideo_spill_pool_ref (pool);
  file->chunk_size = chunk_size;
  file->chunks = g_hash_table_new (g_direct_hash, g_direct_equal);
  file->mapped_index = -1;

  return file;
}

MemvideoMemFile *
memvideo_mem_file_new_for (MemvideoSpillPool * pool, guint64 max_memory)
{
  return memvideo_mem_file_new (pool,
      memvideo_mem_file_chunk_size_for (max_memory,
          memvideo_huge_page_size ()));
}

gsize
memvideo_mem_file_chunk_size_for (guint64 max_memory, gsize huge_page_size)
{
  gsize chunk = MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE;

  /* a huge page of a sane size (2 MiB on x86-64 and arm64 with 4 KiB
   * pages; the 32 or 512 MiB of larger base pages are not) */
  if (huge_page_size >= MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE / 2 &&
      huge_page_size <= 4 * MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE)
    chunk = huge_page_size;
  while (chunk > MEMVIDEO_MEM_FILE_MIN_CHUNK_SIZE && max_memory / 4 < chunk)
    chunk /= 2;

  return chunk;
}

static GstMemory *
chunk_get (MemvideoMemFile * file, guint index)
{
  return g_hash_table_lookup (file->chunks, GUINT_TO_POINTER (index));
}

static void
release_mapped (MemvideoMemFile * file)
{
  GstMemory *mem;

  if (file->mapped_index < 0)
    return;

  mem = chunk_get (file, file->mapped_index);
  gst_memory_unmap (mem, &file->mapped);
  file->mapped_index = -1;
}

/* A hash table entry with its node, key and value (glib's table keeps
 * three arrays), rounded up */
#define CHUNK_ENTRY_SIZE 32

/* The chunk table's RAM and that of the chunks' structures count inside
 * max-memory (about 300 bytes per chunk written), so that max-memory
 * bounds all the file costs in RAM, not only its data. */
static void
charge_chunks (MemvideoMemFile * file)
{
  memvideo_spill_pool_set_owner_bytes (file->pool,
      (guint64) g_hash_table_size (file->chunks) *
      (memvideo_spill_pool_memory_overhead () + CHUNK_ENTRY_SIZE));
}

static void
chunk_set (MemvideoMemFile * file, guint index, GstMemory * mem)
{
  g_hash_table_insert (file->chunks, GUINT_TO_POINTER (index), mem);
  charge_chunks (file);
}

static gboolean
chunk_from (gpointer key, gpointer value, gpointer user_data)
{
  if (GPOINTER_TO_UINT (key) < *(guint *) user_data) {
    return FALSE;
  }
  gst_memory_unref (value);
  return TRUE;
}

static void
free_chunks_from (MemvideoMemFile * file, guint first)
{
  g_hash_table_foreach_remove (file->chunks, chunk_from, &first);
  charge_chunks (file);
}

static gint
compare_index (gconstpointer a, gconstpointer b)
{
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  return ia < ib ? -1 : ia > ib;
}

/* The indices of the chunks present, in file order. */
static GArray *
sorted_chunks (MemvideoMemFile * file)
{
  GArray *indices = g_array_sized_new (FALSE, FALSE, sizeof (guint),
      g_hash_table_size (file->chunks));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, file->chunks);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    guint index = GPOINTER_TO_UINT (key);

    g_array_append_val (indices, index);
  }
  g_array_sort (indices, compare_index);

  return indices;
}

void
memvideo_mem_file_free (MemvideoMemFile * file)
{
  g_return_if_fail (file != NULL);

  release_mapped (file);
  free_chunks_from (file, 0);
  g_hash_table_unref (file->chunks);
  memvideo_spill_pool_unref (file->pool);
  g_mutex_clear (&file->lock);
  g_free (file);
}

guint64
memvideo_mem_file_get_size (MemvideoMemFile * file)
{
  guint64 size;

  g_return_val_if_fail (file != NULL, 0);

  g_mutex_lock (&file->lock);
  size = file->length;
  g_mutex_unlock (&file->lock);

  return size;
}

static guint
chunks_for (MemvideoMemFile * file, guint64 length)
{
  return (guint) ((length + file->chunk_size - 1) / file->chunk_size);
}

/* Maps chunk @index for writing and keeps it as the mapped chunk.  A new
 * chunk is allocated with zeros everywhere the file will read it except
 * [@keep_from, @keep_to), which the caller is about to write. */
static guint8 *
map_chunk_for_write (MemvideoMemFile * file, guint index, gsize keep_from,
    gsize keep_to, GError ** error)
{
  guint64 chunk_start = (guint64) index * file->chunk_size;
  GstMemory *mem;

  if (file->mapped_index == index)
    return file->mapped.data;

  release_mapped (file);

  mem = chunk_get (file, index);
  if (mem == NULL) {
    gsize zero_end = 0;

    mem = memvideo_spill_pool_alloc (file->pool, file->chunk_size, NULL, NULL,
        NULL);
    if (!gst_memory_map (mem, &file->mapped, GST_MAP_WRITE))
      goto map_failed;
    if (file->length > chunk_start)
      zero_end = (gsize) MIN (file->chunk_size, file->length - chunk_start);
    memset (file->mapped.data, 0, keep_from);
    if (keep_to < zero_end)
      memset (file->mapped.data + keep_to, 0, zero_end - keep_to);
    chunk_set (file, index, mem);
  } else {
    /* A chunk read back from the spill file counts inside max-memory
     * while it is mapped, like a new one */
    if (!memvideo_spill_memory_is_resident (mem))
      memvideo_spill_pool_make_room (file->pool, file->chunk_size);
    if (!gst_memory_map (mem, &file->mapped, GST_MAP_READ | GST_MAP_WRITE))
      goto reload_failed;
  }
  file->mapped_index = index;

  return file->mapped.data;

  /* ERRORS */
map_failed:
  {
    gst_memory_unref (mem);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "Could not map a new %" G_GSIZE_FORMAT "-byte chunk of the in-memory "
        "file", file->chunk_size);
    return NULL;
  }
reload_failed:
  {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "Could not read chunk %u (bytes %" G_GUINT64_FORMAT "..%"
        G_GUINT64_FORMAT ") of the in-memory file back from the spill "
        "directory %s", index, (guint64) index * file->chunk_size,
        (guint64) (index + 1) * file->chunk_size - 1,
        memvideo_spill_pool_get_directory (file->pool));
    return NULL;
  }
}

/* Writes [@from, @to) of chunk @index straight to the spill file, without
 * copying it into RAM first, when the chunk is not in RAM and max-memory
 * has no room for it: once the file outgrows its budget, the data that
 * follows goes to disk as it comes (one copy, like a write() to a file)
 * while the chunks in RAM, the start of the file where muxers rewrite
 * headers, stay there.  A new chunk is only started this way by a write
 * (@write_size, all its chunks) of DIRECT_MIN bytes or more (or a whole
 * chunk) that leaves no byte of the file's length in it unwritten (those
 * would need zeros): a stream of small writes, like MPEG-TS packets, is
 * gathered in RAM rather than written with one system call each.
 * FALSE: the caller writes through a mapped chunk (also after a failed
 * write, which the pool reports). */
static gboolean
write_direct (MemvideoMemFile * file, guint index, gsize from, gsize to,
    const guint8 * data, gsize write_size)
{
  guint64 chunk_start = (guint64) index * file->chunk_size;
  GstMemory *mem = chunk_get (file, index);
  GError *error = NULL;

  if (file->mapped_index == index)
    return FALSE;
  if (mem == NULL) {
    if (write_size < MIN (DIRECT_MIN, file->chunk_size) || from != 0
        || chunk_start + to < file->length)
      return FALSE;
  } else if (memvideo_spill_memory_is_resident (mem)) {
    return FALSE;
  }

  release_mapped (file);
  if (memvideo_spill_pool_has_room (file->pool, file->chunk_size))
    return FALSE;

  if (mem == NULL) {
    mem = memvideo_spill_pool_alloc_spilled (file->pool, file->chunk_size);
    chunk_set (file, index, mem);
  }
  if (!memvideo_spill_memory_write (mem, from, data, to - from, &error)) {
    GST_DEBUG ("chunk %u written through RAM: %s", index, error->message);
    g_clear_error (&error);
    return FALSE;
  }

  return TRUE;
}

/* Zeroes what lies between the length and @new_end in the last allocated
 * chunk, before the file grows over it without a write. */
static gboolean
zero_tail (MemvideoMemFile * file, guint64 new_end, GError ** error)
{
  guint index = (guint) (file->length / file->chunk_size);
  gsize from = (gsize) (file->length % file->chunk_size);
  gsize to;
  guint8 *data;

  if (from == 0 || chunk_get (file, index) == NULL)
    return TRUE;

  to = (gsize) MIN (file->chunk_size,
      new_end - (guint64) index * file->chunk_size);
  data = map_chunk_for_write (file, index, 0, 0, error);
  if (data == NULL)
    return FALSE;
  memset (data + from, 0, to - from);

  return TRUE;
}

/* Called with the lock held. */
static gboolean
write_locked (MemvideoMemFile * file, guint64 position, const guint8 * data,
    gsize size, GError ** error)
{
  gsize write_size = size;

  if (position > MEMVIDEO_MEM_FILE_MAX_SIZE
      || size > MEMVIDEO_MEM_FILE_MAX_SIZE - position)
    goto too_large;

  /* Writing nothing does not move the end of the file */
  if (size == 0)
    return TRUE;

  if (position > file->length && !zero_tail (file, position, error))
    goto write_failed;

  while (size > 0) {
    guint index = (guint) (position / file->chunk_size);
    gsize offset = (gsize) (position % file->chunk_size);
    gsize n = MIN (file->chunk_size - offset, size);
    guint8 *dest;

    if (!write_direct (file, index, offset, offset + n, data, write_size)) {
      dest = map_chunk_for_write (file, index, offset, offset + n, error);
      if (dest == NULL)
        goto write_failed;
      memcpy (dest + offset, data, n);
    }

    data += n;
    position += n;
    size -= n;
    if (position > file->length)
      file->length = position;
  }

  return TRUE;

  /* ERRORS */
too_large:
  {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "Writing %" G_GSIZE_FORMAT " bytes at position %" G_GUINT64_FORMAT
        " would go beyond the in-memory file's limit of %" G_GUINT64_FORMAT
        " bytes", size, position, MEMVIDEO_MEM_FILE_MAX_SIZE);
    return FALSE;
  }
write_failed:
  {
    /* Keep the length consistent with the chunks actually present */
    if (file->mapped_index >= chunks_for (file, file->length))
      release_mapped (file);
    free_chunks_from (file, chunks_for (file, file->length));
    return FALSE;
  }
}

gboolean
memvideo_mem_file_write (MemvideoMemFile * file, guint64 position,
    const guint8 * data, gsize size, GError ** error)
{
  gboolean ret;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  g_mutex_lock (&file->lock);
  ret = write_locked (file, position, data, size, error);
  g_mutex_unlock (&file->lock);

  return ret;
}

gboolean
memvideo_mem_file_append (MemvideoMemFile * file, const guint8 * data,
    gsize size, guint64 * position, GError ** error)
{
  gboolean ret;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  g_mutex_lock (&file->lock);
  *position = file->position;
  ret = write_locked (file, file->position, data, size, error);
  if (ret)
    file->position += size;
  g_mutex_unlock (&file->lock);

  return ret;
}

/* Called with the lock held. */
static gboolean
read_locked (MemvideoMemFile * file, guint64 position, guint8 * dest,
    gsize size, GError ** error)
{
  while (size > 0) {
    guint index = (guint) (position / file->chunk_size);
    gsize offset = (gsize) (position % file->chunk_size);
    gsize n = MIN (file->chunk_size - offset, size);
    GstMemory *mem = chunk_get (file, index);

    if (mem == NULL) {
      memset (dest, 0, n);
    } else if (file->mapped_index == index) {
      memcpy (dest, file->mapped.data + offset, n);
    } else if (!memvideo_spill_memory_read (mem, offset, dest, n, error)) {
      return FALSE;
    }

    dest += n;
    position += n;
    size -= n;
  }

  return TRUE;
}

gboolean
memvideo_mem_file_read (MemvideoMemFile * file, guint64 position,
    guint8 * dest, gsize size, GError ** error)
{
  gboolean ret;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (dest != NULL || size == 0, FALSE);

  g_mutex_lock (&file->lock);
  if (position > file->length || size > file->length - position)
    goto out_of_range;
  ret = read_locked (file, position, dest, size, error);
  g_mutex_unlock (&file->lock);

  return ret;

  /* ERRORS */
out_of_range:
  {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "Reading %" G_GSIZE_FORMAT " bytes at position %" G_GUINT64_FORMAT
        " goes beyond the end of the %" G_GUINT64_FORMAT "-byte in-memory "
        "file", size, position, file->length);
    g_mutex_unlock (&file->lock);
    return FALSE;
  }
}

gboolean
memvideo_mem_file_truncate (MemvideoMemFile * file, guint64 size,
    GError ** error)
{
  g_return_val_if_fail (file != NULL, FALSE);

  if (size > MEMVIDEO_MEM_FILE_MAX_SIZE)
    goto too_large;

  g_mutex_lock (&file->lock);
  if (size < file->length) {
    guint keep = chunks_for (file, size);

    if (file->mapped_index >= keep)
      release_mapped (file);
    free_chunks_from (file, keep);
  } else if (size > file->length) {
    if (!zero_tail (file, size, error)) {
      g_mutex_unlock (&file->lock);
      return FALSE;
    }
  }
  file->length = size;
  g_mutex_unlock (&file->lock);

  return TRUE;

  /* ERRORS */
too_large:
  {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "Cannot set the in-memory file's length to %" G_GUINT64_FORMAT
        " bytes: the limit is %" G_GUINT64_FORMAT " bytes", size,
        MEMVIDEO_MEM_FILE_MAX_SIZE);
    return FALSE;
  }
}

static gboolean
pwrite_all (gint fd, const guint8 * data, gsize size, guint64 offset,
    GError ** error)
{
  while (size > 0) {
    gssize n = pwrite (fd, data, size, (off_t) offset);

    if (n < 0) {
      gint err = errno;

      if (err == EINTR)
        continue;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
          "Could not write %" G_GSIZE_FORMAT " bytes at offset %"
          G_GUINT64_FORMAT ": %s", size, offset, g_strerror (err));
      return FALSE;
    }
    data += n;
    size -= n;
    offset += n;
  }

  return TRUE;
}

static gint
open_unlinked (const gchar * directory, GError ** error)
{
  gchar *path;
  gint fd;

#ifdef O_TMPFILE
  fd = g_open (directory, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
#endif

  /* Filesystems without O_TMPFILE: create and unlink at once */
  path = g_build_filename (directory, "memfile-XXXXXX", NULL);
  fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    gint err = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "Could not create a temporary file in %s for a snapshot of the "
        "in-memory file: %s", directory, g_strerror (err));
  } else {
    g_unlink (path);
  }
  g_free (path);

  return fd;
}

/* Called with the lock held.  Writes the chunks present at their offsets
 * of the regular file @fd through one bounce buffer and sets its length:
 * chunks never written stay holes (never zeros on disk). */
static gboolean
write_sparse_locked (MemvideoMemFile * file, gint fd, GError ** error)
{
  GArray *indices = sorted_chunks (file);
  guint8 *bounce = g_malloc (file->chunk_size);
  gboolean ret = TRUE;
  guint i;

  for (i = 0; ret && i < indices->len; i++) {
    guint64 offset = (guint64) g_array_index (indices, guint, i) *
        file->chunk_size;
    gsize n = (gsize) MIN (file->chunk_size, file->length - offset);

    ret = read_locked (file, offset, bounce, n, error)
        && pwrite_all (fd, bounce, n, offset, error);
  }
  g_free (bounce);
  g_array_unref (indices);

  if (ret && ftruncate (fd, (off_t) file->length) < 0) {
    gint err = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "Could not set the length of a file to %" G_GUINT64_FORMAT
        " bytes: %s", file->length, g_strerror (err));
    ret = FALSE;
  }

  return ret;
}

typedef struct
{
  gpointer data;
  gsize size;
} Mapping;

static void
mapping_free (gpointer user_data)
{
  Mapping *m = user_data;

  munmap (m->data, m->size);
  g_free (m);
}

/* Called with the lock held. */
static GBytes *
snapshot_to_file_locked (MemvideoMemFile * file, const gchar * tmp_directory,
    GError ** error)
{
  Mapping *m;
  gpointer data;
  gint fd;

  fd = open_unlinked (tmp_directory, error);
  if (fd < 0)
    return NULL;
  if (!write_sparse_locked (file, fd, error)) {
    close (fd);
    return NULL;
  }

  data = mmap (NULL, file->length, PROT_READ, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED)
    goto mmap_failed;
  close (fd);

  m = g_new (Mapping, 1);
  m->data = data;
  m->size = file->length;

  return g_bytes_new_with_free_func (data, file->length, mapping_free, m);

  /* ERRORS */
mmap_failed:
  {
    gint err = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "Could not map a %" G_GUINT64_FORMAT "-byte snapshot file in %s: %s",
        file->length, tmp_directory, g_strerror (err));
    close (fd);
    return NULL;
  }
}

static GBytes *
snapshot_to_heap_locked (MemvideoMemFile * file, GError ** error)
{
  guint8 *data = g_try_malloc (MAX (file->length, 1));

  if (data == NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
        "Could not allocate %" G_GUINT64_FORMAT " bytes for a snapshot",
        file->length);
    return NULL;
  }
  if (!read_locked (file, 0, data, file->length, error)) {
    g_free (data);
    return NULL;
  }
  return g_bytes_new_take (data, file->length);
}

GBytes *
memvideo_mem_file_snapshot (MemvideoMemFile * file,
    const gchar * tmp_directory, GError ** error)
{
  GBytes *bytes;

  g_return_val_if_fail (file != NULL, NULL);

  if (tmp_directory == NULL)
    tmp_directory = g_get_tmp_dir ();

  /* A file that cannot be made (directory full, removed or read-only)
   * fails the snapshot: copying the whole file to the heap instead would
   * put in RAM what the budget keeps out of it */
  g_mutex_lock (&file->lock);
  if (file->length <= MEMVIDEO_MEM_FILE_SNAPSHOT_COPY_MAX)
    bytes = snapshot_to_heap_locked (file, error);
  else
    bytes = snapshot_to_file_locked (file, tmp_directory, error);
  g_mutex_unlock (&file->lock);

  return bytes;
}

/* Called with the lock held: for what cannot seek (a FIFO, a device),
 * every byte in order, zeros for the gaps. */
static gboolean
write_stream_locked (MemvideoMemFile * file, gint fd, GError ** error)
{
  guint8 *bounce = g_malloc (file->chunk_size);
  guint64 offset = 0;
  gboolean ret = TRUE;

  while (ret && offset < file->length) {
    gsize n = (gsize) MIN (file->chunk_size, file->length - offset);
    const guint8 *p = bounce;

    ret = read_locked (file, offset, bounce, n, error);
    while (ret && n > 0) {
      gssize w = write (fd, p, n);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0) {
        gint err = errno;

        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
            "Could not write %" G_GSIZE_FORMAT " bytes at offset %"
            G_GUINT64_FORMAT ": %s", n, offset, g_strerror (err));
        ret = FALSE;
      } else {
        p += w;
        n -= w;
        offset += w;
      }
    }
  }
  g_free (bounce);

  return ret;
}

gboolean
memvideo_mem_file_write_to_fd (MemvideoMemFile * file, gint fd, GError ** error)
{
  struct stat st;
  gboolean ret;

  g_return_val_if_fail (file != NULL, FALSE);

  g_mutex_lock (&file->lock);
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    ret = write_sparse_locked (file, fd, error);
  else
    ret = write_stream_locked (file, fd, error);
  g_mutex_unlock (&file->lock);

  return ret;
}

void
memvideo_mem_file_set_position (MemvideoMemFile * file, guint64 position)
{
  g_return_if_fail (file != NULL);

  g_mutex_lock (&file->lock);
  file->position = position;
  g_mutex_unlock (&file->lock);
}

guint64
memvideo_mem_file_get_position (MemvideoMemFile * file)
{
  guint64 position;

  g_return_val_if_fail (file != NULL, 0);

  g_mutex_lock (&file->lock);
  position = file->position;
  g_mutex_unlock (&file->lock);

  return position;
}
