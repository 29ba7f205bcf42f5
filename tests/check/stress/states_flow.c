/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * State changes while data flows, for every element: each ordered pair of
 * states (NULL, READY, PAUSED, PLAYING) in turn, then PLAYING <-> NULL
 * many times, each time only after a buffer has reached the element, so
 * the change always races the streaming thread.  No state change may fail,
 * no error may be posted, nothing may leak (the leaks tracer is on for all
 * C tests) and no spill file may be left behind.
 *
 * 1000 PLAYING <-> NULL cycles per pipeline (1 to 3 s each); 100 under
 * valgrind, where a cycle costs about 40 ms and 1000 would take the
 * valgrind stage past ten minutes.  MEMVIDEO_STATE_CYCLES overrides.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#define CAPS "video/x-raw,format=I420,width=64,height=48,framerate=30/1"

static gchar *spill_dir;
static gint buffers_seen;

static void
setup (void)
{
  spill_dir = g_dir_make_tmp ("memvideo-states-XXXXXX", NULL);
  fail_unless (spill_dir != NULL);
}

static void
teardown (void)
{
  GDir *dir;
  const gchar *name;

  /* every spill file and private directory must be gone */
  dir = g_dir_open (spill_dir, 0, NULL);
  fail_unless (dir != NULL);
  name = g_dir_read_name (dir);
  fail_unless (name == NULL, "left behind in %s: %s", spill_dir, name);
  g_dir_close (dir);
  g_rmdir (spill_dir);
  g_free (spill_dir);
}

static guint
n_cycles (void)
{
  if (g_getenv ("MEMVIDEO_STATE_CYCLES"))
    return atoi (g_getenv ("MEMVIDEO_STATE_CYCLES"));
  if (g_getenv ("MEMVIDEO_UNDER_VALGRIND"))
    return 100;
  return 1000;
}

static GstPadProbeReturn
count_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  g_atomic_int_inc (&buffers_seen);
  return GST_PAD_PROBE_OK;
}

static void
check_bus (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
  if (msg) {
    GError *err = NULL;
    gchar *dbg = NULL;

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      gst_message_parse_error (msg, &err, &dbg);
    else
      gst_message_parse_warning (msg, &err, &dbg);
    fail ("%s from %s: %s (%s)", GST_MESSAGE_TYPE_NAME (msg),
        GST_MESSAGE_SRC_NAME (msg), err->message, GST_STR_NULL (dbg));
  }
  /* drop the state-changed and stream-status chatter */
  gst_bus_set_flushing (bus, TRUE);
  gst_bus_set_flushing (bus, FALSE);
  gst_object_unref (bus);
}

/* Sets @state, waits for it, and in PAUSED or PLAYING waits until a new
 * buffer reached the element, so the next change happens mid-stream. */
static void
go (GstElement * pipeline, GstState state)
{
  GstStateChangeReturn ret;
  gint before = g_atomic_int_get (&buffers_seen);
  gint64 deadline;

  ret = gst_element_set_state (pipeline, state);
  fail_if (ret == GST_STATE_CHANGE_FAILURE, "change to %s failed",
      gst_element_state_get_name (state));
  ret = gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND);
  fail_unless (ret == GST_STATE_CHANGE_SUCCESS
      || ret == GST_STATE_CHANGE_NO_PREROLL, "change to %s: %s",
      gst_element_state_get_name (state),
      gst_element_state_change_return_get_name (ret));
  check_bus (pipeline);

  if (state != GST_STATE_PLAYING)
    return;
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get (&buffers_seen) == before) {
    fail_unless (g_get_monotonic_time () < deadline,
        "no buffer reached the element within 10 s of PLAYING");
    g_usleep (200);
  }
}

static void
run_states (const gchar * description, const gchar * element_name)
{
  static const GstState states[] = { GST_STATE_NULL, GST_STATE_READY,
    GST_STATE_PAUSED, GST_STATE_PLAYING
  };
  GstElement *pipeline, *element;
  GstPad *pad;
  GError *err = NULL;
  gchar *launch, **parts;
  guint a, b, i, n = n_cycles ();

  /* @DIR@ stands for this test's spill directory */
  parts = g_strsplit (description, "@DIR@", -1);
  launch = g_strjoinv (spill_dir, parts);
  g_strfreev (parts);
  pipeline = gst_parse_launch (launch, &err);
  fail_unless (pipeline != NULL, "%s: %s", launch, err ? err->message : "");
  g_free (launch);
  element = gst_bin_get_by_name (GST_BIN (pipeline), element_name);
  fail_unless (element != NULL);
  pad = gst_element_get_static_pad (element, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, NULL, NULL);
  gst_object_unref (pad);
  gst_object_unref (element);

  /* every ordered pair of distinct states, twice */
  for (i = 0; i < 2; i++) {
    for (a = 0; a < G_N_ELEMENTS (states); a++) {
      for (b = 0; b < G_N_ELEMENTS (states); b++) {
        if (a == b)
          continue;
        go (pipeline, states[a]);
        go (pipeline, states[b]);
      }
    }
  }
  for (i = 0; i < n; i++) {
    go (pipeline, GST_STATE_PLAYING);
    go (pipeline, GST_STATE_NULL);
  }
  GST_INFO ("%u PLAYING <-> NULL cycles, %d buffers", n,
      g_atomic_int_get (&buffers_seen));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_keyframeselect)
{
  run_states ("videotestsrc pattern=ball ! " CAPS " ! keyframeselect "
      "name=el interval=100000000 settle-time=50000000 ! "
      "fakesink sync=false", "el");
}

GST_END_TEST;

GST_START_TEST (test_memspill)
{
  /* max-memory=0: every frame goes to disk as soon as it is unmapped */
  run_states ("videotestsrc pattern=ball ! " CAPS " ! memspill name=el "
      "max-memory=0 spill-directory=@DIR@ ! queue max-size-buffers=20 ! "
      "fakesink sync=false", "el");
}

GST_END_TEST;

GST_START_TEST (test_memspill_jpeg)
{
  run_states ("videotestsrc pattern=ball ! " CAPS " ! memspill name=el "
      "max-memory=0 spill-format=jpeg spill-directory=@DIR@ ! "
      "fakesink sync=false", "el");
}

GST_END_TEST;

GST_START_TEST (test_memsink_samples)
{
  run_states ("videotestsrc pattern=ball ! " CAPS " ! memsink name=el "
      "max-memory=20000 max-samples=30 spill-directory=@DIR@", "el");
}

GST_END_TEST;

GST_START_TEST (test_memsink_file)
{
  /* matroskamux seeks back over what it wrote: BYTES segments mid-stream */
  run_states ("videotestsrc pattern=ball ! " CAPS " ! matroskamux ! "
      "memsink name=el mode=file max-memory=8192 spill-directory=@DIR@", "el");
}

GST_END_TEST;

GST_START_TEST (test_all_three)
{
  run_states ("videotestsrc pattern=ball ! " CAPS " ! keyframeselect "
      "interval=0 threshold=0.0 settle-time=0 ! memspill max-memory=0 "
      "spill-directory=@DIR@ ! "
      "memsink name=el max-memory=0 max-samples=10 spill-directory=@DIR@",
      "el");
}

GST_END_TEST;

static Suite *
states_flow_suite (void)
{
  Suite *s = suite_create ("states_flow");
  TCase *tc_chain = tcase_create ("general");

  suite_add_tcase (s, tc_chain);
  tcase_set_timeout (tc_chain, 600);
  tcase_add_checked_fixture (tc_chain, setup, teardown);
  tcase_add_test (tc_chain, test_keyframeselect);
  tcase_add_test (tc_chain, test_memspill);
  tcase_add_test (tc_chain, test_memspill_jpeg);
  tcase_add_test (tc_chain, test_memsink_samples);
  tcase_add_test (tc_chain, test_memsink_file);
  tcase_add_test (tc_chain, test_all_three);

  return s;
}

GST_CHECK_MAIN (states_flow);
