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
 * reloads, kept RAM blocks, JPEG quality, threads, extent reuse,
 * permissions, the spill directory named in messages and disk faults.  Every test uses a spill directory of its own and checks that
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
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIB 1024
#define MIB (1024 * 1024)

/* Helpers */

/* The base seed of the random tests: fixed, printed, and overridable by
 * SPILLPOOL_SEED=<n> to replay a failure. */
static guint32
base_seed (void)
{
  const gchar *env = g_getenv ("SPILLPOOL_SEED");
  guint32 seed = env ? (guint32) g_ascii_strtoull (env, NULL, 10) : 1;

  g_print ("random test seed %u (SPILLPOOL_SEED=<n> to change)\n", seed);
  return seed;
}

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

static void
fill_memory (GstMemory * mem, guint32 seed)
{
  GstMapInfo map;

  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  fill_pattern (map.data, map.size, seed);
  gst_memory_unmap (mem, &map);
}

static GstMemory *
alloc_filled (MemvideoSpillPool * pool, gsize size, guint32 seed)
{
  GstMemory *mem = memvideo_spill_pool_alloc (pool, size, NULL, NULL, NULL);

  fail_unless (mem != NULL);
  fill_memory (mem, seed);
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

/* Collects @pool's errors in @log until error_log_detach() */
static void
error_log_attach (ErrorLog * log, MemvideoSpillPool * pool)
{
  g_mutex_init (&log->lock);
  memvideo_spill_pool_set_error_func (pool, log_error, log, NULL);
}

static void
error_log_detach (ErrorLog * log, MemvideoSpillPool * pool)
{
  memvideo_spill_pool_set_error_func (pool, NULL, NULL, NULL);
  error_log_clear (log);
  g_mutex_clear (&log->lock);
}

/* Messages name the spill directory the user configured, never the
 * private directory made in it (gone as soon as the file exists). */
static void
check_names_spill_dir (const gchar * message, const gchar * dir)
{
  gchar *quoted = g_strdup_printf ("'%s'", dir);

  fail_unless (strstr (message, quoted) != NULL, "%s", message);
  fail_unless (strstr (message, "memvideo-spill-") == NULL, "%s", message);
  g_free (quoted);
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
  b = alloc_filled (pool, 10000, 2);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless_equals_uint64 (s.frames_spilled, 2);
  fail_unless_equals_uint64 (s.spills, 2);

  /* Mapped memories stay resident, both at once. */
  fail_unless (gst_memory_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_memory_map (b, &mb, GST_MAP_READ));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 100 * KIB + 10000);
  fail_unless_equals_uint64 (s.frames_resident, 2);
  gst_memory_unmap (a, &ma);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 10000);
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
  gpointer data;

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 64, 48);
  size = GST_VIDEO_INFO_SIZE (&vinfo);
  half = size / 2;
  expect = g_malloc (size);
  fill_pattern (expect, size, 11);

  /* two memories: one plain, one already spilled in the pool */
  src = gst_buffer_new ();
  data = g_memdup2 (expect, half);
  gst_buffer_append_memory (src, gst_memory_new_wrapped (0, data, half, 0,
          half, data, g_free));
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

/* memvideo_spill_pool_adopt_buffer(): timestamps, flags and the video meta
 * as test_copy_buffer sets them */
static void
set_metadata (GstBuffer * buf, const GstVideoInfo * vinfo)
{
  GST_BUFFER_PTS (buf) = 40 * GST_MSECOND;
  GST_BUFFER_DTS (buf) = 30 * GST_MSECOND;
  GST_BUFFER_DURATION (buf) = 20 * GST_MSECOND;
  GST_BUFFER_OFFSET (buf) = 17;
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (vinfo)
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_INFO_FORMAT (vinfo), GST_VIDEO_INFO_WIDTH (vinfo),
        GST_VIDEO_INFO_HEIGHT (vinfo), GST_VIDEO_INFO_N_PLANES (vinfo),
        (gsize *) vinfo->offset, (gint *) vinfo->stride);
}

static void
check_metadata (GstBuffer * buf, const GstVideoInfo * vinfo)
{
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), 40 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (buf), 30 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), 20 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), 17);
  fail_unless (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT));
  if (vinfo) {
    GstVideoMeta *vmeta = gst_buffer_get_video_meta (buf);

    fail_unless (vmeta != NULL);
    fail_unless_equals_int (vmeta->width, GST_VIDEO_INFO_WIDTH (vinfo));
    fail_unless_equals_int (vmeta->offset[2], vinfo->offset[2]);
    fail_unless_equals_int (vmeta->stride[1], vinfo->stride[1]);
  }
}

static GstBuffer *
pattern_buffer (GstAllocator * allocator, gsize size, guint32 seed)
{
  GstBuffer *buf = gst_buffer_new_allocate (allocator, size, NULL);
  GstMapInfo map;

  fail_unless (buf != NULL);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  fill_pattern (map.data, map.size, seed);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static gboolean
buffer_has_pattern (GstBuffer * buf, guint32 seed)
{
  GstMapInfo map;
  guint8 *expect;
  gboolean ok;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  expect = g_malloc (map.size);
  fill_pattern (expect, map.size, seed);
  ok = memcmp (expect, map.data, map.size) == 0;
  g_free (expect);
  gst_buffer_unmap (buf, &map);
  return ok;
}

static GstBuffer *
adopt (MemvideoSpillPool * pool, GstBuffer * buf, const GstVideoInfo * vinfo)
{
  GError *err = NULL;
  GstBuffer *ret = memvideo_spill_pool_adopt_buffer (pool, buf, vinfo, &err);

  fail_unless (ret != NULL, "%s", err ? err->message : "");
  return ret;
}

/* The pool's own raw memories are kept as they are, everything else is
 * copied in; a buffer of a buffer pool is never kept */
GST_START_TEST (test_adopt_buffer_raw)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  MemvideoSpillPool *other = new_pool (dir, 0);
  GstAllocator *alloc = memvideo_spill_pool_get_allocator (pool);
  GstBufferPool *bpool = gst_buffer_pool_new ();
  GstStructure *config;
  GstVideoInfo vinfo;
  GstBuffer *in, *out, *again;
  GstMemory *mem;
  gsize size;

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 64, 48);
  size = GST_VIDEO_INFO_SIZE (&vinfo);

  /* ours, raw, no buffer pool: the same buffer */
  in = pattern_buffer (alloc, size, 1);
  set_metadata (in, &vinfo);
  out = adopt (pool, gst_buffer_ref (in), &vinfo);
  fail_unless (out == in);
  gst_buffer_unref (out);
  fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT_VALUE (in), 1);
  gst_buffer_unref (in);

  /* system memory: copied, the source released */
  in = pattern_buffer (NULL, size, 2);
  set_metadata (in, &vinfo);
  gst_buffer_ref (in);
  out = adopt (pool, in, &vinfo);
  fail_unless (out != in);
  fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT_VALUE (in), 1);
  fail_unless_equals_int (gst_buffer_n_memory (out), 1);
  fail_unless (memvideo_spill_pool_owns_buffer (pool, out));
  check_metadata (out, &vinfo);
  fail_unless (buffer_has_pattern (out, 2));
  gst_buffer_unref (in);
  gst_buffer_unref (out);

  /* another pool's pageable memory stays under that pool's budget: kept
   * (memspill ! memsink holds each frame once) */
  in = pattern_buffer (memvideo_spill_pool_get_allocator (other), size, 3);
  set_metadata (in, NULL);
  gst_buffer_ref (in);
  out = adopt (pool, in, NULL);
  fail_unless (out == in);
  fail_unless (memvideo_spill_pool_owns_buffer (other, out));
  check_metadata (out, NULL);
  fail_unless (buffer_has_pattern (out, 3));
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  fail_unless_equals_uint64 (get_stats (other).frames_spilled +
      get_stats (other).frames_resident, 0);

  /* ours in a bounded buffer pool: the same memory in a buffer of our
   * own, and the pool's only buffer is free again at once */
  config = gst_buffer_pool_get_config (bpool);
  gst_buffer_pool_config_set_params (config, NULL, size, 1, 1);
  gst_buffer_pool_config_set_allocator (config, alloc, NULL);
  fail_unless (gst_buffer_pool_set_config (bpool, config));
  fail_unless (gst_buffer_pool_set_active (bpool, TRUE));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (bpool, &in, NULL),
      GST_FLOW_OK);
  mem = gst_buffer_peek_memory (in, 0);
  fill_memory (mem, 4);
  set_metadata (in, &vinfo);
  out = adopt (pool, in, &vinfo);
  fail_unless (out->pool == NULL);
  fail_unless (gst_buffer_peek_memory (out, 0) == mem);
  check_metadata (out, &vinfo);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (bpool, &again,
          NULL), GST_FLOW_OK);
  fail_unless (gst_buffer_peek_memory (again, 0) != mem);
  fail_unless (buffer_has_pattern (out, 4));
  gst_buffer_unref (again);
  gst_buffer_unref (out);
  fail_unless (gst_buffer_pool_set_active (bpool, FALSE));
  gst_object_unref (bpool);

  /* no data: kept when it holds nothing, else without its memory */
  in = gst_buffer_new ();
  out = adopt (pool, in, NULL);
  fail_unless (out == in);
  gst_buffer_unref (out);
  in = gst_buffer_new_allocate (NULL, 16, NULL);
  gst_buffer_set_size (in, 0);
  fail_unless_equals_int (gst_buffer_n_memory (in), 1);
  set_metadata (in, NULL);
  out = adopt (pool, in, NULL);
  fail_unless (out != in);
  fail_unless_equals_int (gst_buffer_n_memory (out), 0);
  check_metadata (out, NULL);
  gst_buffer_unref (out);

  memvideo_spill_pool_unref (other);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* A JPEG pool keeps frames that already spill as JPEG with their layout
 * and copies its own raw memories into memories that know it */
GST_START_TEST (test_adopt_buffer_jpeg)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstAllocator *alloc = memvideo_spill_pool_get_allocator (pool);
  GstVideoInfo vinfo;
  GstBuffer *in, *jpeg, *out;
  gsize size;

  memvideo_spill_pool_set_format (pool, MEMVIDEO_SPILL_FORMAT_JPEG);
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 320, 240);
  size = GST_VIDEO_INFO_SIZE (&vinfo);

  /* flat: its JPEG is small */
  in = gst_buffer_new_allocate (alloc, size, NULL);
  gst_buffer_memset (in, 0, 0x80, size);
  jpeg = adopt (pool, gst_buffer_ref (in), &vinfo);
  fail_unless (jpeg != in);
  fail_unless (memvideo_spill_pool_owns_buffer (pool, jpeg));
  gst_buffer_unref (in);
  /* spilled (max-memory 0) as JPEG: far fewer bytes than the frame */
  fail_unless (get_stats (pool).spilled_bytes < size / 2);

  out = adopt (pool, gst_buffer_ref (jpeg), &vinfo);
  fail_unless (out == jpeg);
  gst_buffer_unref (out);
  /* not video: raw wanted, the JPEG memory is copied into a raw one */
  out = adopt (pool, gst_buffer_ref (jpeg), NULL);
  fail_unless (out != jpeg);
  gst_buffer_unref (out);
  gst_buffer_unref (jpeg);

  /* raw format: our raw memory is kept */
  memvideo_spill_pool_set_format (pool, MEMVIDEO_SPILL_FORMAT_RAW);
  in = pattern_buffer (alloc, size, 6);
  out = adopt (pool, in, &vinfo);
  fail_unless (out == in);
  gst_buffer_unref (out);

  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* A buffer that cannot be read (here: another pool's spilled memory whose
 * spill file lost it, next to system memory, so the buffer is copied):
 * NULL and the reason, the buffer released */
GST_START_TEST (test_adopt_buffer_unreadable)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  MemvideoSpillPool *other = new_pool (dir, 0);
  GstBuffer *in = gst_buffer_new ();
  GError *err = NULL;

  gst_buffer_append_memory (in, alloc_filled (other, 64 * KIB, 7));
  gst_buffer_append_memory (in, gst_allocator_alloc (NULL, 16, NULL));
  fail_if (memvideo_spill_memory_is_resident (gst_buffer_peek_memory (in, 0)));
  memvideo_spill_pool_test_truncate_file (other, 0);
  gst_buffer_ref (in);
  fail_unless (memvideo_spill_pool_adopt_buffer (pool, in, NULL, &err) == NULL);
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_IO), "%s", err->message);
  fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT_VALUE (in), 1);
  g_clear_error (&err);
  gst_buffer_unref (in);
  memvideo_spill_pool_unref (other);
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

  error_log_attach (&log, pool);
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
  check_names_spill_dir (e->message, dir);

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

  error_log_detach (&log, pool);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* memvideo_spill_memory_write(): data into a memory wherever it is, never
 * pulled into RAM for it; a failed write is reported once, suspends the
 * writes, and the memory is written through a map instead. */
GST_START_TEST (test_memory_write_in_place)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  guint8 *expect = g_malloc (300 * KIB), *got = g_malloc (300 * KIB);
  guint8 patch[5000];
  ErrorLog log = { 0, };
  GstMemory *mem, *fresh, *resident;
  MemvideoSpillStats s;
  GError *err = NULL;
  GstMapInfo map;

  error_log_attach (&log, pool);
  fill_pattern (expect, 300 * KIB, 4);
  fill_pattern (patch, sizeof (patch), 40);

  /* a spilled memory: the disk copy is written, nothing reloaded */
  mem = alloc_filled (pool, 300 * KIB, 4);
  fail_unless (!memvideo_spill_memory_is_resident (mem));
  fail_unless (memvideo_spill_memory_write (mem, 1000, patch, sizeof (patch),
          &err));
  memcpy (expect + 1000, patch, sizeof (patch));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.reloads, 0);
  fail_unless_equals_uint64 (s.spills, 2);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless (memvideo_spill_memory_read (mem, 0, got, 300 * KIB, &err));
  fail_unless (memcmp (got, expect, 300 * KIB) == 0);
  /* and a map reads the same back */
  fail_unless (gst_memory_map (mem, &map, GST_MAP_READ));
  fail_unless (memcmp (map.data, expect, 300 * KIB) == 0);
  gst_memory_unmap (mem, &map);

  /* a memory that never had RAM nor data gets its disk copy now */
  fresh = memvideo_spill_pool_alloc_spilled (pool, 128 * KIB);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.frames_spilled, 2);
  fail_unless_equals_uint64 (s.spilled_bytes, 300 * KIB);
  fail_unless (memvideo_spill_memory_write (fresh, 0, expect, 128 * KIB, &err));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spilled_bytes, 428 * KIB);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless (memvideo_spill_memory_read (fresh, 0, got, 128 * KIB, &err));
  fail_unless (memcmp (got, expect, 128 * KIB) == 0);

  /* a resident memory is written in RAM and its disk copy dropped */
  memvideo_spill_pool_set_max_memory (pool, MIB);
  fail_unless (memvideo_spill_pool_has_room (pool, MIB));
  fail_unless (!memvideo_spill_pool_has_room (pool, MIB + 1));
  resident = alloc_filled (pool, 200 * KIB, 5);
  fail_unless (memvideo_spill_memory_is_resident (resident));
  fail_unless (memvideo_spill_pool_has_room (pool, MIB - 200 * KIB));
  fail_unless (!memvideo_spill_pool_has_room (pool, MIB - 200 * KIB + 1));
  fail_unless (memvideo_spill_memory_write (resident, 10, patch, 100, &err));
  fail_unless (memvideo_spill_memory_is_resident (resident));
  fail_unless (gst_memory_map (resident, &map, GST_MAP_READ));
  fail_unless (memcmp (map.data + 10, patch, 100) == 0);
  gst_memory_unmap (resident, &map);
  fail_unless (memvideo_spill_memory_write (mem, 0, patch, 0, &err));

  /* a full disk: an error through the return value and the error function
   * (once), no more tries until space is freed, the range written through
   * a map then */
  memvideo_spill_pool_set_max_memory (pool, 0);
  gst_memory_unref (fresh);
  memvideo_spill_pool_set_max_disk (pool, 500 * KIB);
  fresh = memvideo_spill_pool_alloc_spilled (pool, 300 * KIB);
  fail_if (memvideo_spill_memory_write (fresh, 0, expect, 100, &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_MAX_DISK), "%s", err->message);
  check_names_spill_dir (err->message, dir);
  g_clear_error (&err);
  fail_unless_equals_int (g_list_length (log.errors), 1);
  fail_if (memvideo_spill_memory_write (mem, 0, patch, 100, &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_IO), "%s", err->message);
  fail_unless (strstr (err->message, "an earlier write failed") != NULL,
      "%s", err->message);
  g_clear_error (&err);
  fail_unless_equals_int (g_list_length (log.errors), 1);
  fail_unless_equals_uint64 (get_stats (pool).write_errors, 1);
  /* nothing changed */
  fail_unless (memvideo_spill_memory_read (mem, 0, got, 300 * KIB, &err));
  fail_unless (memcmp (got, expect, 300 * KIB) == 0);
  fail_unless (gst_memory_map (fresh, &map, GST_MAP_WRITE));
  memcpy (map.data, expect, 300 * KIB);
  gst_memory_unmap (fresh, &map);
  fail_unless (memvideo_spill_memory_read (fresh, 0, got, 300 * KIB, &err));
  fail_unless (memcmp (got, expect, 300 * KIB) == 0);

  gst_memory_unref (resident);
  gst_memory_unref (fresh);
  gst_memory_unref (mem);
  error_log_detach (&log, pool);
  g_free (expect);
  g_free (got);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Kept RAM blocks */

static gboolean
all_bytes (const guint8 * data, gsize size, guint8 value)
{
  gsize i;

  for (i = 0; i < size; i++) {
    if (data[i] != value)
      return FALSE;
  }
  return TRUE;
}

GST_START_TEST (test_keep_fifo)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstMemory *a, *b, *c, *d, *e;
  MemvideoSpillStats s;
  GstMapInfo map;

  /* The first frame needs fresh RAM; spilling it keeps its block. */
  a = alloc_filled (pool, MIB, 1);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.blocks_reused, 0);
  fail_unless_equals_uint64 (s.cached_bytes, MIB);
  /* kept RAM is neither resident nor in the budget */
  fail_unless_equals_uint64 (s.resident_bytes, 0);

  /* From then on one block serves every frame: new ones and reloads. */
  b = alloc_filled (pool, MIB, 2);
  fail_unless_equals_uint64 (get_stats (pool).blocks_reused, 1);
  fail_unless (has_pattern (a, 1));
  fail_unless (has_pattern (b, 2));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.blocks_reused, 3);
  fail_unless_equals_uint64 (s.reloads, 2);
  fail_unless_equals_uint64 (s.cached_bytes, MIB);
  fail_unless_equals_uint64 (s.resident_bytes, 0);

  /* A memory that starts without RAM reads as zeros, not as the frame the
   * kept block held. */
  c = memvideo_spill_pool_alloc (pool, MIB, NULL, NULL, NULL);
  fail_unless (gst_memory_map (c, &map, GST_MAP_READ));
  fail_unless (all_bytes (map.data, map.size, 0));
  gst_memory_unmap (c, &map);
  fail_unless_equals_uint64 (get_stats (pool).blocks_reused, 4);

  /* Another size: no match, and the kept block goes before fresh RAM is
   * mapped, so keeping never adds to the peak. */
  d = alloc_filled (pool, 2 * MIB, 4);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.blocks_reused, 4);
  fail_unless_equals_uint64 (s.cached_bytes, 2 * MIB);
  fail_unless (has_pattern (d, 4));
  fail_unless_equals_uint64 (get_stats (pool).blocks_reused, 5);

  /* Small blocks are malloc's business. */
  e = alloc_filled (pool, 1000, 5);
  fail_unless (has_pattern (e, 5));
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.blocks_reused, 5);
  fail_unless_equals_uint64 (s.cached_bytes, 2 * MIB);

  /* What was reused holds what it must. */
  fail_unless (has_pattern (a, 1));
  fail_unless (has_pattern (b, 2));

  /* trim() gives everything back. */
  memvideo_spill_pool_trim (pool);
  fail_unless_equals_uint64 (get_stats (pool).cached_bytes, 0);

  gst_memory_unref (a);
  gst_memory_unref (b);
  gst_memory_unref (c);
  gst_memory_unref (d);
  gst_memory_unref (e);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Frees @n resident memories of @size bytes at once: how much is kept. */
static guint64
kept_after_free (MemvideoSpillPool * pool, gsize size, guint n)
{
  GstMemory **mems = g_new (GstMemory *, n);
  guint i;

  for (i = 0; i < n; i++)
    mems[i] = alloc_filled (pool, size, i);
  fail_unless_equals_uint64 (get_stats (pool).frames_spilled, 0);
  for (i = 0; i < n; i++)
    gst_memory_unref (mems[i]);
  g_free (mems);
  return get_stats (pool).cached_bytes;
}

GST_START_TEST (test_keep_bounded)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, G_MAXUINT64);
  MemvideoSpillStats s;

  /* at most 8 MiB, or 2 blocks when they are bigger */
  fail_unless_equals_uint64 (kept_after_free (pool, MIB, 20), 8 * MIB);
  fail_unless_equals_uint64 (kept_after_free (pool, 100 * KIB, 200),
      81 * 100 * KIB);
  fail_unless_equals_uint64 (kept_after_free (pool, 3 * MIB, 5), 6 * MIB);
  fail_unless_equals_uint64 (kept_after_free (pool, 5 * MIB, 5), 10 * MIB);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.resident_bytes, 0);
  fail_unless_equals_uint64 (s.frames_resident, 0);

  /* the next frames of that size take them, newest first */
  fail_unless_equals_uint64 (kept_after_free (pool, 5 * MIB, 2), 10 * MIB);
  fail_unless_equals_uint64 (get_stats (pool).blocks_reused, 2);

  /* raising the budget keeps them, lowering it gives them back */
  memvideo_spill_pool_set_max_memory (pool, G_MAXUINT64);
  fail_unless_equals_uint64 (get_stats (pool).cached_bytes, 10 * MIB);
  memvideo_spill_pool_set_max_memory (pool, 100 * MIB);
  fail_unless_equals_uint64 (get_stats (pool).cached_bytes, 0);

  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Under a budget the frame evicted for a new one hands its RAM over: a
 * FIFO runs on the RAM it has, and the budget holds. */
GST_START_TEST (test_keep_budget)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 4 * MIB);
  GstMemory *mems[40];
  MemvideoSpillStats s;
  guint i;

  for (i = 0; i < 40; i++) {
    mems[i] = alloc_filled (pool, MIB, i);
    s = get_stats (pool);
    fail_unless (s.resident_bytes <= 4 * MIB);
    fail_unless (s.cached_bytes <= 2 * MIB);
    if (i >= 8) {
      /* the consumer: maps the oldest (a reload) and drops it */
      fail_unless (has_pattern (mems[i - 8], i - 8));
      gst_memory_unref (mems[i - 8]);
      s = get_stats (pool);
      fail_unless (s.resident_bytes <= 4 * MIB);
      fail_unless (s.resident_bytes + s.cached_bytes <= 4 * MIB + 2 * MIB);
    }
  }
  s = get_stats (pool);
  fail_unless (s.spills > 0 && s.reloads > 0);
  /* Fresh RAM was mapped for 5 blocks only: 4 to fill the budget and the
   * frame in flight.  Every other allocation and reload reused one. */
  fail_unless_equals_uint64 (40 + s.reloads - s.blocks_reused, 5);
  for (i = 32; i < 40; i++) {
    fail_unless (has_pattern (mems[i], i));
    gst_memory_unref (mems[i]);
  }
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_keep_zero_flags)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, G_MAXUINT64);
  GstAllocationParams params;
  GstMemory *mem;
  GstMapInfo map;
  guint8 *base;
  gsize maxsize = 4096 + 200 * KIB + 8192;

  /* a kept block full of non-zero bytes */
  mem = memvideo_spill_pool_alloc (pool, maxsize, NULL, NULL, NULL);
  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  memset (map.data, 0xa5, maxsize);
  gst_memory_unmap (mem, &map);
  gst_memory_unref (mem);
  fail_unless_equals_uint64 (get_stats (pool).cached_bytes, maxsize);

  /* sysmem zeroes prefix and padding on request: so does a reused block */
  gst_allocation_params_init (&params);
  params.prefix = 4096;
  params.padding = 8192;
  params.flags = GST_MEMORY_FLAG_ZERO_PREFIXED | GST_MEMORY_FLAG_ZERO_PADDED;
  mem = gst_allocator_alloc (memvideo_spill_pool_get_allocator (pool),
      200 * KIB, &params);
  fail_unless_equals_uint64 (get_stats (pool).blocks_reused, 1);
  fail_unless (gst_memory_map (mem, &map, GST_MAP_READ));
  base = map.data - mem->offset;
  fail_unless_equals_int (mem->offset, 4096);
  fail_unless (all_bytes (base, 4096, 0));
  fail_unless (all_bytes (map.data + 200 * KIB, 8192, 0));
  gst_memory_unmap (mem, &map);
  gst_memory_unref (mem);

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

/* Wider rows and gaps between the planes, as a decoder pool might make:
 * fills @offset and @stride, returns the size. */
static gsize
padded_layout (const GstVideoInfo * vinfo, gsize * offset, gint * stride)
{
  gsize size = 0;
  guint p;

  for (p = 0; p < GST_VIDEO_INFO_N_PLANES (vinfo); p++) {
    gint rows = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT (vinfo->finfo,
        p == 0 ? 0 : p, vinfo->height);

    offset[p] = size + 1000;
    stride[p] = vinfo->stride[p] + 64;
    size = offset[p] + (gsize) rows *stride[p];
  }
  return size;
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

  fail_unless (memvideo_spill_pool_jpeg_supported (format));
  gst_video_info_set_format (&vinfo, format, 322, 242);
  memcpy (offset, vinfo.offset, sizeof (offset));
  memcpy (stride, vinfo.stride, sizeof (stride));
  size = GST_VIDEO_INFO_SIZE (&vinfo);
  if (padded)
    size = padded_layout (&vinfo, offset, stride);

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

/* A JPEG reload into a kept block: the pixels decode as always and every
 * other byte is zero, as in fresh RAM and in memvideo_spill_memory_read():
 * nothing of the frame the block held before shows. */
GST_START_TEST (test_keep_jpeg_gaps)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  gsize offset[GST_VIDEO_MAX_PLANES], size;
  gint stride[GST_VIDEO_MAX_PLANES];
  GstVideoInfo vinfo;
  GstMemory *mem;
  GstMapInfo map;
  guint8 *read;
  guint64 reused;

  memvideo_spill_pool_set_format (pool, MEMVIDEO_SPILL_FORMAT_JPEG);
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 322, 242);
  size = padded_layout (&vinfo, offset, stride);
  fail_unless (size >= 64 * KIB);

  mem = memvideo_spill_pool_alloc (pool, size, &vinfo, offset, stride);
  fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
  memset (map.data, 0xa5, size);
  frame_pattern (&vinfo, offset, stride, map.data, NULL);
  gst_memory_unmap (mem, &map);
  /* spilled as JPEG, its block (0xa5 around the pixels) kept */
  fail_unless_equals_uint64 (get_stats (pool).cached_bytes, size);

  read = g_malloc (size);
  fail_unless (memvideo_spill_memory_read (mem, 0, read, size, NULL));
  fail_unless (all_bytes (read, offset[0], 0));
  fail_unless_equals_int (read[offset[0] + vinfo.width], 0);

  reused = get_stats (pool).blocks_reused;
  fail_unless (gst_memory_map (mem, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (get_stats (pool).blocks_reused, reused + 1);
  fail_unless (memcmp (map.data, read, size) == 0);
  gst_memory_unmap (mem, &map);

  g_free (read);
  gst_memory_unref (mem);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_jpeg_fallback_raw)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  GstVideoInfo vinfo;
  GstMemory *mem;
  MemvideoSpillStats s;
  gsize size;

  memvideo_spill_pool_set_format (pool, MEMVIDEO_SPILL_FORMAT_JPEG);
  fail_if (memvideo_spill_pool_jpeg_supported (GST_VIDEO_FORMAT_NV12));
  fail_if (memvideo_spill_pool_jpeg_supported (GST_VIDEO_FORMAT_I420_10LE));
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_NV12, 320, 240);
  size = GST_VIDEO_INFO_SIZE (&vinfo);

  /* unsupported format: raw, lossless */
  mem = memvideo_spill_pool_alloc (pool, size, &vinfo, NULL, NULL);
  fill_memory (mem, 5);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spilled_bytes, size);
  fail_unless (has_pattern (mem, 5));
  gst_memory_unref (mem);

  /* a supported format whose planes do not fit the memory: raw too */
  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_I420, 320, 240);
  mem = memvideo_spill_pool_alloc (pool, 10000, &vinfo, NULL, NULL);
  fill_memory (mem, 6);
  fail_unless_equals_uint64 (get_stats (pool).spilled_bytes, 10000);
  fail_unless (has_pattern (mem, 6));
  gst_memory_unref (mem);

  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* memvideo_spill_pool_can_jpeg() says beforehand what alloc does with the
 * same video info: JPEG (a flat frame shrinks far below its size) or raw
 * (exactly its size). */
GST_START_TEST (test_can_jpeg)
{
  static const struct
  {
    GstVideoFormat format;
    gint width, height;
    gboolean jpeg;
  } cases[] = {
    {GST_VIDEO_FORMAT_I420, 320, 240, TRUE},
    {GST_VIDEO_FORMAT_Y42B, 321, 241, TRUE},
    {GST_VIDEO_FORMAT_GRAY8, 64, 48, TRUE},
    {GST_VIDEO_FORMAT_BGRx, 64, 48, TRUE},
    {GST_VIDEO_FORMAT_NV12, 320, 240, FALSE},
    {GST_VIDEO_FORMAT_I420_10LE, 320, 240, FALSE},
    /* wider than TurboJPEG allows (65500) */
    {GST_VIDEO_FORMAT_GRAY8, 65536, 2, FALSE},
  };
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  guint i;

  memvideo_spill_pool_set_format (pool, MEMVIDEO_SPILL_FORMAT_JPEG);
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstVideoInfo vinfo;
    GstMemory *mem;
    GstMapInfo map;
    guint64 before, spilled;
    gsize size;

    fail_unless (gst_video_info_set_format (&vinfo, cases[i].format,
            cases[i].width, cases[i].height));
    fail_unless_equals_int (memvideo_spill_pool_can_jpeg (&vinfo),
        cases[i].jpeg);

    size = GST_VIDEO_INFO_SIZE (&vinfo);
    before = get_stats (pool).spilled_bytes;
    mem = memvideo_spill_pool_alloc (pool, size, &vinfo, NULL, NULL);
    fail_unless (gst_memory_map (mem, &map, GST_MAP_WRITE));
    memset (map.data, 0x80, size);
    gst_memory_unmap (mem, &map);
    spilled = get_stats (pool).spilled_bytes - before;
    if (cases[i].jpeg)
      fail_unless (spilled < size / 4, "%s %dx%d: %" G_GUINT64_FORMAT
          " bytes for %" G_GSIZE_FORMAT, gst_video_format_to_string
          (cases[i].format), cases[i].width, cases[i].height, spilled, size);
    else
      fail_unless_equals_uint64 (spilled, size);
    gst_memory_unref (mem);
  }

  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Model-based random sequences */

typedef struct
{
  GstMemory *mem;
  guint8 *expect;               /* what the memory must hold */
  gsize size;
  gint maps;                    /* READ maps held by the test */
  GstMapInfo map;
  gboolean on_disk;             /* model: the pool has a current disk copy */
  gboolean written;             /* filled at least once */
} ModelMem;

typedef struct
{
  MemvideoSpillPool *pool;
  gboolean jpeg;
  GstVideoInfo vinfo;
  guint64 max_memory;
  GPtrArray *mems;
  MemvideoSpillStats stats;
  GRand *rand;
} Model;

static gdouble
psnr_bytes (const guint8 * a, const guint8 * b, gsize size)
{
  gdouble sq = 0;
  gsize i;

  for (i = 0; i < size; i++)
    sq += ((gdouble) a[i] - b[i]) * ((gdouble) a[i] - b[i]);
  return sq == 0 ? 99.0 : 10 * log10 (255.0 * 255.0 * size / sq);
}

static void
check_content (Model * model, ModelMem * mm, const guint8 * data)
{
  if (model->jpeg) {
    gdouble psnr = psnr_bytes (mm->expect, data, mm->size);

    fail_unless (psnr >= 38.0, "PSNR %.2f dB", psnr);
  } else {
    fail_unless (memcmp (mm->expect, data, mm->size) == 0);
  }
}

static void
model_fill (Model * model, guint8 * data, gsize size, guint32 seed)
{
  if (model->jpeg) {
    GstVideoInfo *v = &model->vinfo;
    gsize y;

    /* smooth, shifted per seed */
    for (y = 0; y < size / v->width; y++) {
      gsize x;

      for (x = 0; x < (gsize) v->width; x++)
        data[y * v->width + x] = smooth_value (x + seed, y + seed % 7, 0);
    }
  } else {
    fill_pattern (data, size, seed);
  }
}

/* Compares residency and statistics with the model after one step. */
static void
model_check (Model * model)
{
  MemvideoSpillStats s = get_stats (model->pool);
  guint64 resident = 0, mapped = 0, spilled_raw = 0, new_spills = 0;
  guint64 n_res = 0, n_spilled = 0, n_written = 0, small = 0;
  guint i;

  for (i = 0; i < model->mems->len; i++) {
    ModelMem *mm = g_ptr_array_index (model->mems, i);

    if (mm->size < MEMVIDEO_SPILL_FILE_BLOCK) {
      /* never spilled, counted with its bookkeeping */
      fail_unless (memvideo_spill_memory_is_resident (mm->mem));
      small += mm->size + memvideo_spill_pool_memory_overhead ();
    }
    if (memvideo_spill_memory_is_resident (mm->mem)) {
      resident += mm->size;
      n_res++;
      if (mm->maps > 0 || mm->size < MEMVIDEO_SPILL_FILE_BLOCK)
        mapped += mm->size;
    } else {
      fail_unless (mm->maps == 0, "a mapped memory was evicted");
      n_spilled++;
      if (mm->written) {
        n_written++;
        spilled_raw += mm->size;
        if (!mm->on_disk)
          new_spills++;
        mm->on_disk = TRUE;
      }
    }
  }
  fail_unless_equals_uint64 (s.frames_resident, n_res);
  fail_unless_equals_uint64 (s.frames_spilled, n_spilled);
  fail_unless_equals_uint64 (s.resident_bytes, resident);
  if (!model->jpeg) {
    fail_unless_equals_uint64 (s.spilled_bytes, spilled_raw);
  } else {
    fail_unless ((s.spilled_bytes > 0) == (n_written > 0));
  }
  /* every memory that went to disk dirty was written exactly once */
  fail_unless_equals_uint64 (s.spills, model->stats.spills + new_spills);
  fail_unless_equals_uint64 (s.write_errors, 0);
  /* the budget invariant: the unmapped memories that can be evicted fit
   * next to the small ones, or none is left */
  fail_unless (resident == mapped || resident - mapped + small <=
      model->max_memory, "%" G_GUINT64_FORMAT " unmapped resident bytes "
      "and %" G_GUINT64_FORMAT " of small memories, budget %"
      G_GUINT64_FORMAT, resident - mapped, small, model->max_memory);
  /* kept blocks: bounded (all model memories are under 4 MiB) */
  fail_unless (s.cached_bytes <= 8 * MIB);
  model->stats = s;
}

static void
model_alloc (Model * model, GstMemory * copy_of, ModelMem * src)
{
  ModelMem *mm = g_new0 (ModelMem, 1);
  GstMapInfo map;

  if (copy_of) {
    mm->mem = gst_memory_copy (copy_of, 0, -1);
    mm->size = src->size;
    mm->expect = g_memdup2 (src->expect, src->size);
    mm->written = TRUE;
    g_ptr_array_add (model->mems, mm);
    model_check (model);
    /* the copy holds what the source holds now */
    fail_unless (gst_memory_map (mm->mem, &map, GST_MAP_READ));
    check_content (model, mm, map.data);
    if (model->jpeg)
      memcpy (mm->expect, map.data, mm->size);
    gst_memory_unmap (mm->mem, &map);
  } else {
    mm->size = model->jpeg ? GST_VIDEO_INFO_SIZE (&model->vinfo) :
        (gsize) (g_rand_boolean (model->rand) ? g_rand_int_range (model->rand,
            1, 64 * KIB) : g_rand_int_range (model->rand, 64 * KIB, 200 * KIB));
    mm->expect = g_malloc (mm->size);
    model_fill (model, mm->expect, mm->size, g_rand_int (model->rand));
    mm->mem = memvideo_spill_pool_alloc (model->pool, mm->size,
        model->jpeg ? &model->vinfo : NULL, NULL, NULL);
    g_ptr_array_add (model->mems, mm);
    model_check (model);
    fail_unless (gst_memory_map (mm->mem, &map, GST_MAP_WRITE));
    memcpy (map.data, mm->expect, mm->size);
    mm->written = TRUE;
    gst_memory_unmap (mm->mem, &map);
  }
}

static void
model_free (gpointer data)
{
  ModelMem *mm = data;

  while (mm->maps-- > 0)
    gst_memory_unmap (mm->mem, &mm->map);
  gst_memory_unref (mm->mem);
  g_free (mm->expect);
  g_free (mm);
}

static void
model_step (Model * model)
{
  guint n = model->mems->len, op = g_rand_int_range (model->rand, 0, 100);
  ModelMem *mm = n ? g_ptr_array_index (model->mems,
      g_rand_int_range (model->rand, 0, n)) : NULL;
  MemvideoSpillStats before = model->stats;
  GstMapInfo map;

  if (mm == NULL || (op < 20 && n < 12)) {
    model_alloc (model, NULL, NULL);
  } else if (op < 35) {
    /* map READ and keep it for a while */
    gboolean was_resident = memvideo_spill_memory_is_resident (mm->mem);

    if (mm->maps == 0) {
      fail_unless (gst_memory_map (mm->mem, &mm->map, GST_MAP_READ));
    } else {
      fail_unless (gst_memory_map (mm->mem, &map, GST_MAP_READ));
      /* the same pointer: unmapping mm->map twice is equivalent */
      fail_unless (map.data == mm->map.data, "a mapping moved");
    }
    mm->maps++;
    check_content (model, mm, mm->map.data);
    fail_unless_equals_uint64 (get_stats (model->pool).reloads,
        before.reloads + (was_resident ? 0 : 1));
  } else if (op < 50) {
    if (mm->maps > 0) {
      mm->maps--;
      gst_memory_unmap (mm->mem, &mm->map);
    }
  } else if (op < 60 && mm->maps == 0) {
    /* rewrite it */
    fail_unless (gst_memory_map (mm->mem, &map, GST_MAP_READWRITE));
    check_content (model, mm, map.data);
    model_fill (model, mm->expect, mm->size, g_rand_int (model->rand));
    memcpy (map.data, mm->expect, mm->size);
    mm->on_disk = FALSE;
    gst_memory_unmap (mm->mem, &map);
  } else if (op < 70 && n < 12) {
    model_alloc (model, mm->mem, mm);
  } else if (op < 80) {
    gsize off = g_rand_int_range (model->rand, 0, mm->size);
    gsize len = g_rand_int_range (model->rand, 0, mm->size - off + 1);
    guint8 *buf = g_malloc (mm->size);
    GError *err = NULL;
    gboolean was_resident = memvideo_spill_memory_is_resident (mm->mem);

    fail_unless (memvideo_spill_memory_read (mm->mem, 0, buf, mm->size, &err));
    check_content (model, mm, buf);
    if (!model->jpeg) {
      fail_unless (memvideo_spill_memory_read (mm->mem, off, buf, len, &err));
      fail_unless (memcmp (buf, mm->expect + off, len) == 0);
    }
    g_free (buf);
    fail_unless (memvideo_spill_memory_is_resident (mm->mem) == was_resident);
    fail_unless_equals_uint64 (get_stats (model->pool).reloads, before.reloads);
  } else if (op < 95) {
    /* the last unmap may spill it before it goes */
    while (mm->maps > 0) {
      mm->maps--;
      gst_memory_unmap (mm->mem, &mm->map);
    }
    model_check (model);
    g_ptr_array_remove_fast (model->mems, mm);
    model_free (mm);
  } else {
    model->max_memory = g_rand_int_range (model->rand, 0, 4) * 150 * KIB;
    memvideo_spill_pool_set_max_memory (model->pool, model->max_memory);
  }
  model_check (model);
}

/* Returns how many blocks were reused. */
static guint64
run_model (guint32 seed, gboolean jpeg, guint steps)
{
  gchar *dir = make_spill_dir ();
  Model model = { 0, };
  MemvideoSpillStats stats;

  model.rand = g_rand_new_with_seed (seed);
  model.jpeg = jpeg;
  model.max_memory = g_rand_int_range (model.rand, 0, 4) * 150 * KIB;
  model.pool = new_pool (dir, model.max_memory);
  model.mems = g_ptr_array_new ();
  memvideo_spill_pool_set_eviction (model.pool,
      g_rand_boolean (model.rand) ? MEMVIDEO_EVICTION_LRU :
      MEMVIDEO_EVICTION_NEWEST);
  if (jpeg) {
    memvideo_spill_pool_set_format (model.pool, MEMVIDEO_SPILL_FORMAT_JPEG);
    /* over 64 KiB: mmap()ed blocks, which are kept for reuse */
    gst_video_info_set_format (&model.vinfo, GST_VIDEO_FORMAT_GRAY8, 320, 240);
  }
  GST_INFO ("model seed %u jpeg %d", seed, jpeg);

  while (steps--)
    model_step (&model);

  g_ptr_array_set_free_func (model.mems, model_free);
  g_ptr_array_free (model.mems, TRUE);
  stats = get_stats (model.pool);
  fail_unless_equals_uint64 (stats.disk_file_bytes, 0);
  memvideo_spill_pool_unref (model.pool);
  g_rand_free (model.rand);
  remove_spill_dir (dir);
  return stats.blocks_reused;
}

GST_START_TEST (test_model_raw)
{
  guint64 reused = 0;
  guint32 base = base_seed (), seed;

  for (seed = base; seed < base + 40; seed++)
    reused += run_model (seed, FALSE, 300);
  /* the sequences also ran through reused blocks */
  fail_unless (reused > 0);
}

GST_END_TEST;

GST_START_TEST (test_model_jpeg)
{
  guint64 reused = 0;
  guint32 base = base_seed (), seed;

  for (seed = base; seed < base + 10; seed++)
    reused += run_model (seed, TRUE, 200);
  fail_unless (reused > 0);
}

GST_END_TEST;

/* Threads */

#define N_SHARED 16
#define N_THREADS 8

typedef struct
{
  MemvideoSpillPool *pool;
  GstMemory *mems[N_SHARED];
  gint seeds[N_SHARED];
  gint writing[N_SHARED];
  guint32 thread_seed;
  gint failures;
} Shared;

static gboolean
verify_seed (GstMemory * mem, const guint8 * data, gsize size, guint32 seed)
{
  guint8 *expect = g_malloc (size);
  gboolean ok;

  fill_pattern (expect, size, seed);
  ok = memcmp (expect, data, size) == 0;
  g_free (expect);
  return ok;
}

static gpointer
thread_func (gpointer user_data)
{
  Shared *sh = user_data;
  GRand *rand = g_rand_new_with_seed (g_atomic_int_add (&sh->thread_seed, 1));
  guint iter;

  for (iter = 0; iter < 250; iter++) {
    guint i = g_rand_int_range (rand, 0, N_SHARED);
    GstMemory *mem = sh->mems[i], *copy;
    guint op = g_rand_int_range (rand, 0, 4);
    GstMapInfo map, cmap;
    gint seed;

    if (op == 0) {
      /* A WRITE map fails while READ maps are held, but GstMemory lets
       * several WRITE maps through: one writer at a time is ours to
       * ensure. */
      if (!g_atomic_int_compare_and_exchange (&sh->writing[i], 0, 1))
        continue;
      if (gst_memory_map (mem, &map, GST_MAP_WRITE)) {
        seed = g_rand_int (rand) & 0xffffff;
        fill_pattern (map.data, map.size, seed);
        g_atomic_int_set (&sh->seeds[i], seed);
        gst_memory_unmap (mem, &map);
      }
      g_atomic_int_set (&sh->writing[i], 0);
    } else if (op == 1) {
      if (!gst_memory_map (mem, &map, GST_MAP_READ))
        continue;
      seed = g_atomic_int_get (&sh->seeds[i]);
      if (!verify_seed (mem, map.data, map.size, seed)) {
        g_atomic_int_inc (&sh->failures);
      }
      gst_memory_unmap (mem, &map);
    } else if (op == 2) {
      /* copy while holding a READ map, so no writer changes it */
      if (!gst_memory_map (mem, &map, GST_MAP_READ))
        continue;
      seed = g_atomic_int_get (&sh->seeds[i]);
      copy = gst_memory_copy (mem, 0, -1);
      gst_memory_unmap (mem, &map);
      if (!gst_memory_map (copy, &cmap, GST_MAP_READ)) {
        g_atomic_int_inc (&sh->failures);
      } else {
        if (!verify_seed (copy, cmap.data, cmap.size, seed)) {
          g_atomic_int_inc (&sh->failures);
        }
        gst_memory_unmap (copy, &cmap);
      }
      gst_memory_unref (copy);
    } else {
      guint8 *buf = g_malloc (mem->size);

      if (!gst_memory_map (mem, &map, GST_MAP_READ)) {
        g_free (buf);
        continue;
      }
      seed = g_atomic_int_get (&sh->seeds[i]);
      if (!memvideo_spill_memory_read (mem, 0, buf, mem->size, NULL)
          || !verify_seed (mem, buf, mem->size, seed)) {
        g_atomic_int_inc (&sh->failures);
      }
      gst_memory_unmap (mem, &map);
      g_free (buf);
    }
  }
  g_rand_free (rand);
  return NULL;
}

GST_START_TEST (test_threads)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 4 * 200 * KIB);
  GThread *threads[N_THREADS];
  Shared sh = { 0, };
  MemvideoSpillStats s;
  guint i;

  sh.pool = pool;
  sh.thread_seed = base_seed ();
  for (i = 0; i < N_SHARED; i++) {
    sh.seeds[i] = i;
    sh.mems[i] = alloc_filled (pool, 200 * KIB, i);
  }
  for (i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("mapper", thread_func, &sh);
  for (i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  fail_unless_equals_int (sh.failures, 0);
  s = get_stats (pool);
  fail_unless (s.resident_bytes <= 4 * 200 * KIB);
  fail_unless_equals_uint64 (s.frames_resident + s.frames_spilled, N_SHARED);
  fail_unless (s.spills > N_SHARED && s.reloads > N_SHARED);
  for (i = 0; i < N_SHARED; i++) {
    fail_unless (has_pattern (sh.mems[i], sh.seeds[i]));
    gst_memory_unref (sh.mems[i]);
  }
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Extents */

static gint spill_fd = -1;

static void
remember_fd (const gchar * directory, gint fd)
{
  spill_fd = fd;
}

GST_START_TEST (test_extent_reuse)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool;
  GRand *rand = g_rand_new_with_seed (base_seed ());
  GPtrArray *live = g_ptr_array_new ();
  guint64 live_bytes = 0, max_live = 0, max_file = 0;
  MemvideoSpillStats s;
  struct stat st;
  guint i;

  memvideo_spill_file_set_created_hook (remember_fd);
  pool = new_pool (dir, 0);
  memvideo_spill_file_set_created_hook (NULL);
  fail_unless (spill_fd >= 0);

  for (i = 0; i < 2000; i++) {
    if (live->len < 10 && g_rand_boolean (rand)) {
      gsize size = g_rand_int_range (rand, 10 * KIB, 300 * KIB);

      g_ptr_array_add (live, alloc_filled (pool, size, i));
      live_bytes += size;
    } else if (live->len > 0) {
      GstMemory *mem = g_ptr_array_steal_index_fast (live,
          g_rand_int_range (rand, 0, live->len));

      live_bytes -= mem->size;
      gst_memory_unref (mem);
    }
    max_live = MAX (max_live, live_bytes);
    s = get_stats (pool);
    max_file = MAX (max_file, s.disk_file_bytes);
    /* freed extents are punched out: the blocks on disk follow the live
     * data, not the file length */
    fail_unless (fstat (spill_fd, &st) == 0);
    fail_unless ((guint64) st.st_blocks * 512 <= live_bytes + 10 * 8 * KIB
        + 64 * KIB, "%" G_GUINT64_FORMAT " bytes on disk for %"
        G_GUINT64_FORMAT " live", (guint64) st.st_blocks * 512, live_bytes);
  }
  GST_INFO ("max live %" G_GUINT64_FORMAT ", max file %" G_GUINT64_FORMAT,
      max_live, max_file);
  /* reuse keeps the file near the live maximum (fragmentation allowed) */
  fail_unless (max_file <= 2 * max_live, "file %" G_GUINT64_FORMAT
      " for at most %" G_GUINT64_FORMAT " live bytes", max_file, max_live);

  for (i = 0; i < live->len; i++)
    gst_memory_unref (g_ptr_array_index (live, i));
  g_ptr_array_free (live, TRUE);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.disk_file_bytes, 0);
  fail_unless (fstat (spill_fd, &st) == 0);
  fail_unless_equals_uint64 (st.st_size, 0);
  g_rand_free (rand);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;


/* Security */

static gchar *private_dir;

static void
check_private (const gchar * directory, gint fd)
{
  struct stat st;

  private_dir = g_strdup (directory);
  fail_unless (g_stat (directory, &st) == 0);
  fail_unless (S_ISDIR (st.st_mode));
  fail_unless_equals_int (st.st_mode & 07777, 0700);
  fail_unless (fstat (fd, &st) == 0);
  fail_unless (S_ISREG (st.st_mode));
  fail_unless_equals_int (st.st_mode & 07777, 0600);
  /* created unlinked (or unlinked already): nothing to find by name */
  fail_unless_equals_int (st.st_nlink, 0);
  fail_unless_equals_int (count_entries (directory), 0);
}

static void
check_permissions (gboolean no_tmpfile)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool;
  GstMemory *mem;
  mode_t old_umask = umask (0);

  memvideo_spill_file_set_no_tmpfile (no_tmpfile);
  memvideo_spill_file_set_created_hook (check_private);
  private_dir = NULL;
  pool = new_pool (dir, 0);
  memvideo_spill_file_set_created_hook (NULL);
  memvideo_spill_file_set_no_tmpfile (FALSE);
  umask (old_umask);
  fail_unless (private_dir != NULL);

  /* the private directory is gone at once, even while spilling; the pool
   * names the directory it was given */
  fail_unless_equals_int (count_entries (dir), 0);
  fail_unless (g_str_has_prefix (private_dir, dir));
  fail_unless (!g_file_test (private_dir, G_FILE_TEST_EXISTS));
  fail_unless_equals_string (memvideo_spill_pool_get_directory (pool), dir);
  g_free (private_dir);
  mem = alloc_filled (pool, MIB, 1);
  fail_unless_equals_uint64 (get_stats (pool).spills, 1);
  fail_unless_equals_int (count_entries (dir), 0);
  fail_unless (has_pattern (mem, 1));
  gst_memory_unref (mem);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_START_TEST (test_permissions)
{
  check_permissions (FALSE);
  check_permissions (TRUE);
}

GST_END_TEST;

/* NULL and "" mean the temporary directory, and the pool says so. */
GST_START_TEST (test_default_directory)
{
  const gchar *dirs[] = { NULL, "" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (dirs); i++) {
    MemvideoSpillPool *pool = memvideo_spill_pool_new (dirs[i], NULL);

    fail_unless (pool != NULL);
    fail_unless_equals_string (memvideo_spill_pool_get_directory (pool),
        g_get_tmp_dir ());
    memvideo_spill_pool_unref (pool);
  }
}

GST_END_TEST;

GST_START_TEST (test_symlink_not_followed)
{
  static const gchar *names[] = {
    "memvideo-spill-XXXXXX", "memvideo-spill-000000", "spill",
    "memvideo-spill", ".memvideo-spill",
  };
  gchar *dir = make_spill_dir ();
  gchar *victim_dir = make_spill_dir ();
  gchar *victim = g_build_filename (victim_dir, "victim", NULL);
  gchar *contents = NULL;
  guint i, mode;

  fail_unless (g_file_set_contents (victim, "precious", -1, NULL));
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    gchar *link = g_build_filename (dir, names[i], NULL);

    fail_unless (symlink (victim, link) == 0);
    g_free (link);
  }

  for (mode = 0; mode < 2; mode++) {
    MemvideoSpillPool *pool;
    GstMemory *mems[4];

    memvideo_spill_file_set_no_tmpfile (mode == 1);
    pool = new_pool (dir, 0);
    memvideo_spill_file_set_no_tmpfile (FALSE);
    for (i = 0; i < 4; i++)
      mems[i] = alloc_filled (pool, 100 * KIB, i);
    for (i = 0; i < 4; i++) {
      fail_unless (has_pattern (mems[i], i));
      gst_memory_unref (mems[i]);
    }
    memvideo_spill_pool_unref (pool);
  }

  fail_unless (g_file_get_contents (victim, &contents, NULL, NULL));
  fail_unless_equals_string (contents, "precious");
  g_free (contents);
  fail_unless_equals_int (count_entries (dir), G_N_ELEMENTS (names));
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    gchar *link = g_build_filename (dir, names[i], NULL);

    fail_unless (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
    fail_unless (g_unlink (link) == 0);
    g_free (link);
  }
  fail_unless (g_unlink (victim) == 0);
  g_free (victim);
  remove_spill_dir (victim_dir);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Faults */

static void
check_directory_error (const gchar * path)
{
  GError *err = NULL;
  MemvideoSpillPool *pool = memvideo_spill_pool_new (path, &err);

  fail_unless (pool == NULL);
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_DIRECTORY));
  fail_unless (strstr (err->message, path) != NULL, "%s", err->message);
  fail_unless (strstr (err->message, "memvideo-spill-") == NULL, "%s",
      err->message);
  GST_INFO ("%s", err->message);
  g_error_free (err);
}

GST_START_TEST (test_unusable_directory)
{
  gchar *dir = make_spill_dir ();
  gchar *missing = g_build_filename (dir, "missing", NULL);
  gchar *file = g_build_filename (dir, "file", NULL);
  gchar *ro = g_build_filename (dir, "readonly", NULL);

  check_directory_error (missing);
  fail_unless (g_file_set_contents (file, "", -1, NULL));
  check_directory_error (file);
  /* root may write anyway */
  if (geteuid () != 0) {
    fail_unless (g_mkdir (ro, 0500) == 0);
    check_directory_error (ro);
    fail_unless_equals_int (count_entries (ro), 0);
    fail_unless (g_rmdir (ro) == 0);
  }
  fail_unless (g_unlink (file) == 0);
  g_free (missing);
  g_free (file);
  g_free (ro);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* In a child process (the file size limit must not outlive the test):
 * writes fail with EFBIG past 1 MiB. */
static gint
file_size_limit_child (const gchar * dir)
{
  struct rlimit rl = { MIB, MIB };
  MemvideoSpillPool *pool;
  MemvideoSpillStats s;
  ErrorLog log = { 0, };
  GstMemory *mems[20];
  const GError *e;
  guint i;

  signal (SIGXFSZ, SIG_IGN);
  if (setrlimit (RLIMIT_FSIZE, &rl) != 0)
    return 10;
  pool = memvideo_spill_pool_new (dir, NULL);
  if (pool == NULL)
    return 11;
  error_log_attach (&log, pool);
  memvideo_spill_pool_set_max_memory (pool, 0);
  for (i = 0; i < 20; i++)
    mems[i] = alloc_filled (pool, 100 * KIB, i);
  s = get_stats (pool);
  /* 1 MiB holds 10 extents of 100 KiB rounded to 4 KiB blocks */
  if (s.spills != 10 || s.frames_resident != 10)
    return 12;
  if (s.write_errors != 1 || g_list_length (log.errors) != 1)
    return 13;
  e = log.errors->data;
  if (!g_error_matches (e, MEMVIDEO_SPILL_ERROR, MEMVIDEO_SPILL_ERROR_NO_SPACE))
    return 14;
  if (strstr (e->message, "102400 bytes") == NULL
      || strstr (e->message, dir) == NULL
      || strstr (e->message, "memvideo-spill-") != NULL)
    return 15;
  g_printerr ("%s\n", e->message);
  for (i = 0; i < 20; i++) {
    if (!has_pattern (mems[i], i))
      return 16;
  }
  /* freeing spilled memories makes room: the next write works again */
  gst_memory_unref (mems[0]);
  gst_memory_unref (mems[1]);
  memvideo_spill_pool_trim (pool);
  s = get_stats (pool);
  if (s.spills != 12 || s.write_errors != 2)
    return 17;
  for (i = 2; i < 20; i++) {
    if (!has_pattern (mems[i], i))
      return 18;
    gst_memory_unref (mems[i]);
  }
  error_log_detach (&log, pool);
  memvideo_spill_pool_unref (pool);
  return 0;
}

GST_START_TEST (test_file_size_limit)
{
  gchar *dir = make_spill_dir ();
  gint status;
  pid_t pid;

  pid = fork ();
  fail_unless (pid >= 0);
  if (pid == 0) {
    gint ret = file_size_limit_child (dir);

    g_free (dir);
    _exit (ret);
  }
  fail_unless (waitpid (pid, &status, 0) == pid);
  fail_unless (WIFEXITED (status));
  fail_unless_equals_int (WEXITSTATUS (status), 0);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* No check assertion in this thread: a failure ends the child with its
 * own status, which the parent tells from the SIGKILL it waits for. */
static gpointer
spill_forever (gpointer pool)
{
  guint32 i;

  for (i = 0;; i++) {
    GstMemory *mem = memvideo_spill_pool_alloc (pool, 512 * KIB, NULL, NULL,
        NULL);
    GstMapInfo map;

    if (!gst_memory_map (mem, &map, GST_MAP_WRITE))
      _exit (12);
    fill_pattern (map.data, map.size, i);
    gst_memory_unmap (mem, &map);
    gst_memory_unref (mem);
  }
  return NULL;
}

/* In a child: spill from another thread and SIGKILL the process in the
 * middle of it. */
static void
killed_child (const gchar * dir)
{
  MemvideoSpillPool *pool = memvideo_spill_pool_new (dir, NULL);
  GstMemory *held[8];
  guint i;

  if (pool == NULL)
    _exit (10);
  for (i = 0; i < G_N_ELEMENTS (held); i++)
    held[i] = alloc_filled (pool, 512 * KIB, i);
  g_thread_new ("spiller", spill_forever, pool);
  while (get_stats (pool).spills < 100)
    g_usleep (1000);
  /* 8 frames resident, others being written and freed: die now */
  raise (SIGKILL);
  _exit (11);
}

GST_START_TEST (test_sigkill_leaves_nothing)
{
  gchar *dir = make_spill_dir ();
  gint status;
  pid_t pid;

  pid = fork ();
  fail_unless (pid >= 0);
  if (pid == 0)
    killed_child (dir);
  fail_unless (waitpid (pid, &status, 0) == pid);
  fail_unless (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  remove_spill_dir (dir);
}

GST_END_TEST;

GST_START_TEST (test_read_failure)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  ErrorLog log = { 0, };
  GstMemory *a, *b;
  GstMapInfo map;
  guint8 buf[16];
  GError *err = NULL;
  const GError *e;

  error_log_attach (&log, pool);
  a = alloc_filled (pool, 100 * KIB, 1);
  b = alloc_filled (pool, 100 * KIB, 2);
  fail_unless_equals_uint64 (get_stats (pool).spills, 2);

  /* the second extent is cut off */
  memvideo_spill_pool_test_truncate_file (pool, 100 * KIB);
  fail_unless (has_pattern (a, 1));
  fail_if (gst_memory_map (b, &map, GST_MAP_READ));
  fail_unless_equals_int (g_list_length (log.errors), 1);
  e = log.errors->data;
  fail_unless (g_error_matches (e, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_IO), "%s", e->message);
  check_names_spill_dir (e->message, dir);
  fail_if (memvideo_spill_memory_read (b, 0, buf, sizeof (buf), &err));
  fail_unless (g_error_matches (err, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_IO));
  g_clear_error (&err);
  fail_unless (gst_memory_copy (b, 0, -1) == NULL);
  fail_if (memvideo_spill_memory_is_resident (b));
  fail_unless_equals_uint64 (get_stats (pool).frames_spilled, 2);

  gst_memory_unref (a);
  gst_memory_unref (b);
  error_log_detach (&log, pool);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Error functions replaced while errors are being reported: the data of a
 * replaced function must stay valid until every call in flight has
 * returned (memsink replaces its function at every start while the old
 * pool lives on).  The notify marks the data dead instead of freeing it,
 * so a call on data whose notify already ran is counted in any build. */
typedef struct
{
  gint alive;
} HandlerData;

typedef struct
{
  MemvideoSpillPool *pool;
  gint stop;
  gint calls;
  gint calls_after_notify;
  GMutex lock;
  GPtrArray *dead;              /* HandlerData whose notify ran */
} HandlerRace;

static HandlerRace *handler_race;

static void
race_error (MemvideoSpillPool * pool, const GError * error, gpointer user_data)
{
  HandlerData *d = user_data;

  g_atomic_int_inc (&handler_race->calls);
  /* widen the window between the pool's unlock and the use of the data */
  g_thread_yield ();
  if (!g_atomic_int_get (&d->alive))
    g_atomic_int_inc (&handler_race->calls_after_notify);
}

static void
race_notify (gpointer user_data)
{
  HandlerData *d = user_data;

  g_atomic_int_set (&d->alive, FALSE);
  g_mutex_lock (&handler_race->lock);
  g_ptr_array_add (handler_race->dead, d);
  g_mutex_unlock (&handler_race->lock);
}

static void
race_set_handler (MemvideoSpillPool * pool)
{
  HandlerData *d = g_new0 (HandlerData, 1);

  d->alive = TRUE;
  memvideo_spill_pool_set_error_func (pool, race_error, d, race_notify);
}

static gpointer
race_replacer (gpointer user_data)
{
  HandlerRace *r = user_data;
  gint seen = -1;

  /* one replacement per reported error, so that replacing does not starve
   * the reporting threads */
  while (!g_atomic_int_get (&r->stop)) {
    gint calls = g_atomic_int_get (&r->calls);

    if (calls == seen) {
      g_thread_yield ();
      continue;
    }
    seen = calls;
    race_set_handler (r->pool);
  }
  return NULL;
}

static gpointer
race_trigger (gpointer user_data)
{
  HandlerRace *r = user_data;

  /* every call retries the writes suspended by the previous failure, and
   * the write fails again: one error reported per call */
  guint i;

  for (i = 0; i < 1500 && !g_atomic_int_get (&r->calls_after_notify); i++)
    memvideo_spill_pool_set_max_disk (r->pool, 1);
  return NULL;
}

GST_START_TEST (test_error_func_replaced_while_reporting)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  HandlerRace r = { pool, 0, };
  GThread *threads[4];
  GstMemory *mems[4];
  guint i;

  handler_race = &r;
  g_mutex_init (&r.lock);
  r.dead = g_ptr_array_new_with_free_func (g_free);
  memvideo_spill_pool_set_max_disk (pool, 1);
  race_set_handler (pool);
  for (i = 0; i < G_N_ELEMENTS (mems); i++)
    mems[i] = alloc_filled (pool, 4 * KIB, i);

  threads[0] = g_thread_new ("replace", race_replacer, &r);
  threads[1] = g_thread_new ("replace", race_replacer, &r);
  threads[2] = g_thread_new ("trigger", race_trigger, &r);
  threads[3] = g_thread_new ("trigger", race_trigger, &r);
  g_thread_join (threads[2]);
  g_thread_join (threads[3]);
  g_atomic_int_set (&r.stop, TRUE);
  g_thread_join (threads[0]);
  g_thread_join (threads[1]);
  /* each trigger reported an error (the writes never succeed) */
  fail_unless (g_atomic_int_get (&r.calls) >= 2 * 1500
      || g_atomic_int_get (&r.calls_after_notify) > 0);

  fail_unless_equals_int (g_atomic_int_get (&r.calls_after_notify), 0);
  for (i = 0; i < G_N_ELEMENTS (mems); i++) {
    fail_unless (has_pattern (mems[i], i));
    gst_memory_unref (mems[i]);
  }
  /* the last handler's notify runs when it is replaced */
  memvideo_spill_pool_set_error_func (pool, NULL, NULL, NULL);
  g_mutex_lock (&r.lock);
  for (i = 0; i < r.dead->len; i++)
    fail_if (((HandlerData *) g_ptr_array_index (r.dead, i))->alive);
  g_mutex_unlock (&r.lock);
  memvideo_spill_pool_unref (pool);
  g_ptr_array_unref (r.dead);
  g_mutex_clear (&r.lock);
  handler_race = NULL;
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Memories smaller than a spill block are never spilled: no disk block
 * for 16 bytes, so max-disk=1 MiB holds any number of them, and the disk
 * bytes reported are those really used (issue 17, tiny buffers). */
GST_START_TEST (test_small_memories_resident)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 0);
  ErrorLog log = { 0, };
  GPtrArray *mems = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_memory_unref);
  MemvideoSpillStats s;
  GstMemory *big, *odd;
  guint i;

  error_log_attach (&log, pool);
  memvideo_spill_pool_set_max_disk (pool, MIB);
  for (i = 0; i < 20000; i++)
    g_ptr_array_add (mems, alloc_filled (pool, 16, i));
  s = get_stats (pool);
  fail_unless_equals_int (g_list_length (log.errors), 0);
  fail_unless_equals_uint64 (s.spills, 0);
  fail_unless_equals_uint64 (s.frames_resident, 20000);
  fail_unless_equals_uint64 (s.resident_bytes, 20000 * 16);
  fail_unless_equals_uint64 (s.disk_used_bytes, 0);
  fail_unless_equals_uint64 (s.disk_file_bytes, 0);
  for (i = 0; i < mems->len; i += 997)
    fail_unless (has_pattern (g_ptr_array_index (mems, i), i));

  /* a larger memory is spilled; the disk holds whole blocks: 8 KiB for
   * 5000 bytes, which spilled-bytes counts as they are */
  odd = alloc_filled (pool, 5000, 1);
  big = alloc_filled (pool, 100 * KIB, 2);
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.spills, 2);
  fail_unless_equals_uint64 (s.spilled_bytes, 5000 + 100 * KIB);
  fail_unless_equals_uint64 (s.disk_used_bytes, 8 * KIB + 100 * KIB);
  fail_unless (has_pattern (odd, 1));
  fail_unless (has_pattern (big, 2));
  gst_memory_unref (odd);
  gst_memory_unref (big);
  fail_unless_equals_uint64 (get_stats (pool).disk_used_bytes, 0);

  g_ptr_array_unref (mems);
  error_log_detach (&log, pool);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Small memories count in max-memory with their bookkeeping: enough of
 * them push a large memory out */
GST_START_TEST (test_small_memories_budget)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 3 * 100 * KIB);
  GPtrArray *mems = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_memory_unref);
  gsize each = 16 + memvideo_spill_pool_memory_overhead ();
  guint i, n = 100 * KIB / each;
  GstMemory *a, *b;

  a = alloc_filled (pool, 100 * KIB, 1);
  b = alloc_filled (pool, 100 * KIB, 2);
  /* up to 100 KiB of small memories fit beside them */
  for (i = 0; i < n; i++)
    g_ptr_array_add (mems, alloc_filled (pool, 16, i));
  fail_unless_equals_uint64 (get_stats (pool).frames_spilled, 0);
  /* one more, and a large one goes */
  g_ptr_array_add (mems, alloc_filled (pool, 16, n));
  fail_unless_equals_uint64 (get_stats (pool).frames_spilled, 1);
  fail_unless_equals_uint64 (get_stats (pool).resident_bytes, 100 * KIB +
      (n + 1) * 16);
  fail_unless (memvideo_spill_pool_has_room (pool, 100 * KIB - each));
  fail_if (memvideo_spill_pool_has_room (pool, 100 * KIB));

  fail_unless (has_pattern (a, 1));
  fail_unless (has_pattern (b, 2));
  g_ptr_array_unref (mems);
  gst_memory_unref (a);
  gst_memory_unref (b);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

/* Without RAM, the message says what the RAM was for: a new frame (nothing
 * was spilled) or a reload */
GST_START_TEST (test_out_of_memory_message)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, G_MAXUINT64);
  ErrorLog log = { 0, };
  const GError *e;
  GstMemory *mem;
  GstMapInfo map;

  error_log_attach (&log, pool);
  memvideo_spill_pool_test_fail_ram (pool, TRUE);
  mem = memvideo_spill_pool_alloc (pool, 12441600, NULL, NULL, NULL);
  fail_if (memvideo_spill_memory_is_resident (mem));
  fail_if (gst_memory_map (mem, &map, GST_MAP_WRITE));
  fail_unless_equals_int (g_list_length (log.errors), 1);
  e = log.errors->data;
  fail_unless (g_error_matches (e, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_NO_MEMORY), "%s", e->message);
  fail_unless (strstr (e->message, "12441600 bytes of RAM for a new frame")
      != NULL, "%s", e->message);
  fail_unless (strstr (e->message, "reload") == NULL, "%s", e->message);
  fail_unless_equals_uint64 (get_stats (pool).spills, 0);

  /* written and spilled, then reloaded without RAM */
  memvideo_spill_pool_test_fail_ram (pool, FALSE);
  fill_memory (mem, 3);
  memvideo_spill_pool_set_max_memory (pool, 0);
  fail_if (memvideo_spill_memory_is_resident (mem));
  memvideo_spill_pool_test_fail_ram (pool, TRUE);
  fail_if (gst_memory_map (mem, &map, GST_MAP_READ));
  fail_unless_equals_int (g_list_length (log.errors), 2);
  e = log.errors->next->data;
  fail_unless (g_error_matches (e, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_NO_MEMORY), "%s", e->message);
  fail_unless (strstr (e->message, "12441600 bytes of RAM to reload a "
          "spilled frame") != NULL, "%s", e->message);
  memvideo_spill_pool_test_fail_ram (pool, FALSE);
  fail_unless (has_pattern (mem, 3));

  gst_memory_unref (mem);
  error_log_detach (&log, pool);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_END_TEST;

#define HELD 24
#define HELD_SIZE (64 * KIB)

/* After max-disk was reached, reads of held frames in any order keep the
 * resident bytes within max-memory: a clean reload is evicted again
 * without a write even while writes are suspended (issue 13). */
static void
check_budget_after_max_disk (MemvideoEviction eviction, guint32 seed)
{
  gchar *dir = make_spill_dir ();
  MemvideoSpillPool *pool = new_pool (dir, 8 * HELD_SIZE);
  GRand *rand = g_rand_new_with_seed (seed);
  GstMemory *mems[HELD + 1];
  ErrorLog log = { 0, };
  MemvideoSpillStats s;
  guint i;

  error_log_attach (&log, pool);
  memvideo_spill_pool_set_max_disk (pool, 16 * HELD_SIZE);
  for (i = 0; i <= HELD; i++)
    mems[i] = alloc_filled (pool, HELD_SIZE, i);
  /* the 17th write failed: 16 frames spilled, 9 resident (all dirty) */
  s = get_stats (pool);
  fail_unless_equals_uint64 (s.frames_spilled, 16);
  fail_unless_equals_uint64 (s.write_errors, 1);
  fail_unless (g_error_matches (log.errors->data, MEMVIDEO_SPILL_ERROR,
          MEMVIDEO_SPILL_ERROR_MAX_DISK));
  /* the application drops one: the dirty rest fits the budget */
  gst_memory_unref (mems[HELD]);
  fail_unless (get_stats (pool).resident_bytes <= 8 * HELD_SIZE);

  memvideo_spill_pool_set_eviction (pool, eviction);
  for (i = 0; i < 300; i++) {
    guint k = g_rand_int_range (rand, 0, HELD);
    GstMapInfo map;

    fail_unless (gst_memory_map (mems[k], &map, GST_MAP_READ));
    gst_memory_unmap (mems[k], &map);
    s = get_stats (pool);
    fail_unless (s.resident_bytes <= 8 * HELD_SIZE, "policy %d, read %u "
        "(frame %u): %" G_GUINT64_FORMAT " bytes resident, budget %u",
        eviction, i, k, s.resident_bytes, 8 * HELD_SIZE);
  }
  /* nothing was written for it, and no more errors */
  fail_unless_equals_uint64 (s.spills, 16);
  fail_unless_equals_int (g_list_length (log.errors), 1);
  for (i = 0; i < HELD; i++) {
    fail_unless (has_pattern (mems[i], i));
    gst_memory_unref (mems[i]);
  }

  g_rand_free (rand);
  error_log_detach (&log, pool);
  memvideo_spill_pool_unref (pool);
  remove_spill_dir (dir);
}

GST_START_TEST (test_budget_after_max_disk)
{
  guint32 seed = base_seed ();

  check_budget_after_max_disk (MEMVIDEO_EVICTION_NEWEST, seed);
  check_budget_after_max_disk (MEMVIDEO_EVICTION_LRU, seed);
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
  tcase_add_test (tc, test_adopt_buffer_raw);
  tcase_add_test (tc, test_adopt_buffer_jpeg);
  tcase_add_test (tc, test_adopt_buffer_unreadable);
  tcase_add_test (tc, test_pool_outlives_owner);
  tcase_add_test (tc, test_max_disk);
  tcase_add_test (tc, test_error_func_replaced_while_reporting);
  tcase_add_test (tc, test_small_memories_resident);
  tcase_add_test (tc, test_small_memories_budget);
  tcase_add_test (tc, test_out_of_memory_message);
  tcase_add_test (tc, test_budget_after_max_disk);
  tcase_add_test (tc, test_memory_write_in_place);
  tcase_add_test (tc, test_keep_fifo);
  tcase_add_test (tc, test_keep_bounded);
  tcase_add_test (tc, test_keep_budget);
  tcase_add_test (tc, test_keep_zero_flags);
  tcase_add_test (tc, test_jpeg_formats);
  tcase_add_test (tc, test_jpeg_fallback_raw);
  tcase_add_test (tc, test_keep_jpeg_gaps);
  tcase_add_test (tc, test_can_jpeg);
  tcase_add_test (tc, test_model_raw);
  tcase_add_test (tc, test_model_jpeg);
  tcase_add_test (tc, test_threads);
  tcase_add_test (tc, test_extent_reuse);
  tcase_add_test (tc, test_permissions);
  tcase_add_test (tc, test_default_directory);
  tcase_add_test (tc, test_symlink_not_followed);
  tcase_add_test (tc, test_unusable_directory);
  tcase_add_test (tc, test_file_size_limit);
  tcase_add_test (tc, test_read_failure);
  tcase_add_test (tc, test_sigkill_leaves_nothing);
  return s;
}

GST_CHECK_MAIN (spillpool);
