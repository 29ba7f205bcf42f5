/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The fast path (fastscan.h): one pipeline
 *
 *   uridecodebin ! videoconvert ! video/x-raw,format=I420 ! appsink
 *
 * pulled from the calling thread.  A buffer probe on the sink pad of every
 * video decoder drops delta units while keyframes_only is set (pass 1);
 * pass 2 clears it and seeks to the keyframe before a change.  The
 * decision state between the passes is the last selected proxy and its
 * time: a fresh selector fed that proxy at that time, then the frames of
 * the GOP, decides exactly as keyframeselect's selector would have. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "fastscan.h"

GST_DEBUG_CATEGORY_STATIC (fast_scan_debug);
#define GST_CAT_DEFAULT fast_scan_debug

#define PULL_TIMEOUT (100 * GST_MSECOND)

typedef struct
{
  const MemvideoFastScanParams *p;
  MemvideoFastScanResult *res;
  GstElement *pipeline;
  GstAppSink *sink;
  gint keyframes_only;          /* atomic; read by the probe */
  gboolean eos;
  gboolean in_gop;              /* EOS came in pass 2 */

  MemvideoProxyBuilder *builder;
  MemvideoLumaProxy proxy;      /* of the frame just pulled */

  /* the decision between GOPs: last selected picture and its time */
  gboolean have_ref;
  MemvideoLumaProxy ref;
  GstClockTime last_t;

  /* the previous keyframe of pass 1 */
  gboolean have_key;
  MemvideoLumaProxy key;
  GstClockTime key_t;
  GstSample *key_sample;

  /* every frame up to this stream time has been decided on */
  GstClockTime covered;
} Scan;

static void
clear_sample (GstSample ** sample)
{
  if (*sample != NULL)
    gst_sample_unref (*sample);
  *sample = NULL;
}

GQuark
memvideo_fast_scan_error_quark (void)
{
  return g_quark_from_static_string ("memvideo-fast-scan-error-quark");
}

/* keyframeselect's defaults (a test compares them with the element's). */
void
memvideo_fast_scan_params_init (MemvideoFastScanParams * params)
{
  memset (params, 0, sizeof (*params));
  params->params.metric = MEMVIDEO_KEYFRAME_METRIC_AREA;
  params->params.threshold = 0.017;
  params->params.noise_level = 16;
  params->params.reference = MEMVIDEO_KEYFRAME_REFERENCE_LAST_SELECTED;
  params->params.interval = 30 * GST_SECOND;
  params->params.min_interval = 0;
  params->params.settle_time = 300 * GST_MSECOND;
  params->params.max_selected = 0;
  params->params.adaptive_ratio = 3.0;
  params->params.adaptive_window = 2;
  params->analysis_width = 160;
  params->long_gop = 10 * GST_SECOND;
}

void
memvideo_fast_scan_result_free (MemvideoFastScanResult * result)
{
  guint i;

  if (result == NULL)
    return;
  for (i = 0; i < result->selections->len; i++)
    gst_sample_unref (g_array_index (result->selections,
            MemvideoFastSelection, i).sample);
  g_array_unref (result->selections);
  g_free (result);
}

static GstPadProbeReturn
drop_delta_units (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Scan *scan = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  if (g_atomic_int_get (&scan->keyframes_only)
      && GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

static void
on_element_added (GstBin * bin, GstBin * sub, GstElement * element,
    gpointer user_data)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  const gchar *klass;
  GstPad *pad;

  if (factory == NULL)
    return;
  klass = gst_element_factory_get_metadata (factory,
      GST_ELEMENT_METADATA_KLASS);
  if (klass == NULL || strstr (klass, "Decoder") == NULL
      || strstr (klass, "Video") == NULL)
    return;
  pad = gst_element_get_static_pad (element, "sink");
  if (pad == NULL)
    return;
  GST_DEBUG ("dropping delta units before %s", GST_ELEMENT_NAME (element));
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, drop_delta_units,
      user_data, NULL);
  gst_object_unref (pad);
}

/* A file:// or fd:// URI that is not a regular file (a pipe, a FIFO, a
 * device) cannot seek; found before anything reads from it, so that the
 * full path still can. */
static gboolean
check_file_seekable (const gchar * uri, GError ** error)
{
  gchar *path = NULL;
  struct stat st;
  gint fd = -1;
  gboolean known;

  if (g_str_has_prefix (uri, "file:")) {
    path = g_filename_from_uri (uri, NULL, NULL);
    known = path != NULL && g_stat (path, &st) == 0;
  } else if (g_str_has_prefix (uri, "fd://")) {
    fd = atoi (uri + 5);
    known = fstat (fd, &st) == 0;
  } else {
    return TRUE;
  }
  if (known && !S_ISREG (st.st_mode)) {
    if (path != NULL)
      g_set_error (error, MEMVIDEO_FAST_SCAN_ERROR,
          MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE,
          "%s is not a regular file and cannot seek", path);
    else
      g_set_error (error, MEMVIDEO_FAST_SCAN_ERROR,
          MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE,
          "file descriptor %d is not a regular file and cannot seek", fd);
  }
  g_free (path);
  return !known || S_ISREG (st.st_mode);
}

static gboolean
build_pipeline (Scan * scan, const gchar * uri, GError ** error)
{
  GstElement *dec;

  scan->pipeline = gst_parse_launch ("uridecodebin name=dec dec. ! "
      "videoconvert ! video/x-raw,format=I420 ! appsink name=sink "
      "sync=false max-buffers=4", error);
  if (scan->pipeline == NULL)
    return FALSE;
  dec = gst_bin_get_by_name (GST_BIN (scan->pipeline), "dec");
  g_object_set (dec, "uri", uri, NULL);
  g_signal_connect (dec, "deep-element-added", G_CALLBACK (on_element_added),
      scan);
  gst_object_unref (dec);
  scan->sink = GST_APP_SINK (gst_bin_get_by_name (GST_BIN (scan->pipeline),
          "sink"));
  return TRUE;
}

/* appsink reuses the sample it hands out (and warns when it is still
 * held): a copy to keep. */
static GstSample *
keep_sample (GstSample * sample)
{
  return gst_sample_new (gst_sample_get_buffer (sample),
      gst_sample_get_caps (sample), gst_sample_get_segment (sample), NULL);
}

/* The next sample, or NULL at EOS (scan->eos) or on an error (@error). */
static GstSample *
pull (Scan * scan, GError ** error)
{
  GstBus *bus = gst_element_get_bus (scan->pipeline);
  GstSample *sample = NULL;

  while (sample == NULL) {
    GstMessage *msg;

    sample = gst_app_sink_try_pull_sample (scan->sink, PULL_TIMEOUT);
    if (sample != NULL) {
      GstSample *copy = keep_sample (sample);

      gst_sample_unref (sample);
      sample = copy;
      break;
    }
    if (gst_app_sink_is_eos (scan->sink)) {
      scan->eos = TRUE;
      break;
    }
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg != NULL) {
      GError *err = NULL;

      gst_message_parse_error (msg, &err, NULL);
      g_set_error (error, MEMVIDEO_FAST_SCAN_ERROR,
          MEMVIDEO_FAST_SCAN_ERROR_FAILED, "%s", err->message);
      g_error_free (err);
      gst_message_unref (msg);
      break;
    }
  }
  gst_object_unref (bus);
  return sample;
}

/* Builds scan->proxy from @sample; returns its stream time. */
static GstClockTime
analyse (Scan * scan, GstSample * sample)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  const GstSegment *seg = gst_sample_get_segment (sample);
  GstVideoInfo info;
  GstVideoFrame frame;
  MemvideoLumaSource src;
  MemvideoRect roi;

  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      !gst_video_frame_map (&frame, &info, buf, GST_MAP_READ))
    return GST_CLOCK_TIME_NONE;
  if (memvideo_luma_source_init_from_frame (&src, &frame)) {
    memvideo_keyframe_clamp_roi (&scan->p->roi, src.width, src.height, &roi);
    memvideo_proxy_builder_build (scan->builder, &src, &roi,
        scan->p->analysis_width, &scan->proxy);
  }
  gst_video_frame_unmap (&frame);
  return gst_segment_to_stream_time (seg, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf));
}

static void
add_selection (Scan * scan, GstSample * sample, GstClockTime t,
    MemvideoKeyframeReason reason, gdouble score,
    const MemvideoLumaProxy * proxy)
{
  MemvideoFastSelection sel;
  GstVideoInfo info;

  sel.pts = GST_BUFFER_PTS (gst_sample_get_buffer (sample));
  sel.stream_time = t;
  sel.reason = reason;
  sel.score = score;
  sel.sample = gst_sample_ref (sample);
  sel.frame = G_MAXUINT64;
  if (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) &&
      GST_VIDEO_INFO_FPS_N (&info) > 0 && GST_VIDEO_INFO_FPS_D (&info) > 0)
    sel.frame = gst_util_uint64_scale_round (t, GST_VIDEO_INFO_FPS_N (&info),
        GST_VIDEO_INFO_FPS_D (&info) * GST_SECOND);
  g_array_append_val (scan->res->selections, sel);
  GST_DEBUG ("selected %s at %" GST_TIME_FORMAT ", score %.4f",
      memvideo_keyframe_reason_name (reason), GST_TIME_ARGS (t), score);

  memvideo_luma_proxy_copy (&scan->ref, proxy);
  scan->have_ref = TRUE;
  scan->last_t = t;
}

static gboolean
limit_reached (Scan * scan)
{
  return scan->p->params.max_selected > 0 &&
      scan->res->selections->len >= scan->p->params.max_selected;
}

static gboolean
seek_to (Scan * scan, GstClockTime t)
{
  return gst_element_seek (scan->pipeline, 1.0, GST_FORMAT_TIME,
      GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET, t,
      GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE);
}

typedef struct
{
  MemvideoKeyframeSelector *sel;
  MemvideoKeyframeParams params;
  GstSample *cand;
  MemvideoLumaProxy cand_proxy;
  GstClockTime cand_t;
} Gop;

/* The selector's verdict on the frame in scan->proxy (@sample at @t). */
static void
gop_act (Scan * scan, Gop * gop, GstSample * sample, GstClockTime t,
    const MemvideoKeyframeResult * r)
{
  if (r->release_pending)
    clear_sample (&gop->cand);
  switch (r->action) {
    case MEMVIDEO_KEYFRAME_ACTION_SELECT:
      add_selection (scan, sample, t, r->reason, r->score, &scan->proxy);
      break;
    case MEMVIDEO_KEYFRAME_ACTION_HOLD:
      clear_sample (&gop->cand);
      gop->cand = gst_sample_ref (sample);
      memvideo_luma_proxy_copy (&gop->cand_proxy, &scan->proxy);
      gop->cand_t = t;
      break;
    case MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING:
      add_selection (scan, gop->cand, gop->cand_t,
          MEMVIDEO_KEYFRAME_REASON_CHANGE, r->score, &gop->cand_proxy);
      clear_sample (&gop->cand);
      break;
    case MEMVIDEO_KEYFRAME_ACTION_DROP:
      break;
  }
}

/* Pass 2: every frame from the keyframe at @from through @to (and on while
 * a change settles) through a selector that starts from the last
 * selection. */
static gboolean
run_gop (Scan * scan, GstClockTime from, GstClockTime to, GError ** error)
{
  Gop gop = { memvideo_keyframe_selector_new (), scan->p->params, NULL, };
  MemvideoKeyframeResult r;
  GError *err = NULL;
  gdouble score;

  GST_DEBUG ("decoding the GOP %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT,
      GST_TIME_ARGS (from), GST_TIME_ARGS (to));
  scan->res->gops++;
  memvideo_luma_proxy_init (&gop.cand_proxy);
  /* periodic selections are pass 1's, on keyframes */
  gop.params.interval = 0;
  gop.params.max_selected = 0;
  memvideo_keyframe_selector_push (gop.sel, &gop.params, &scan->ref, NULL,
      scan->last_t, &r);

  g_atomic_int_set (&scan->keyframes_only, 0);
  if (seek_to (scan, from)) {
    while (!limit_reached (scan)) {
      GstSample *sample = pull (scan, &err);
      GstClockTime t;

      if (sample == NULL)
        break;
      t = analyse (scan, sample);
      if (GST_CLOCK_TIME_IS_VALID (t) && t >= from && t > scan->covered) {
        scan->res->gop_frames++;
        memvideo_keyframe_selector_push (gop.sel, &gop.params, &scan->proxy,
            NULL, t, &r);
        gop_act (scan, &gop, sample, t, &r);
        scan->covered = t;
      }
      gst_sample_unref (sample);
      if (scan->covered >= to
          && !memvideo_keyframe_selector_has_pending (gop.sel))
        break;
    }
  } else {
    g_set_error (&err, MEMVIDEO_FAST_SCAN_ERROR,
        MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE, "the input refused a seek");
  }
  if (scan->eos && gop.cand != NULL && !limit_reached (scan) &&
      memvideo_keyframe_selector_finish (gop.sel, &gop.params, &score))
    add_selection (scan, gop.cand, gop.cand_t,
        MEMVIDEO_KEYFRAME_REASON_CHANGE, score, &gop.cand_proxy);
  clear_sample (&gop.cand);
  memvideo_luma_proxy_clear (&gop.cand_proxy);
  memvideo_keyframe_selector_free (gop.sel);

  g_atomic_int_set (&scan->keyframes_only, 1);
  scan->in_gop = scan->eos;
  if (err != NULL) {
    g_propagate_error (error, err);
    return FALSE;
  }
  /* back to where pass 2 stopped, which is skipped again (a seek past a
   * frame's PTS would clip its PTS to the segment start) */
  if (!scan->eos && !limit_reached (scan) && !seek_to (scan, scan->covered)) {
    g_set_error (error, MEMVIDEO_FAST_SCAN_ERROR,
        MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE, "the input refused a seek");
    return FALSE;
  }
  return TRUE;
}

static void
remember_key (Scan * scan, GstSample * sample, GstClockTime t)
{
  memvideo_luma_proxy_copy (&scan->key, &scan->proxy);
  scan->key_t = t;
  scan->have_key = TRUE;
  clear_sample (&scan->key_sample);
  scan->key_sample = gst_sample_ref (sample);
}

static gdouble
score_ref (Scan * scan, const MemvideoLumaProxy * proxy)
{
  return memvideo_keyframe_score (scan->p->params.metric,
      scan->p->params.noise_level, &scan->ref, proxy);
}

/* The heartbeat on the keyframe at @t or the one before, whichever is
 * nearer to the time it is due; TRUE when the one before took it (the
 * keyframe at @t must be judged again). */
static gboolean
periodic (Scan * scan, GstSample * sample, GstClockTime t)
{
  GstClockTime due = scan->last_t + scan->p->params.interval;

  if (scan->have_key && scan->key_t > scan->last_t && due - scan->key_t <
      t - due) {
    add_selection (scan, scan->key_sample, scan->key_t,
        MEMVIDEO_KEYFRAME_REASON_PERIODIC, score_ref (scan, &scan->key),
        &scan->key);
    return TRUE;
  }
  add_selection (scan, sample, t, MEMVIDEO_KEYFRAME_REASON_PERIODIC,
      score_ref (scan, &scan->proxy), &scan->proxy);
  return FALSE;
}

static gboolean
periodic_due (Scan * scan, GstClockTime t)
{
  return scan->p->params.interval > 0 &&
      t - scan->last_t >= scan->p->params.interval;
}

/* Pass 1 on the keyframe in scan->proxy (@sample at @t). */
static gboolean
on_keyframe (Scan * scan, GstSample * sample, GstClockTime t, GError ** error)
{
  MemvideoLumaProxy here;
  gdouble score;
  gboolean ok = TRUE;

  scan->res->keyframes++;
  GST_LOG ("keyframe at %" GST_TIME_FORMAT, GST_TIME_ARGS (t));
  if (!scan->have_ref) {
    add_selection (scan, sample, t, MEMVIDEO_KEYFRAME_REASON_FIRST, 0.0,
        &scan->proxy);
    scan->covered = t;
    remember_key (scan, sample, t);
    return TRUE;
  }
  if (scan->have_key && t - scan->key_t > scan->res->longest_gop)
    scan->res->longest_gop = t - scan->key_t;

  memvideo_luma_proxy_init (&here);
  memvideo_luma_proxy_copy (&here, &scan->proxy);
  score = score_ref (scan, &here);
  if (score < scan->p->params.threshold && periodic_due (scan, t)) {
    /* the keyframe before took the heartbeat: judge this one again */
    score = periodic (scan, sample, t) ? score_ref (scan, &here) : 0.0;
  }
  if (score >= scan->p->params.threshold && !limit_reached (scan))
    ok = run_gop (scan, scan->have_key ? scan->key_t : scan->covered, t, error);
  else
    scan->covered = MAX (scan->covered, t);
  memvideo_luma_proxy_copy (&scan->proxy, &here);
  memvideo_luma_proxy_clear (&here);
  remember_key (scan, sample, t);
  return ok;
}

static gboolean
check_seekable (Scan * scan, GError ** error)
{
  GstQuery *q = gst_query_new_seeking (GST_FORMAT_TIME);
  gboolean seekable = FALSE;

  if (gst_element_query (scan->pipeline, q))
    gst_query_parse_seeking (q, NULL, &seekable, NULL, NULL);
  gst_query_unref (q);
  if (!seekable)
    g_set_error (error, MEMVIDEO_FAST_SCAN_ERROR,
        MEMVIDEO_FAST_SCAN_ERROR_NOT_SEEKABLE, "the input cannot seek");
  return seekable;
}

static gboolean
scan_all (Scan * scan, GError ** error)
{
  gboolean ok = TRUE, checked = FALSE;

  while (ok && !scan->eos && !limit_reached (scan)) {
    GstSample *sample = pull (scan, error);
    GstClockTime t;

    if (sample == NULL) {
      ok = scan->eos;
      break;
    }
    if (!checked) {
      checked = TRUE;
      ok = check_seekable (scan, error);
    }
    t = analyse (scan, sample);
    if (ok && GST_CLOCK_TIME_IS_VALID (t) && (!scan->have_ref
            || t > scan->covered))
      ok = on_keyframe (scan, sample, t, error);
    gst_sample_unref (sample);
  }
  if (ok && !checked) {
    g_set_error (error, MEMVIDEO_FAST_SCAN_ERROR,
        MEMVIDEO_FAST_SCAN_ERROR_NO_VIDEO, "the input has no video frames");
    return FALSE;
  }
  /* pass 1 ended (not pass 2): no keyframe follows the last GOP to show
   * whether it changed, so it is decoded */
  if (ok && scan->eos && !scan->in_gop && scan->have_key &&
      !limit_reached (scan)) {
    scan->eos = FALSE;
    ok = run_gop (scan, scan->key_t, GST_CLOCK_TIME_NONE, error);
  }
  return ok;
}

MemvideoFastScanResult *
memvideo_fast_scan (const gchar * uri, const MemvideoFastScanParams * params,
    GError ** error)
{
  Scan scan = { params, NULL, };
  gboolean ok;

  g_return_val_if_fail (uri != NULL && params != NULL, NULL);
  if (!fast_scan_debug)
    GST_DEBUG_CATEGORY_INIT (fast_scan_debug, "memvideofastscan", 0,
        "keyframes of a seekable input from its keyframes");
  if (params->params.reference != MEMVIDEO_KEYFRAME_REFERENCE_LAST_SELECTED) {
    g_set_error (error, MEMVIDEO_FAST_SCAN_ERROR,
        MEMVIDEO_FAST_SCAN_ERROR_UNSUPPORTED,
        "reference=previous compares every frame with the one before");
    return NULL;
  }
  if (!check_file_seekable (uri, error) || !build_pipeline (&scan, uri, error))
    return NULL;

  scan.res = g_new0 (MemvideoFastScanResult, 1);
  scan.res->selections = g_array_new (FALSE, TRUE,
      sizeof (MemvideoFastSelection));
  scan.builder = memvideo_proxy_builder_new ();
  memvideo_luma_proxy_init (&scan.proxy);
  memvideo_luma_proxy_init (&scan.ref);
  memvideo_luma_proxy_init (&scan.key);
  scan.keyframes_only = 1;

  gst_element_set_state (scan.pipeline, GST_STATE_PLAYING);
  ok = scan_all (&scan, error);
  gst_element_set_state (scan.pipeline, GST_STATE_NULL);
  scan.res->long_gop = params->long_gop > 0 &&
      scan.res->longest_gop > params->long_gop;

  clear_sample (&scan.key_sample);
  memvideo_luma_proxy_clear (&scan.proxy);
  memvideo_luma_proxy_clear (&scan.ref);
  memvideo_luma_proxy_clear (&scan.key);
  memvideo_proxy_builder_free (scan.builder);
  gst_object_unref (scan.sink);
  gst_object_unref (scan.pipeline);
  if (!ok) {
    memvideo_fast_scan_result_free (scan.res);
    return NULL;
  }
  return scan.res;
}
