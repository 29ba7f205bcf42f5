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

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "spillfile.h"
#include "spillerror.h"

#include <gst/gst.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

GST_DEBUG_CATEGORY_EXTERN (memvideo_spill_debug);
#define GST_CAT_DEFAULT memvideo_spill_debug

typedef struct
{
  guint64 offset;
  guint64 size;
} Extent;

struct _MemvideoSpillFile
{
  gint fd;
  /* The same file opened again with O_DIRECT, -1 when the filesystem
   * refuses it; kept open until the file is freed even after a refused
   * transfer (direct_refused, atomic), since other threads may be in a
   * transfer on it.  See direct_span(). */
  gint direct_fd;
  gint direct_refused;
  gchar *directory;             /* the spill directory: for messages */
  gchar *private_directory;     /* removed at once: for debug logs */
  guint64 length;
  guint64 live;
  /* The free extents twice: by offset (to coalesce neighbours) and by
   * (size, offset) (best fit).  Both trees share the Extent structs; the
   * offset tree owns them. */
  GTree *free_by_offset;
  GTree *free_by_size;
};

static gboolean no_tmpfile = FALSE;
static gboolean no_direct = FALSE;
static MemvideoSpillFileHook created_hook = NULL;

void
memvideo_spill_file_set_created_hook (MemvideoSpillFileHook hook)
{
  created_hook = hook;
}

void
memvideo_spill_file_set_no_direct (gboolean disable)
{
  no_direct = disable;
}

void
memvideo_spill_file_set_no_tmpfile (gboolean disable)
{
  no_tmpfile = disable;
}

static gint
extent_cmp_offset (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Extent *ea = a, *eb = b;

  if (ea->offset != eb->offset)
    return ea->offset < eb->offset ? -1 : 1;
  return 0;
}

static gint
extent_cmp_size (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Extent *ea = a, *eb = b;

  if (ea->size != eb->size)
    return ea->size < eb->size ? -1 : 1;
  return extent_cmp_offset (a, b, NULL);
}

static void
extent_free (gpointer data)
{
  g_slice_free (Extent, data);
}

/* The file structure around @fd, the unlinked file made in the private
 * directory @tmpl (taken) of @directory */
static MemvideoSpillFile *
file_wrap (gint fd, const gchar * directory, gchar * tmpl)
{
  MemvideoSpillFile *file = g_new0 (MemvideoSpillFile, 1);

  file->fd = fd;
  file->direct_fd = -1;
  if (!no_direct) {
    /* A second open file description of the unlinked file, for page
     * aligned transfers that bypass the page cache */
    gchar *self = g_strdup_printf ("/proc/self/fd/%d", fd);

    file->direct_fd = open (self, O_RDWR | O_DIRECT | O_CLOEXEC);
    if (file->direct_fd < 0)
      GST_DEBUG ("no O_DIRECT for the spill file in '%s': %s", directory,
          g_strerror (errno));
    g_free (self);
  }
  file->directory = g_strdup (directory);
  file->private_directory = tmpl;
  file->free_by_offset = g_tree_new_full (extent_cmp_offset, NULL,
      extent_free, NULL);
  file->free_by_size = g_tree_new_full (extent_cmp_size, NULL, NULL, NULL);
  return file;
}

/* A new unlinked file in the directory @tmpl, or -1 (errno set).  When
 * the file got a name that could not be unlinked, *@path is that name
 * (and errno says why). */
static gint
open_unlinked (const gchar * tmpl, gchar ** path)
{
  gint fd = -1, err;
  gchar *name;

  *path = NULL;
  if (!no_tmpfile)
    fd = open (tmpl, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
  /* No O_TMPFILE on this filesystem: create a fresh name, never following
   * a link, and unlink it at once. */
  name = g_build_filename (tmpl, "spill", NULL);
  fd = open (name, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 && unlink (name) < 0) {
    err = errno;
    *path = name;
    errno = err;
    return fd;
  }
  g_free (name);
  return fd;
}

MemvideoSpillFile *
memvideo_spill_file_new (const gchar * directory, GError ** error)
{
  gchar *tmpl, *path = NULL;
  gint fd = -1, err;

  if (directory == NULL || *directory == '\0')
    directory = g_get_tmp_dir ();

  /* mkdtemp gives an unpredictable name and mode 0700: nobody else can
   * plant anything where the file is created. */
  tmpl = g_build_filename (directory, "memvideo-spill-XXXXXX", NULL);
  if (g_mkdtemp_full (tmpl, 0700) == NULL)
    goto mkdtemp_failed;

  fd = open_unlinked (tmpl, &path);
  if (fd < 0)
    goto open_failed;
  if (path)
    goto unlink_failed;
  if (created_hook)
    created_hook (tmpl, fd);
  /* The directory only existed to hold the file; a crash from now on
   * leaves nothing behind. */
  if (rmdir (tmpl) < 0)
    goto rmdir_failed;

  return file_wrap (fd, directory, tmpl);

  /* ERRORS */
mkdtemp_failed:
  {
    err = errno;
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_DIRECTORY,
        "Cannot use spill directory '%s': creating a private directory "
        "in it failed: %s", directory, g_strerror (err));
    g_free (tmpl);
    return NULL;
  }
open_failed:
  {
    err = errno;
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_DIRECTORY,
        "Cannot create a spill file in spill directory '%s': %s", directory,
        g_strerror (err));
    goto cleanup;
  }
unlink_failed:
  {
    err = errno;
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_DIRECTORY,
        "Cannot unlink a new spill file in spill directory '%s': %s",
        directory, g_strerror (err));
    goto cleanup;
  }
rmdir_failed:
  {
    err = errno;
    /* The one message naming the private directory: it may be left
     * behind for the user to remove. */
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_DIRECTORY,
        "Cannot remove the private directory '%s' from spill directory "
        "'%s': %s", tmpl, directory, g_strerror (err));
    goto cleanup;
  }
cleanup:
  {
    if (fd >= 0)
      close (fd);
    if (path)
      unlink (path);
    rmdir (tmpl);
    g_free (path);
    g_free (tmpl);
    return NULL;
  }
}

void
memvideo_spill_file_free (MemvideoSpillFile * file)
{
  if (file == NULL)
    return;
  g_tree_destroy (file->free_by_size);
  g_tree_destroy (file->free_by_offset);
  if (file->direct_fd >= 0)
    close (file->direct_fd);
  close (file->fd);
  g_free (file->directory);
  g_free (file->private_directory);
  g_free (file);
}

const gchar *
memvideo_spill_file_get_directory (MemvideoSpillFile * file)
{
  return file->directory;
}

const gchar *
memvideo_spill_file_get_private_directory (MemvideoSpillFile * file)
{
  return file->private_directory;
}

guint64
memvideo_spill_file_get_live_bytes (MemvideoSpillFile * file)
{
  return file->live;
}

guint64
memvideo_spill_file_get_length (MemvideoSpillFile * file)
{
  return file->length;
}

static guint64
round_up_block (guint64 size)
{
  if (size == 0)
    size = 1;
  return (size + MEMVIDEO_SPILL_FILE_BLOCK - 1) &
      ~((guint64) MEMVIDEO_SPILL_FILE_BLOCK - 1);
}

static void
free_list_insert (MemvideoSpillFile * file, Extent * e)
{
  g_tree_insert (file->free_by_offset, e, e);
  g_tree_insert (file->free_by_size, e, e);
}

/* Unlinks @e from both trees without freeing it. */
static void
free_list_remove (MemvideoSpillFile * file, Extent * e)
{
  g_tree_remove (file->free_by_size, e);
  g_tree_steal (file->free_by_offset, e);
}

gboolean
memvideo_spill_file_alloc_extent (MemvideoSpillFile * file, gsize size,
    guint64 max_disk, guint64 * offset, GError ** error)
{
  guint64 need = round_up_block (size);
  Extent key = { 0, need };
  GTreeNode *node;

  if (max_disk != 0 && file->live + need > max_disk)
    goto max_disk;

  node = g_tree_lower_bound (file->free_by_size, &key);
  if (node) {
    Extent *e = g_tree_node_key (node);

    *offset = e->offset;
    free_list_remove (file, e);
    if (e->size > need) {
      e->offset += need;
      e->size -= need;
      free_list_insert (file, e);
    } else {
      extent_free (e);
    }
  } else {
    *offset = file->length;
    file->length += need;
  }
  file->live += need;
  return TRUE;

  /* ERRORS */
max_disk:
  {
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_MAX_DISK,
        "Spill file in '%s' is full: writing %" G_GSIZE_FORMAT " more bytes "
        "would exceed max-disk (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
        " bytes in use)", file->directory, size, file->live, max_disk);
    return FALSE;
  }
}

void
memvideo_spill_file_free_extent (MemvideoSpillFile * file, guint64 offset,
    gsize size)
{
  guint64 len = round_up_block (size);
  Extent key = { offset, 0 };
  Extent *e;
  GTreeNode *next, *prev;

  g_return_if_fail (file->live >= len);
  file->live -= len;

  next = g_tree_lower_bound (file->free_by_offset, &key);
  prev = next ? g_tree_node_previous (next) :
      g_tree_node_last (file->free_by_offset);

  e = g_slice_new (Extent);
  e->offset = offset;
  e->size = len;

  if (prev) {
    Extent *p = g_tree_node_key (prev);

    if (p->offset + p->size == offset) {
      free_list_remove (file, p);
      p->size += e->size;
      extent_free (e);
      e = p;
    }
  }
  if (next) {
    Extent *n = g_tree_node_key (next);

    if (e->offset + e->size == n->offset) {
      free_list_remove (file, n);
      e->size += n->size;
      extent_free (n);
    }
  }

  if (e->offset + e->size == file->length) {
    /* The tail of the file is free: give it back. */
    file->length = e->offset;
    extent_free (e);
    if (ftruncate (file->fd, file->length) < 0)
      GST_WARNING ("ftruncate of spill file in %s failed: %s",
          file->directory, g_strerror (errno));
    return;
  }

  /* Keep the hole for reuse but return its blocks to the filesystem now;
   * no writer can be using it (extents are handed out under the same lock
   * this function runs under).  Filesystems without hole punching simply
   * keep the blocks until the extent is reused. */
  if (fallocate (file->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
          offset, len) < 0 && errno != EOPNOTSUPP)
    GST_DEBUG ("punching a hole in the spill file failed: %s",
        g_strerror (errno));
  free_list_insert (file, e);
}

static gint
io_error_code (gint err)
{
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    return MEMVIDEO_SPILL_ERROR_NO_SPACE;
  return MEMVIDEO_SPILL_ERROR_IO;
}

/* Direct I/O.  The raw frames the pool spills are whole page-aligned RAM
 * blocks of megabytes, written once and read back at most once: through
 * the page cache each would be copied there, stay in RAM as cache (the RAM
 * the budget was meant to give back) and be written out later by the
 * kernel; with O_DIRECT the device reads the block itself.  On this
 * project's build machine (tests/bench/memspill.sh, ext4) spilling 2000
 * 1080p frames took 0.75 s of CPU direct against 2.6 s for buffered
 * write()s, at the same speed or better; a burst short enough for the page
 * cache to absorb (300 frames) is 2.5 times faster buffered, because then
 * nothing has reached the disk yet (docs/design.md).  Only the page-aligned
 * whole pages of a transfer go direct; a tail shorter than a page, and any
 * transfer from unaligned memory (JPEG output, small blocks), go through
 * the page cache.  The kernel keeps the two coherent.  A filesystem that
 * refuses O_DIRECT (EINVAL) is used buffered from then on. */
#define DIRECT_ALIGN 4096

static gsize
direct_span (MemvideoSpillFile * file, guint64 offset, const guint8 * data,
    gsize size)
{
  if (file->direct_fd < 0 || g_atomic_int_get (&file->direct_refused) ||
      offset % DIRECT_ALIGN != 0 || (guintptr) data % DIRECT_ALIGN != 0)
    return 0;
  return size - size % DIRECT_ALIGN;
}

static void
direct_refused (MemvideoSpillFile * file, gint err)
{
  if (!g_atomic_int_exchange (&file->direct_refused, TRUE))
    GST_DEBUG ("O_DIRECT refused in '%s' (%s): buffered from now on",
        file->directory, g_strerror (err));
}

/* The loop of both directions: whole pages direct where direct_span()
 * allows, the rest through the page cache, retried on EINTR and short
 * transfers.  On failure *@err is the errno, or 0 when a read found the end
 * of the file; *@done is what was transferred. */
static gboolean
transfer (MemvideoSpillFile * file, gboolean write, guint64 offset,
    guint8 * data, gsize size, gsize * done, gint * err)
{
  gsize direct = direct_span (file, offset, data, size);

  *done = 0;
  while (*done < size) {
    gboolean use_direct = *done < direct;
    gint fd = use_direct ? file->direct_fd : file->fd;
    gsize len = (use_direct ? direct : size) - *done;
    ssize_t n = write ? pwrite (fd, data + *done, len, offset + *done) :
        pread (fd, data + *done, len, offset + *done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && use_direct && errno == EINVAL) {
      direct_refused (file, errno);
      direct = 0;
      continue;
    }
    if (n <= 0) {
      /* a write of nothing would loop forever: call it an I/O error */
      *err = n < 0 ? errno : write ? EIO : 0;
      return FALSE;
    }
    *done += n;
    /* a short direct transfer leaves the rest unaligned */
    if (use_direct && *done % DIRECT_ALIGN != 0)
      direct = 0;
  }
  return TRUE;
}

gboolean
memvideo_spill_file_write (MemvideoSpillFile * file, guint64 offset,
    const guint8 * data, gsize size, GError ** error)
{
  gsize done;
  gint err;

  /* transfer() only reads from @data when writing */
  if (transfer (file, TRUE, offset, (guint8 *) data, size, &done, &err))
    return TRUE;
  g_set_error (error, MEMVIDEO_SPILL_ERROR, io_error_code (err),
      "Writing %" G_GSIZE_FORMAT " bytes at offset %" G_GUINT64_FORMAT
      " of the spill file in '%s' failed after %" G_GSIZE_FORMAT
      " bytes: %s (%" G_GUINT64_FORMAT " bytes in the file)", size,
      offset, file->directory, done, g_strerror (err), file->live);
  return FALSE;
}

gboolean
memvideo_spill_file_read (MemvideoSpillFile * file, guint64 offset,
    guint8 * data, gsize size, GError ** error)
{
  gsize done;
  gint err;

  if (transfer (file, FALSE, offset, data, size, &done, &err))
    return TRUE;
  if (err == 0)
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Reading %" G_GSIZE_FORMAT " bytes at offset %" G_GUINT64_FORMAT
        " of the spill file in '%s' failed: the file ends after %"
        G_GSIZE_FORMAT " bytes", size, offset, file->directory, done);
  else
    g_set_error (error, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_IO,
        "Reading %" G_GSIZE_FORMAT " bytes at offset %" G_GUINT64_FORMAT
        " of the spill file in '%s' failed: %s", size, offset,
        file->directory, g_strerror (err));
  return FALSE;
}

gboolean
memvideo_spill_file_is_direct (MemvideoSpillFile * file)
{
  return file->direct_fd >= 0 && !g_atomic_int_get (&file->direct_refused);
}

void
memvideo_spill_file_truncate (MemvideoSpillFile * file, guint64 length)
{
  if (ftruncate (file->fd, length) < 0)
    GST_WARNING ("ftruncate failed: %s", g_strerror (errno));
}
