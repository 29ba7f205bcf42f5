/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The spill binding: everything memspill and memsink share about their
 * spill pool (a MemvideoSpillPool of gst/memvideo).  Properties in
 * gstmemvideospill.c, the rest in gstmemvideospillbinding.c.
 *
 * A GstMemvideoSpillBinding is embedded in the element's instance struct.
 * It owns the spill properties' values, the pool (created at start,
 * released at stop or kept until the next start), the pool's error
 * function (set once per pool, with a weak reference to the element; never
 * replaced while that pool lives), the settings pushed to the pool under
 * one serialising lock, the codec choice for the negotiated caps (and the
 * one warning when spill-format=jpeg falls back to raw), the ALLOCATION
 * answer and the RECONFIGURE a spill-format change needs, the buffer
 * adoption, and the error policy for a failed spill with its bus messages.
 * The element decides only what its stream means.
 *
 * Who calls what, when (self->spill is the embedded binding):
 *
 *   class_init          gst_memvideo_spill_install_properties (klass,
 *                           &props)
 *   instance init       gst_memvideo_spill_binding_init (&self->spill,
 *                           GST_ELEMENT (self), &props)
 *   finalize            gst_memvideo_spill_binding_clear (&self->spill)
 *   set_property        if (gst_memvideo_spill_binding_set_property (...))
 *                         return;   (then the element's own properties)
 *   get_property        likewise with _get_property (statistics included)
 *   start               if (!gst_memvideo_spill_binding_start (...))
 *                         return FALSE;  (the ERROR is already posted)
 *                       pool = gst_memvideo_spill_binding_get_pool (...)
 *                         when the element needs the pool itself
 *   stop                gst_memvideo_spill_binding_stop (..., keep_pool)
 *   set_caps            gst_memvideo_spill_binding_note_caps (..., caps)
 *   propose_allocation  gst_memvideo_spill_binding_add_allocator (...,
 *                           query)
 *   each buffer         gst_memvideo_spill_binding_begin_frame (..., &frame)
 *                       gst_memvideo_spill_binding_adopt (..., &frame,
 *                           buffer, &kept)
 *                       ret = gst_memvideo_spill_binding_check_flow (...)
 *   EOS, idle           gst_memvideo_spill_binding_check_flow (...) (posts
 *                           what a spill error left pending)
 *
 * Threads and locks.  Three locks of the binding, plus the element's
 * object lock:
 * - the element's object lock guards `settings` (GST_OBJECT_LOCK, as for
 *   any property); it is held only to copy or store values.
 * - `apply_lock` (recursive) serialises pushing the settings to the pool:
 *   the settings are copied and applied to the pool with it held, so the
 *   value set last is the one the pool has, whatever the interleaving of
 *   setters.  Taken by _set_property and _start; pool functions run under
 *   it (lowering max-memory evicts at once).
 * - `lock` guards the pool pointer, the last statistics, the caps state
 *   and the error state.  A leaf: no other lock is taken and no pool
 *   function is called while it is held.
 * - `post_lock` (recursive) is held while pending messages are posted, so
 *   that _check_flow returns only once every message recorded before it
 *   is on the bus.
 * Order: apply_lock, then the object lock or `lock`; post_lock is never
 * held while taking apply_lock.
 *
 * Calls that post messages (_start, _stop, _begin_frame, _adopt,
 * _check_flow) must be made without element locks that a bus sync
 * handler might need (the handler runs in the posting thread).  All
 * others may be called from any thread with any element lock held, except
 * _set_property (it may evict) which is a property setter.
 *
 * Error policy for a failed spill (docs/design.md, "When a spill fails"):
 * - a write that fails (ENOSPC, EFBIG, EIO, a frame JPEG cannot encode):
 *   the frame stays in RAM, over budget, nothing is lost; one WARNING per
 *   run (RESOURCE NO_SPACE_LEFT for a full disk or a file size limit,
 *   RESOURCE WRITE otherwise); the stream goes on, and the pool writes
 *   again once the spill file has room.
 * - max-disk reached: the documented behaviour of the limit (data that does
 *   not fit stays in RAM); one WARNING per run, RESOURCE NO_SPACE_LEFT.
 * - a reload that fails (the spilled frame cannot be read back: its map
 *   fails, the data is lost to whoever maps it): one ERROR per run,
 *   RESOURCE READ, and _check_flow returns GST_FLOW_ERROR until the next
 *   _start.
 * - no RAM for a frame's data (a new frame or a reload; the map fails):
 *   the same as a failed reload, with RESOURCE FAILED.
 * The pool calls its error function in whatever thread wrote or read (the
 * streaming thread, an application thread mapping or unmapping a frame),
 * possibly with element locks held: the binding only records the message
 * there and posts it from GStreamer's thread pool
 * (gst_element_call_async); _check_flow posts what is still pending in the
 * calling thread, so a message caused by a buffer is on the bus when the
 * element returns from that buffer.  Errors of a pool the binding no
 * longer has (frames an application still holds after a stop) are only
 * logged.
 */

#ifndef __GST_MEMVIDEO_SPILL_H__
#define __GST_MEMVIDEO_SPILL_H__

#include <gst/gst.h>
#include <gst/video/video.h>

#include "memvideo/spillpool.h"

G_BEGIN_DECLS

/* Enum of MemvideoSpillFormat, registered as "GstMemvideoSpillFormat"
 * (nicks raw, jpeg). */
#define GST_TYPE_MEMVIDEO_SPILL_FORMAT (gst_memvideo_spill_format_get_type ())
GType gst_memvideo_spill_format_get_type (void);

/* Enum of MemvideoEviction, registered as "GstMemvideoEviction" (nicks
 * newest, lru). */
#define GST_TYPE_MEMVIDEO_EVICTION (gst_memvideo_eviction_get_type ())
GType gst_memvideo_eviction_get_type (void);

/* Values of the writable spill properties. */
typedef struct
{
  guint64 max_memory;
  guint64 max_disk;
  MemvideoSpillFormat format;
  gint jpeg_quality;
  MemvideoEviction eviction;
  gchar *directory;
} GstMemvideoSpillSettings;

/* Which spill properties an element has: its property id for each (0 = the
 * element does not have that property) and the defaults that differ
 * between elements.  One static const instance per element class. */
typedef struct
{
  guint max_memory;
  guint max_disk;
  guint spill_format;
  guint jpeg_quality;
  guint eviction;
  guint spill_directory;

  /* read-only statistics */
  guint resident_bytes;
  guint spilled_bytes;
  guint frames_resident;
  guint frames_spilled;
  guint spills;
  guint reloads;

  guint64 default_max_memory;
  gint default_jpeg_quality;
} GstMemvideoSpillProps;

/* Installs every property of @props with a non-zero id on @klass. */
void gst_memvideo_spill_install_properties (GObjectClass * klass,
    const GstMemvideoSpillProps * props);

/* The defaults of @props; clear frees the directory. */
void gst_memvideo_spill_settings_init (GstMemvideoSpillSettings * settings,
    const GstMemvideoSpillProps * props);
void gst_memvideo_spill_settings_clear (GstMemvideoSpillSettings * settings);

/* What the binding decided for the buffer being processed; filled by
 * gst_memvideo_spill_binding_begin_frame() in the streaming thread. */
typedef struct
{
  /* spill-format, copied once for this buffer */
  MemvideoSpillFormat format;
  /* the caps are raw video: @vinfo describes the buffer */
  gboolean have_vinfo;
  GstVideoInfo vinfo;
  /* frames copied with @vinfo are spilled as JPEG (format is jpeg and the
   * store's JPEG codec accepts this layout) */
  gboolean jpeg;
} GstMemvideoSpillFrame;

typedef struct
{
  /*< private >*/
  const GstMemvideoSpillProps *props;
  GstElement *element;          /* the owner; no reference */

  /* the element's object lock */
  GstMemvideoSpillSettings settings;

  GRecMutex apply_lock;
  GRecMutex post_lock;

  /* everything below: lock */
  GMutex lock;
  MemvideoSpillPool *pool;
  MemvideoSpillStats last_stats;        /* of the pool released at stop */
  /* caps state, from _note_caps */
  gboolean have_vinfo;
  GstVideoInfo vinfo;
  gboolean jpeg_able;
  gboolean fallback_warned;
  /* error state of the current run */
  guint reported;               /* bit per situation already queued */
  guint64 seen_write_errors;
  gboolean failed;              /* an ERROR was queued: stop the stream */
  GSList *pending;              /* messages not posted yet */
} GstMemvideoSpillBinding;

/* @element is the owner, which embeds @binding; @props (static) says
 * which properties it has.  Sets the defaults. */
void gst_memvideo_spill_binding_init (GstMemvideoSpillBinding * binding,
    GstElement * element, const GstMemvideoSpillProps * props);
/* In finalize: releases the pool, the settings and the locks. */
void gst_memvideo_spill_binding_clear (GstMemvideoSpillBinding * binding);

/* set_property/get_property of the spill properties: TRUE when @prop_id
 * is one of them (and was handled).  Setting a value other than
 * spill-directory pushes the settings to the pool (serialised, see
 * above).  Setting spill-format to a different value while the caps are
 * raw video sends RECONFIGURE upstream from the element's "sink" pad (the
 * allocator offered in the ALLOCATION query depends on it); setting it to
 * its current value sends nothing. */
gboolean gst_memvideo_spill_binding_set_property (GstMemvideoSpillBinding *
    binding, guint prop_id, const GValue * value);
gboolean gst_memvideo_spill_binding_get_property (GstMemvideoSpillBinding *
    binding, guint prop_id, GValue * value);

/* Pushes the current settings to the pool, if there is one, serialised
 * with every other apply (apply_lock).  _set_property and _start call it;
 * an element calls it only after changing the pool behind the binding's
 * back. */
void gst_memvideo_spill_binding_apply (GstMemvideoSpillBinding * binding);

/* A copy of the settings (directory duplicated: clear it with
 * gst_memvideo_spill_settings_clear()). */
void gst_memvideo_spill_binding_get_settings (GstMemvideoSpillBinding *
    binding, GstMemvideoSpillSettings * copy);

/* Creates the pool in spill-directory, sets its error function and pushes
 * the settings; the run's error state and statistics start afresh (a pool
 * kept from the last run is released).  On failure posts ERROR (RESOURCE
 * OPEN_WRITE naming the directory) and returns FALSE.  Streaming is not
 * running: call it from the element's start. */
gboolean gst_memvideo_spill_binding_start (GstMemvideoSpillBinding * binding);

/* Posts what is pending, remembers the statistics and trims the pool (the
 * RAM blocks kept for frames that will no longer come).  Unless
 * @keep_pool, releases it: frames still held keep it alive, their errors
 * are then only logged, and the statistics stay those seen here.  With
 * @keep_pool (memsink: its data stays readable until the next start) the
 * pool, its statistics and its errors stay the element's until the next
 * _start or _clear. */
void gst_memvideo_spill_binding_stop (GstMemvideoSpillBinding * binding,
    gboolean keep_pool);

/* The pool (transfer full), or NULL when not started. */
MemvideoSpillPool *gst_memvideo_spill_binding_get_pool (GstMemvideoSpillBinding
    * binding);

/* The pool's statistics, or those remembered at the last stop (zeros
 * before the first start). */
void gst_memvideo_spill_binding_get_stats (GstMemvideoSpillBinding * binding,
    MemvideoSpillStats * stats);

/* The negotiated caps (NULL = none): whether they are raw video, and
 * whether the store can spill them as JPEG.  Streaming thread (set_caps).
 * The fallback warning may be posted again for the new caps. */
void gst_memvideo_spill_binding_note_caps (GstMemvideoSpillBinding * binding,
    GstCaps * caps);

/* Fills @frame for the buffer about to be stored.  When spill-format is
 * jpeg and the caps cannot be spilled as JPEG (not raw video, or a layout
 * the codec does not take: NV12, YUY2, GRAY16_LE, v210, ...) posts one
 * WARNING (STREAM FORMAT) per caps.  Streaming thread. */
void gst_memvideo_spill_binding_begin_frame (GstMemvideoSpillBinding *
    binding, GstMemvideoSpillFrame * frame);

/* Makes @buffer (transfer full) the element's to keep, by the store's one
 * rule (memvideo_spill_pool_adopt_buffer()): @out is @buffer itself, or
 * a buffer holding its memories, when they already are pageable memory of
 * this pool with the codec the pool chooses for @frame's vinfo; otherwise
 * a copy in the pool laid out by that vinfo (metas, flags, timestamps
 * kept).  Returns GST_FLOW_OK, GST_FLOW_FLUSHING when not started (@out
 * NULL, nothing posted), or GST_FLOW_ERROR after posting ERROR (STREAM
 * FAILED: the input could not be read).  @buffer is released on failure. */
GstFlowReturn gst_memvideo_spill_binding_adopt (GstMemvideoSpillBinding *
    binding, const GstMemvideoSpillFrame * frame, GstBuffer * buffer,
    GstBuffer ** out);

/* Answers the ALLOCATION @query: offers the pool's allocator unless
 * spill-format is jpeg and the query's caps are raw video (memories made by
 * the allocator alone spill raw; copies made with the caps' layout can be
 * JPEG).  FALSE when not started. */
gboolean gst_memvideo_spill_binding_add_allocator (GstMemvideoSpillBinding *
    binding, GstQuery * query);

/* Posts the messages a spill error left pending (in this thread), then
 * GST_FLOW_ERROR when this run had an ERROR (a failed reload), else
 * GST_FLOW_OK.  Call it at the end of each buffer and at EOS. */
GstFlowReturn gst_memvideo_spill_binding_check_flow (GstMemvideoSpillBinding
    * binding);

G_END_DECLS

#endif /* __GST_MEMVIDEO_SPILL_H__ */
