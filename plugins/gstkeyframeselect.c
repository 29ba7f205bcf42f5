/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-keyframeselect
 * @title: keyframeselect
 *
 * Keeps the frames that matter: the first frame, every frame whose picture
 * changed by at least #GstKeyframeSelect:threshold, and a periodic heartbeat
 * every #GstKeyframeSelect:interval.  All other frames are dropped (or, with
 * #GstKeyframeSelect:drop=false, passed on unmarked).
 *
 * For every frame the element builds a small luma proxy (box averages over
 * a grid #GstKeyframeSelect:analysis-width cells wide, read from the Y
 * plane or computed from packed RGB) and compares it with the reference
 * proxy: the last selected frame, or the previous frame.
 *
 * With #GstKeyframeSelect:settle-time (0.3 s by default) a detected change
 * is held (one buffer reference, never more) until the picture has stayed
 * still for that long; then the first frame of the still run is sent on,
 * once, so a slide build or a fade yields its final picture.  A pending candidate is sent at EOS and
 * dropped on flush.  With drop=false nothing is held: the result goes on the
 * frame that completes the settle window.
 *
 * Every selected buffer carries a #GstCustomMeta named
 * `GstKeyframeSelectMeta` whose structure holds:
 *
 * * `score` (G_TYPE_DOUBLE): the change score that selected it (0 for
 *   `first`).
 * * `reason` (G_TYPE_STRING): `first`, `change` or `periodic`.
 * * `frame` (G_TYPE_UINT64): index of the input frame, counted from 0 since
 *   the element started.
 * * `stream-time` (G_TYPE_UINT64): the stream time of its PTS, the time a
 *   player shows (on MP4s often 80-125 ms before the PTS).
 * * `running-time` (G_TYPE_UINT64): the running time of its PTS, the time
 *   the rules measure.
 * * `masked-cells` (G_TYPE_UINT): proxy cells left out of the score
 *   (#GstKeyframeSelect:exclude and live regions, see
 *   #GstKeyframeSelect:activity-window).
 *
 * When #GstKeyframeSelect:post-messages is %TRUE, every selection posts an
 * element message named `keyframeselect` with:
 *
 * * `timestamp` (G_TYPE_UINT64): the PTS of the selected buffer.
 * * `stream-time` (G_TYPE_UINT64): its stream time.
 * * `running-time` (G_TYPE_UINT64): its running time.
 * * `duration` (G_TYPE_UINT64): its duration.
 * * `frame` (G_TYPE_UINT64): input frame index, as in the meta.
 * * `score` (G_TYPE_DOUBLE): as in the meta.
 * * `reason` (G_TYPE_STRING): as in the meta.
 * * `masked-cells` (G_TYPE_UINT): as in the meta.
 *
 * Times are GstClockTime values, GST_CLOCK_TIME_NONE when unknown.  At EOS
 * an element message named `keyframeselect-summary` carries `frames-in`,
 * `frames-selected`, `first`, `change` and `periodic` (all G_TYPE_UINT64,
 * counted since the element started).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m videotestsrc pattern=colors num-buffers=300 ! video/x-raw,framerate=30/1 ! keyframeselect interval=2000000000 ! fakesink
 * ]| Selects the first frame and then one frame every 2 seconds of a static
 * picture, printing the `keyframeselect` messages.
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball num-buffers=300 ! keyframeselect threshold=0.01 ! videoconvert ! jpegenc ! multifilesink location=key-%05d.jpg
 * ]| Writes a JPEG for each frame in which at least 1% of the picture moved.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/video/video.h>

#include "gstkeyframeselectprivate.h"
#include "gstmemvideoelements.h"

GST_DEBUG_CATEGORY (gst_keyframe_select_debug);
#define GST_CAT_DEFAULT gst_keyframe_select_debug

#define DEFAULT_METRIC GST_KEYFRAME_SELECT_METRIC_AREA
#define DEFAULT_THRESHOLD 0.017
#define DEFAULT_NOISE_LEVEL 16
#define DEFAULT_REFERENCE GST_KEYFRAME_SELECT_REFERENCE_LAST_SELECTED
#define DEFAULT_INTERVAL (30 * GST_SECOND)
#define DEFAULT_MIN_INTERVAL 0
#define DEFAULT_SETTLE_TIME (300 * GST_MSECOND)
#define DEFAULT_ROI_X 0
#define DEFAULT_ROI_Y 0
#define DEFAULT_ROI_WIDTH 0
#define DEFAULT_ROI_HEIGHT 0
#define DEFAULT_ANALYSIS_WIDTH 160
#define DEFAULT_DROP TRUE
#define DEFAULT_MAX_SELECTED 0
#define DEFAULT_FORCE_KEYUNIT FALSE
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_ACTIVITY_WINDOW (3 * GST_SECOND)
#define DEFAULT_ACTIVITY_SHARE 0.5
#define DEFAULT_ADAPTIVE_RATIO 3.0
#define DEFAULT_ADAPTIVE_WINDOW 2

#define MAX_ANALYSIS_WIDTH 1920

enum
{
  PROP_0,
  PROP_METRIC,
  PROP_THRESHOLD,
  PROP_NOISE_LEVEL,
  PROP_REFERENCE,
  PROP_INTERVAL,
  PROP_MIN_INTERVAL,
  PROP_SETTLE_TIME,
  PROP_ROI_X,
  PROP_ROI_Y,
  PROP_ROI_WIDTH,
  PROP_ROI_HEIGHT,
  PROP_ANALYSIS_WIDTH,
  PROP_DROP,
  PROP_MAX_SELECTED,
  PROP_FORCE_KEYUNIT,
  PROP_POST_MESSAGES,
  PROP_ROI,
  PROP_EXCLUDE,
  PROP_ACTIVITY_WINDOW,
  PROP_ACTIVITY_SHARE,
  PROP_MASKED_CELLS,
  PROP_ADAPTIVE_RATIO,
  PROP_ADAPTIVE_WINDOW,
  PROP_FRAMES_IN,
  PROP_FRAMES_SELECTED,
  PROP_LAST_SCORE,
};

#define FORMATS "{ GRAY8, I420, YV12, NV12, NV21, Y41B, Y42B, Y444, YUY2, " \
    "UYVY, YVYU, RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (FORMATS)));

#define gst_keyframe_select_parent_class parent_class
G_DEFINE_TYPE (GstKeyframeSelect, gst_keyframe_select, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (keyframeselect, "keyframeselect",
    GST_RANK_NONE, GST_TYPE_KEYFRAME_SELECT);

static void gst_keyframe_select_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_keyframe_select_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_keyframe_select_finalize (GObject * object);
static gboolean gst_keyframe_select_start (GstBaseTransform * trans);
static gboolean gst_keyframe_select_stop (GstBaseTransform * trans);
static gboolean gst_keyframe_select_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps);
static gboolean gst_keyframe_select_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static GstFlowReturn gst_keyframe_select_transform_ip (GstBaseTransform *
    trans, GstBuffer * buf);

#define GST_TYPE_KEYFRAME_SELECT_METRIC (gst_keyframe_select_metric_get_type ())
static GType
gst_keyframe_select_metric_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_KEYFRAME_SELECT_METRIC_AREA,
          "Fraction of the picture whose luma changed by more than noise-level",
        "area"},
    {GST_KEYFRAME_SELECT_METRIC_MEAN,
        "Mean absolute luma difference / 255 (PlanOpticon's metric)", "mean"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstKeyframeSelectMetric", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define GST_TYPE_KEYFRAME_SELECT_REFERENCE \
    (gst_keyframe_select_reference_get_type ())
static GType
gst_keyframe_select_reference_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_KEYFRAME_SELECT_REFERENCE_LAST_SELECTED,
        "The last selected frame (slow drift adds up)", "last-selected"},
    {GST_KEYFRAME_SELECT_REFERENCE_PREVIOUS,
        "The previous frame (hard cuts only)", "previous"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstKeyframeSelectReference", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static void
gst_keyframe_select_class_init (GstKeyframeSelectClass * klass)
{
  GObjectClass *gobject_class = (GObjectClass *) klass;
  GstElementClass *element_class = (GstElementClass *) klass;
  GstBaseTransformClass *trans_class = (GstBaseTransformClass *) klass;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  static const gchar *meta_tags[] = { NULL };

  GST_DEBUG_CATEGORY_INIT (gst_keyframe_select_debug, "keyframeselect", 0,
      "Keyframe selection by visual change and interval");

  /* Registered with the type so that any process that can create the
   * element (C or Python) can also look the meta up by name. */
  gst_meta_register_custom (GST_KEYFRAME_SELECT_META_NAME, meta_tags, NULL,
      NULL, NULL);

  gobject_class->set_property = gst_keyframe_select_set_property;
  gobject_class->get_property = gst_keyframe_select_get_property;
  gobject_class->finalize = gst_keyframe_select_finalize;

  g_object_class_install_property (gobject_class, PROP_METRIC,
      g_param_spec_enum ("metric", "Metric",
          "How the change between two proxies is scored",
          GST_TYPE_KEYFRAME_SELECT_METRIC, DEFAULT_METRIC, rw));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "Score (0-1) at which a frame counts as changed: fraction of the "
          "picture for metric=area, mean |luma difference|/255 for "
          "metric=mean, where page changes of real documents score "
          "0.005-0.02 (PlanOpticon's 0.15 finds none; try 0.004)", 0.0, 1.0,
          DEFAULT_THRESHOLD, rw));
  g_object_class_install_property (gobject_class, PROP_NOISE_LEVEL,
      g_param_spec_uint ("noise-level", "Noise level",
          "Luma steps (0-255) a proxy cell may change by without counting "
          "as changed (metric=area only)", 0, 255, DEFAULT_NOISE_LEVEL, rw));
  g_object_class_install_property (gobject_class, PROP_REFERENCE,
      g_param_spec_enum ("reference", "Reference",
          "The frame each frame is compared with",
          GST_TYPE_KEYFRAME_SELECT_REFERENCE, DEFAULT_REFERENCE, rw));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Select a frame when this much time (ns) passed since the last "
          "selection (0 = off)", 0, G_MAXUINT64, DEFAULT_INTERVAL, rw));
  g_object_class_install_property (gobject_class, PROP_MIN_INTERVAL,
      g_param_spec_uint64 ("min-interval", "Minimum interval",
          "Ignore changes sooner than this (ns) after the last selection",
          0, G_MAXUINT64, DEFAULT_MIN_INTERVAL, rw));
  g_object_class_install_property (gobject_class, PROP_SETTLE_TIME,
      g_param_spec_uint64 ("settle-time", "Settle time",
          "Hold a changed picture until it has not changed for this long "
          "(ns), then select the first frame of the stable run (0 = select "
          "at once)", 0, G_MAXUINT64, DEFAULT_SETTLE_TIME, rw));
  g_object_class_install_property (gobject_class, PROP_ROI_X,
      g_param_spec_uint ("roi-x", "ROI x",
          "Left edge of the analysed region (pixels)", 0, G_MAXINT,
          DEFAULT_ROI_X, rw));
  g_object_class_install_property (gobject_class, PROP_ROI_Y,
      g_param_spec_uint ("roi-y", "ROI y",
          "Top edge of the analysed region (pixels)", 0, G_MAXINT,
          DEFAULT_ROI_Y, rw));
  g_object_class_install_property (gobject_class, PROP_ROI_WIDTH,
      g_param_spec_uint ("roi-width", "ROI width",
          "Width of the analysed region (pixels, 0 = to the right edge)",
          0, G_MAXINT, DEFAULT_ROI_WIDTH, rw));
  g_object_class_install_property (gobject_class, PROP_ROI_HEIGHT,
      g_param_spec_uint ("roi-height", "ROI height",
          "Height of the analysed region (pixels, 0 = to the bottom edge)",
          0, G_MAXINT, DEFAULT_ROI_HEIGHT, rw));
  g_object_class_install_property (gobject_class, PROP_ANALYSIS_WIDTH,
      g_param_spec_uint ("analysis-width", "Analysis width",
          "Wanted width of the luma proxy in cells; cells are square and a "
          "power of two pixels wide, the nearest fit is used (1920 and 3840 "
          "pixels at 160: 120 cells)", 8, MAX_ANALYSIS_WIDTH,
          DEFAULT_ANALYSIS_WIDTH, rw));
  g_object_class_install_property (gobject_class, PROP_DROP,
      g_param_spec_boolean ("drop", "Drop",
          "Drop frames that are not selected (false: pass every frame, only "
          "selected ones carry the result meta)", DEFAULT_DROP, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_SELECTED,
      g_param_spec_uint ("max-selected", "Maximum selected",
          "Return EOS after this many selections (0 = unlimited)", 0,
          G_MAXUINT, DEFAULT_MAX_SELECTED, rw));
  g_object_class_install_property (gobject_class, PROP_FORCE_KEYUNIT,
      g_param_spec_boolean ("force-keyunit", "Force key unit",
          "Send a downstream force-key-unit event before each selected frame",
          DEFAULT_FORCE_KEYUNIT, rw));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a keyframeselect element message per selection",
          DEFAULT_POST_MESSAGES, rw));
  g_object_class_install_property (gobject_class, PROP_FRAMES_IN,
      g_param_spec_uint64 ("frames-in", "Frames in",
          "Frames received since the element started", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (gobject_class, PROP_FRAMES_SELECTED,
      g_param_spec_uint64 ("frames-selected", "Frames selected",
          "Frames selected since the element started", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (gobject_class, PROP_ROI,
      g_param_spec_string ("roi", "ROI",
          "Analysed region as x,y,width,height in fractions 0-1 of the frame "
          "(e.g. 0,0,0.75,1: the left three quarters); it follows scaling "
          "and overrides roi-x/-y/-width/-height (empty = use those)", "", rw));
  g_object_class_install_property (gobject_class, PROP_EXCLUDE,
      g_param_spec_string ("exclude", "Exclude",
          "Regions left out of the score, x,y,width,height in fractions 0-1 "
          "of the frame, up to 8 separated by ';' (e.g. "
          "0.75,0.75,0.25,0.25 for a webcam inset bottom right)", "", rw));
  g_object_class_install_property (gobject_class, PROP_ACTIVITY_WINDOW,
      g_param_spec_uint64 ("activity-window", "Activity window",
          "Cells that changed in at least activity-share of the frames of "
          "about this long (ns) are live and left out of the score until "
          "they settle (0 = no activity mask)", 0, G_MAXUINT64,
          DEFAULT_ACTIVITY_WINDOW, rw));
  g_object_class_install_property (gobject_class, PROP_ACTIVITY_SHARE,
      g_param_spec_double ("activity-share", "Activity share",
          "Share (0-1) of the frames in activity-window a cell must change "
          "in to be live; it is scored again below half of it", 0.0, 1.0,
          DEFAULT_ACTIVITY_SHARE, rw));
  g_object_class_install_property (gobject_class, PROP_ADAPTIVE_RATIO,
      g_param_spec_double ("adaptive-ratio", "Adaptive ratio",
          "reference=previous: a change must also score at least this many "
          "times the mean of the adaptive-window frames on each side, so "
          "motion is not a cut; delays the decision by adaptive-window "
          "frames (0 = off)", 0.0, 100.0, DEFAULT_ADAPTIVE_RATIO, rw));
  g_object_class_install_property (gobject_class, PROP_ADAPTIVE_WINDOW,
      g_param_spec_uint ("adaptive-window", "Adaptive window",
          "Frames on each side of a change that adaptive-ratio compares it "
          "with (the look-ahead: a candidate is held that many frames)", 1,
          MEMVIDEO_CUT_MAX_WINDOW, DEFAULT_ADAPTIVE_WINDOW, rw));
  g_object_class_install_property (gobject_class, PROP_MASKED_CELLS,
      g_param_spec_uint ("masked-cells", "Masked cells",
          "Proxy cells of the last frame left out of the score (excluded or "
          "live)", 0, G_MAXUINT, 0, ro));
  g_object_class_install_property (gobject_class, PROP_LAST_SCORE,
      g_param_spec_double ("last-score", "Last score",
          "Score of the last frame against its reference", 0.0, 1.0, 0.0, ro));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Keyframe selection", "Filter/Analyzer/Video",
      "Keeps the frames whose picture changed, plus one every interval",
      "gst-memvideo developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_keyframe_select_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_keyframe_select_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_keyframe_select_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_keyframe_select_sink_event);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_keyframe_select_transform_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_KEYFRAME_SELECT_METRIC, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_KEYFRAME_SELECT_REFERENCE, 0);
}

static void
gst_keyframe_select_init (GstKeyframeSelect * self)
{
  Settings *s = &self->settings;

  s->params.metric = (MemvideoKeyframeMetric) DEFAULT_METRIC;
  s->params.threshold = DEFAULT_THRESHOLD;
  s->params.noise_level = DEFAULT_NOISE_LEVEL;
  s->params.reference = (MemvideoKeyframeReference) DEFAULT_REFERENCE;
  s->params.interval = DEFAULT_INTERVAL;
  s->params.min_interval = DEFAULT_MIN_INTERVAL;
  s->params.settle_time = DEFAULT_SETTLE_TIME;
  s->roi.x = DEFAULT_ROI_X;
  s->roi.y = DEFAULT_ROI_Y;
  s->roi.width = DEFAULT_ROI_WIDTH;
  s->roi.height = DEFAULT_ROI_HEIGHT;
  s->analysis_width = DEFAULT_ANALYSIS_WIDTH;
  s->drop = DEFAULT_DROP;
  s->params.max_selected = DEFAULT_MAX_SELECTED;
  s->force_keyunit = DEFAULT_FORCE_KEYUNIT;
  s->post_messages = DEFAULT_POST_MESSAGES;
  s->activity.window = DEFAULT_ACTIVITY_WINDOW;
  s->params.adaptive_ratio = DEFAULT_ADAPTIVE_RATIO;
  s->params.adaptive_window = DEFAULT_ADAPTIVE_WINDOW;
  s->activity.share = DEFAULT_ACTIVITY_SHARE;

  self->selector = memvideo_keyframe_selector_new ();
  self->state.builder = memvideo_proxy_builder_new ();
  self->state.mask = memvideo_cell_mask_new ();
  memvideo_luma_proxy_init (&self->state.proxy);

  /* in place, and GAP flags stay as they came: selected frames keep their
   * flags */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_keyframe_select_finalize (GObject * object)
{
  GstKeyframeSelect *self = GST_KEYFRAME_SELECT (object);

  gst_buffer_replace (&self->state.held.buffer, NULL);
  memvideo_proxy_builder_free (self->state.builder);
  memvideo_cell_mask_free (self->state.mask);
  memvideo_keyframe_selector_free (self->selector);
  memvideo_luma_proxy_clear (&self->state.proxy);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* Parses a rectangle list property; a bad one keeps the old value. */
static void
set_rects (GObject * object, const GValue * value, MemvideoFracRect * rects,
    guint max, guint * n)
{
  MemvideoFracRect parsed[MEMVIDEO_MAX_EXCLUDE];
  GError *err = NULL;
  guint k;

  if (!memvideo_frac_rects_parse (g_value_get_string (value), parsed, max,
          &k, &err)) {
    g_warning ("%s: ignoring %s=\"%s\": %s", GST_OBJECT_NAME (object),
        max == 1 ? "roi" : "exclude", g_value_get_string (value), err->message);
    g_error_free (err);
    return;
  }
  memcpy (rects, parsed, k * sizeof (*rects));
  *n = k;
}

static void
gst_keyframe_select_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKeyframeSelect *self = GST_KEYFRAME_SELECT (object);
  Settings *s = &self->settings;
  guint n;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METRIC:
      s->params.metric = g_value_get_enum (value);
      break;
    case PROP_THRESHOLD:
      s->params.threshold = g_value_get_double (value);
      break;
    case PROP_NOISE_LEVEL:
      s->params.noise_level = g_value_get_uint (value);
      break;
    case PROP_REFERENCE:
      s->params.reference = g_value_get_enum (value);
      break;
    case PROP_INTERVAL:
      s->params.interval = g_value_get_uint64 (value);
      break;
    case PROP_MIN_INTERVAL:
      s->params.min_interval = g_value_get_uint64 (value);
      break;
    case PROP_SETTLE_TIME:
      s->params.settle_time = g_value_get_uint64 (value);
      break;
    case PROP_ROI_X:
      s->roi.x = g_value_get_uint (value);
      break;
    case PROP_ROI_Y:
      s->roi.y = g_value_get_uint (value);
      break;
    case PROP_ROI_WIDTH:
      s->roi.width = g_value_get_uint (value);
      break;
    case PROP_ROI_HEIGHT:
      s->roi.height = g_value_get_uint (value);
      break;
    case PROP_ANALYSIS_WIDTH:
      s->analysis_width = g_value_get_uint (value);
      break;
    case PROP_DROP:
      s->drop = g_value_get_boolean (value);
      break;
    case PROP_MAX_SELECTED:
      s->params.max_selected = g_value_get_uint (value);
      break;
    case PROP_FORCE_KEYUNIT:
      s->force_keyunit = g_value_get_boolean (value);
      break;
    case PROP_POST_MESSAGES:
      s->post_messages = g_value_get_boolean (value);
      break;
    case PROP_ROI:
      set_rects (object, value, &s->roi_frac, 1, &n);
      s->have_roi_frac = n > 0;
      break;
    case PROP_EXCLUDE:
      set_rects (object, value, s->exclude, MEMVIDEO_MAX_EXCLUDE,
          &s->n_exclude);
      break;
    case PROP_ACTIVITY_WINDOW:
      s->activity.window = g_value_get_uint64 (value);
      break;
    case PROP_ACTIVITY_SHARE:
      s->activity.share = g_value_get_double (value);
      break;
    case PROP_ADAPTIVE_RATIO:
      s->params.adaptive_ratio = g_value_get_double (value);
      break;
    case PROP_ADAPTIVE_WINDOW:
      s->params.adaptive_window = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_keyframe_select_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKeyframeSelect *self = GST_KEYFRAME_SELECT (object);
  Settings *s = &self->settings;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METRIC:
      g_value_set_enum (value, s->params.metric);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, s->params.threshold);
      break;
    case PROP_NOISE_LEVEL:
      g_value_set_uint (value, s->params.noise_level);
      break;
    case PROP_REFERENCE:
      g_value_set_enum (value, s->params.reference);
      break;
    case PROP_INTERVAL:
      g_value_set_uint64 (value, s->params.interval);
      break;
    case PROP_MIN_INTERVAL:
      g_value_set_uint64 (value, s->params.min_interval);
      break;
    case PROP_SETTLE_TIME:
      g_value_set_uint64 (value, s->params.settle_time);
      break;
    case PROP_ROI_X:
      g_value_set_uint (value, s->roi.x);
      break;
    case PROP_ROI_Y:
      g_value_set_uint (value, s->roi.y);
      break;
    case PROP_ROI_WIDTH:
      g_value_set_uint (value, s->roi.width);
      break;
    case PROP_ROI_HEIGHT:
      g_value_set_uint (value, s->roi.height);
      break;
    case PROP_ANALYSIS_WIDTH:
      g_value_set_uint (value, s->analysis_width);
      break;
    case PROP_DROP:
      g_value_set_boolean (value, s->drop);
      break;
    case PROP_MAX_SELECTED:
      g_value_set_uint (value, s->params.max_selected);
      break;
    case PROP_FORCE_KEYUNIT:
      g_value_set_boolean (value, s->force_keyunit);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, s->post_messages);
      break;
    case PROP_ROI:
      g_value_take_string (value, memvideo_frac_rects_to_string (&s->roi_frac,
              s->have_roi_frac ? 1 : 0));
      break;
    case PROP_EXCLUDE:
      g_value_take_string (value, memvideo_frac_rects_to_string (s->exclude,
              s->n_exclude));
      break;
    case PROP_ACTIVITY_WINDOW:
      g_value_set_uint64 (value, s->activity.window);
      break;
    case PROP_ACTIVITY_SHARE:
      g_value_set_double (value, s->activity.share);
      break;
    case PROP_ADAPTIVE_RATIO:
      g_value_set_double (value, s->params.adaptive_ratio);
      break;
    case PROP_ADAPTIVE_WINDOW:
      g_value_set_uint (value, s->params.adaptive_window);
      break;
    case PROP_MASKED_CELLS:
      g_value_set_uint (value, self->masked_cells);
      break;
    case PROP_FRAMES_IN:
      g_value_set_uint64 (value, self->frames_in);
      break;
    case PROP_FRAMES_SELECTED:{
      MemvideoKeyframeCounts counts;

      memvideo_keyframe_selector_get_counts (self->selector, &counts);
      g_value_set_uint64 (value, counts.selected);
      break;
    }
    case PROP_LAST_SCORE:
      g_value_set_double (value, self->last_score);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* A new stream in the same run (FLUSH_STOP, new caps): the next frame is a
 * `first` and nothing is held; the counts and frame indices go on. */
static void
gst_keyframe_select_restart (GstKeyframeSelect * self)
{
  State *st = &self->state;

  GST_OBJECT_LOCK (self);
  memvideo_keyframe_selector_restart (self->selector);
  st->timing_base = self->frames_in;
  GST_OBJECT_UNLOCK (self);
  memvideo_cell_mask_reset (st->mask);
  gst_buffer_replace (&st->held.buffer, NULL);
}

/* start and stop: everything from zero. */
static void
gst_keyframe_select_reset (GstKeyframeSelect * self)
{
  State *st = &self->state;

  GST_OBJECT_LOCK (self);
  memvideo_keyframe_selector_reset (self->selector);
  self->frames_in = 0;
  self->last_score = 0.0;
  self->masked_cells = 0;
  GST_OBJECT_UNLOCK (self);
  memvideo_cell_mask_reset (st->mask);

  gst_buffer_replace (&st->held.buffer, NULL);
  st->have_info = FALSE;
  st->timing_base = 0;
  st->have_out = FALSE;
  st->last_out = 0;
  st->warned_timing = FALSE;
  st->warned_roi = FALSE;
}

static gboolean
gst_keyframe_select_start (GstBaseTransform * trans)
{
  gst_keyframe_select_reset (GST_KEYFRAME_SELECT (trans));
  return TRUE;
}

static gboolean
gst_keyframe_select_stop (GstBaseTransform * trans)
{
  gst_keyframe_select_reset (GST_KEYFRAME_SELECT (trans));
  return TRUE;
}

static gboolean
gst_keyframe_select_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstKeyframeSelect *self = GST_KEYFRAME_SELECT (trans);
  State *st = &self->state;
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, incaps))
    goto invalid_caps;

  if (st->have_info && gst_video_info_is_equal (&info, &st->info))
    return TRUE;

  GST_DEBUG_OBJECT (self, "new format %" GST_PTR_FORMAT, incaps);
  /* a new format is a new picture: start again from a `first` frame */
  gst_keyframe_select_restart (self);
  st->info = info;
  st->have_info = TRUE;
  st->warned_timing = FALSE;
  return TRUE;

  /* ERRORS */
invalid_caps:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("Could not parse caps %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }
}

/* EOS, a new segment or new caps end the stream the candidate belongs to:
 * it is emitted now if it still differs from the reference. */
static void
gst_keyframe_select_finish_pending (GstKeyframeSelect * self)
{
  Settings settings;
  gdouble score = 0.0;
  gboolean emit;

  GST_OBJECT_LOCK (self);
  settings = self->settings;
  emit = memvideo_keyframe_selector_finish (self->selector, &settings.params,
      &score);
  GST_OBJECT_UNLOCK (self);

  if (emit)
    gst_keyframe_select_emit_held (self, &settings, score, self->masked_cells);
  gst_buffer_replace (&self->state.held.buffer, NULL);
}

static gboolean
gst_keyframe_select_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstKeyframeSelect *self = GST_KEYFRAME_SELECT (trans);
  State *st = &self->state;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      gst_keyframe_select_restart (self);
      break;
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      GstVideoInfo info;

      gst_event_parse_caps (event, &caps);
      if (st->have_info && (!gst_video_info_from_caps (&info, caps) ||
              !gst_video_info_is_equal (&info, &st->info)))
        gst_keyframe_select_finish_pending (self);
      break;
    }
    case GST_EVENT_SEGMENT:
      gst_keyframe_select_finish_pending (self);
      break;
    case GST_EVENT_EOS:
      gst_keyframe_select_finish_pending (self);
      gst_keyframe_select_post_summary (self);
      break;
    default:
      break;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* The selector's verdict on frame @index (@buf) carried out. */
static GstFlowReturn
gst_keyframe_select_act (GstKeyframeSelect * self, const Settings * settings,
    GstBuffer * buf, guint64 index, const MemvideoKeyframeResult * res)
{
  Held *held = &self->state.held;
  Selection sel = { index, GST_BUFFER_PTS (buf), GST_BUFFER_DURATION (buf),
    res->reason, res->score, res->masked_cells
  };
  gboolean selected = FALSE, done;
  GstFlowReturn ret = GST_FLOW_OK;

  if (res->release_pending)
    gst_buffer_replace (&held->buffer, NULL);

  switch (res->action) {
    case MEMVIDEO_KEYFRAME_ACTION_SELECT:
      selected = TRUE;
      break;
    case MEMVIDEO_KEYFRAME_ACTION_HOLD:
      held->frame = index;
      held->pts = sel.pts;
      held->duration = sel.duration;
      if (settings->drop)
        gst_buffer_replace (&held->buffer, buf);
      break;
    case MEMVIDEO_KEYFRAME_ACTION_EMIT_PENDING:
      /* nothing held (drop=false): the frame that completes the settle
       * window shows the settled picture and carries the result */
      if (held->buffer != NULL)
        ret = gst_keyframe_select_emit_held (self, settings, res->score,
            res->masked_cells);
      else
        selected = TRUE;
      break;
    case MEMVIDEO_KEYFRAME_ACTION_DROP:
      break;
  }
  if (ret != GST_FLOW_OK)
    return ret;

  if (selected) {
    gst_keyframe_select_announce (self, settings, &sel, buf);
  } else {
    GST_OBJECT_LOCK (self);
    done = memvideo_keyframe_selector_limit_reached (self->selector,
        &settings->params);
    GST_OBJECT_UNLOCK (self);
    if (done) {
      GST_DEBUG_OBJECT (self, "max-selected (%u) reached",
          settings->params.max_selected);
      return GST_FLOW_EOS;
    }
    if (settings->drop)
      return GST_BASE_TRANSFORM_FLOW_DROPPED;
  }

  gst_keyframe_select_mark_out (self, buf, index);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_keyframe_select_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstKeyframeSelect *self = GST_KEYFRAME_SELECT (trans);
  State *st = &self->state;
  Settings settings;
  MemvideoKeyframeResult res;
  const guint8 *cells;
  GstClockTime t;
  guint64 index;
  GstFlowReturn ret;

  GST_OBJECT_LOCK (self);
  settings = self->settings;
  index = self->frames_in++;
  GST_OBJECT_UNLOCK (self);

  ret = gst_keyframe_select_analyse (self, &settings, buf, index);
  if (ret == GST_FLOW_OK && !settings.drop)
    ret = gst_keyframe_select_pass_held (self);
  if (ret != GST_FLOW_OK)
    return ret;

  t = gst_keyframe_select_timing (self, &settings, buf, index);
  settings.activity.noise_level = settings.params.noise_level;
  cells = memvideo_cell_mask_update (st->mask, &st->proxy, &st->roi,
      st->frame_width, st->frame_height, settings.exclude, settings.n_exclude,
      &settings.activity, t);
  GST_OBJECT_LOCK (self);
  memvideo_keyframe_selector_push (self->selector, &settings.params,
      &st->proxy, cells, t, &res);
  self->last_score = res.current_score;
  self->masked_cells = res.masked_cells;
  GST_OBJECT_UNLOCK (self);

  return gst_keyframe_select_act (self, &settings, buf, index, &res);
}
