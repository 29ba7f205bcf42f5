/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Helpers shared by the test files: bus messages checked by domain, code
 * and text, memsink's action signals, the seed of random tests, and
 * failures of helper threads reported to the main thread.
 */

#ifndef __MEMVIDEO_TEST_H__
#define __MEMVIDEO_TEST_H__

#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

/* For fuzz targets: gst_init and the plugin of this build loaded
 * explicitly (no registry scan of system plugins in every run).  Aborts
 * when the plugin cannot be loaded. */
static inline void
mvt_fuzz_init (void)
{
  static gboolean initialized = FALSE;
  GError *err = NULL;
  GstPlugin *plugin;

  if (initialized)
    return;
  initialized = TRUE;
  gst_init (NULL, NULL);
  plugin = gst_plugin_load_file (TESTS_BUILDDIR "/plugins/libgstmemvideo.so",
      &err);
  if (plugin == NULL) {
    g_printerr ("cannot load the memvideo plugin: %s\n", err->message);
    abort ();
  }
  gst_object_unref (plugin);
}

/* Fuzz targets define MVT_FUZZ_ONLY: they do not link gstcheck */
#ifndef MVT_FUZZ_ONLY

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

/* TRUE under valgrind (MEMVIDEO_UNDER_VALGRIND, the valgrind setup):
 * valgrind 3.19 stops with SIGILL at the rdtscp that libhwy, which
 * gst-libav loads through libjxl, runs when it is loaded (seen on this
 * project's machines although /proc/cpuinfo does not list rdtscp), so a
 * test that decodes H.264 with avdec cannot run under it.  Such tests are
 * left out of that stage only; the build and ASan stages run them. */
static inline gboolean
mvt_h264_decoding_unavailable (void)
{
  if (g_getenv ("MEMVIDEO_UNDER_VALGRIND") == NULL)
    return FALSE;
  g_print ("under valgrind: the tests that decode H.264 are left out "
      "(tests/check/memvideotest.h)\n");
  return TRUE;
}

/* Pops the next ERROR or WARNING (@type) of @bus and checks it: @domain
 * and @code, the user text exactly @text, and @debug_part inside the debug
 * string (NULL: anything). */
static inline void
mvt_expect_message (GstBus * bus, GstMessageType type, GQuark domain,
    gint code, const gchar * text, const gchar * debug_part)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, type);
  GError *error = NULL;
  gchar *debug = NULL;

  fail_unless (msg != NULL, "no %s message (expected \"%s\")",
      gst_message_type_get_name (type), text);
  if (type == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &error, &debug);
  else
    gst_message_parse_warning (msg, &error, &debug);
  fail_unless (g_error_matches (error, domain, code), "%s (%s, %d)",
      error->message, g_quark_to_string (error->domain), error->code);
  fail_unless_equals_string (error->message, text);
  if (debug_part)
    fail_unless (debug && strstr (debug, debug_part) != NULL,
        "debug string \"%s\" lacks \"%s\"", debug, debug_part);
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
}

/* Pops every message of @type, returning how many there were. */
static inline guint
mvt_count_messages (GstBus * bus, GstMessageType type)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, type))) {
    gst_message_unref (msg);
    n++;
  }
  return n;
}

/* Caps and a BYTES segment from 0: a memsink in mode auto becomes a file */
static inline void
mvt_start_file (GstHarness * h)
{
  GstCaps *caps = gst_caps_new_empty_simple ("application/octet-stream");
  GstSegment segment;

  gst_harness_push_event (h, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
}

static inline GBytes *
mvt_get_bytes (GstElement * sink)
{
  GBytes *bytes = NULL;

  g_signal_emit_by_name (sink, "get-bytes", &bytes);
  return bytes;
}

static inline GstSample *
mvt_get_sample (GstElement * sink, guint index)
{
  GstSample *sample = NULL;

  g_signal_emit_by_name (sink, "get-sample", index, &sample);
  return sample;
}

/* The seed of a random test: @env from the environment, else @fixed; it
 * is printed so a failing run can be repeated. */
static inline guint32
mvt_seed (const gchar * env, guint32 fixed)
{
  const gchar *value = g_getenv (env);
  guint32 seed = value ? (guint32) strtoul (value, NULL, 0) : fixed;

  g_print ("%s=%u\n", env, seed);
  return seed;
}

/* A failure seen by a helper thread: the first one is kept and the main
 * thread fails with it (mvt_thread_check), so CK_FORK=no reports a failed
 * test instead of crashing. */
typedef struct
{
  GMutex lock;
  gchar *failure;
} MvtThreadCheck;

static inline void
mvt_thread_fail (MvtThreadCheck * check, const gchar * what)
{
  g_mutex_lock (&check->lock);
  if (check->failure == NULL)
    check->failure = g_strdup (what);
  g_mutex_unlock (&check->lock);
}

static inline void
mvt_thread_check (MvtThreadCheck * check)
{
  gchar *failure;

  g_mutex_lock (&check->lock);
  failure = check->failure;
  check->failure = NULL;
  g_mutex_unlock (&check->lock);
  if (failure) {
    gchar *copy = g_strdup_printf ("helper thread: %s", failure);

    g_free (failure);
    fail ("%s", copy);
  }
}

#endif /* MVT_FUZZ_ONLY */

#endif /* __MEMVIDEO_TEST_H__ */
