/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_KEYFRAME_SELECT_H__
#define __GST_KEYFRAME_SELECT_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

/**
 * GstKeyframeSelectMetric:
 * @GST_KEYFRAME_SELECT_METRIC_AREA: fraction of the proxy cells whose luma
 *   changed by more than noise-level
 * @GST_KEYFRAME_SELECT_METRIC_MEAN: mean absolute luma difference / 255
 */
typedef enum
{
  GST_KEYFRAME_SELECT_METRIC_AREA,
  GST_KEYFRAME_SELECT_METRIC_MEAN,
} GstKeyframeSelectMetric;

/**
 * GstKeyframeSelectReference:
 * @GST_KEYFRAME_SELECT_REFERENCE_LAST_SELECTED: compare with the last
 *   selected frame
 * @GST_KEYFRAME_SELECT_REFERENCE_PREVIOUS: compare with the previous frame
 */
typedef enum
{
  GST_KEYFRAME_SELECT_REFERENCE_LAST_SELECTED,
  GST_KEYFRAME_SELECT_REFERENCE_PREVIOUS,
} GstKeyframeSelectReference;

#define GST_KEYFRAME_SELECT_META_NAME "GstKeyframeSelectMeta"

#define GST_TYPE_KEYFRAME_SELECT (gst_keyframe_select_get_type ())
G_DECLARE_FINAL_TYPE (GstKeyframeSelect, gst_keyframe_select, GST,
    KEYFRAME_SELECT, GstBaseTransform)

G_END_DECLS

#endif /* __GST_KEYFRAME_SELECT_H__ */
