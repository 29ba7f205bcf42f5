/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * memspill / spill store benchmark at 1080p.  Every number is printed next
 * to a peer measured in the same run, as a ratio; nothing is asserted.
 *
 *   memspill-bench raw  [frames]   spill + reload (raw) vs write()/pread()
 *                                  of the same bytes in the same directory
 *   memspill-bench jpeg [frames]   spill + reload (jpeg q90) vs a plain
 *                                  TurboJPEG encode/decode loop
 *   memspill-bench access [frames] an app revisiting a hot set among many
 *                                  held frames, both eviction policies
 *   memspill-bench fifo [frames]   memspill ! queue ! slow consumer, both
 *                                  eviction policies: spills, reloads/frame
 *   memspill-bench rss  [frames]   peak RSS of an app holding every frame
 *                                  vs baseline + max-memory
 *   memspill-bench tiny [count]    many 16-byte memories with max-memory
 *                                  0: RSS, disk use and time vs the same
 *                                  blocks from malloc
 *
 * raw and jpeg drive the spill store directly; fifo and rss use the
 * memspill element from the plugin only (one copy of the store per
 * process: the plugin's).  The spill directory is $TMPDIR (default /tmp).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* O_DIRECT */
#endif

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <turbojpeg.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memvideo/spillpool.h"

#define WIDTH 1920
#define HEIGHT 1080
#define MIB (1024.0 * 1024.0)

static const gchar *
spill_dir (void)
{
  return g_get_tmp_dir ();
}

/* One real 1080p I420 frame: SMPTE bars from videotestsrc. */
static GstBuffer *
grab_frame (GstVideoInfo * info)
{
  GstElement *p;
  GstSample *s;
  GstBuffer *buf;
  GstCaps *caps;

  p = gst_parse_launch ("videotestsrc pattern=smpte num-buffers=1 "
      "! video/x-raw,format=I420,width=1920,height=1080 "
      "! appsink name=sink", NULL);
  g_assert (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  s = gst_app_sink_pull_sample (GST_APP_SINK (gst_bin_get_by_name (GST_BIN
              (p), "sink")));
  g_assert (s);
  caps = gst_sample_get_caps (s);
  gst_video_info_from_caps (info, caps);
  buf = gst_buffer_copy_deep (gst_sample_get_buffer (s));
  gst_sample_unref (s);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  return buf;
}

static gdouble
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* Spills @n copies of @frame through a pool (all resident first, then
 * max-memory=0 evicts them all) and maps each back; returns seconds. */
/* CPU seconds (user + system) of the process so far */
static gdouble
cpu_now (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
      (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static gdouble last_spill_cpu;

static void
store_spill_reload (GstBuffer * frame, const GstVideoInfo * info,
    MemvideoSpillFormat format, guint n, gdouble * t_spill,
    gdouble * t_reload, guint64 * disk_bytes)
{
  gdouble c0;

  MemvideoSpillPool *pool = memvideo_spill_pool_new (spill_dir (), NULL);
  GstMemory **mems = g_new0 (GstMemory *, n);
  MemvideoSpillStats st;
  GstMapInfo src, map;
  gdouble t0;
  guint i;

  g_assert (pool);
  memvideo_spill_pool_set_format (pool, format);
  memvideo_spill_pool_set_jpeg_quality (pool, 90);
  memvideo_spill_pool_set_max_memory (pool, G_MAXUINT64);
  gst_buffer_map (frame, &src, GST_MAP_READ);
  for (i = 0; i < n; i++) {
    mems[i] = memvideo_spill_pool_alloc (pool, src.size, info, NULL, NULL);
    gst_memory_map (mems[i], &map, GST_MAP_WRITE);
    memcpy (map.data, src.data, src.size);
    gst_memory_unmap (mems[i], &map);
  }
  gst_buffer_unmap (frame, &src);

  t0 = now ();
  c0 = cpu_now ();
  memvideo_spill_pool_set_max_memory (pool, 0);
  *t_spill = now () - t0;
  last_spill_cpu = cpu_now () - c0;
  memvideo_spill_pool_get_stats (pool, &st);
  g_assert (st.frames_spilled == n);
  *disk_bytes = st.spilled_bytes;

  t0 = now ();
  for (i = 0; i < n; i++) {
    if (!gst_memory_map (mems[i], &map, GST_MAP_READ))
      g_error ("reload of frame %u failed", i);
    gst_memory_unmap (mems[i], &map);
  }
  *t_reload = now () - t0;

  for (i = 0; i < n; i++)
    gst_memory_unref (mems[i]);
  g_free (mems);
  memvideo_spill_pool_unref (pool);
}

#define ROUNDS 3

/* peers in the spill directory, like the store without fsync:
 * - dd-like: write() one hot buffer @n times;
 * - frames: write() @n distinct frames held in RAM (anonymous mmap, as the
 *   store holds them) and give each one's RAM back (munmap): what spilling
 *   is, done by hand;
 * - pread() everything back into one buffer, and into a fresh mmap each (the
 *   store must give every reloaded frame new RAM). */
static gdouble last_write_cpu;

/* @n distinct copies of @src in anonymous RAM, as the store holds frames */
static guint8 **
distinct_frames (const GstMapInfo * src, guint n)
{
  guint8 **frames = g_new (guint8 *, n);
  guint i;

  for (i = 0; i < n; i++) {
    frames[i] = mmap (NULL, src->size, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert (frames[i] != MAP_FAILED);
    memcpy (frames[i], src->data, src->size);
  }
  return frames;
}

/* The buffered peers: write() of one buffer n times (dd), write() of n
 * distinct frames (@t_write: until write() returns, the data in the page
 * cache; @t_synced: until fdatasync() returns, the data on the device, as
 * dd conv=fdatasync measures a directory's write speed), then pread()
 * back into one buffer and into fresh mmaps */
static void
peer_write_read (const GstMapInfo * src, guint n, gdouble * t_dd,
    gdouble * t_write, gdouble * t_synced, gdouble * t_read,
    gdouble * t_read_fresh)
{
  gdouble c0;
  guint8 *back = g_malloc (src->size);
  guint8 **frames;
  gchar *path;
  gdouble t0;
  guint i;
  int fd;

  path = g_build_filename (spill_dir (), "memspill-bench-XXXXXX", NULL);
  fd = g_mkstemp (path);
  g_assert (fd >= 0);
  unlink (path);
  t0 = now ();
  for (i = 0; i < n; i++) {
    if (write (fd, src->data, src->size) != (gssize) src->size)
      g_error ("write: %s", g_strerror (errno));
  }
  *t_dd = now () - t0;
  if (ftruncate (fd, 0) < 0)
    g_error ("ftruncate: %s", g_strerror (errno));
  lseek (fd, 0, SEEK_SET);

  frames = distinct_frames (src, n);
  t0 = now ();
  c0 = cpu_now ();
  for (i = 0; i < n; i++) {
    if (write (fd, frames[i], src->size) != (gssize) src->size)
      g_error ("write: %s", g_strerror (errno));
    munmap (frames[i], src->size);
  }
  *t_write = now () - t0;
  last_write_cpu = cpu_now () - c0;
  if (fdatasync (fd) < 0)
    g_error ("fdatasync: %s", g_strerror (errno));
  *t_synced = now () - t0;
  g_free (frames);
  t0 = now ();
  for (i = 0; i < n; i++) {
    if (pread (fd, back, src->size, (off_t) i * src->size) !=
        (gssize) src->size)
      g_error ("pread: %s", g_strerror (errno));
  }
  *t_read = now () - t0;
  t0 = now ();
  for (i = 0; i < n; i++) {
    guint8 *fresh = mmap (NULL, src->size, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_assert (fresh != MAP_FAILED);
    if (pread (fd, fresh, src->size, (off_t) i * src->size) !=
        (gssize) src->size)
      g_error ("pread: %s", g_strerror (errno));
    munmap (fresh, src->size);
  }
  *t_read_fresh = now () - t0;
  close (fd);
  g_free (path);
  g_free (back);
}

/* The same distinct frames written the way the store writes them where
 * the filesystem allows (spillfile.c): O_DIRECT for the whole pages, the
 * tail through the page cache; then read back the same way into fresh
 * mmaps.  The store's own I/O, done by hand.  Returns FALSE when the
 * directory refuses O_DIRECT. */
static gboolean
peer_direct (const GstMapInfo * src, guint n, gdouble * t_write,
    gdouble * cpu_write, gdouble * t_read_fresh)
{
  gsize whole = src->size - src->size % 4096;
  gsize stride = (src->size + 4095) / 4096 * 4096;
  guint8 **frames;
  gchar *path, *self;
  gdouble t0, c0;
  guint i;
  int fd, dfd;

  path = g_build_filename (spill_dir (), "memspill-bench-XXXXXX", NULL);
  fd = g_mkstemp (path);
  g_assert (fd >= 0);
  unlink (path);
  self = g_strdup_printf ("/proc/self/fd/%d", fd);
  dfd = open (self, O_RDWR | O_DIRECT);
  g_free (self);
  g_free (path);
  if (dfd < 0) {
    close (fd);
    return FALSE;
  }
  frames = distinct_frames (src, n);
  t0 = now ();
  c0 = cpu_now ();
  for (i = 0; i < n; i++) {
    off_t off = (off_t) i * stride;

    if (pwrite (dfd, frames[i], whole, off) != (gssize) whole ||
        pwrite (fd, frames[i] + whole, src->size - whole, off + whole) !=
        (gssize) (src->size - whole))
      g_error ("write: %s", g_strerror (errno));
    munmap (frames[i], src->size);
  }
  *t_write = now () - t0;
  *cpu_write = cpu_now () - c0;
  t0 = now ();
  for (i = 0; i < n; i++) {
    off_t off = (off_t) i * stride;
    guint8 *fresh = mmap (NULL, src->size, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_assert (fresh != MAP_FAILED);
    if (pread (dfd, fresh, whole, off) != (gssize) whole ||
        pread (fd, fresh + whole, src->size - whole, off + whole) !=
        (gssize) (src->size - whole))
      g_error ("pread: %s", g_strerror (errno));
    munmap (fresh, src->size);
  }
  *t_read_fresh = now () - t0;
  close (dfd);
  close (fd);
  g_free (frames);
  return TRUE;
}

static int
bench_raw (guint n)
{
  gdouble dbest[3] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE };
  gdouble cpu_buffered = G_MAXDOUBLE, cpu_spill = G_MAXDOUBLE;
  gboolean direct = TRUE;
  GstVideoInfo info;
  GstBuffer *frame = grab_frame (&info);
  gdouble best[6] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE,
    G_MAXDOUBLE, G_MAXDOUBLE
  };
  gdouble t[6], mib, synced, best_synced = G_MAXDOUBLE;
  guint64 disk;
  GstMapInfo src;
  guint r, k;

  gst_buffer_map (frame, &src, GST_MAP_READ);
  mib = n * src.size / MIB;
  /* alternate peer and store, best of ROUNDS: the machine is shared */
  for (r = 0; r < ROUNDS; r++) {
    gdouble d[3];

    peer_write_read (&src, n, &t[5], &t[0], &synced, &t[1], &t[2]);
    cpu_buffered = MIN (cpu_buffered, last_write_cpu);
    best_synced = MIN (best_synced, synced);
    if (direct && peer_direct (&src, n, &d[0], &d[1], &d[2])) {
      for (k = 0; k < 3; k++)
        dbest[k] = MIN (dbest[k], d[k]);
    } else {
      direct = FALSE;
    }
    store_spill_reload (frame, &info, MEMVIDEO_SPILL_FORMAT_RAW, n, &t[3],
        &t[4], &disk);
    cpu_spill = MIN (cpu_spill, last_spill_cpu);
    for (k = 0; k < 6; k++)
      best[k] = MIN (best[k], t[k]);
  }

  printf ("raw, %u frames of %.1f MiB (%s), best of %d alternating rounds\n",
      n, src.size / MIB, spill_dir (), ROUNDS);
  printf ("  %-30s %8.0f MiB/s\n", "write() one buffer (dd)", mib / best[5]);
  printf ("  %-30s %8.0f MiB/s   %.2f s CPU\n",
      "write()+munmap distinct frames", mib / best[0], cpu_buffered);
  printf ("  %-30s %8.0f MiB/s\n", "  the same until fdatasync()",
      mib / best_synced);
  if (direct)
    printf ("  %-30s %8.0f MiB/s   %.2f s CPU\n",
        "write() O_DIRECT+munmap frames", mib / dbest[0], dbest[1]);
  printf ("  %-30s %8.0f MiB/s   %.2f s CPU   ratio %.2f to buffered "
      "write(), %.2f to write()+fdatasync(), %.2f to O_DIRECT "
      "(target >= 0.80)\n", "spill (raw)", mib / best[3], cpu_spill,
      best[0] / best[3], best_synced / best[3],
      direct ? dbest[0] / best[3] : 0.0);
  printf ("  %-30s %8.0f MiB/s\n", "pread() loop, one buffer", mib / best[1]);
  printf ("  %-30s %8.0f MiB/s\n", "pread() loop, fresh mmaps", mib / best[2]);
  if (direct)
    printf ("  %-30s %8.0f MiB/s\n", "pread() O_DIRECT, fresh mmaps",
        mib / dbest[2]);
  printf ("  %-30s %8.0f MiB/s   ratio %.2f / %.2f / %.2f to O_DIRECT\n",
      "reload (raw)", mib / best[4], best[1] / best[4], best[2] / best[4],
      direct ? dbest[2] / best[4] : 0.0);
  printf ("  (the store writes and reads whole pages with O_DIRECT where the "
      "filesystem takes it: no copy into the page cache, which a burst of "
      "buffered writes this short only fills, at memcpy speed)\n");

  gst_buffer_unmap (frame, &src);
  gst_buffer_unref (frame);
  return 0;
}

static int
bench_jpeg (guint n)
{
  GstVideoInfo info;
  GstBuffer *frame = grab_frame (&info);
  gdouble t_spill = G_MAXDOUBLE, t_reload = G_MAXDOUBLE;
  gdouble t_enc = G_MAXDOUBLE, t_dec = G_MAXDOUBLE, ts, tr, t0;
  gdouble t_enc_copies = G_MAXDOUBLE;
  guint8 **copies;
  const guint8 *planes[3];
  guint8 *dplanes[3];
  int strides[3];
  unsigned char *jpeg = NULL;
  unsigned long jpeg_size = 0;
  guint64 disk;
  GstMapInfo src;
  guint8 *back;
  tjhandle enc = tjInitCompress (), dec = tjInitDecompress ();
  guint i, p, r;

  gst_buffer_map (frame, &src, GST_MAP_READ);
  back = g_malloc (src.size);
  for (p = 0; p < 3; p++) {
    planes[p] = src.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, p);
    dplanes[p] = back + GST_VIDEO_INFO_PLANE_OFFSET (&info, p);
    strides[p] = GST_VIDEO_INFO_PLANE_STRIDE (&info, p);
  }

  /* peer: the plain TurboJPEG loop on the same frame, same quality,
   * subsampling and flags as the store, no file; alternating with the
   * store, best of ROUNDS */
  for (r = 0; r < ROUNDS; r++) {
    t0 = now ();
    for (i = 0; i < n; i++) {
      if (tjCompressFromYUVPlanes (enc, planes, WIDTH, strides, HEIGHT,
              TJSAMP_420, &jpeg, &jpeg_size, 90, 0) != 0)
        g_error ("tjCompressFromYUVPlanes: %s", tjGetErrorStr2 (enc));
    }
    t_enc = MIN (t_enc, now () - t0);
    /* the same encode of n copies of the frame held in RAM as the store
     * holds them (most not in the cache), each copy's RAM given back after
     * its encode: what a JPEG spill is, done by hand (the raw peer does
     * the same with write()) */
    copies = distinct_frames (&src, n);
    t0 = now ();
    for (i = 0; i < n; i++) {
      const guint8 *cplanes[3];

      for (p = 0; p < 3; p++)
        cplanes[p] = copies[i] + (planes[p] - src.data);
      if (tjCompressFromYUVPlanes (enc, cplanes, WIDTH, strides, HEIGHT,
              TJSAMP_420, &jpeg, &jpeg_size, 90, 0) != 0)
        g_error ("tjCompressFromYUVPlanes: %s", tjGetErrorStr2 (enc));
      munmap (copies[i], src.size);
    }
    t_enc_copies = MIN (t_enc_copies, now () - t0);
    g_free (copies);
    t0 = now ();
    for (i = 0; i < n; i++) {
      if (tjDecompressToYUVPlanes (dec, jpeg, jpeg_size, dplanes, WIDTH,
              strides, HEIGHT, 0) != 0)
        g_error ("tjDecompressToYUVPlanes: %s", tjGetErrorStr2 (dec));
    }
    t_dec = MIN (t_dec, now () - t0);

    store_spill_reload (frame, &info, MEMVIDEO_SPILL_FORMAT_JPEG, n, &ts, &tr,
        &disk);
    t_spill = MIN (t_spill, ts);
    t_reload = MIN (t_reload, tr);
  }

  printf ("jpeg q90 4:2:0, %u frames 1080p I420 (JPEG %lu bytes/frame "
      "plain, %" G_GUINT64_FORMAT " spilled), best of %d alternating "
      "rounds\n", n, jpeg_size, disk / n, ROUNDS);
  printf ("  %-28s %9.1f frames/s\n", "TurboJPEG encode loop", n / t_enc);
  printf ("  %-28s %9.1f frames/s\n", "  on n copies, munmap each",
      n / t_enc_copies);
  printf ("  %-28s %9.1f frames/s   ratio %.2f to the loop, %.2f to the "
      "loop on copies (target >= 0.80)\n", "spill (jpeg)", n / t_spill,
      t_enc / t_spill, t_enc_copies / t_spill);
  printf ("  %-28s %9.1f frames/s\n", "TurboJPEG decode loop", n / t_dec);
  printf ("  %-28s %9.1f frames/s   ratio %.2f\n", "reload (jpeg)",
      n / t_reload, t_dec / t_reload);

  tjFree (jpeg);
  tjDestroy (enc);
  tjDestroy (dec);
  g_free (back);
  gst_buffer_unmap (frame, &src);
  gst_buffer_unref (frame);
  return 0;
}

/* An application holding many frames and revisiting a few: 90% of the
 * maps go to 8 hot frames, the rest anywhere; max-memory holds 16. */
static int
bench_access (guint n)
{
  const gchar *names[] = { "newest", "lru" };
  const MemvideoEviction policies[] = { MEMVIDEO_EVICTION_NEWEST,
    MEMVIDEO_EVICTION_LRU
  };
  const gsize size = WIDTH * HEIGHT * 3 / 2;
  const guint accesses = 2000;
  guint p;

  printf ("access: %u held 1080p frames, max-memory = 16 frames, %u maps "
      "(90%% to 8 hot frames)\n", n, accesses);
  printf ("  %-8s %10s %16s %9s\n", "eviction", "reloads", "reloads/access",
      "time s");
  for (p = 0; p < G_N_ELEMENTS (policies); p++) {
    MemvideoSpillPool *pool = memvideo_spill_pool_new (spill_dir (), NULL);
    GstMemory **mems = g_new0 (GstMemory *, n);
    GRand *rand = g_rand_new_with_seed (42);
    MemvideoSpillStats st, st0;
    GstMapInfo map;
    gdouble t0;
    guint i;

    memvideo_spill_pool_set_eviction (pool, policies[p]);
    memvideo_spill_pool_set_max_memory (pool, 16 * size);
    for (i = 0; i < n; i++) {
      mems[i] = memvideo_spill_pool_alloc (pool, size, NULL, NULL, NULL);
      gst_memory_map (mems[i], &map, GST_MAP_WRITE);
      memset (map.data, i & 0xff, size);
      gst_memory_unmap (mems[i], &map);
    }
    memvideo_spill_pool_get_stats (pool, &st0);
    t0 = now ();
    for (i = 0; i < accesses; i++) {
      guint k = g_rand_int_range (rand, 0, 10) < 9 ?
          g_rand_int_range (rand, 0, 8) * (n / 8) :
          (guint) g_rand_int_range (rand, 0, n);

      if (!gst_memory_map (mems[k], &map, GST_MAP_READ))
        g_error ("map failed");
      gst_memory_unmap (mems[k], &map);
    }
    memvideo_spill_pool_get_stats (pool, &st);
    printf ("  %-8s %10" G_GUINT64_FORMAT " %16.2f %9.1f\n", names[p],
        st.reloads - st0.reloads,
        (gdouble) (st.reloads - st0.reloads) / accesses, now () - t0);
    for (i = 0; i < n; i++)
      gst_memory_unref (mems[i]);
    g_free (mems);
    g_rand_free (rand);
    memvideo_spill_pool_unref (pool);
  }
  return 0;
}

/* The slow consumer reads every frame, then takes its time. */
static GstPadProbeReturn
slow_consumer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;
  guint64 *sum = user_data;

  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    *sum += map.data[map.size / 2];
    gst_buffer_unmap (buf, &map);
  }
  g_usleep (15 * 1000);
  return GST_PAD_PROBE_OK;
}

static int
bench_fifo (guint n)
{
  const gchar *policies[] = { "newest", "lru" };
  guint i;

  printf ("fifo: videotestsrc 1080p ! memspill max-memory=64MiB ! queue "
      "! consumer (maps, 15 ms/frame), %u frames\n", n);
  printf ("  %-8s %10s %10s %14s %14s %9s\n", "eviction", "spills",
      "reloads", "spills/frame", "reloads/frame", "time s");
  for (i = 0; i < G_N_ELEMENTS (policies); i++) {
    gchar *desc = g_strdup_printf ("videotestsrc num-buffers=%u "
        "pattern=smpte horizontal-speed=4 "
        "! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 "
        "! memspill name=spill max-memory=%u eviction=%s "
        "! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 "
        "! fakesink name=sink sync=false", n, 64 * 1024 * 1024,
        policies[i]);
    GstElement *p = gst_parse_launch (desc, NULL);
    GstElement *spill = gst_bin_get_by_name (GST_BIN (p), "spill");
    GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
    GstPad *pad = gst_element_get_static_pad (sink, "sink");
    guint64 spills, reloads, sum = 0;
    GstMessage *msg;
    gdouble t0 = now ();

    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, slow_consumer, &sum,
        NULL);
    gst_element_set_state (p, GST_STATE_PLAYING);
    msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p),
        GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      g_error ("fifo pipeline failed");
    gst_message_unref (msg);
    g_object_get (spill, "spills", &spills, "reloads", &reloads, NULL);
    printf ("  %-8s %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT
        " %14.2f %14.2f %9.1f\n", policies[i], spills, reloads,
        (gdouble) spills / n, (gdouble) reloads / n, now () - t0);
    gst_element_set_state (p, GST_STATE_NULL);
    gst_object_unref (pad);
    gst_object_unref (sink);
    gst_object_unref (spill);
    gst_object_unref (p);
    g_free (desc);
  }
  return 0;
}

static guint64
status_bytes (const gchar * field)
{
  gchar *contents = NULL, *line;
  guint64 kib = 0;

  g_file_get_contents ("/proc/self/status", &contents, NULL, NULL);
  line = contents ? strstr (contents, field) : NULL;
  if (line)
    kib = g_ascii_strtoull (line + strlen (field) + 1, NULL, 10);
  g_free (contents);
  return kib * 1024;
}

static int
bench_rss (guint n)
{
  const guint64 budget = 128 * 1024 * 1024;
  const gsize frame = WIDTH * HEIGHT * 3 / 2;
  GPtrArray *held = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_sample_unref);
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=%u "
      "pattern=smpte horizontal-speed=4 "
      "! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 "
      "! memspill max-memory=%" G_GUINT64_FORMAT " ! appsink name=sink "
      "sync=false wait-on-eos=false", n, budget);
  GstElement *p = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  guint64 baseline, peak;
  GstSample *s;
  FILE *f;

  baseline = status_bytes ("VmRSS:");
  f = fopen ("/proc/self/clear_refs", "w");
  if (f == NULL || fputs ("5", f) < 0)
    baseline = status_bytes ("VmHWM:");
  if (f)
    fclose (f);

  gst_element_set_state (p, GST_STATE_PLAYING);
  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (sink))))
    g_ptr_array_add (held, s);
  peak = status_bytes ("VmHWM:");

  printf ("rss: app holds all %u frames (%.0f MiB) behind memspill "
      "max-memory=%.0f MiB\n", held->len, held->len * frame / MIB,
      budget / MIB);
  printf ("  baseline %.1f MiB, peak %.1f MiB: peak - baseline - max-memory "
      "= %.2f frames (target <= 2)\n", baseline / MIB, peak / MIB,
      ((gdouble) peak - baseline - budget) / frame);

  gst_element_set_state (p, GST_STATE_NULL);
  g_ptr_array_unref (held);
  gst_object_unref (sink);
  gst_object_unref (p);
  g_free (desc);
  return 0;
}

/* Disk blocks held by the unlinked files this process has open: the spill
 * file's real size on disk. */
static guint64
unlinked_disk_bytes (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const gchar *name;
  guint64 total = 0;

  while (dir && (name = g_dir_read_name (dir))) {
    struct stat st;
    gint fd = atoi (name);

    if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_nlink == 0)
      total += (guint64) st.st_blocks * 512;
  }
  if (dir)
    g_dir_close (dir);
  return total;
}

static int
bench_tiny (guint n)
{
  const gsize size = 16;
  GError *err = NULL;
  MemvideoSpillPool *pool = memvideo_spill_pool_new (spill_dir (), &err);
  GPtrArray *mems, *blocks;
  MemvideoSpillStats st;
  guint64 rss0, rss1, rss2;
  gdouble t0, t_pool, t_malloc;
  guint i;

  if (pool == NULL) {
    fprintf (stderr, "tiny: %s\n", err->message);
    return 1;
  }
  memvideo_spill_pool_set_max_memory (pool, 0);
  mems = g_ptr_array_new_full (n, (GDestroyNotify) gst_memory_unref);
  blocks = g_ptr_array_new_full (n, g_free);

  rss0 = status_bytes ("VmRSS:");
  t0 = now ();
  for (i = 0; i < n; i++) {
    GstMemory *mem = memvideo_spill_pool_alloc (pool, size, NULL, NULL, NULL);
    GstMapInfo map;

    gst_memory_map (mem, &map, GST_MAP_WRITE);
    memset (map.data, i & 0xff, size);
    gst_memory_unmap (mem, &map);
    g_ptr_array_add (mems, mem);
  }
  t_pool = now () - t0;
  rss1 = status_bytes ("VmRSS:");
  memvideo_spill_pool_get_stats (pool, &st);

  t0 = now ();
  for (i = 0; i < n; i++)
    g_ptr_array_add (blocks, g_malloc0 (size));
  t_malloc = now () - t0;
  rss2 = status_bytes ("VmRSS:");

  printf ("tiny: %u memories of %" G_GSIZE_FORMAT " bytes (%.1f MiB), "
      "max-memory=0\n", n, size, n * size / MIB);
  printf ("  pool: RSS +%.1f MiB, spill file %.1f MiB long, %.1f MiB on "
      "disk, spilled-bytes %.1f MiB, resident %.1f MiB, %.2f s\n",
      (rss1 - rss0) / MIB, st.disk_file_bytes / MIB,
      unlinked_disk_bytes () / MIB, st.spilled_bytes / MIB,
      st.resident_bytes / MIB, t_pool);
  printf ("  malloc: RSS +%.1f MiB, %.2f s; ratio pool/malloc RSS %.1f, "
      "time %.1f\n", (rss2 - rss1) / MIB, t_malloc,
      (gdouble) (rss1 - rss0) / MAX (rss2 - rss1, 1),
      t_pool / MAX (t_malloc, 1e-6));

  g_ptr_array_unref (blocks);
  g_ptr_array_unref (mems);
  memvideo_spill_pool_unref (pool);
  return 0;
}

int
main (int argc, char **argv)
{
  const gchar *mode = argc > 1 ? argv[1] : "";
  guint n = argc > 2 ? (guint) atoi (argv[2]) : 0;

  gst_init (&argc, &argv);
  if (g_str_equal (mode, "raw"))
    return bench_raw (n ? n : 300);
  if (g_str_equal (mode, "jpeg"))
    return bench_jpeg (n ? n : 100);
  if (g_str_equal (mode, "access"))
    return bench_access (n ? n : 200);
  if (g_str_equal (mode, "fifo"))
    return bench_fifo (n ? n : 300);
  if (g_str_equal (mode, "rss"))
    return bench_rss (n ? n : 600);
  if (g_str_equal (mode, "tiny"))
    return bench_tiny (n ? n : 200000);
  fprintf (stderr, "usage: %s raw|jpeg|access|fifo|rss|tiny [frames]\n",
      argv[0]);
  return 2;
}
