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

#include "gstmemsinksave.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define TMP_TAG ".memsink-"
#define TMP_RANDOM "XXXXXX"

static gboolean
set_errno_error (GError ** error, gint err, const gchar * what,
    const gchar * path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
      "%s \"%s\": %s", what, path, g_strerror (err));
  return FALSE;
}

/* ".NAME.memsink-" for @target, in its directory */
static gchar *
tmp_prefix (const gchar * target)
{
  gchar *dir = g_path_get_dirname (target);
  gchar *base = g_path_get_basename (target);
  gchar *name = g_strconcat (".", base, TMP_TAG, NULL);
  gchar *prefix = g_build_filename (dir, name, NULL);

  g_free (name);
  g_free (base);
  g_free (dir);

  return prefix;
}

/* Writes the data and syncs it; @st: the file replaced (its mode and, as
 * root, its owner are kept), NULL for a new file. */
static gboolean
fill (MemvideoMemFile * file, gint fd, const struct stat *st,
    const gchar * what, GError ** error)
{
  if (st && fchmod (fd, st->st_mode & 07777) < 0)
    return set_errno_error (error, errno, "Could not set the mode of", what);
  if (st && geteuid () == 0 && fchown (fd, st->st_uid, st->st_gid) < 0)
    return set_errno_error (error, errno, "Could not set the owner of", what);
  if (!memvideo_mem_file_write_to_fd (file, fd, error))
    return FALSE;
  if (fsync (fd) < 0)
    return set_errno_error (error, errno, "Could not flush to disk", what);

  return TRUE;
}

/* Gives the unnamed file @fd the temporary name @tmp (a random suffix is
 * written into its XXXXXX). */
static gboolean
link_unnamed (gint fd, gchar * tmp, GError ** error)
{
  gchar *proc = g_strdup_printf ("/proc/self/fd/%d", fd);
  gsize len = strlen (tmp);
  gint attempt, err = EEXIST;

  for (attempt = 0; attempt < 100 && err == EEXIST; attempt++) {
    gint i;

    for (i = 0; i < 6; i++)
      tmp[len - 6 + i] = "abcdefghijklmnopqrstuvwxyz0123456789"
          [g_random_int_range (0, 36)];
    err = linkat (AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0 ?
        errno : 0;
  }
  g_free (proc);

  return err == 0 || set_errno_error (error, err, "Could not link", tmp);
}

/* The atomic replacement: an unnamed file (a named one where O_TMPFILE is
 * missing), written, synced, named, renamed over @target. */
static gboolean
save_atomic (MemvideoMemFile * file, const gchar * target,
    const struct stat *st, GError ** error)
{
  gchar *prefix = tmp_prefix (target);
  gchar *tmp = g_strconcat (prefix, TMP_RANDOM, NULL);
  gchar *dir = g_path_get_dirname (target);
  gboolean named = FALSE, ret = FALSE;
  gint fd = -1;

#ifdef O_TMPFILE
  fd = g_open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#endif
  if (fd < 0) {
    fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
    named = fd >= 0;
  }
  if (fd < 0) {
    set_errno_error (error, errno, "Could not create a file in", dir);
    goto done;
  }
  ret = fill (file, fd, st, target, error)
      && (named || link_unnamed (fd, tmp, error));
  named = named || ret;
  if (close (fd) < 0 && ret)
    ret = set_errno_error (error, errno, "Could not close", tmp);
  if (ret && g_rename (tmp, target) < 0)
    ret = set_errno_error (error, errno, "Could not rename over", target);
  if (!ret && named)
    g_unlink (tmp);

done:
  g_free (dir);
  g_free (tmp);
  g_free (prefix);

  return ret;
}

/* Writes into what is there: a regular file with more links (truncated
 * first) or a FIFO, device or socket. */
static gboolean
save_in_place (MemvideoMemFile * file, const gchar * target, gboolean regular,
    GError ** error)
{
  gint flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW |
      (regular ? O_TRUNC : O_NONBLOCK);
  gint fd = g_open (target, flags, 0);
  gboolean ret;

  if (fd < 0 && errno == ENXIO) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NXIO,
        "Nothing reads from \"%s\" (a FIFO or socket without a reader)",
        target);
    return FALSE;
  }
  if (fd < 0)
    return set_errno_error (error, errno, "Could not open", target);
  /* the FIFO was opened without blocking; its writes may block */
  if (!regular)
    fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);

  ret = memvideo_mem_file_write_to_fd (file, fd, error);
  if (ret && regular && fsync (fd) < 0)
    ret = set_errno_error (error, errno, "Could not flush to disk", target);
  if (close (fd) < 0 && ret)
    ret = set_errno_error (error, errno, "Could not close", target);

  return ret;
}

gboolean
gst_mem_sink_save (MemvideoMemFile * file, const gchar * location,
    GError ** error)
{
  const gchar *target = location;
  gboolean ret = FALSE;
  struct stat st;

  /* lstat: a link is neither followed nor replaced */
  if (g_lstat (target, &st) < 0) {
    if (errno == ENOENT)
      ret = save_atomic (file, target, NULL, error);
    else
      set_errno_error (error, errno, "Could not look at", target);
  } else if (S_ISLNK (st.st_mode)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
        "\"%s\" is a symbolic link; memsink neither follows nor replaces "
        "links: set location to the file it points to", target);
  } else if (S_ISDIR (st.st_mode)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
        "\"%s\" is a directory", target);
  } else if (S_ISREG (st.st_mode) && faccessat (AT_FDCWD, target, W_OK,
          AT_EACCESS) < 0) {
    set_errno_error (error, errno, "Not allowed to write", target);
  } else if (S_ISREG (st.st_mode) && st.st_nlink == 1) {
    ret = save_atomic (file, target, &st, error);
  } else {
    ret = save_in_place (file, target, S_ISREG (st.st_mode), error);
  }

  return ret;
}

void
gst_mem_sink_save_cleanup (const gchar * location)
{
  gchar *prefix = tmp_prefix (location);
  gchar *dir, *base;
  const gchar *name;
  GDir *d;

  dir = g_path_get_dirname (prefix);
  base = g_path_get_basename (prefix);
  d = g_dir_open (dir, 0, NULL);
  while (d && (name = g_dir_read_name (d))) {
    gchar *path;
    struct stat st;

    if (!g_str_has_prefix (name, base)
        || strlen (name) != strlen (base) + strlen (TMP_RANDOM))
      continue;
    path = g_build_filename (dir, name, NULL);
    if (g_lstat (path, &st) == 0 && S_ISREG (st.st_mode)
        && st.st_uid == geteuid ())
      g_unlink (path);
    g_free (path);
  }
  if (d)
    g_dir_close (d);
  g_free (base);
  g_free (dir);
  g_free (prefix);
}
