/* gst-memvideo
 * Quality of keyframeselect on the generated clips, against their ground
 * truth (tests/media/ground-truth.ini, see tests/media/README.md).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Every [check NAME] group of the ground truth is one loop iteration: the
 * clip is decoded (filesrc ! decodebin ! videoconvert), run through
 * keyframeselect with the check's properties, and the selections seen in
 * the element messages, the buffers and their metas are compared with the
 * expected frames.  When a check fails, the per-frame scores of the same
 * run with drop=false are printed first, so a failure says by how much.
 * Set KFS_QUALITY_VERBOSE=1 to print them for every check. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <gst/check/gstcheck.h>

#include "memvideotest.h"
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#define MEDIA_DIR TESTS_BUILDDIR "/tests/media"
#define META_NAME "GstKeyframeSelectMeta"

/* the [check NAME] groups this test knows; test_checks_cover_ground_truth
 * makes sure none is forgotten */
static const gchar *check_names[] = {
  "slides-default", "slides-mean", "typing-quiet", "cursor-quiet",
  "noise-quiet", "webcam-roi", "webcam-default", "cuts-previous",
  "fade-settle", "fade-default", "dissolve-settle", "dissolve-default",
  "flash-default", "flash-no-settle", "flash-settle",
  "scroll-previous", "scroll-last-selected",
};

typedef struct
{
  guint64 frame;
  gdouble score;
  gchar *reason;
} Selection;

typedef struct
{
  GMutex lock;                  /* guards everything below */
  GArray *buffers;              /* Selection, from the metas */
  GPtrArray *lumas;             /* guint8 *, copy of each buffer's Y plane */
  GArray *scores;               /* gdouble per frame (drop=false runs) */
  GstElement *kfs;
  gboolean keep_luma;
  GstVideoInfo info;
} Collect;

static GKeyFile *
load_ground_truth (void)
{
  GKeyFile *kf = g_key_file_new ();
  GError *err = NULL;

  if (!g_key_file_load_from_file (kf, MEDIA_DIR "/ground-truth.ini",
          G_KEY_FILE_NONE, &err))
    fail ("cannot read %s/ground-truth.ini (built by the test-media "
        "target): %s", MEDIA_DIR, err->message);
  return kf;
}

static void
selection_clear (gpointer p)
{
  g_free (((Selection *) p)->reason);
}

static guint8 *
copy_luma (GstBuffer * buf, const GstVideoInfo * info)
{
  GstVideoFrame vf;
  guint8 *luma;
  gint row, w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);

  fail_unless (gst_video_frame_map (&vf, info, buf, GST_MAP_READ));
  luma = g_malloc ((gsize) w * h);
  for (row = 0; row < h; row++)
    memcpy (luma + (gsize) row * w,
        (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&vf, 0) +
        (gsize) row * GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0), w);
  gst_video_frame_unmap (&vf);
  return luma;
}

static GstFlowReturn
on_new_sample (GstAppSink * sink, gpointer user_data)
{
  Collect *c = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, META_NAME);

  g_mutex_lock (&c->lock);
  if (c->kfs != NULL) {
    gdouble score;

    /* drop=false: every frame passes, the score of this frame is the last
     * one the element computed (same streaming thread) */
    g_object_get (c->kfs, "last-score", &score, NULL);
    g_array_append_val (c->scores, score);
  }
  if (meta != NULL) {
    GstStructure *s = gst_custom_meta_get_structure (meta);
    Selection sel = { 0, };

    fail_unless (gst_structure_get_uint64 (s, "frame", &sel.frame));
    fail_unless (gst_structure_get_double (s, "score", &sel.score));
    sel.reason = g_strdup (gst_structure_get_string (s, "reason"));
    fail_unless (sel.reason != NULL);
    g_array_append_val (c->buffers, sel);
    if (c->keep_luma) {
      if (GST_VIDEO_INFO_WIDTH (&c->info) == 0)
        fail_unless (gst_video_info_from_caps (&c->info,
                gst_sample_get_caps (sample)));
      g_ptr_array_add (c->lumas, copy_luma (buf, &c->info));
    }
  }
  g_mutex_unlock (&c->lock);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static void
set_properties (GstElement * kfs, const gchar * properties)
{
  gchar **props = g_strsplit (properties, " ", -1);
  gchar **p;

  for (p = props; *p != NULL; p++) {
    gchar **kv;

    if (**p == '\0')
      continue;
    kv = g_strsplit (*p, "=", 2);
    fail_unless (kv[1] != NULL, "bad property '%s' in ground truth", *p);
    fail_unless (g_object_class_find_property (G_OBJECT_GET_CLASS (kfs),
            kv[0]) != NULL, "keyframeselect has no property '%s'", kv[0]);
    gst_util_set_object_arg (G_OBJECT (kfs), kv[0], kv[1]);
    g_strfreev (kv);
  }
  g_strfreev (props);
}

/* Decodes @file through keyframeselect with @properties; returns the
 * selections from the element messages.  @c collects the buffers. */
static GArray *
run_clip (const gchar * file, const gchar * properties, gboolean drop,
    Collect * c)
{
  GstAppSinkCallbacks cb = { NULL, NULL, on_new_sample, };
  GArray *msgs = g_array_new (FALSE, TRUE, sizeof (Selection));
  GError *err = NULL;
  gchar *desc;
  GstElement *pipeline, *kfs, *sink;
  GstBus *bus;
  gboolean done = FALSE, summary = FALSE;

  g_array_set_clear_func (msgs, selection_clear);
  desc = g_strdup_printf ("filesrc location=\"%s/%s\" ! decodebin "
      "! videoconvert ! video/x-raw,format=I420 ! keyframeselect name=kfs "
      "! appsink name=sink sync=false", MEDIA_DIR, file);
  pipeline = gst_parse_launch (desc, &err);
  fail_unless (pipeline != NULL && err == NULL, "cannot build %s: %s", desc,
      err ? err->message : "?");
  g_free (desc);
  kfs = gst_bin_get_by_name (GST_BIN (pipeline), "kfs");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  set_properties (kfs, properties);
  g_object_set (kfs, "drop", drop, NULL);
  if (!drop)
    c->kfs = kfs;
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, c, NULL);

  bus = gst_element_get_bus (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    const GstStructure *s;

    fail_unless (msg != NULL, "no EOS after 60 s decoding %s", file);
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ERROR:{
        GError *err = NULL;
        gchar *dbg = NULL;

        gst_message_parse_error (msg, &err, &dbg);
        fail ("error decoding %s: %s (%s)", file, err->message, dbg);
        break;
      }
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      default:
        s = gst_message_get_structure (msg);
        if (GST_MESSAGE_SRC (msg) != GST_OBJECT (kfs))
          break;
        if (gst_structure_has_name (s, "keyframeselect")) {
          Selection sel = { 0, };

          fail_unless (gst_structure_get_uint64 (s, "frame", &sel.frame));
          fail_unless (gst_structure_get_double (s, "score", &sel.score));
          sel.reason = g_strdup (gst_structure_get_string (s, "reason"));
          g_array_append_val (msgs, sel);
        } else if (gst_structure_has_name (s, "keyframeselect-summary")) {
          summary = TRUE;
        }
        break;
    }
    gst_message_unref (msg);
  }
  fail_unless (summary, "no keyframeselect-summary message before EOS");

  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_mutex_lock (&c->lock);
  c->kfs = NULL;
  g_mutex_unlock (&c->lock);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (kfs);
  gst_object_unref (pipeline);
  return msgs;
}

static void
collect_init (Collect * c, gboolean keep_luma)
{
  memset (c, 0, sizeof (*c));
  g_mutex_init (&c->lock);
  c->buffers = g_array_new (FALSE, TRUE, sizeof (Selection));
  g_array_set_clear_func (c->buffers, selection_clear);
  c->lumas = g_ptr_array_new_with_free_func (g_free);
  c->scores = g_array_new (FALSE, TRUE, sizeof (gdouble));
  c->keep_luma = keep_luma;
  gst_video_info_init (&c->info);
}

static void
collect_clear (Collect * c)
{
  g_array_unref (c->buffers);
  g_ptr_array_unref (c->lumas);
  g_array_unref (c->scores);
  g_mutex_clear (&c->lock);
}

static gchar *
format_selections (GArray * sels)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < sels->len; i++) {
    Selection *sel = &g_array_index (sels, Selection, i);

    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT " (%s, %.4f)",
        i ? ", " : "", sel->frame, sel->reason, sel->score);
  }
  return g_string_free (s, FALSE);
}

/* The scores of every frame with the same properties, drop=false. */
static void
print_scores (const gchar * name, const gchar * file, const gchar * props)
{
  Collect c;
  GArray *msgs;
  GString *s = g_string_new (NULL);
  gdouble threshold, max = 0;
  guint noise;
  guint i;
  gchar *sel;

  collect_init (&c, FALSE);
  msgs = run_clip (file, props, FALSE, &c);
  for (i = 0; i < c.scores->len; i++) {
    gdouble v = g_array_index (c.scores, gdouble, i);

    max = MAX (max, v);
    if (v >= 0.0005)
      g_string_append_printf (s, " %u:%.4f", i, v);
  }
  {
    /* the values the element used, for the report */
    GstElement *kfs = gst_element_factory_make ("keyframeselect", NULL);

    set_properties (kfs, props);
    g_object_get (kfs, "threshold", &threshold, "noise-level", &noise, NULL);
    gst_object_unref (kfs);
  }
  sel = format_selections (msgs);
  g_printerr ("%s (%s, %s): threshold %.4f noise-level %u, max score %.4f "
      "over %u frames\n  selected with drop=false: %s\n"
      "  scores >= 0.0005:%s\n",
      name, file, *props ? props : "defaults", threshold, noise, max,
      c.scores->len, sel, s->str);
  g_free (sel);
  g_string_free (s, TRUE);
  g_array_unref (msgs);
  collect_clear (&c);
}

/* Y planes of the decoded frames listed in @frames, in order. */
static GPtrArray *
decode_frames (const gchar * file, const gint * frames, guint n)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gchar *desc = g_strdup_printf ("filesrc location=\"%s/%s\" ! decodebin "
      "! videoconvert ! video/x-raw,format=I420 ! appsink name=sink "
      "sync=false", MEDIA_DIR, file);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstSample *sample;
  guint64 index = 0;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while (out->len < n
      && (sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL) {
    if (index == (guint64) frames[out->len]) {
      GstVideoInfo info;

      fail_unless (gst_video_info_from_caps (&info,
              gst_sample_get_caps (sample)));
      g_ptr_array_add (out, copy_luma (gst_sample_get_buffer (sample), &info));
    }
    index++;
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (out->len, n);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
  return out;
}

static gdouble
mean_abs_diff (const guint8 * a, const guint8 * b, gsize n)
{
  guint64 sum = 0;
  gsize i;

  for (i = 0; i < n; i++)
    sum += ABS ((gint) a[i] - (gint) b[i]);
  return (gdouble) sum / n;
}

/* Returns NULL when the selections match the check, or what is wrong. */
static gchar *
judge (GArray * msgs, const gint * select, gchar ** reasons, gsize n,
    gint late, gint min_count)
{
  guint i, matched = 0;

  for (i = 0; i < msgs->len; i++) {
    Selection *sel = &g_array_index (msgs, Selection, i);

    if (matched < n && sel->frame >= (guint64) select[matched]
        && sel->frame <= (guint64) (select[matched] + late)) {
      if (g_strcmp0 (sel->reason, reasons[matched]) != 0)
        return g_strdup_printf ("frame %" G_GUINT64_FORMAT " has reason "
            "'%s', expected '%s'", sel->frame, sel->reason, reasons[matched]);
      matched++;
    } else if (min_count == 0) {
      return g_strdup_printf ("unexpected selection of frame %"
          G_GUINT64_FORMAT " (score %.4f, %s)", sel->frame, sel->score,
          sel->reason);
    }
  }
  if (matched < n)
    return g_strdup_printf ("frame %d not selected (allowed up to frame %d)",
        select[matched], select[matched] + late);
  if (msgs->len < (guint) min_count)
    return g_strdup_printf ("%u selections, expected at least %d",
        msgs->len, min_count);
  return NULL;
}

static void
run_check (const gchar * name)
{
  GKeyFile *kf = load_ground_truth ();
  gchar *group = g_strdup_printf ("check %s", name), *cgroup;
  gchar *clip, *file, *props, **reasons, *problem;
  gint *select, late, min_count;
  gsize n, n_reasons;
  gboolean final_picture;
  Collect c;
  GArray *msgs;
  guint i;

  clip = g_key_file_get_string (kf, group, "clip", NULL);
  fail_unless (clip != NULL, "no [%s] in the ground truth", group);
  cgroup = g_strdup_printf ("clip %s", clip);
  file = g_key_file_get_string (kf, cgroup, "file", NULL);
  props = g_key_file_get_string (kf, group, "properties", NULL);
  select = g_key_file_get_integer_list (kf, group, "select", &n, NULL);
  reasons = g_key_file_get_string_list (kf, group, "reasons", &n_reasons, NULL);
  late = g_key_file_get_integer (kf, group, "late", NULL);
  min_count = g_key_file_get_integer (kf, group, "min-count", NULL);
  final_picture = g_key_file_get_boolean (kf, group, "final-picture", NULL);
  fail_unless (file && props && select && reasons && n == n_reasons,
      "incomplete [%s] in the ground truth", group);

  if (g_getenv ("KFS_QUALITY_VERBOSE"))
    print_scores (name, file, props);

  collect_init (&c, final_picture);
  msgs = run_clip (file, props, TRUE, &c);
  problem = judge (msgs, select, reasons, n, late, min_count);
  if (problem != NULL) {
    gchar *got = format_selections (msgs);

    if (!g_getenv ("KFS_QUALITY_VERBOSE"))
      print_scores (name, file, props);
    fail ("%s: %s; selected: %s (%s)", name, problem, got,
        g_key_file_get_string (kf, group, "why", NULL));
  }

  /* drop=true: exactly the selected buffers come out, each with a meta
   * that agrees with its message */
  fail_unless_equals_int (c.buffers->len, msgs->len);
  for (i = 0; i < msgs->len; i++) {
    Selection *m = &g_array_index (msgs, Selection, i);
    Selection *b = &g_array_index (c.buffers, Selection, i);

    fail_unless_equals_uint64 (b->frame, m->frame);
    fail_unless_equals_string (b->reason, m->reason);
    fail_unless_equals_float (b->score, m->score);
  }

  if (final_picture) {
    GPtrArray *want = decode_frames (file, select, n);
    gsize luma = (gsize) GST_VIDEO_INFO_WIDTH (&c.info) *
        GST_VIDEO_INFO_HEIGHT (&c.info);

    for (i = 0; i < n; i++) {
      gdouble d = mean_abs_diff (g_ptr_array_index (c.lumas, i),
          g_ptr_array_index (want, i), luma);

      fail_unless (d <= 2.0, "%s: selection %u (frame %" G_GUINT64_FORMAT
          ") differs from the final picture (frame %d) by %.2f luma on "
          "average", name, i, g_array_index (msgs, Selection, i).frame,
          select[i], d);
    }
    g_ptr_array_unref (want);
  }

  g_array_unref (msgs);
  collect_clear (&c);
  g_free (problem);
  g_strfreev (reasons);
  g_free (select);
  g_free (props);
  g_free (file);
  g_free (cgroup);
  g_free (clip);
  g_free (group);
  g_key_file_unref (kf);
}

GST_START_TEST (test_check)
{
  run_check (check_names[__i__]);
}

GST_END_TEST;

GST_START_TEST (test_checks_cover_ground_truth)
{
  GKeyFile *kf = load_ground_truth ();
  gchar **groups = g_key_file_get_groups (kf, NULL);
  gchar **g;
  guint checks = 0, i;

  for (g = groups; *g != NULL; g++) {
    gboolean known = FALSE;

    if (!g_str_has_prefix (*g, "check "))
      continue;
    checks++;
    for (i = 0; i < G_N_ELEMENTS (check_names); i++)
      known |= g_str_equal (*g + 6, check_names[i]);
    fail_unless (known, "[%s] of the ground truth is not run", *g);
  }
  fail_unless_equals_int (checks, G_N_ELEMENTS (check_names));
  g_strfreev (groups);
  g_key_file_unref (kf);
}

GST_END_TEST;

static Suite *
keyframeselect_quality_suite (void)
{
  Suite *s = suite_create ("keyframeselect_quality");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_checks_cover_ground_truth);
  if (!mvt_h264_decoding_unavailable ())
    tcase_add_loop_test (tc, test_check, 0, G_N_ELEMENTS (check_names));
  return s;
}

GST_CHECK_MAIN (keyframeselect_quality);
