/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Generic state-change test for every element of the memvideo plugin:
 * each factory is walked through all the state transitions, up and down,
 * alone and in a bin, and must never fail or leak.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

static GList *elements = NULL;

static void
setup (void)
{
  GstPlugin *plugin;
  GList *features, *f;

  plugin = gst_registry_find_plugin (gst_registry_get (), "memvideo");
  fail_unless (plugin != NULL, "plugin 'memvideo' not found in the registry");
  gst_object_unref (plugin);

  features = gst_registry_get_feature_list_by_plugin (gst_registry_get (),
      "memvideo");
  for (f = features; f; f = f->next) {
    GstPluginFeature *feature = f->data;

    if (!GST_IS_ELEMENT_FACTORY (feature))
      continue;
    /* memsrc needs a serving memsink, as filesrc needs a file: its states
     * are walked with a writer in tests/check/elements/memsrc.c */
    if (g_str_equal (gst_plugin_feature_get_name (feature), "memsrc"))
      continue;
    elements = g_list_prepend (elements,
        g_strdup (gst_plugin_feature_get_name (feature)));
  }
  gst_plugin_feature_list_free (features);
  fail_unless (elements != NULL, "the plugin registers no element");
}

static void
teardown (void)
{
  g_list_free_full (elements, g_free);
  elements = NULL;
}

static void
check_transition (GstElement * element, GstState state)
{
  GstStateChangeReturn ret;

  /* A sink without data stays ASYNC in PAUSED; that is not a failure and
   * the next transition must still work, so do not wait for a preroll. */
  ret = gst_element_set_state (element, state);
  fail_if (ret == GST_STATE_CHANGE_FAILURE,
      "%s: state change to %s failed", GST_ELEMENT_NAME (element),
      gst_element_state_get_name (state));
}

GST_START_TEST (test_state_changes_up_and_down_seq)
{
  GList *l;

  for (l = elements; l; l = l->next) {
    GstElement *element = gst_element_factory_make (l->data, NULL);

    fail_unless (element != NULL, "could not create %s", (gchar *) l->data);
    GST_DEBUG ("testing element %s", (gchar *) l->data);

    check_transition (element, GST_STATE_READY);
    check_transition (element, GST_STATE_PAUSED);
    check_transition (element, GST_STATE_PLAYING);
    check_transition (element, GST_STATE_PAUSED);
    check_transition (element, GST_STATE_READY);
    check_transition (element, GST_STATE_NULL);
    check_transition (element, GST_STATE_PAUSED);
    check_transition (element, GST_STATE_READY);
    check_transition (element, GST_STATE_PLAYING);
    check_transition (element, GST_STATE_PAUSED);
    check_transition (element, GST_STATE_NULL);
    gst_object_unref (element);
  }
}

GST_END_TEST;

GST_START_TEST (test_state_changes_in_bin)
{
  GList *l;

  for (l = elements; l; l = l->next) {
    GstElement *bin = gst_bin_new (NULL);
    GstElement *element = gst_element_factory_make (l->data, NULL);

    fail_unless (element != NULL, "could not create %s", (gchar *) l->data);
    gst_bin_add (GST_BIN (bin), element);

    check_transition (bin, GST_STATE_READY);
    check_transition (bin, GST_STATE_PAUSED);
    check_transition (bin, GST_STATE_PLAYING);
    check_transition (bin, GST_STATE_NULL);
    check_transition (bin, GST_STATE_PLAYING);
    check_transition (bin, GST_STATE_READY);
    check_transition (bin, GST_STATE_NULL);
    gst_object_unref (bin);
  }
}

GST_END_TEST;

static Suite *
states_suite (void)
{
  Suite *s = suite_create ("states_memvideo");
  TCase *tc_chain = tcase_create ("general");

  suite_add_tcase (s, tc_chain);
  tcase_add_checked_fixture (tc_chain, setup, teardown);
  tcase_add_test (tc_chain, test_state_changes_up_and_down_seq);
  tcase_add_test (tc_chain, test_state_changes_in_bin);

  return s;
}

GST_CHECK_MAIN (states);
