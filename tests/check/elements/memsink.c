/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * memsink: byte-identical files against filesink for every muxer (with and
 * without spilling), the samples interface and its blocking rules, the
 * history window and bad input (the RAM budget on a 200 MB file is in
 * memsink_rss.c).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../memvideotest.h"

#define MIB (1024 * 1024)

static gchar *tmpdir;

static void
setup_tmpdir (void)
{
  tmpdir = g_dir_make_tmp ("memsink-test-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
}

static void
remove_tree (const gchar * path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir) {
    while ((name = g_dir_read_name (dir))) {
      gchar *p = g_build_filename (path, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
      g_free (p);
    }
    g_dir_close (dir);
  }
  g_rmdir (path);
}

static void
teardown_tmpdir (void)
{
  remove_tree (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

/* Runs @pipeline to EOS (or error), returning the ERROR message if any and
 * collecting element messages named @collect into @collected. */
static GstMessage *
run_pipeline (GstElement * pipeline, const gchar * collect,
    GstStructure ** collected)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *error = NULL;
  gboolean done = FALSE;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);

    fail_unless (msg != NULL, "pipeline did not finish");
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ERROR:
        error = gst_message_ref (msg);
        done = TRUE;
        break;
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      default:
        if (collect && collected && gst_message_has_name (msg, collect)) {
          if (*collected)
            gst_structure_free (*collected);
          *collected = gst_structure_copy (gst_message_get_structure (msg));
        }
        break;
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);

  return error;
}

static GBytes *
get_bytes (GstElement * sink)
{
  GBytes *bytes = NULL;

  g_signal_emit_by_name (sink, "get-bytes", &bytes);
  return bytes;
}

static GstSample *
get_sample (GstElement * sink, guint index)
{
  GstSample *sample = NULL;

  g_signal_emit_by_name (sink, "get-sample", index, &sample);
  return sample;
}

static void
assert_bytes_equal_file (GBytes * bytes, const gchar * path, const gchar * what)
{
  gchar *contents;
  gsize size;

  fail_unless (bytes != NULL, "%s: no bytes", what);
  fail_unless (g_file_get_contents (path, &contents, &size, NULL));
  fail_unless (size > 0, "%s: filesink wrote nothing", what);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), size);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), contents, size) == 0,
      "%s: memsink's file differs from filesink's", what);
  g_free (contents);
}

/* One muxer run feeds filesink and two memsinks (no budget, 1 MiB) through
 * a tee, so all three see the very same writes and seeks; the muxer's
 * timestamps and random ids cannot make them differ. */
static void
check_muxer (const gchar * encode, const gchar * mux, const gchar * props)
{
  gchar *out = g_build_filename (tmpdir, "filesink.out", NULL);
  gchar *desc = g_strdup_printf ("%s ! %s ! tee name=t "
      "t. ! queue ! filesink location=%s "
      "t. ! queue ! memsink name=big spill-directory=%s %s "
      "t. ! queue ! memsink name=small max-memory=%d spill-directory=%s %s",
      encode, mux, out, tmpdir, props, MIB, tmpdir, props);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *big, *small;
  GstMessage *error;
  GBytes *bytes;
  guint64 spilled = 0;

  fail_unless (pipeline != NULL, "%s", desc);
  big = gst_bin_get_by_name (GST_BIN (pipeline), "big");
  small = gst_bin_get_by_name (GST_BIN (pipeline), "small");

  error = run_pipeline (pipeline, NULL, NULL);
  fail_unless (error == NULL, "%s: error", mux);

  bytes = get_bytes (big);
  assert_bytes_equal_file (bytes, out, mux);
  fail_unless (g_bytes_get_size (bytes) > 2 * MIB,
      "%s: only %" G_GSIZE_FORMAT " bytes, too small to spill", mux,
      g_bytes_get_size (bytes));
  g_bytes_unref (bytes);

  g_object_get (small, "spilled-bytes", &spilled, NULL);
  fail_unless (spilled > 0, "%s: the 1 MiB memsink did not spill", mux);
  bytes = get_bytes (small);
  assert_bytes_equal_file (bytes, out, mux);
  g_bytes_unref (bytes);

  gst_object_unref (big);
  gst_object_unref (small);
  gst_object_unref (pipeline);
  g_unlink (out);
  g_free (out);
  g_free (desc);
}

#define H264 "videotestsrc num-buffers=60 pattern=snow ! " \
  "video/x-raw,width=640,height=360,framerate=30/1 ! " \
  "x264enc threads=1 speed-preset=ultrafast bitrate=12000 key-int-max=15 ! " \
  "h264parse"

GST_START_TEST (test_identical_mp4mux)
{
  check_muxer (H264, "mp4mux", "");
}

GST_END_TEST;

GST_START_TEST (test_identical_mp4mux_faststart)
{
  check_muxer (H264, "mp4mux faststart=true", "");
}

GST_END_TEST;

GST_START_TEST (test_identical_qtmux)
{
  check_muxer (H264, "qtmux", "");
}

GST_END_TEST;

GST_START_TEST (test_identical_matroskamux)
{
  check_muxer (H264, "matroskamux", "");
}

GST_END_TEST;

GST_START_TEST (test_identical_mpegtsmux)
{
  /* mpegtsmux sends a TIME segment: auto goes by its video/mpegts caps */
  check_muxer (H264, "mpegtsmux", "");
}

GST_END_TEST;

GST_START_TEST (test_identical_oggmux)
{
  check_muxer ("videotestsrc num-buffers=60 pattern=snow ! "
      "video/x-raw,width=640,height=360,framerate=30/1 ! "
      "theoraenc bitrate=12000", "oggmux", "");
}

GST_END_TEST;

GST_START_TEST (test_identical_avimux)
{
  check_muxer (H264, "avimux", "");
}

GST_END_TEST;

/* A harness around a bare memsink with @props ("name=value ...") set */
static GstHarness *
new_harness (const gchar * props)
{
  GstElement *sink = gst_element_factory_make ("memsink", NULL);
  gchar **kv = g_strsplit (props, " ", -1);
  GstHarness *h;
  gchar **p;

  fail_unless (sink != NULL);
  for (p = kv; *p; p++) {
    gchar **pair = g_strsplit (*p, "=", 2);

    if (pair[0] && pair[1])
      gst_util_set_object_arg (G_OBJECT (sink), pair[0], pair[1]);
    g_strfreev (pair);
  }
  g_strfreev (kv);

  h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_object_unref (sink);

  return h;
}

/* ---- file mode with a harness ---- */

static GstHarness *
new_file_harness (const gchar * props)
{
  GstHarness *h;
  GstSegment segment;
  GstCaps *caps;
  gchar *desc = g_strdup_printf ("spill-directory=%s %s", tmpdir,
      props ? props : "");

  h = new_harness (desc);
  g_free (desc);
  /* not gst_harness_set_src_caps(): it sends a TIME segment, and the first
   * segment decides the mode */
  caps = gst_caps_new_empty_simple ("application/octet-stream");
  fail_unless (gst_harness_push_event (h, gst_event_new_caps (caps)));
  gst_caps_unref (caps);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));

  return h;
}

static void
push_bytes (GstHarness * h, const gchar * data)
{
  gsize n = strlen (data);

  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_memdup (data, n)), GST_FLOW_OK);
}

static void
push_byte_segment (GstHarness * h, guint64 start)
{
  GstSegment segment;

  gst_segment_init (&segment, GST_FORMAT_BYTES);
  segment.start = start;
  segment.position = start;
  segment.time = 0;
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
}

GST_START_TEST (test_file_seek_zero_fill_and_queries)
{
  GstHarness *h = new_file_harness (NULL);
  GstQuery *q;
  GBytes *bytes;
  const guint8 *data;
  gboolean seekable = FALSE;
  GstFormat fmt;
  gint64 pos = -1;
  guint64 size = 0;
  gsize n, i;

  /* upstream sees a seekable byte sink */
  q = gst_query_new_seeking (GST_FORMAT_BYTES);
  fail_unless (gst_pad_peer_query (h->srcpad, q));
  gst_query_parse_seeking (q, &fmt, &seekable, NULL, NULL);
  fail_unless (seekable);
  gst_query_unref (q);

  push_bytes (h, "abc");
  q = gst_query_new_position (GST_FORMAT_BYTES);
  fail_unless (gst_pad_peer_query (h->srcpad, q));
  gst_query_parse_position (q, NULL, &pos);
  fail_unless_equals_int64 (pos, 3);
  gst_query_unref (q);

  /* seek beyond the end: the gap is zero-filled */
  push_byte_segment (h, 3 * MIB + 10);
  push_bytes (h, "xyz");
  /* seek back and overwrite, like a muxer rewriting its header */
  push_byte_segment (h, 1);
  push_bytes (h, "B");

  g_object_get (h->element, "size", &size, NULL);
  fail_unless_equals_uint64 (size, 3 * MIB + 13);
  bytes = get_bytes (h->element);
  data = g_bytes_get_data (bytes, &n);
  fail_unless_equals_uint64 (n, 3 * MIB + 13);
  fail_unless (memcmp (data, "aBc", 3) == 0);
  for (i = 3; i < 3 * MIB + 10; i++)
    fail_unless (data[i] == 0, "byte %" G_GSIZE_FORMAT " of the gap is %d",
        i, data[i]);
  fail_unless (memcmp (data + 3 * MIB + 10, "xyz", 3) == 0);
  g_bytes_unref (bytes);

  /* FLUSH_STOP truncates to 0 */
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  g_object_get (h->element, "size", &size, NULL);
  fail_unless_equals_uint64 (size, 0);
  push_byte_segment (h, 0);
  push_bytes (h, "new");
  bytes = get_bytes (h->element);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), 3);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), "new", 3) == 0);
  g_bytes_unref (bytes);

  gst_harness_teardown (h);
}

GST_END_TEST;

static void
check_bad_segment (guint64 start, const gchar * expected_text)
{
  GstHarness *h = new_file_harness (NULL);
  GstBus *bus = gst_bus_new ();
  GstSegment segment;
  guint i;

  gst_element_set_bus (h->element, bus);
  push_bytes (h, "data");

  gst_segment_init (&segment, GST_FORMAT_BYTES);
  segment.start = start;
  /* a sticky event is stored even when refused: the error message counts */
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  /* the pad retries the refused sticky segment before every buffer and
   * EOS: still one error (issue 17 item 14) */
  for (i = 0; i < 3; i++)
    gst_harness_push (h, gst_buffer_new_wrapped (g_strdup ("x"), 1));
  gst_harness_push_event (h, gst_event_new_eos ());

  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SEEK, "Could not seek in the in-memory file.",
      expected_text);
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_ERROR), 0);

  /* what was written before is intact */
  {
    GBytes *bytes = get_bytes (h->element);

    fail_unless_equals_uint64 (g_bytes_get_size (bytes), 4);
    g_bytes_unref (bytes);
  }

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

/* The chunk being written stays mapped, but the pool makes room for a chunk
 * before it maps it, new or read back from the spill file (as when mp4mux
 * seeks back to the mdat header at EOS), and the chunks' bookkeeping counts
 * too: the whole file's RAM stays within max-memory. */
GST_START_TEST (test_file_budget_includes_write_chunk)
{
  GstHarness *h = new_file_harness ("max-memory=4194304");
  guint8 *piece = g_malloc (64 * 1024);
  guint64 resident = 0, spilled = 0;
  GstSegment segment;
  GBytes *bytes;
  guint i;

  memset (piece, 0x5a, 64 * 1024);
  for (i = 0; i < 160; i++) {
    fail_unless_equals_int (gst_harness_push (h,
            gst_buffer_new_memdup (piece, 64 * 1024)), GST_FLOW_OK);
    g_object_get (h->element, "resident-bytes", &resident, NULL);
    fail_unless (resident <= 4 * MIB, "%" G_GUINT64_FORMAT " bytes resident "
        "after %u pieces, budget 4 MiB", resident, i + 1);
  }
  g_object_get (h->element, "spilled-bytes", &spilled, NULL);
  fail_unless (spilled >= 6 * MIB);
  /* the chunks' bookkeeping (a few hundred bytes each) counts too: one
   * chunk less than the budget holds stays in RAM */
  fail_unless (resident <= 3 * MIB, "%" G_GUINT64_FORMAT " bytes resident "
      "with 10 chunks' bookkeeping inside a 4 MiB budget", resident);

  /* back to the start, long spilled: rewritten within the budget */
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  segment.start = segment.position = segment.time = 16;
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  memset (piece, 0xa5, 64 * 1024);
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_memdup (piece, 64 * 1024)), GST_FLOW_OK);
  g_object_get (h->element, "resident-bytes", &resident, NULL);
  fail_unless (resident <= 3 * MIB, "%" G_GUINT64_FORMAT " bytes resident "
      "after rewriting the first chunk, budget 4 MiB", resident);
  bytes = get_bytes (h->element);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), 160 * 64 * 1024);
  fail_unless_equals_int (((const guint8 *) g_bytes_get_data (bytes,
              NULL))[15], 0x5a);
  fail_unless_equals_int (((const guint8 *) g_bytes_get_data (bytes,
              NULL))[16], 0xa5);
  fail_unless_equals_int (((const guint8 *) g_bytes_get_data (bytes,
              NULL))[16 + 64 * 1024], 0x5a);
  g_bytes_unref (bytes);

  g_free (piece);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_file_bad_segment)
{
  check_bad_segment ((guint64) - 5, "start -5 (as unsigned "
      "18446744073709551611) is negative");
  check_bad_segment (G_GUINT64_CONSTANT (1) << 50, "is beyond the limit; "
      "positions 0 to 1099511627776 are accepted");
}

GST_END_TEST;

GST_START_TEST (test_file_location_saved_atomically)
{
  gchar *location = g_build_filename (tmpdir, "out.bin", NULL);
  gchar *props = g_strdup_printf ("location=%s", location);
  GstHarness *h = new_file_harness (props);
  GDir *dir;
  const gchar *name;
  gchar *contents;
  gsize size;
  guint entries = 0;

  /* an older file at location is replaced only once the new one is whole */
  fail_unless (g_file_set_contents (location, "old", -1, NULL));
  push_bytes (h, "hello ");
  push_bytes (h, "world");
  fail_unless (g_file_get_contents (location, &contents, &size, NULL));
  fail_unless_equals_string (contents, "old");
  g_free (contents);

  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless (g_file_get_contents (location, &contents, &size, NULL));
  fail_unless_equals_string (contents, "hello world");
  g_free (contents);

  /* no temporary file is left beside it (the spill dir is a directory) */
  dir = g_dir_open (tmpdir, 0, NULL);
  while ((name = g_dir_read_name (dir))) {
    gchar *p = g_build_filename (tmpdir, name, NULL);

    if (!g_file_test (p, G_FILE_TEST_IS_DIR))
      entries++;
    g_free (p);
  }
  g_dir_close (dir);
  fail_unless_equals_int (entries, 1);

  gst_harness_teardown (h);
  g_free (props);
  g_free (location);
}

GST_END_TEST;

GST_START_TEST (test_file_location_unwritable)
{
  /* a regular file as parent directory: unwritable even for root */
  gchar *blocker = g_build_filename (tmpdir, "not-a-dir", NULL);
  gchar *location = g_build_filename (blocker, "out.mp4", NULL);
  gchar *props = g_strdup_printf ("location=%s", location);
  GstHarness *h;
  GstBus *bus = gst_bus_new ();
  GBytes *bytes;
  gchar *text;

  fail_unless (g_file_set_contents (blocker, "", -1, NULL));
  h = new_file_harness (props);
  gst_element_set_bus (h->element, bus);
  push_bytes (h, "precious");
  gst_harness_push_event (h, gst_event_new_eos ());

  text = g_strdup_printf ("Could not save the file to \"%s\".", location);
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_WRITE, text, "the data is still available "
      "through get-bytes");
  g_free (text);

  /* the data is still there */
  bytes = get_bytes (h->element);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), 8);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), "precious", 8) == 0);
  g_bytes_unref (bytes);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (props);
  g_free (location);
  g_free (blocker);
}

GST_END_TEST;

/* A full disk while spilling (RLIMIT_FSIZE makes every spill write fail
 * with EFBIG): a warning, and every byte stays readable from RAM. */
GST_START_TEST (test_file_disk_full_while_spilling)
{
  GstHarness *h = new_file_harness ("max-memory=0");
  GstBus *bus = gst_bus_new ();
  struct rlimit old, lim;
  GstMessage *msg;
  GBytes *bytes;
  guint8 *expected;
  gsize total = 3 * MIB + 777, i;
  guint64 resident = 0;
  void (*old_handler) (int);
  gchar *text;

  gst_element_set_bus (h->element, bus);
  expected = g_malloc (total);
  for (i = 0; i < total; i++)
    expected[i] = (guint8) (i * 13 + i / 1001);

  fail_unless (getrlimit (RLIMIT_FSIZE, &old) == 0);
  lim = old;
  /* below the smallest chunk (MEMVIDEO_MEM_FILE_MIN_CHUNK_SIZE, the one
   * max-memory=0 gets): not one chunk can be spilled */
  lim.rlim_cur = 16 * 1024;
  old_handler = signal (SIGXFSZ, SIG_IGN);
  fail_unless (setrlimit (RLIMIT_FSIZE, &lim) == 0);

  for (i = 0; i < total; i += 65536) {
    gsize n = MIN (65536, total - i);

    fail_unless_equals_int (gst_harness_push (h,
            gst_buffer_new_memdup (expected + i, n)), GST_FLOW_OK);
  }

  fail_unless (setrlimit (RLIMIT_FSIZE, &old) == 0);
  signal (SIGXFSZ, old_handler);

  text = g_strdup_printf ("No space left in spill directory \"%s\": frames "
      "stay in memory until space is freed.", tmpdir);
  mvt_expect_message (bus, GST_MESSAGE_WARNING, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NO_SPACE_LEFT, text, "max-memory 0,");
  g_free (text);
  fail_if (gst_bus_have_pending (bus) && (msg = gst_bus_pop_filtered (bus,
              GST_MESSAGE_ERROR)) != NULL, "unexpected error");

  g_object_get (h->element, "resident-bytes", &resident, NULL);
  fail_unless (resident >= total, "only %" G_GUINT64_FORMAT " bytes "
      "resident", resident);
  bytes = get_bytes (h->element);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), total);
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), expected, total) == 0);
  g_bytes_unref (bytes);

  g_free (expected);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- samples mode ---- */

static GstHarness *
new_samples_harness (const gchar * props, const gchar * caps)
{
  gchar *desc = g_strdup_printf ("spill-directory=%s %s", tmpdir,
      props ? props : "");
  GstHarness *h = new_harness (desc);

  g_free (desc);
  gst_harness_set_src_caps_str (h, caps);

  return h;
}

static void
push_frame (GstHarness * h, guint i, gsize size, gboolean delta)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);

  gst_buffer_memset (buf, 0, (guint8) i, size);
  GST_BUFFER_PTS (buf) = i * 40 * GST_MSECOND;
  GST_BUFFER_DURATION (buf) = 40 * GST_MSECOND;
  if (delta)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
}

static void
check_sample (GstSample * sample, guint i, gsize size, const gchar * caps)
{
  GstBuffer *buf;
  GstCaps *expected = gst_caps_from_string (caps);
  GstMapInfo map;
  gsize k;

  fail_unless (sample != NULL, "no sample %u", i);
  buf = gst_sample_get_buffer (sample);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), i * 40 * GST_MSECOND);
  fail_unless (gst_caps_is_equal (gst_sample_get_caps (sample), expected),
      "sample %u has caps %" GST_PTR_FORMAT, i, gst_sample_get_caps (sample));
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, size);
  for (k = 0; k < size; k++)
    fail_unless (map.data[k] == (guint8) i, "sample %u byte %" G_GSIZE_FORMAT,
        i, k);
  gst_buffer_unmap (buf, &map);
  gst_caps_unref (expected);
}

#define CAPS_A "video/x-raw,format=GRAY8,width=64,height=32,framerate=25/1"
#define CAPS_B "video/x-raw,format=GRAY8,width=32,height=32,framerate=25/1"

GST_START_TEST (test_samples_order_caps_get_pull_clear)
{
  GstHarness *h = new_samples_harness ("max-memory=4096", CAPS_A);
  GstSample *sample;
  guint i, n = 0;

  for (i = 0; i < 5; i++)
    push_frame (h, i, 64 * 32, FALSE);
  /* caps change mid-stream: each sample keeps its own */
  gst_harness_set_src_caps_str (h, CAPS_B);
  for (i = 5; i < 10; i++)
    push_frame (h, i, 32 * 32, FALSE);

  g_object_get (h->element, "n-samples", &n, NULL);
  fail_unless_equals_int (n, 10);
  /* get is non-destructive and reads spilled samples back */
  for (i = 0; i < 10; i++) {
    sample = get_sample (h->element, i);
    check_sample (sample, i, i < 5 ? 64 * 32 : 32 * 32, i < 5 ? CAPS_A :
        CAPS_B);
    gst_sample_unref (sample);
  }
  fail_unless (get_sample (h->element, 10) == NULL);
  g_object_get (h->element, "n-samples", &n, NULL);
  fail_unless_equals_int (n, 10);

  /* pull takes in order */
  for (i = 0; i < 3; i++) {
    g_signal_emit_by_name (h->element, "pull-sample", &sample);
    check_sample (sample, i, 64 * 32, CAPS_A);
    gst_sample_unref (sample);
  }
  sample = get_sample (h->element, 0);
  check_sample (sample, 3, 64 * 32, CAPS_A);
  gst_sample_unref (sample);

  g_signal_emit_by_name (h->element, "clear");
  g_object_get (h->element, "n-samples", &n, NULL);
  fail_unless_equals_int (n, 0);
  g_signal_emit_by_name (h->element, "try-pull-sample", (guint64) 0, &sample);
  fail_unless (sample == NULL);
  g_signal_emit_by_name (h->element, "try-pull-sample", 10 * GST_MSECOND,
      &sample);
  fail_unless (sample == NULL);

  gst_harness_teardown (h);
}

GST_END_TEST;

typedef struct
{
  GstElement *sink;
  gint tid;                     /* the puller's thread id, 0 until known */
  gint returned;
  GstSample *sample;
} Puller;

static gpointer
pull_thread (gpointer data)
{
  Puller *p = data;

  g_atomic_int_set (&p->tid, (gint) syscall (SYS_gettid));
  g_signal_emit_by_name (p->sink, "pull-sample", &p->sample);
  g_atomic_int_set (&p->returned, 1);
  return NULL;
}

/* The scheduler state of thread @tid ('S' while it sleeps in a wait) */
static gchar
thread_state (gint tid)
{
  gchar *path = g_strdup_printf ("/proc/self/task/%d/stat", tid);
  gchar *stat = NULL, *end;
  gchar state = '?';

  if (g_file_get_contents (path, &stat, NULL, NULL)
      && (end = strrchr (stat, ')')) && end[1] == ' ')
    state = end[2];
  g_free (stat);
  g_free (path);
  return state;
}

/* Starts a puller and returns once it is blocked inside pull-sample:
 * its thread sleeps (in the element's cond; the element lock is only
 * held for instants) and the signal has not returned.  Proves the event
 * that follows is what wakes it. */
static GThread *
start_blocked_puller (GstElement * sink, Puller * p)
{
  GThread *t;

  memset (p, 0, sizeof (*p));
  p->sink = sink;
  t = g_thread_new ("pull", pull_thread, p);
  while (g_atomic_int_get (&p->tid) == 0)
    g_thread_yield ();
  while (thread_state (p->tid) != 'S' || g_atomic_int_get (&p->returned)) {
    fail_if (g_atomic_int_get (&p->returned), "pull-sample did not block");
    g_thread_yield ();
  }
  return t;
}

static GstSample *
pull_now (GstElement * sink)
{
  GstSample *sample = NULL;

  g_signal_emit_by_name (sink, "pull-sample", &sample);
  return sample;
}

GST_START_TEST (test_samples_pull_blocks_until_data_eos_flush)
{
  GstHarness *h = new_samples_harness (NULL, CAPS_A);
  GThread *t;
  GstSample *sample;
  gboolean eos = TRUE;
  Puller p;

  /* woken by data */
  t = start_blocked_puller (h->element, &p);
  push_frame (h, 7, 64 * 32, FALSE);
  g_thread_join (t);
  check_sample (p.sample, 7, 64 * 32, CAPS_A);
  gst_sample_unref (p.sample);

  /* woken by flushing: NULL */
  t = start_blocked_puller (h->element, &p);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  g_thread_join (t);
  fail_unless (p.sample == NULL);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  {
    GstSegment segment;

    gst_segment_init (&segment, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  }

  /* at EOS queued samples still come out, then NULL at once */
  push_frame (h, 1, 64 * 32, FALSE);
  g_object_get (h->element, "eos", &eos, NULL);
  fail_if (eos);
  sample = pull_now (h->element);
  check_sample (sample, 1, 64 * 32, CAPS_A);
  gst_sample_unref (sample);
  t = start_blocked_puller (h->element, &p);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  g_thread_join (t);
  fail_unless (p.sample == NULL);
  g_object_get (h->element, "eos", &eos, NULL);
  fail_unless (eos);

  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_samples_window_count_and_age)
{
  GstHarness *h = new_samples_harness ("max-samples=3", CAPS_A);
  GstSample *sample;
  guint64 dropped = 0;
  guint i, n = 0;

  for (i = 0; i < 10; i++)
    push_frame (h, i, 64 * 32, FALSE);
  g_object_get (h->element, "n-samples", &n, "dropped", &dropped, NULL);
  fail_unless_equals_int (n, 3);
  fail_unless_equals_uint64 (dropped, 7);
  for (i = 0; i < 3; i++) {
    sample = get_sample (h->element, i);
    check_sample (sample, 7 + i, 64 * 32, CAPS_A);
    gst_sample_unref (sample);
  }

  /* by age: 40 ms apart, at least 100 ms keeps the newest 4 (120 ms; the
   * newest 3 span only 80) */
  g_object_set (h->element, "max-samples", 0, "max-age", 100 * GST_MSECOND,
      NULL);
  for (i = 10; i < 20; i++)
    push_frame (h, i, 64 * 32, FALSE);
  g_object_get (h->element, "n-samples", &n, "dropped", &dropped, NULL);
  fail_unless_equals_int (n, 4);
  fail_unless_equals_uint64 (dropped, 16);
  sample = get_sample (h->element, 0);
  check_sample (sample, 16, 64 * 32, CAPS_A);
  gst_sample_unref (sample);

  gst_harness_teardown (h);
}

GST_END_TEST;

static gboolean
sample_is_delta (GstSample * s)
{
  return GST_BUFFER_FLAG_IS_SET (gst_sample_get_buffer (s),
      GST_BUFFER_FLAG_DELTA_UNIT);
}

/* H.264 with a keyframe every 5 frames and a window of 7: whole GOPs go */
GST_START_TEST (test_samples_gop_aware_h264)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=30 pattern=ball ! "
      "video/x-raw,width=160,height=120,framerate=25/1 ! "
      "x264enc threads=1 key-int-max=5 tune=zerolatency "
      "option-string=scenecut=0 ! h264parse ! "
      "memsink name=sink max-samples=7 spill-directory=%s", tmpdir);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstStructure *summary = NULL;
  guint64 dropped = 0, sdropped = 0;
  GstClockTime first_pts = 0;
  guint i, n = 0, sn = 0;

  fail_unless (run_pipeline (pipeline, "memsink-summary", &summary) == NULL);
  g_object_get (sink, "n-samples", &n, "dropped", &dropped, NULL);
  /* 30 frames, GOPs 0-4 ... 25-29, at least 7 kept: GOP 15-19 goes at
   * frame 27 (20..27 still holds 8), GOP 20-24 stays (25..29 is 5) */
  fail_unless_equals_int (n, 10);
  fail_unless_equals_uint64 (dropped, 20);
  for (i = 0; i < n; i++) {
    GstSample *s = get_sample (sink, i);

    fail_unless (sample_is_delta (s) == (i % 5 != 0), "sample %u delta flag",
        i);
    /* x264enc offsets its timestamps; frame distance is what matters */
    if (i == 0)
      first_pts = GST_BUFFER_PTS (gst_sample_get_buffer (s));
    else
      fail_unless_equals_uint64 (GST_BUFFER_PTS (gst_sample_get_buffer (s))
          - first_pts, gst_util_uint64_scale (i, GST_SECOND, 25));
    gst_sample_unref (s);
  }

  fail_unless (summary != NULL);
  fail_unless_equals_string (gst_structure_get_string (summary, "mode"),
      "samples");
  fail_unless (gst_structure_get_uint (summary, "n-samples", &sn));
  fail_unless_equals_int (sn, 10);
  fail_unless (gst_structure_get_uint64 (summary, "dropped", &sdropped));
  fail_unless_equals_uint64 (sdropped, 20);
  fail_unless (gst_structure_has_field (summary, "resident-bytes"));
  fail_unless (gst_structure_has_field (summary, "spilled-bytes"));
  gst_structure_free (summary);

  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
}

GST_END_TEST;

GST_START_TEST (test_samples_location_is_an_error)
{
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=3 ! "
      "memsink mode=samples location=/tmp/never-written", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);

  fail_unless_equals_int (gst_element_set_state (pipeline,
          GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS, "Only a file can be saved: set mode to "
      "file or auto, or unset location.", "mode is samples and location is "
      "\"/tmp/never-written\"");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static GstFlowReturn
on_new_sample (GstElement * sink, gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
  return *count == 3 ? GST_FLOW_EOS : GST_FLOW_OK;
}

GST_START_TEST (test_samples_new_sample_signal)
{
  GstHarness *h = new_samples_harness ("emit-signals=true", CAPS_A);
  GstBuffer *buf;
  guint count = 0;

  g_signal_connect (h->element, "new-sample", G_CALLBACK (on_new_sample),
      &count);
  push_frame (h, 0, 64 * 32, FALSE);
  push_frame (h, 1, 64 * 32, FALSE);
  /* the handler's flow return goes upstream */
  buf = gst_buffer_new_allocate (NULL, 64 * 32, NULL);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_EOS);
  fail_unless_equals_int (count, 3);

  gst_harness_teardown (h);
}

GST_END_TEST;


/* Raw video spilled as JPEG: vinfo comes from the caps */
GST_START_TEST (test_samples_jpeg_spill)
{
  GstHarness *h = new_samples_harness ("max-memory=0 spill-format=jpeg "
      "jpeg-quality=90", "video/x-raw,format=I420,width=320,height=240,"
      "framerate=25/1");
  const gsize size = 320 * 240 * 3 / 2;
  guint64 spilled = 0;
  guint i, x, y;

  /* smooth pictures (a horizontal luma ramp, grey chroma) JPEG keeps well */
  for (i = 0; i < 8; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
    GstMapInfo map;

    fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
    for (y = 0; y < 240; y++)
      for (x = 0; x < 320; x++)
        map.data[y * 320 + x] = (guint8) (16 + (x + i * 8) % 200);
    memset (map.data + 320 * 240, 128, size - 320 * 240);
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = i * 40 * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  }

  g_object_get (h->element, "spilled-bytes", &spilled, NULL);
  fail_unless (spilled > 0 && spilled < 8 * size / 4,
      "%" G_GUINT64_FORMAT " spilled bytes: not JPEG-sized", spilled);
  for (i = 0; i < 8; i++) {
    GstSample *sample = get_sample (h->element, i);
    GstMapInfo map;

    fail_unless (sample != NULL);
    fail_unless (gst_buffer_map (gst_sample_get_buffer (sample), &map,
            GST_MAP_READ));
    fail_unless_equals_uint64 (map.size, size);
    for (x = 8; x < 312; x += 16) {
      gint expected = 16 + (x + i * 8) % 200;
      gint got = map.data[120 * 320 + x];

      /* away from the ramp's wrap-around edge */
      if ((x + i * 8) % 200 < 8 || (x + i * 8) % 200 > 192)
        continue;
      fail_unless (ABS (got - expected) <= 8, "frame %u x %u: Y %d, "
          "expected %d", i, x, got, expected);
    }
    gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
    gst_sample_unref (sample);
  }

  gst_harness_teardown (h);
}

GST_END_TEST;

static gboolean
is_spill_memory (GstMemory * mem)
{
  return g_str_equal (G_OBJECT_TYPE_NAME (mem->allocator),
      "MemvideoSpillAllocator");
}

/* The pool's one adoption rule (memvideo_spill_pool_adopt_buffer): a
 * buffer pageable in another pool (here: taken from another memsink, as
 * it would come from memspill) is held under that pool's budget, so it is
 * kept as it is, not held a second time; a plain buffer is copied into
 * memsink's own pool. */
GST_START_TEST (test_samples_other_pool_kept)
{
  GstHarness *h1 = new_samples_harness (NULL, CAPS_A);
  GstHarness *h = new_samples_harness (NULL, CAPS_A);
  GstBuffer *plain = gst_buffer_new_allocate (NULL, 64 * 32, NULL);
  GstBuffer *pageable;
  GstSample *sample, *from_first;

  fail_if (is_spill_memory (gst_buffer_peek_memory (plain, 0)));
  fail_unless_equals_int (gst_harness_push (h1, gst_buffer_ref (plain)),
      GST_FLOW_OK);
  from_first = get_sample (h1->element, 0);
  pageable = gst_sample_get_buffer (from_first);
  fail_unless (is_spill_memory (gst_buffer_peek_memory (pageable, 0)));

  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (pageable)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (plain)),
      GST_FLOW_OK);

  sample = get_sample (h->element, 0);
  fail_unless (gst_sample_get_buffer (sample) == pageable);
  gst_sample_unref (sample);
  sample = get_sample (h->element, 1);
  fail_unless (gst_sample_get_buffer (sample) != plain);
  fail_unless (is_spill_memory (gst_buffer_peek_memory
          (gst_sample_get_buffer (sample), 0)));
  fail_unless (gst_buffer_peek_memory (gst_sample_get_buffer (sample),
          0)->allocator != gst_buffer_peek_memory (pageable, 0)->allocator);
  gst_sample_unref (sample);

  gst_sample_unref (from_first);
  gst_buffer_unref (plain);
  gst_harness_teardown (h);
  gst_harness_teardown (h1);
}

GST_END_TEST;

typedef struct
{
  GPtrArray *mems;
  GArray *sums;
} Seen;

static guint32
checksum (GstBuffer * buf)
{
  GstMapInfo map;
  guint32 h = 2166136261u;
  gsize i;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (i = 0; i < map.size; i += 61)
    h = (h ^ map.data[i]) * 16777619u;
  gst_buffer_unmap (buf, &map);

  return h;
}

static void
on_handoff (GstElement * identity, GstBuffer * buf, gpointer user_data)
{
  Seen *seen = user_data;
  guint32 sum = checksum (buf);

  g_ptr_array_add (seen->mems, gst_buffer_peek_memory (buf, 0));
  g_array_append_val (seen->sums, sum);
}

/* Upstream is offered memsink's allocator, so raw samples arrive in
 * pageable memory and are kept without a copy; upstream's pool does not
 * reuse memory memsink holds */
GST_START_TEST (test_samples_zero_copy_from_upstream_pool)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=40 pattern=ball ! "
      "video/x-raw,format=I420,width=160,height=120 ! "
      "identity name=id signal-handoffs=true ! "
      "memsink name=sink max-memory=100000 spill-directory=%s", tmpdir);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstElement *id = gst_bin_get_by_name (GST_BIN (pipeline), "id");
  Seen seen = { g_ptr_array_new (), g_array_new (FALSE, FALSE, 4) };
  guint i;

  g_signal_connect (id, "handoff", G_CALLBACK (on_handoff), &seen);
  fail_unless (run_pipeline (pipeline, NULL, NULL) == NULL);
  fail_unless_equals_int (seen.mems->len, 40);
  for (i = 0; i < 40; i++) {
    GstSample *s = get_sample (sink, i);
    GstBuffer *buf = gst_sample_get_buffer (s);

    fail_unless (buf->pool == NULL, "sample %u holds upstream's pool buffer",
        i);
    fail_unless (gst_buffer_peek_memory (buf, 0) ==
        g_ptr_array_index (seen.mems, i), "sample %u was copied", i);
    fail_unless (checksum (buf) == g_array_index (seen.sums, guint32, i),
        "sample %u changed after it was kept", i);
    gst_sample_unref (s);
  }

  g_ptr_array_unref (seen.mems);
  g_array_unref (seen.sums);
  gst_object_unref (id);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
}

GST_END_TEST;

/* auto mode with location: a TIME segment is the clear error */
GST_START_TEST (test_auto_time_segment_with_location)
{
  gchar *location = g_build_filename (tmpdir, "never.bin", NULL);
  gchar *props = g_strdup_printf ("location=%s", location);
  GstHarness *h = new_harness (props);
  GstBus *bus = gst_bus_new ();
  guint i;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, CAPS_A);
  /* retried before every buffer and EOS: one error all the same */
  for (i = 0; i < 3; i++)
    gst_harness_push (h, gst_buffer_new_allocate (NULL, 16, NULL));
  gst_harness_push_event (h, gst_event_new_eos ());
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS, "Only a file can be saved: put a muxer "
      "before memsink, or unset location.", "stream is in samples mode (time "
      "segment)");
  fail_unless_equals_int (mvt_count_messages (bus, GST_MESSAGE_ERROR), 0);
  fail_if (g_file_test (location, G_FILE_TEST_EXISTS));

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  g_free (props);
  g_free (location);
}

GST_END_TEST;

/* The properties flagged mutable-in-playing may change under a stream */
GST_START_TEST (test_properties_while_playing)
{
  GstHarness *h = new_samples_harness (NULL, CAPS_A);
  GstHarnessThread *threads[3];
  GValue a = G_VALUE_INIT, b = G_VALUE_INIT, c = G_VALUE_INIT;
  guint i;

  g_value_init (&a, G_TYPE_UINT64);
  g_value_set_uint64 (&a, 4096);
  g_value_init (&b, G_TYPE_UINT);
  g_value_set_uint (&b, 5);
  g_value_init (&c, G_TYPE_UINT64);
  g_value_set_uint64 (&c, 80 * GST_MSECOND);
  threads[0] = gst_harness_stress_property_start_full (h, "max-memory", &a,
      1000);
  threads[1] = gst_harness_stress_property_start_full (h, "max-samples", &b,
      1000);
  threads[2] = gst_harness_stress_property_start_full (h, "max-age", &c, 1000);
  for (i = 0; i < 200; i++)
    push_frame (h, i, 64 * 32, FALSE);
  for (i = 0; i < 3; i++)
    gst_harness_stress_thread_stop (threads[i]);
  g_value_unset (&a);
  g_value_unset (&b);
  g_value_unset (&c);

  /* the last values hold (set once more: on a loaded machine a stress
   * thread may be stopped before it ran): the window keeps at least 5 and
   * at least 80 ms (3 frames), so exactly 5 raw frames */
  g_object_set (h->element, "max-samples", 5, "max-age", 80 * GST_MSECOND,
      NULL);
  push_frame (h, 200, 64 * 32, FALSE);
  {
    guint n = 0;

    g_object_get (h->element, "n-samples", &n, NULL);
    fail_unless_equals_int (n, 5);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- readers in other threads while the pipeline writes ---- */

typedef struct
{
  GstElement *sink;
  gint stop;
  guint reads;
  MvtThreadCheck check;
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;

  while (!g_atomic_int_get (&r->stop)) {
    GstSample *s;
    GBytes *b;
    guint n = 0;

    g_object_get (r->sink, "n-samples", &n, NULL);
    /* every index in turn */
    s = get_sample (r->sink, n > 0 ? r->reads % n : 0);
    if (s) {
      GstMapInfo map;
      GstBuffer *buf = gst_sample_get_buffer (s);

      /* reported to the main thread: a failure here must fail the test,
       * not abort a thread under CK_FORK=no */
      if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
        mvt_thread_fail (&r->check, "a kept sample did not map");
      } else {
        if (map.size != 160 * 120 * 3 / 2)
          mvt_thread_fail (&r->check, "a kept sample has the wrong size");
        gst_buffer_unmap (buf, &map);
      }
      gst_sample_unref (s);
    }
    b = get_bytes (r->sink);
    if (b)
      g_bytes_unref (b);
    r->reads++;
  }
  return NULL;
}

static void
run_with_reader (const gchar * desc, const gchar * out)
{
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  Reader r = { NULL, 0, 0, };
  GThread *t;

  fail_unless (pipeline != NULL, "%s", desc);
  r.sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  t = g_thread_new ("reader", reader_thread, &r);
  fail_unless (run_pipeline (pipeline, NULL, NULL) == NULL);
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (t);
  mvt_thread_check (&r.check);
  fail_unless (r.reads > 0);

  if (out) {
    GBytes *bytes = get_bytes (r.sink);

    assert_bytes_equal_file (bytes, out, desc);
    g_bytes_unref (bytes);
  }
  gst_object_unref (r.sink);
  gst_object_unref (pipeline);
}

typedef struct
{
  GstElement *sink;
  guint64 value;
  gint *go;
} MaxMemorySetter;

static gpointer
set_max_memory (gpointer data)
{
  MaxMemorySetter *m = data;

  while (!g_atomic_int_get (m->go))
    g_thread_yield ();
  g_object_set (m->sink, "max-memory", m->value, NULL);
  return NULL;
}

/* Two threads setting max-memory at once leave the pool with the value
 * the property reads (the setting is stored and applied under one lock):
 * with 0 a new sample spills at once, with 1 GiB it stays in RAM.  The
 * frames are larger than a spill block (smaller memories never spill). */
#define CAPS_RACE "video/x-raw,format=GRAY8,width=128,height=64,framerate=25/1"
GST_START_TEST (test_max_memory_setters_race)
{
  GstHarness *h = new_samples_harness (NULL, CAPS_RACE);
  MaxMemorySetter a, b;
  guint round, mismatches = 0;

  for (round = 0; round < 400; round++) {
    GThread *ta, *tb;
    guint64 value, resident;
    gint go = 0;

    a = (MaxMemorySetter) {
    h->element, 0, &go};
    b = (MaxMemorySetter) {
    h->element, G_GUINT64_CONSTANT (1) << 30, &go};
    ta = g_thread_new ("a", set_max_memory, &a);
    tb = g_thread_new ("b", set_max_memory, &b);
    g_atomic_int_set (&go, 1);
    g_thread_join (ta);
    g_thread_join (tb);

    g_signal_emit_by_name (h->element, "clear");
    push_frame (h, round, 128 * 64, FALSE);
    g_object_get (h->element, "max-memory", &value, "resident-bytes",
        &resident, NULL);
    if ((value == 0) != (resident == 0))
      mismatches++;
  }
  fail_unless_equals_int (mismatches, 0);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_concurrent_readers)
{
  gchar *out = g_build_filename (tmpdir, "concurrent.mkv", NULL);
  gchar *desc;

  desc = g_strdup_printf ("videotestsrc num-buffers=300 ! "
      "video/x-raw,format=I420,width=160,height=120 ! "
      "memsink name=sink max-samples=50 max-memory=200000 "
      "spill-directory=%s", tmpdir);
  run_with_reader (desc, NULL);
  g_free (desc);

  desc = g_strdup_printf ("videotestsrc num-buffers=300 ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "matroskamux ! tee name=t t. ! queue ! filesink location=%s "
      "t. ! queue ! memsink name=sink max-memory=%d spill-directory=%s",
      out, MIB, tmpdir);
  run_with_reader (desc, out);
  g_free (desc);
  g_free (out);
}

GST_END_TEST;

static Suite *
memsink_suite (void)
{
  Suite *s = suite_create ("memsink");
  TCase *tc_file = tcase_create ("file");
  TCase *tc_samples = tcase_create ("samples");
  TCase *tc_mux = tcase_create ("muxers");

  suite_add_tcase (s, tc_file);
  tcase_add_checked_fixture (tc_file, setup_tmpdir, teardown_tmpdir);
  tcase_add_test (tc_file, test_file_seek_zero_fill_and_queries);
  tcase_add_test (tc_file, test_file_budget_includes_write_chunk);
  tcase_add_test (tc_file, test_file_bad_segment);
  tcase_add_test (tc_file, test_file_location_saved_atomically);
  tcase_add_test (tc_file, test_file_location_unwritable);
  tcase_add_test (tc_file, test_file_disk_full_while_spilling);

  suite_add_tcase (s, tc_samples);
  tcase_add_checked_fixture (tc_samples, setup_tmpdir, teardown_tmpdir);
  tcase_add_test (tc_samples, test_samples_order_caps_get_pull_clear);
  tcase_add_test (tc_samples, test_samples_pull_blocks_until_data_eos_flush);
  tcase_add_test (tc_samples, test_samples_window_count_and_age);
  tcase_add_test (tc_samples, test_samples_gop_aware_h264);
  tcase_add_test (tc_samples, test_samples_location_is_an_error);
  tcase_add_test (tc_samples, test_samples_new_sample_signal);
  tcase_add_test (tc_samples, test_samples_jpeg_spill);
  tcase_add_test (tc_samples, test_samples_other_pool_kept);
  tcase_add_test (tc_samples, test_samples_zero_copy_from_upstream_pool);
  tcase_add_test (tc_samples, test_auto_time_segment_with_location);
  tcase_add_test (tc_samples, test_properties_while_playing);
  tcase_add_test (tc_samples, test_concurrent_readers);
  tcase_add_test (tc_samples, test_max_memory_setters_race);

  suite_add_tcase (s, tc_mux);
  tcase_add_checked_fixture (tc_mux, setup_tmpdir, teardown_tmpdir);
  tcase_add_test (tc_mux, test_identical_mp4mux);
  tcase_add_test (tc_mux, test_identical_mp4mux_faststart);
  tcase_add_test (tc_mux, test_identical_qtmux);
  tcase_add_test (tc_mux, test_identical_matroskamux);
  tcase_add_test (tc_mux, test_identical_mpegtsmux);
  tcase_add_test (tc_mux, test_identical_oggmux);
  tcase_add_test (tc_mux, test_identical_avimux);

  return s;
}

GST_CHECK_MAIN (memsink);
