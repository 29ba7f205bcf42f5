/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of the in-memory file (gst/memvideo/memfile.c).  The file is
 * checked against a plain GByteArray model under random writes, gaps,
 * truncations, reads and snapshots, with a budget small enough that most
 * chunks live in the spill file.  Seeds are printed; MEMFILE_SEED=<n>
 * replays one.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "memvideo/memfile.h"

#include "../memvideotest.h"

#define CHUNK 4096

static MemvideoSpillPool *
new_pool (guint64 max_memory)
{
  GError *error = NULL;
  MemvideoSpillPool *pool = memvideo_spill_pool_new (NULL, &error);

  fail_unless (pool != NULL, "spill pool: %s", error ? error->message : "?");
  memvideo_spill_pool_set_max_memory (pool, max_memory);
  memvideo_spill_pool_set_eviction (pool, MEMVIDEO_EVICTION_LRU);

  return pool;
}

static void
model_write (GByteArray * model, guint64 pos, const guint8 * data, gsize n)
{
  if (pos + n > model->len) {
    guint old = model->len;

    g_byte_array_set_size (model, pos + n);
    memset (model->data + old, 0, model->len - old);
  }
  memcpy (model->data + pos, data, n);
}

static void
model_truncate (GByteArray * model, guint64 size)
{
  guint old = model->len;

  g_byte_array_set_size (model, size);
  if (size > old)
    memset (model->data + old, 0, size - old);
}

static void
check_equal (MemvideoMemFile * file, GByteArray * model, guint32 seed,
    guint step)
{
  GError *error = NULL;
  GBytes *bytes;
  gsize size;
  const guint8 *data;

  fail_unless_equals_uint64 (memvideo_mem_file_get_size (file), model->len);
  bytes = memvideo_mem_file_snapshot (file, NULL, &error);
  fail_unless (bytes != NULL, "seed %u step %u: %s", seed, step,
      error ? error->message : "?");
  data = g_bytes_get_data (bytes, &size);
  fail_unless_equals_uint64 (size, model->len);
  fail_unless (size == 0 || memcmp (data, model->data, size) == 0,
      "seed %u step %u: snapshot differs from the model", seed, step);
  g_bytes_unref (bytes);
}

static void
run_random (guint32 seed)
{
  MemvideoSpillPool *pool = new_pool (3 * CHUNK);
  MemvideoMemFile *file = memvideo_mem_file_new (pool, CHUNK);
  GByteArray *model = g_byte_array_new ();
  GRand *rand = g_rand_new_with_seed (seed);
  GError *error = NULL;
  guint8 *buf = g_malloc (3 * CHUNK);
  guint step;

  g_print ("memfile random: seed %u\n", seed);

  for (step = 0; step < 600; step++) {
    guint op = g_rand_int_range (rand, 0, 100);

    if (op < 60) {
      /* write: mostly appends and small rewrites, sometimes past the end */
      guint64 pos = g_rand_int_range (rand, 0, model->len + 2 * CHUNK + 1);
      gsize n = g_rand_int_range (rand, 0, 3 * CHUNK);
      gsize i;

      for (i = 0; i < n; i++)
        buf[i] = g_rand_int (rand);
      fail_unless (memvideo_mem_file_write (file, pos, buf, n, &error),
          "seed %u step %u: %s", seed, step, error ? error->message : "?");
      if (n > 0)
        model_write (model, pos, buf, n);
    } else if (op < 70) {
      guint64 size = g_rand_int_range (rand, 0, model->len + CHUNK + 1);

      fail_unless (memvideo_mem_file_truncate (file, size, &error),
          "seed %u step %u: %s", seed, step, error ? error->message : "?");
      model_truncate (model, size);
    } else if (op < 95) {
      guint64 pos;
      gsize n;

      if (model->len == 0)
        continue;
      pos = g_rand_int_range (rand, 0, model->len);
      n = g_rand_int_range (rand, 1, 3 * CHUNK);
      n = MIN (model->len - pos, n);
      fail_unless (memvideo_mem_file_read (file, pos, buf, n, &error),
          "seed %u step %u: %s", seed, step, error ? error->message : "?");
      fail_unless (memcmp (buf, model->data + pos, n) == 0,
          "seed %u step %u: read of %" G_GSIZE_FORMAT " bytes at %"
          G_GUINT64_FORMAT " differs", seed, step, n, pos);
    } else {
      check_equal (file, model, seed, step);
    }
  }
  check_equal (file, model, seed, step);

  g_free (buf);
  g_rand_free (rand);
  g_byte_array_unref (model);
  memvideo_mem_file_free (file);
  memvideo_spill_pool_unref (pool);
}

GST_START_TEST (test_random_against_model)
{
  gboolean one = g_getenv ("MEMFILE_SEED") != NULL;
  guint32 seed = mvt_seed ("MEMFILE_SEED", 20261203);
  guint i;

  /* eight seeds from a fixed, printed one; MEMFILE_SEED runs one */
  for (i = 0; i < (one ? 1 : 8); i++)
    run_random (seed + i);
}

GST_END_TEST;

GST_START_TEST (test_gap_is_zero_and_length_is_furthest)
{
  MemvideoSpillPool *pool = new_pool (G_MAXUINT64);
  MemvideoMemFile *file = memvideo_mem_file_new (pool, CHUNK);
  guint8 out[16];
  guint8 zeros[16] = { 0, };

  fail_unless (memvideo_mem_file_write (file, 10 * CHUNK + 5,
          (const guint8 *) "abc", 3, NULL));
  fail_unless_equals_uint64 (memvideo_mem_file_get_size (file), 10 * CHUNK + 8);
  fail_unless (memvideo_mem_file_read (file, 3 * CHUNK, out, 16, NULL));
  fail_unless (memcmp (out, zeros, 16) == 0);
  fail_unless (memvideo_mem_file_read (file, 10 * CHUNK + 4, out, 4, NULL));
  fail_unless (memcmp (out, "\0abc", 4) == 0);

  /* rewriting the start does not change the length */
  fail_unless (memvideo_mem_file_write (file, 0, (const guint8 *) "xy", 2,
          NULL));
  fail_unless_equals_uint64 (memvideo_mem_file_get_size (file), 10 * CHUNK + 8);

  /* a zero-size write past the end writes nothing */
  fail_unless (memvideo_mem_file_write (file, 20 * CHUNK, out, 0, NULL));
  fail_unless_equals_uint64 (memvideo_mem_file_get_size (file), 10 * CHUNK + 8);

  /* shrinking then growing brings back zeros, not old data */
  fail_unless (memvideo_mem_file_truncate (file, 10 * CHUNK + 5, NULL));
  fail_unless (memvideo_mem_file_truncate (file, 10 * CHUNK + 8, NULL));
  fail_unless (memvideo_mem_file_read (file, 10 * CHUNK + 4, out, 4, NULL));
  fail_unless (memcmp (out, "\0\0\0\0", 4) == 0);

  memvideo_mem_file_free (file);
  memvideo_spill_pool_unref (pool);
}

GST_END_TEST;

static void
fill (guint8 * data, gsize size, guint32 seed)
{
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) ((i * 2654435761u + seed * 40503u) >> 13);
}

/* Beyond max-memory the data goes straight to the spill file: the chunks
 * in RAM (the start of the file, where a muxer rewrites its header) stay,
 * nothing is read back to write the header or to append at the end. */
GST_START_TEST (test_over_budget_goes_to_disk)
{
  const gsize chunk = 64 * 1024, piece = chunk * 3 / 2;
  MemvideoSpillPool *pool = new_pool (4 * chunk + 16 * 1024);
  MemvideoMemFile *file = memvideo_mem_file_new (pool, chunk);
  GByteArray *model = g_byte_array_new ();
  guint8 *data = g_malloc (piece), *back;
  MemvideoSpillStats st;
  guint64 spills;
  guint i;

  /* 10.5 chunks, written as a muxer writes frames */
  for (i = 0; i < 7; i++) {
    fill (data, piece, i);
    fail_unless (memvideo_mem_file_write (file, model->len, data, piece, NULL));
    model_write (model, model->len, data, piece);
  }
  memvideo_spill_pool_get_stats (pool, &st);
  /* the first four in RAM, the other seven written to disk as they came */
  fail_unless_equals_uint64 (st.resident_bytes, 4 * chunk);
  fail_unless_equals_uint64 (st.spilled_bytes, 7 * chunk);
  fail_unless_equals_uint64 (st.reloads, 0);
  spills = st.spills;

  /* a small append into the last chunk, on disk: written there */
  fail_unless (memvideo_mem_file_write (file, model->len,
          (const guint8 *) "moov", 4, NULL));
  model_write (model, model->len, (const guint8 *) "moov", 4);
  /* the header, in RAM: written there */
  fail_unless (memvideo_mem_file_write (file, 8, (const guint8 *) "mdat", 4,
          NULL));
  model_write (model, 8, (const guint8 *) "mdat", 4);
  memvideo_spill_pool_get_stats (pool, &st);
  fail_unless_equals_uint64 (st.reloads, 0);
  fail_unless_equals_uint64 (st.spills, spills + 1);
  fail_unless_equals_uint64 (st.resident_bytes, 4 * chunk);

  fail_unless_equals_uint64 (memvideo_mem_file_get_size (file), model->len);
  back = g_malloc (model->len + chunk);
  fail_unless (memvideo_mem_file_read (file, 0, back, model->len, NULL));
  fail_unless (memcmp (back, model->data, model->len) == 0);

  /* room in the budget again: the last chunk comes back, new ones are
   * made in RAM */
  memvideo_spill_pool_set_max_memory (pool, G_MAXUINT64);
  fill (data, chunk, 99);
  fail_unless (memvideo_mem_file_write (file, model->len, data, chunk, NULL));
  model_write (model, model->len, data, chunk);
  memvideo_spill_pool_get_stats (pool, &st);
  fail_unless_equals_uint64 (st.reloads, 1);
  fail_unless_equals_uint64 (st.resident_bytes, 6 * chunk);
  fail_unless (memvideo_mem_file_read (file, 0, back, model->len, NULL));
  fail_unless (memcmp (back, model->data, model->len) == 0);

  g_free (back);
  g_free (data);
  g_byte_array_unref (model);
  memvideo_mem_file_free (file);
  memvideo_spill_pool_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_limits_and_bad_reads)
{
  MemvideoSpillPool *pool = new_pool (G_MAXUINT64);
  MemvideoMemFile *file = memvideo_mem_file_new (pool, CHUNK);
  GError *error = NULL;
  guint8 out[4];

  fail_if (memvideo_mem_file_write (file, MEMVIDEO_MEM_FILE_MAX_SIZE,
          (const guint8 *) "a", 1, &error));
  fail_unless (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_INVAL));
  fail_unless (strstr (error->message, "limit") != NULL, "%s", error->message);
  g_clear_error (&error);
  fail_if (memvideo_mem_file_truncate (file, MEMVIDEO_MEM_FILE_MAX_SIZE + 1,
          &error));
  fail_unless (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_INVAL));
  g_clear_error (&error);
  fail_unless_equals_uint64 (memvideo_mem_file_get_size (file), 0);

  fail_unless (memvideo_mem_file_write (file, 0, (const guint8 *) "ab", 2,
          NULL));
  fail_if (memvideo_mem_file_read (file, 1, out, 2, &error));
  fail_unless (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_INVAL));
  g_clear_error (&error);

  memvideo_mem_file_free (file);
  memvideo_spill_pool_unref (pool);
}

GST_END_TEST;

/* A snapshot above the copy limit goes through a mapped temporary file;
 * with a tiny budget most chunks are read straight from the spill file. */
GST_START_TEST (test_large_snapshot_and_save)
{
  MemvideoSpillPool *pool = new_pool (2 * MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE);
  MemvideoMemFile *file = memvideo_mem_file_new (pool,
      MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE);
  gsize total = MEMVIDEO_MEM_FILE_SNAPSHOT_COPY_MAX * 2 + 12345;
  guint8 *expected = g_malloc (total);
  MemvideoSpillStats stats;
  GBytes *bytes, *later;
  gchar *path, *contents;
  gsize i, size;
  gint fd;

  for (i = 0; i < total; i++)
    expected[i] = (guint8) (i * 7 + i / 4099);
  /* written in odd-sized pieces, as a muxer does */
  for (i = 0; i < total; i += 10007)
    fail_unless (memvideo_mem_file_write (file, i, expected + i,
            MIN (10007, total - i), NULL));

  memvideo_spill_pool_get_stats (pool, &stats);
  fail_unless (stats.frames_spilled > 0, "nothing spilled");

  bytes = memvideo_mem_file_snapshot (file, NULL, NULL);
  fail_unless (bytes != NULL);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), total);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), expected, total) == 0);

  /* the snapshot does not change with the file */
  fail_unless (memvideo_mem_file_write (file, 0, (const guint8 *) "zz", 2,
          NULL));
  later = memvideo_mem_file_snapshot (file, NULL, NULL);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), expected, total) == 0);
  fail_unless (memcmp (g_bytes_get_data (later, NULL), "zz", 2) == 0);
  g_bytes_unref (later);

  fd = g_file_open_tmp ("memfile-save-XXXXXX", &path, NULL);
  fail_unless (fd >= 0);
  fail_unless (memvideo_mem_file_write_to_fd (file, fd, NULL));
  close (fd);
  fail_unless (g_file_get_contents (path, &contents, &size, NULL));
  fail_unless_equals_uint64 (size, total);
  fail_unless (memcmp (contents, "zz", 2) == 0);
  fail_unless (memcmp (contents + 2, expected + 2, total - 2) == 0);
  g_free (contents);
  g_unlink (path);
  g_free (path);

  /* the snapshot outlives the file and its pool */
  memvideo_mem_file_free (file);
  memvideo_spill_pool_unref (pool);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), expected, total) == 0);
  g_bytes_unref (bytes);
  g_free (expected);
}

GST_END_TEST;

/* A snapshot directory that has gone away (removed or read-only mid-stream)
 * fails the snapshot rather than copying the whole file to the heap past
 * the budget; the data stays readable in the file. */
GST_START_TEST (test_snapshot_without_directory)
{
  MemvideoSpillPool *pool = new_pool (2 * MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE);
  MemvideoMemFile *file = memvideo_mem_file_new (pool,
      MEMVIDEO_MEM_FILE_DEFAULT_CHUNK_SIZE);
  gsize total = MEMVIDEO_MEM_FILE_SNAPSHOT_COPY_MAX + 4099;
  guint8 *expected = g_malloc (total);
  guint8 *back = g_malloc (total);
  gchar *gone = g_build_filename (g_get_tmp_dir (), "memfile-gone-XXXXXX",
      NULL);
  GError *error = NULL;
  gsize i;

  fail_unless (g_mkdtemp (gone) != NULL);
  fail_unless (g_rmdir (gone) == 0);
  for (i = 0; i < total; i++)
    expected[i] = (guint8) (i * 13 + i / 8191);
  fail_unless (memvideo_mem_file_write (file, 0, expected, total, NULL));

  fail_unless (memvideo_mem_file_snapshot (file, gone, &error) == NULL);
  fail_unless (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT),
      "%s", error ? error->message : "no error");
  fail_unless (strstr (error->message, gone) != NULL, "%s", error->message);
  g_clear_error (&error);
  fail_if (g_file_test (gone, G_FILE_TEST_EXISTS));

  fail_unless (memvideo_mem_file_read (file, 0, back, total, NULL));
  fail_unless (memcmp (back, expected, total) == 0);

  memvideo_mem_file_free (file);
  memvideo_spill_pool_unref (pool);
  g_free (expected);
  g_free (back);
  g_free (gone);
}

GST_END_TEST;

static Suite *
memfile_suite (void)
{
  Suite *s = suite_create ("memfile");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_random_against_model);
  tcase_add_test (tc, test_gap_is_zero_and_length_is_furthest);
  tcase_add_test (tc, test_over_budget_goes_to_disk);
  tcase_add_test (tc, test_limits_and_bad_reads);
  tcase_add_test (tc, test_large_snapshot_and_save);
  tcase_add_test (tc, test_snapshot_without_directory);

  return s;
}

GST_CHECK_MAIN (memfile);
