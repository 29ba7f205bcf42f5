/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * memsink's socket-path: serves the held samples to other processes
 * (memsrc) over a unix socket, protocol in memvideo/memproto.h and
 * docs/memsrc.md.  A thread with its own GMainContext answers every
 * connection; the streaming thread only notifies it (an atomic flag and a
 * wakeup), so a slow or stalled reader never blocks memsink.
 */

#ifndef __GST_MEM_SINK_SERVE_H__
#define __GST_MEM_SINK_SERVE_H__

#include "gstmemsinkpriv.h"

G_BEGIN_DECLS

typedef struct _GstMemSinkServer GstMemSinkServer;

/* At start, without locks: listens on @path (created 0600), NULL and
 * @error when the path is in use or cannot be created. */
GstMemSinkServer *gst_mem_sink_server_start (GstMemSink * sink,
    const gchar * path, GError ** error);
/* At stop, without locks: says BYE to every reader, closes, removes the
 * socket. */
void gst_mem_sink_server_stop (GstMemSinkServer * server);
/* Any thread, any lock: a sample was kept.  Never blocks. */
void gst_mem_sink_server_notify (GstMemSinkServer * server);

/* memsink's hooks: class_init installs socket-path; start (last, without
 * locks) serves on it when set, posting the error; stop ends that */
void gst_mem_sink_serve_install_property (GObjectClass * klass,
    guint prop_id);
gboolean gst_mem_sink_serve_start (GstMemSink * sink);
void gst_mem_sink_serve_stop (GstMemSink * sink);

G_END_DECLS

#endif /* __GST_MEM_SINK_SERVE_H__ */
