/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Unit tests of the spill store (gst/memvideo/spillpool.h): residency and
 * statistics against a model, budget invariant, eviction orders, clean
 * reloads, JPEG quality, threads, extent reuse, permissions and disk
 * faults.  Every test uses a spill directory of its own and checks that
 * it is empty once the pool is gone.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

#include "memvideo/spillpool.h"
#include "memvideo/spillfile.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIB 1024
#define MIB (1024 * 1024)

/* Helpers */

static gchar *
make_spill_dir (void)
{
  GError *err = NULL;
  gchar *dir = g_dir_make_tmp ("spilltest-XXXXXX", &err);

  fail_unless (dir != NULL, "%s", err ? err->message : "");
  return dir;
}

static guint
count_entries (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  fail_unless (d != NULL);
  while (g_dir_read_name (d))
    n++;
  g_dir_close (d);
  return n;
}

/* The spill directory must be left empty: nothing on disk after the pool
 * is gone (or even while it lives). */
static void
remove_spill_dir (gchar * dir)
{
  fail_unless_equals_int (count_entries (dir), 0);
  fail_unless (g_rmdir (dir) == 0);
  g_free (dir);
}

static MemvideoSpillPool *
new_pool (const gchar * dir, guint64 max_memory)
{
  GError *err = NULL;
  MemvideoSpillPool *pool = memvideo_spill_pool_new (dir, &err);

  fail_unless (pool != NULL, "%s", err ? err->message : "");
  memvideo_spill_pool_set_max_memory (pool, max_memory);
  return pool;
}

static void
fill_pattern (guint8 * data, gsize size, guint32 seed)
{
  gsize i;
  guint32 x = seed * 2654435761u + 1;

  for (i = 0; i < size; i++) {
    x = x * 1103515245u + 12345u;
    data[i] = x >> 24;
  }
}

static GstMemory *
alloc_filled (MemvideoSpillPool * pool, gsize size, guint32 seed)
{
  GstMemory *mem = memvideo_spill_pool_alloc (pool, size, NULL, NULL, NULL);
  GstMapInfo map;

  fail_unless (mem != NULL);
  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  fill_pattern (map.data, size, seed);
  gst_memory_unmap (mem, &map);
  return mem;
}

static gboolean
has_pattern (GstMemory * mem, guint32 seed)
{
  GstMapInfo map;
  guint8 *expect;
  gboolean ok;

  if (!gst_memory_map (mem, &map, GST_MAP_READ))
    return FALSE;
  expect = g_malloc (map.size);
  fill_pattern (expect, map.size, seed);
  ok = memcmp (expect, map.data, map.size) == 0;
  g_free (expect);
  gst_memory_unmap (mem, &map);
  return ok;
}

static MemvideoSpillStats
get_stats (MemvideoSpillPool * pool)
{
  MemvideoSpillStats s;

  memvideo_spill_pool_get_stats (pool, &s);
  return s;
}

typedef struct
{
  GMutex lock;
  GList *errors;
} ErrorLog;

static void
log_error (MemvideoSpillPool * pool, const GError * error, gpointer user_data)
{
  ErrorLog *log = user_data;

  g_mutex_lock (&log->lock);
  log->errors = g_list_append (log->errors, g_error_copy (error));
  g_mutex_unlock (&log->lock);
}

static void
error_log_clear (ErrorLog * log)
{
  g_list_free_full (log->errors, (GDestroyNotify) g_error_free);
  log->errors = NULL;
}

/* Tests */

GST_START_TEST (test_raw_spill_and_reload)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 3 * MIB);
  GstMemory *mems[10];
  MemvideoSpillStats s;
  guint i;

  for (i = 0; i < 10; i++)
    mems[i] = alloc_filled (pool, MIB, i);

  s = get_stats (pool);
  fail_unless_equals_uint64 (s.frames_resident, 3);
  fail_unless_equals_uint64 (s.frames_spilled, 7);
  fail_unless_equals_uint64 (s.resident_bytes, 3 * MIB);
  fail_unless_equals_uint64 (s.spilled_bytes, 7 * MIB);
  fail_unless_equals_uint64 (s.spills, 7);
  fail_unless_equals_uint64 (s.reloads, 0);
  fail_unless_equals_uint64 (s.write_errors, 0);
  fail_unless (s.disk_file_bytes >= 7 * MIB);

  /* Newest eviction: the first three stayed resident. */
  for (i = 0; i < 10; i++)
    fail_unless (has_pattern (mems[i], i), "memory %u corrupted", i);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.reloads, 7);
  fail_unless_equals_uint64 (s.frames_resident, 3);
  fail_unless (s.resident_bytes <= 3 * MIB);

  for (i = 0; i < 10; i++)
    gst_memory_unref (mems[i]);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.frames_resident, 0);
  fail_unless_equals_uint64 (s.frames_spilled, 0);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless_equals_uint64 (s.spilled_bytes, 0);
  fail_unless_equals_uint64 (s.disk_file_bytes, 0);

  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_budget_zero)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstMemory *a, *b;
  GstMapInfo ma, mb;
  MemvideoSpillStats s;

  a = alloc_filled (pool, 100 * KIB, 1);
  b = alloc_filled (pool, 1000, 2);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless_equals_uint64 (s.frames_spilled, 2);
  fail_unless_equals_uint64 (s.spills, 2);

  /* Mapped memories stay resident, both at once. */
  fail_unless (gst_memory_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_memory_map (b, &mb, GST_MAP_READ));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 100 * KIB + 1000);
  fail_unless_equals_uint64 (s.frames_resident, 2);
  gst_memory_unmap (a, &ma);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 1000);
  gst_memory_unmap (b, &mb);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  /* clean reloads: nothing written again */
  fail_unless_equals_uint64 (s.spills, 2);
  fail_unless_equals_uint64 (s.reloads, 2);

  fail_unless (has_pattern (a, 1));
  fail_unless (has_pattern (b, 2));

  /* A memory never mapped costs neither RAM nor a write. */
  gst_memory_unref (a);
  a = memvideo_spill_pool_alloc (pool, 200 * KIB, NULL, NULL, NULL);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless_equals_uint64 (s.spills, 2);
  fail_unless (gst_memory_map (a, &ma, GST_MAP_READ));
  fail_unless_equals_int (ma.data[0], 0);
  gst_memory_unmap (a, &ma);

  gst_memory_unref (a);
  gst_memory_unref (b);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_clean_reload_and_write_map)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstMemory *mem = alloc_filled (pool, 256 * KIB, 7);
  MemvideoSpillStats s;
  GstMapInfo map;

  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spills, 1);

  /* A READ map reloads; the unmap evicts again without writing. */
  fail_unless (has_pattern (mem, 7));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spills, 1);
  fail_unless_equals_uint64 (s.reloads, 1);
  fail_unless_equals_uint64 (s.frames_spilled, 1);
  fail_unless_equals_uint64 (s.spilled_bytes, 256 * KIB);

  /* A WRITE map drops the disk copy: the next eviction writes. */
  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.reloads, 2);
  fail_unless_equals_uint64 (s.spilled_bytes, 0);
  fill_pattern (map.data, map.size, 8);
  gst_memory_unmap (mem, &map);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spills, 2);
  fail_unless (has_pattern (mem, 8));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spills, 2);
  fail_unless_equals_uint64 (s.reloads, 3);

  gst_memory_unref (mem);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* The one memory of @mems that is not resident. */
static guint
spilled_index (GstMemory ** mems, guint n)
{
  guint i, found = G_MAXUINT;

  for (i = 0; i < n; i++) {
    if (!memvideo_spill_memory_is_resident (mems[i])) {
      fail_unless (found == G_MAXUINT, "more than one memory spilled");
      found = i;
    }
  }
  return found;
}

static void
check_eviction (MemvideoEviction eviction, guint expect_first,
    guint expect_second)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool;
  GstMemory *mems[4];
  GstMapInfo map;
  guint i;

  pool = new_pool (dir, 4 * 100 * KIB);
  memvideo_spill_pool_set_eviction (pool, eviction);
  for (i = 0; i < 4; i++)
    mems[i] = alloc_filled (pool, 100 * KIB, i);
  /* touch 0 and 1 again: under LRU, 2 becomes the least recently used */
  fail_unless (gst_memory_map (mems[0], &map, GST_MAP_READ));
  gst_memory_unmap (mems[0], &map);
  fail_unless (gst_memory_map (mems[1], &map, GST_MAP_READ));
  gst_memory_unmap (mems[1], &map);
  fail_unless_equals_uint64 (get_stats (pool).spills, 0);

  /* one memory too many */
  memvideo_spill_pool_set_max_memory (pool, 3 * 100 * KIB);
  fail_unless_equals_uint64 (get_stats (pool).spills, 1);
  fail_unless_equals_int (spilled_index (mems, 4), expect_first);

  for (i = 0; i < 4; i++)
    fail_unless (has_pattern (mems[i], i));
  for (i = 0; i < 4; i++)
    gst_memory_unref (mems[i]);

  /* the allocation of a new memory evicts the next one */
  for (i = 0; i < 3; i++)
    mems[i] = alloc_filled (pool, 100 * KIB, i);
  fail_unless (gst_memory_map (mems[0], &map, GST_MAP_READ));
  gst_memory_unmap (mems[0], &map);
  mems[3] = alloc_filled (pool, 100 * KIB, 3);
  fail_unless_equals_int (spilled_index (mems, 3), expect_second);
  for (i = 0; i < 4; i++)
    gst_memory_unref (mems[i]);

  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_START_TEST (test_eviction_newest)
{
  /* newest resident first: 3, then the newest of 0..2, which is 2 */
  check_eviction (MEMVIDEO_EVICTION_NEWEST, 3, 2);
}

GST_END_TEST;

GST_START_TEST (test_eviction_lru)
{
  /* least recently mapped: 2, then (0 touched again) 1 */
  check_eviction (MEMVIDEO_EVICTION_LRU, 2, 1);
}

GST_END_TEST;

GST_START_TEST (test_memory_read_no_reload)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstMemory *mem = alloc_filled (pool, 300 * KIB, 3);
  guint8 *expect = g_malloc (300 * KIB), *got = g_malloc (300 * KIB);
  MemvideoSpillStats s;
  GError *err = NULL;

  fill_pattern (expect, 300 * KIB, 3);
  fail_unless (memvideo_spill_memory_read (mem, 0, got, 300 * KIB, &err));
  fail_unless (memcmp (got, expect, 300 * KIB) == 0);
  fail_unless (memvideo_spill_memory_read (mem, 1000, got, 5000, &err));
  fail_unless (memcmp (got, expect + 1000, 5000) == 0);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.reloads, 0);
  fail_unless_equals_uint64 (s.frames_spilled, 1);
  fail_unless_equals_uint64 (s.resident_bytes, 0);

  /* resident memories are read as they are */
  memvideo_spill_pool_set_max_memory (pool, MIB);
  fail_unless (has_pattern (mem, 3));
  fail_unless (memvideo_spill_memory_read (mem, 7, got, 100, &err));
  fail_unless (memcmp (got, expect + 7, 100) == 0);
  fail_unless_equals_uint64 (get_stats (pool).frames_resident, 1);

  fail_unless (memvideo_is_spill_memory (mem));
  fail_unless (memvideo_spill_memory_get_pool (mem) == pool);

  g_free (expect);
  g_free (got);
  gst_memory_unref (mem);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_copy_and_share)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstMemory *mem = alloc_filled (pool, 100 * KIB, 5), *copy;
  guint8 *expect = g_malloc (100 * KIB);
  GstBuffer *buf, *region;
  GstMapInfo map;

  fill_pattern (expect, 100 * KIB, 5);
  fail_unless (GST_MEMORY_FLAG_IS_SET (mem, GST_MEMORY_FLAG_NO_SHARE));

  /* the copy is read from disk, no reload of the source */
  copy = gst_memory_copy (mem, 10, 5000);
  fail_unless (copy != NULL);
  fail_unless (memvideo_spill_memory_get_pool (copy) == pool);
  fail_unless_equals_uint64 (get_stats (pool).reloads, 0);
  fail_unless (gst_memory_map (copy, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, 5000);
  fail_unless (memcmp (map.data, expect + 10, 5000) == 0);
  gst_memory_unmap (copy, &map);
  gst_memory_unref (copy);

  /* a buffer region copies instead of sharing */
  buf = gst_buffer_new ();
  gst_buffer_append_memory (buf, mem);
  region = gst_buffer_copy_region (buf, GST_BUFFER_COPY_MEMORY, 100, 200);
  fail_unless (region != NULL);
  fail_unless (gst_buffer_peek_memory (region, 0) != mem);
  fail_unless (gst_buffer_map (region, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, 200);
  fail_unless (memcmp (map.data, expect + 100, 200) == 0);
  gst_buffer_unmap (region, &map);
  gst_buffer_unref (region);
  gst_buffer_unref (buf);

  g_free (expect);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_copy_buffer)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstVideoInfo vinfo;
  GstBuffer *src, *dst;
  GstVideoMeta *vmeta;
  GstMemory *spilled;
  guint8 *expect;
  GstMapInfo map;
  gsize size, half;
  GError *err = NULL;

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 64, 48);
  size = GST_VIDEO_INFO_SIZE (&vinfo);
  half = size / 2;
  expect = g_malloc (size);
  fill_pattern (expect, size, 11);

  /* two memories: one plain, one already spilled in the pool */
  src = gst_buffer_new ();
  gst_buffer_append_memory (src, gst_memory_new_wrapped (0,
          g_memdup2 (expect, half), half, 0, half, NULL, NULL));
  spilled = memvideo_spill_pool_alloc (pool, size - half, NULL, NULL, NULL);
  fail_unless (gst_memory_map (spilled, &map, GST_MAP_WRITE));
  memcpy (map.data, expect + half, size - half);
  gst_memory_unmap (spilled, &map);
  gst_buffer_append_memory (src, spilled);
  GST_BUFFER_PTS (src) = 40 * GST_MSECOND;
  GST_BUFFER_DTS (src) = 30 * GST_MSECOND;
  GST_BUFFER_DURATION (src) = 20 * GST_MSECOND;
  GST_BUFFER_OFFSET (src) = 17;
  GST_BUFFER_FLAG_SET (src, GST_BUFFER_FLAG_DELTA_UNIT);
  gst_buffer_add_video_meta_full (src, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_I420, 64, 48, 3, vinfo.offset, vinfo.stride);

  dst = memvideo_spill_pool_copy_buffer (pool, src, &vinfo, &err);
  fail_unless (dst != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (gst_buffer_n_memory (dst), 1);
  fail_unless (memvideo_spill_pool_owns_buffer (pool, dst));
  fail_if (memvideo_spill_pool_owns_buffer (pool, src));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (dst), 40 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (dst), 30 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (dst), 20 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (dst), 17);
  fail_unless (GST_BUFFER_FLAG_IS_SET (dst, GST_BUFFER_FLAG_DELTA_UNIT));
  vmeta = gst_buffer_get_video_meta (dst);
  fail_unless (vmeta != NULL);
  fail_unless_equals_int (vmeta->offset[1], vinfo.offset[1]);
  fail_unless_equals_int (vmeta->stride[2], vinfo.stride[2]);
  /* the source's spilled memory was read without reloading */
  fail_unless_equals_uint64 (get_stats (pool).reloads, 0);

  fail_unless (gst_buffer_map (dst, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, size);
  fail_unless (memcmp (map.data, expect, size) == 0);
  gst_buffer_unmap (dst, &map);

  gst_buffer_unref (src);
  gst_buffer_unref (dst);
  g_free (expect);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_pool_outlives_owner)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstMemory *mem = alloc_filled (pool, 128 * KIB, 9);
  GstMemory *mem2;

  /* the element is gone; the memory keeps the pool and its file alive */
  memvideo_spill_pool_unref (pool);
  fail_unless (has_pattern (mem, 9));

  /* the allocator works like any other */
  mem2 = gst_allocator_alloc (memvideo_spill_memory_get_pool (mem) ?
      (GstAllocator *) memvideo_spill_memory_get_pool (mem) : NULL, 1000, NULL);
  fail_unless (mem2 != NULL);
  fail_unless (memvideo_is_spill_memory (mem2));
  fail_unless_equals_int (mem2->size, 1000);
  gst_memory_unref (mem2);
  gst_memory_unref (mem);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_max_disk)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  ErrorLog log = { 0, };
  GstMemory *mems[5];
  MemvideoSpillStats s;
  const GError *e;
  guint i;

  g_mutex_init (&log.lock);
  memvideo_spill_pool_set_error_func (pool, log_error, &log, NULL);
  memvideo_spill_pool_set_max_disk (pool, 3 * 100 * KIB);
  for (i = 0; i < 5; i++)
    mems[i] = alloc_filled (pool, 100 * KIB, i);

  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spills, 3);
  fail_unless_equals_uint64 (s.frames_spilled, 3);
  fail_unless_equals_uint64 (s.frames_resident, 2);
  /* one error: after the first failure, writes wait for space */
  fail_unless_equals_uint64 (s.write_errors, 1);
  fail_unless_equals_int (g_list_length (log.errors), 1);
  e = log.errors->data;
  fail_unless (g_error_matches (e, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_MAX_DISK), "%s", e->message);
  fail_unless (strstr (e->message, "307200") != NULL, "%s", e->message);
  fail_unless (strstr (e->message, memvideo_spill_pool_get_directory (pool)),
      "%s", e->message);

  for (i = 0; i < 5; i++)
    fail_unless (has_pattern (mems[i], i));

  /* space freed: the over-budget memories are written now */
  gst_memory_unref (mems[0]);
  gst_memory_unref (mems[1]);
  memvideo_spill_pool_trim (pool);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless_equals_uint64 (s.frames_spilled, 3);
  fail_unless_equals_int (g_list_length (log.errors), 1);
  for (i = 2; i < 5; i++) {
    fail_unless (has_pattern (mems[i], i));
    gst_memory_unref (mems[i]);
  }

  memvideo_spill_pool_set_error_func (pool, NULL, NULL, NULL);
  error_log_clear (&log);
  g_mutex_clear (&log.lock);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* JPEG */

static guint8
smooth_value (gint x, gint y, gint c)
{
  return (guint8) (128 + 50 * sin (x / 23.0 + c) * cos (y / 17.0)
      + 20 * sin ((x + y) / 40.0));
}

/* Fills (or with @psnr measures against the pattern) the colour
 * components of the frame at @data; alpha and padding are left out. */
static void
frame_pattern (const GstVideoInfo * vinfo, const gsize * offset,
    const gint * stride, guint8 * data, gdouble * psnr)
{
  const GstVideoFormatInfo *finfo = vinfo->finfo;
  gint c, x, y, n = GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo);
  gdouble sq = 0;
  guint64 count = 0;

  if (GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo))
    n--;
  for (c = 0; c < n; c++) {
    gint plane = GST_VIDEO_FORMAT_INFO_PLANE (finfo, c);
    gint w = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH (finfo, c, vinfo->width);
    gint h = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT (finfo, c, vinfo->height);
    gint ps = GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, c);
    gint po = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, c);

    for (y = 0; y < h; y++) {
      guint8 *row = data + offset[plane] + (gsize) y * stride[plane] + po;

      for (x = 0; x < w; x++) {
        if (psnr) {
          gdouble d = (gdouble) row[x * ps] - smooth_value (x, y, c);

          sq += d * d;
          count++;
        } else {
          row[x * ps] = smooth_value (x, y, c);
        }
      }
    }
  }
  if (psnr)
    *psnr = sq == 0 ? 99.0 : 10 * log10 (255.0 * 255.0 * count / sq);
}

static void
check_jpeg_format (MemvideoSpillPool * pool, GstVideoFormat format,
    gboolean padded)
{
  GstVideoInfo vinfo;
  gsize offset[GST_VIDEO_MAX_PLANES], size;
  gint stride[GST_VIDEO_MAX_PLANES];
  MemvideoSpillStats before, after;
  GstMemory *mem;
  GstMapInfo map;
  gdouble psnr;
  guint p;

  fail_unless (memvideo_spill_pool_jpeg_supported (format));
  gst_video_info_set_format (&vinfo, format, 322, 242);
  memcpy (offset, vinfo.offset, sizeof (offset));
  memcpy (stride, vinfo.stride, sizeof (stride));
  size = GST_VIDEO_INFO_SIZE (&vinfo);
  if (padded) {
    /* wider rows and gaps between the planes, as a decoder pool might */
    size = 0;
    for (p = 0; p < GST_VIDEO_INFO_N_PLANES (&vinfo); p++) {
      gint rows = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT (vinfo.finfo,
          p == 0 ? 0 : p, vinfo.height);

      offset[p] = size + 1000;
      stride[p] = vinfo.stride[p] + 64;
      size = offset[p] + (gsize) rows *stride[p];
    }
  }

  mem = memvideo_spill_pool_alloc (pool, size, &vinfo, offset, stride);
  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  memset (map.data, 0, size);
  frame_pattern (&vinfo, offset, stride, map.data, NULL);
  before = get_stats (pool);
  gst_memory_unmap (mem, &map);
  after = get_stats (pool);
  fail_unless_equals_uint64 (after.spills, before.spills + 1);
  /* compressed well below the raw size */
  fail_unless (after.spilled_bytes - before.spilled_bytes < size / 4,
      "%s: %" G_GUINT64_FORMAT " bytes for %" G_GSIZE_FORMAT,
      gst_video_format_to_string (format),
      after.spilled_bytes - before.spilled_bytes, size);

  fail_unless (gst_memory_map (mem, &map, GST_MAP_READ));
  frame_pattern (&vinfo, offset, stride, map.data, &psnr);
  gst_memory_unmap (mem, &map);
  fail_unless (psnr >= 38.0, "%s%s: PSNR %.2f dB",
      gst_video_format_to_string (format), padded ? " (padded)" : "", psnr);
  GST_INFO ("%s%s: PSNR %.2f dB", gst_video_format_to_string (format),
      padded ? " (padded)" : "", psnr);
  gst_memory_unref (mem);
}

GST_START_TEST (test_jpeg_formats)
{
  static const GstVideoFormat formats[] = {
    GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_Y42B,
    GST_VIDEO_FORMAT_Y444, GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_RGB,
    GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
    GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR, GST_VIDEO_FORMAT_RGBA,
    GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR,
  };
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  guint i;

  memvideo_spill_pool_set_format (pool, MEMVIDEO_SPILL_FORMAT_JPEG);
  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    check_jpeg_format (pool, formats[i], FALSE);
    check_jpeg_format (pool, formats[i], TRUE);
  }
  fail_unless_equals_uint64 (get_stats (pool).write_errors, 0);

  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

static Suite *
spillpool_suite (void)
{
  Suite *s = suite_create ("spillpool");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_raw_spill_and_reload);
  tcase_add_test (tc, test_budget_zero);
  tcase_add_test (tc, test_clean_reload_and_write_map);
  tcase_add_test (tc, test_eviction_newest);
  tcase_add_test (tc, test_eviction_lru);
  tcase_add_test (tc, test_memory_read_no_reload);
  tcase_add_test (tc, test_copy_and_share);
  tcase_add_test (tc, test_copy_buffer);
  tcase_add_test (tc, test_pool_outlives_owner);
  tcase_add_test (tc, test_max_disk);
  tcase_add_test (tc, test_jpeg_formats);
  return s;
}

GST_CHECK_MAIN (spillpool);
