/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * Finding a process's spill files from the outside (/proc/self/fd) and
 * checking what an attacker sharing the spill directory could exploit.
 */

#ifndef __MEMVIDEO_TEST_SPILL_FD_H__
#define __MEMVIDEO_TEST_SPILL_FD_H__

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>

G_BEGIN_DECLS

/* Open fds whose path is below @prefix, as "fd\tpath" strings. */
static inline GPtrArray *
spill_fds_below (const gchar * prefix)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open ("/proc/self/fd", 0, NULL);
  const gchar *name;
  gsize len = strlen (prefix);

  fail_unless (d != NULL);
  while ((name = g_dir_read_name (d))) {
    gchar *link = g_build_filename ("/proc/self/fd", name, NULL);
    gchar *target = g_file_read_link (link, NULL);

    if (target && strncmp (target, prefix, len) == 0 && target[len] == '/')
      g_ptr_array_add (found, g_strdup_printf ("%s\t%s", name, target));
    g_free (target);
    g_free (link);
  }
  g_dir_close (d);
  return found;
}

/* Cuts every spill file below @dir to nothing: reloading fails. */
static inline void
truncate_spill_files (const gchar * dir)
{
  GPtrArray *fds = spill_fds_below (dir);
  guint i;

  fail_unless (fds->len > 0, "no spill file below %s", dir);
  for (i = 0; i < fds->len; i++)
    fail_unless (ftruncate (atoi (g_ptr_array_index (fds, i)), 0) == 0);
  g_ptr_array_unref (fds);
}

/* The checks on one spill fd; returns its directory (free with g_free). */
static inline gchar *
spill_fd_check (const gchar * entry, const gchar * spill_dir)
{
  gint fd = atoi (entry);
  const gchar *path = strchr (entry, '\t') + 1;
  gchar *fdinfo, *contents = NULL, *flags, *parent, *base;
  struct stat st;
  guint64 f;

  fail_unless (fstat (fd, &st) == 0);
  fail_unless (S_ISREG (st.st_mode), "%s is not a regular file", path);
  fail_unless_equals_int (st.st_mode & 07777, 0600);
  fail_unless_equals_int (st.st_uid, geteuid ());
  fail_unless_equals_int (st.st_nlink, 0);
  fail_unless (g_str_has_suffix (path, " (deleted)"),
      "%s is still linked", path);

  /* a child process the application starts must not inherit it */
  fdinfo = g_strdup_printf ("/proc/self/fdinfo/%d", fd);
  fail_unless (g_file_get_contents (fdinfo, &contents, NULL, NULL));
  flags = strstr (contents, "flags:");
  fail_unless (flags != NULL);
  f = g_ascii_strtoull (flags + 6, NULL, 8);
  fail_unless (f & O_CLOEXEC, "spill fd %d is not close-on-exec", fd);
  g_free (contents);
  g_free (fdinfo);

  /* created in a private directory of its own, with a random name, which
   * is either gone already or mode 0700 and a real directory */
  parent = g_path_get_dirname (path);
  fail_unless (strcmp (parent, spill_dir) != 0, "spill file created directly in "
      "the shared spill directory: %s", path);
  base = g_path_get_basename (parent);
  fail_unless (strlen (base) >= 6, "private directory name %s", base);
  if (lstat (parent, &st) == 0) {
    fail_unless (S_ISDIR (st.st_mode));
    fail_unless_equals_int (st.st_mode & 07777, 0700);
    fail_unless_equals_int (st.st_uid, geteuid ());
  }
  g_free (base);
  return parent;
}

/* Like spill_fds_below(), one entry per file: a spill file is open twice
 * when its filesystem takes O_DIRECT (spillfile.c).  Every fd, not just
 * the one listed, passes spill_fd_check(). */
static inline GPtrArray *
spill_files_below (const gchar * prefix)
{
  GPtrArray *fds = spill_fds_below (prefix);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (struct stat));
  guint i, k;

  for (i = 0; i < fds->len; i++) {
    const gchar *entry = g_ptr_array_index (fds, i);
    struct stat st;
    gboolean dup = FALSE;

    g_free (spill_fd_check (entry, prefix));
    fail_unless (fstat (atoi (entry), &st) == 0);
    for (k = 0; k < seen->len; k++) {
      struct stat *o = &g_array_index (seen, struct stat, k);

      dup = dup || (o->st_dev == st.st_dev && o->st_ino == st.st_ino);
    }
    if (!dup) {
      g_array_append_val (seen, st);
      g_ptr_array_add (files, g_strdup (entry));
    }
  }
  g_array_unref (seen);
  g_ptr_array_unref (fds);
  return files;
}

G_END_DECLS

#endif /* __MEMVIDEO_TEST_SPILL_FD_H__ */
