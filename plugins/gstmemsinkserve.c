/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * The serving thread of memsink's socket-path (see gstmemsinkserve.h).
 *
 * Each connection is a SOCK_SEQPACKET peer: one request or response per
 * packet.  A reader that follows (or replays) has a next number; the
 * thread sends it what the window holds from there on while its socket
 * takes packets, and waits for POLLOUT otherwise, so nothing is queued on
 * memsink's side for a slow reader: when it comes back, the samples that
 * left the window meanwhile are counted as missed and reported in the
 * next FRAME.  Frame data is copied once into a memfd sealed against
 * writes and resizing; the last few are cached so several readers share
 * them.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <glib/gstdio.h>
#include <glib-unix.h>

#include "gstmemsinkserve.h"
#include "memvideo/memproto.h"

GST_DEBUG_CATEGORY_EXTERN (gst_mem_sink_debug);
#define GST_CAT_DEFAULT gst_mem_sink_debug

#define N_CACHED 8
#define SEND_BUFFER 16384
#define NONE MEMVIDEO_PROTO_NONE

typedef struct
{
  guint64 number;
  gint fd;
  guint64 size;
} CachedFd;

typedef struct
{
  GSource source;
  GstMemSinkServer *server;
  gpointer tag;
  gint fd;
  guint64 next;                 /* NONE: not sending */
  guint64 end;                  /* replay: the last number, NONE: follow */
  guint64 missed;
  gboolean want_out;
} Client;

struct _GstMemSinkServer
{
  GstMemSink *sink;             /* not a reference: the sink stops us */
  gchar *path;
  dev_t dev;
  ino_t ino;
  gint listen_fd;
  GMainContext *context;
  GThread *thread;
  GList *clients;               /* serving thread only */
  CachedFd cache[N_CACHED];     /* serving thread only */
  guint cache_next;
  gint running;                 /* atomic */
  gint pending;                 /* atomic: a sample was kept */
};

/* ------------------------------------------------------------- sending */

static gboolean
send_packet (gint fd, GBytes * packet, gint pass_fd)
{
  gsize size;
  struct iovec iov;
  struct msghdr mh = { 0 };
  union
  {
    struct cmsghdr align;
    gchar buf[CMSG_SPACE (sizeof (gint))];
  }
  ctl;
  gssize n;

  iov.iov_base = (gpointer) g_bytes_get_data (packet, &size);
  iov.iov_len = size;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (pass_fd >= 0) {
    struct cmsghdr *c;

    memset (&ctl, 0, sizeof (ctl));
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof (ctl.buf);
    c = CMSG_FIRSTHDR (&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN (sizeof (gint));
    memcpy (CMSG_DATA (c), &pass_fd, sizeof (gint));
  }
  do
    n = sendmsg (fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  g_bytes_unref (packet);
  return n == (gssize) size;
}

static gint
make_memfd (GstBuffer * buffer, guint64 * size)
{
  GstMapInfo map;
  gsize done = 0;
  gint fd;

  fd = memfd_create ("memsink-frame", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return -1;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    goto failed;
  if (ftruncate (fd, map.size) < 0)
    goto unmap_failed;
  while (done < map.size) {
    gssize n = pwrite (fd, map.data + done, map.size - done, done);

    if (n <= 0 && errno != EINTR)
      goto unmap_failed;
    if (n > 0)
      done += n;
  }
  *size = map.size;
  gst_buffer_unmap (buffer, &map);
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW |
          F_SEAL_SEAL) < 0)
    goto failed;
  return fd;

unmap_failed:
  gst_buffer_unmap (buffer, &map);
failed:
  GST_WARNING ("memfd for a frame: %s", g_strerror (errno));
  close (fd);
  return -1;
}

/* The cached memfd of sample @number (owned by the cache), -1 on error */
static gint
frame_fd (GstMemSinkServer * self, guint64 number, GstBuffer * buffer,
    guint64 * size)
{
  CachedFd *c;
  guint i;

  for (i = 0; i < N_CACHED; i++) {
    if (self->cache[i].fd >= 0 && self->cache[i].number == number) {
      *size = self->cache[i].size;
      return self->cache[i].fd;
    }
  }
  c = &self->cache[self->cache_next];
  self->cache_next = (self->cache_next + 1) % N_CACHED;
  if (c->fd >= 0)
    close (c->fd);
  c->number = number;
  c->fd = make_memfd (buffer, &c->size);
  *size = c->size;
  return c->fd;
}

static void
fill_entry (MemvideoProtoEntry * e, guint64 number, GstSample * sample)
{
  GstBuffer *b = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);

  e->number = number;
  e->pts = GST_BUFFER_PTS (b);
  e->dts = GST_BUFFER_DTS (b);
  e->duration = GST_BUFFER_DURATION (b);
  e->flags = GST_BUFFER_FLAGS (b);
  e->caps = caps ? gst_caps_to_string (caps) : g_strdup ("ANY");
}

static void
fill_video_meta (MemvideoProtoFrame * f, GstSample * sample)
{
  GstVideoMeta *meta = gst_buffer_get_video_meta (gst_sample_get_buffer
      (sample));
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo info;
  guint i;

  if (meta) {
    f->video_format = meta->format;
    f->width = meta->width;
    f->height = meta->height;
    f->n_planes = MIN (meta->n_planes, MEMVIDEO_PROTO_MAX_PLANES);
    for (i = 0; i < f->n_planes; i++) {
      f->offset[i] = meta->offset[i];
      f->stride[i] = meta->stride[i];
    }
  } else if (caps && gst_video_info_from_caps (&info, caps)) {
    f->video_format = GST_VIDEO_INFO_FORMAT (&info);
    f->width = GST_VIDEO_INFO_WIDTH (&info);
    f->height = GST_VIDEO_INFO_HEIGHT (&info);
    f->n_planes = MIN (GST_VIDEO_INFO_N_PLANES (&info),
        MEMVIDEO_PROTO_MAX_PLANES);
    for (i = 0; i < f->n_planes; i++) {
      f->offset[i] = GST_VIDEO_INFO_PLANE_OFFSET (&info, i);
      f->stride[i] = GST_VIDEO_INFO_PLANE_STRIDE (&info, i);
    }
  }
  /* a meta that does not fit the data is not sent */
  for (i = 0; i < f->n_planes; i++)
    if (f->offset[i] >= f->size)
      f->n_planes = 0;
}

/* TRUE when sent (or when it cannot be sent at all); FALSE: try later */
static gboolean
send_frame (Client * c, guint64 number, GstSample * sample)
{
  MemvideoProtoFrame f = { {0} };
  gboolean sent;
  gint fd;

  fd = frame_fd (c->server, number, gst_sample_get_buffer (sample), &f.size);
  if (fd < 0)
    return send_packet (c->fd, memvideo_proto_encode_error
        (MEMVIDEO_PROTO_ERROR_INTERNAL, "could not share the frame"), -1);
  fill_entry (&f.entry, number, sample);
  fill_video_meta (&f, sample);
  f.missed = c->missed;
  sent = send_packet (c->fd, memvideo_proto_encode_frame (&f), fd);
  g_free (f.entry.caps);
  return sent;
}

/* Element lock held: the samples window, NULL when there is none */
static MemvideoSampleWindow *
locked_window (GstMemSinkServer * self)
{
  GstMemSink *sink = self->sink;

  return sink->store ? gst_mem_sink_samples_store_get_window (sink->store)
      : NULL;
}

/* Element lock held: the next sample for @c (a reference), NULL if none */
static GstSample *
next_sample (Client * c)
{
  MemvideoSampleWindow *w = locked_window (c->server);
  GstSample *s;
  guint64 first;

  if (w == NULL)
    return NULL;
  first = memvideo_sample_window_get_first_number (w);
  if (c->next < first) {
    c->missed += first - c->next;
    c->next = first;
  }
  if (c->end != NONE && c->next > c->end)
    return NULL;
  s = memvideo_sample_window_get_by_number (w, c->next);
  return s ? gst_sample_ref (s) : NULL;
}

static void
pump (Client * c)
{
  GMutex *lock = &c->server->sink->lock;
  GstSample *s;

  while (c->next != NONE) {
    g_mutex_lock (lock);
    s = next_sample (c);
    g_mutex_unlock (lock);
    if (s == NULL)
      break;
    GST_LOG ("sending %" G_GUINT64_FORMAT " to fd %d", c->next, c->fd);
    if (!send_frame (c, c->next, s)) {
      gst_sample_unref (s);
      c->want_out = (errno == EAGAIN || errno == EWOULDBLOCK);
      return;
    }
    gst_sample_unref (s);
    c->next++;
  }
  if (c->next != NONE && c->end != NONE && c->next > c->end) {
    if (!send_packet (c->fd, memvideo_proto_encode_end (c->missed), -1)) {
      c->want_out = (errno == EAGAIN || errno == EWOULDBLOCK);
      return;
    }
    c->next = NONE;
  }
  c->want_out = FALSE;
}

/* ------------------------------------------------------------ requests */

static gboolean
answer_list (Client * c)
{
  GMutex *lock = &c->server->sink->lock;
  MemvideoSampleWindow *w;
  GPtrArray *held = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_sample_unref);
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (MemvideoProtoEntry));
  guint i, n = 0;
  gboolean sent;
  guint64 first = 0;

  /* references under the lock, caps to strings without it */
  g_mutex_lock (lock);
  w = locked_window (c->server);
  if (w) {
    n = memvideo_sample_window_get_length (w);
    first = memvideo_sample_window_get_first_number (w);
  }
  /* a LIST_REPLY must fit one packet */
  for (i = 0; i < n && i < 2000; i++)
    g_ptr_array_add (held, gst_sample_ref (memvideo_sample_window_get (w, i)));
  g_mutex_unlock (lock);
  for (i = 0; i < held->len; i++) {
    MemvideoProtoEntry e;

    fill_entry (&e, first + i, g_ptr_array_index (held, i));
    g_array_append_val (entries, e);
  }
  g_ptr_array_unref (held);
  sent = send_packet (c->fd, memvideo_proto_encode_list_reply
      ((MemvideoProtoEntry *) entries->data, entries->len), -1);
  for (i = 0; i < entries->len; i++)
    g_free (g_array_index (entries, MemvideoProtoEntry, i).caps);
  g_array_unref (entries);
  return sent;
}

static gboolean
answer_fetch (Client * c, guint64 number)
{
  GMutex *lock = &c->server->sink->lock;
  MemvideoSampleWindow *w;
  GstSample *s = NULL;
  gboolean sent;

  g_mutex_lock (lock);
  w = locked_window (c->server);
  if (w && memvideo_sample_window_get_by_number (w, number))
    s = gst_sample_ref (memvideo_sample_window_get_by_number (w, number));
  g_mutex_unlock (lock);
  if (s == NULL)
    return send_packet (c->fd, memvideo_proto_encode_error
        (MEMVIDEO_PROTO_ERROR_NOT_HELD, "no sample with that number is held"),
        -1);
  sent = send_frame (c, number, s);
  gst_sample_unref (s);
  return sent;
}

/* Starts a follow (from the next sample on) or a replay (what is held) */
static void
start_stream (Client * c, gboolean replay)
{
  GMutex *lock = &c->server->sink->lock;
  MemvideoSampleWindow *w;
  guint64 first = 0, n = 0;

  g_mutex_lock (lock);
  w = locked_window (c->server);
  if (w) {
    first = memvideo_sample_window_get_first_number (w);
    n = memvideo_sample_window_get_length (w);
  }
  g_mutex_unlock (lock);
  c->missed = 0;
  if (replay) {
    c->next = first;
    /* an empty window: END at once (next > end) */
    c->end = n ? first + n - 1 : NONE;
    if (n == 0) {
      c->next = 1;
      c->end = 0;
    }
  } else {
    /* no window yet: the samples store numbers from 1 */
    c->next = w ? first + n : 1;
    c->end = NONE;
  }
  pump (c);
}

/* FALSE: close the connection */
static gboolean
handle_request (Client * c)
{
  guint8 buf[256];
  MemvideoProtoMessage msg;
  gssize n;

  n = recv (c->fd, buf, sizeof (buf), MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0)
    return errno == EAGAIN || errno == EINTR;
  if (n == 0 || n > (gssize) sizeof (buf))
    return FALSE;
  if (memvideo_proto_parse_request (buf, n, &msg) != MEMVIDEO_PROTO_OK) {
    GST_INFO ("malformed request (%" G_GSSIZE_FORMAT " bytes): closing", n);
    return FALSE;
  }
  switch (msg.type) {
    case MEMVIDEO_PROTO_LIST:
      return answer_list (c) || errno == EAGAIN;
    case MEMVIDEO_PROTO_FETCH:
      return answer_fetch (c, msg.number) || errno == EAGAIN;
    case MEMVIDEO_PROTO_FOLLOW:
    case MEMVIDEO_PROTO_REPLAY:
      start_stream (c, msg.type == MEMVIDEO_PROTO_REPLAY);
      return TRUE;
    default:
      return FALSE;
  }
}

/* ------------------------------------------------------------- sources */

static void
client_close (Client * c)
{
  GstMemSinkServer *self = c->server;

  self->clients = g_list_remove (self->clients, c);
  g_source_destroy (&c->source);
  close (c->fd);
  g_source_unref (&c->source);
}

static gboolean
client_dispatch (GSource * source, GSourceFunc cb, gpointer data)
{
  Client *c = (Client *) source;
  GIOCondition cond = g_source_query_unix_fd (source, c->tag);

  if (cond & G_IO_IN) {
    if (!handle_request (c)) {
      client_close (c);
      return G_SOURCE_REMOVE;
    }
  } else if (cond & (G_IO_HUP | G_IO_ERR | G_IO_NVAL)) {
    client_close (c);
    return G_SOURCE_REMOVE;
  }
  if (cond & G_IO_OUT)
    pump (c);
  g_source_modify_unix_fd (source, c->tag, G_IO_IN | G_IO_HUP | G_IO_ERR |
      (c->want_out ? G_IO_OUT : 0));
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs client_funcs = {
  NULL, NULL, client_dispatch, NULL, NULL, NULL
};

static gboolean
peer_allowed (gint fd)
{
  struct ucred cred;
  socklen_t len = sizeof (cred);

  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return FALSE;
  GST_DEBUG ("reader pid %d uid %u", (gint) cred.pid, (guint) cred.uid);
  return cred.uid == geteuid () || cred.uid == 0;
}

static gboolean
accept_cb (gint fd, GIOCondition cond, gpointer data)
{
  GstMemSinkServer *self = data;
  Client *c;
  gint cfd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (cfd < 0)
    return G_SOURCE_CONTINUE;
  if (!peer_allowed (cfd)) {
    send_packet (cfd, memvideo_proto_encode_error
        (MEMVIDEO_PROTO_ERROR_REFUSED, "another user's reader is refused"), -1);
    close (cfd);
    return G_SOURCE_CONTINUE;
  }
  /* frames in flight keep their memfds alive: a small send buffer bounds
   * what a stalled reader holds to a few dozen messages */
  setsockopt (cfd, SOL_SOCKET, SO_SNDBUF, &(gint) {
      SEND_BUFFER}
      , sizeof (gint));
  c = (Client *) g_source_new (&client_funcs, sizeof (Client));
  c->server = self;
  c->fd = cfd;
  c->next = NONE;
  c->end = NONE;
  c->tag = g_source_add_unix_fd (&c->source, cfd, G_IO_IN | G_IO_HUP |
      G_IO_ERR);
  g_source_attach (&c->source, self->context);
  self->clients = g_list_prepend (self->clients, c);
  return G_SOURCE_CONTINUE;
}

static gpointer
serve_thread (gpointer data)
{
  GstMemSinkServer *self = data;
  GSource *listen = g_unix_fd_source_new (self->listen_fd, G_IO_IN);
  GList *l;

  g_source_set_callback (listen, (GSourceFunc) (GCallback) accept_cb, self,
      NULL);
  g_source_attach (listen, self->context);
  while (g_atomic_int_get (&self->running)) {
    g_main_context_iteration (self->context, TRUE);
    if (g_atomic_int_exchange (&self->pending, 0)) {
      for (l = self->clients; l; l = l->next) {
        Client *c = l->data;

        if (!c->want_out)
          pump (c);
        g_source_modify_unix_fd (&c->source, c->tag, G_IO_IN | G_IO_HUP |
            G_IO_ERR | (c->want_out ? G_IO_OUT : 0));
      }
    }
  }
  while (self->clients) {
    Client *c = self->clients->data;

    send_packet (c->fd, memvideo_proto_encode_bye (), -1);
    client_close (c);
  }
  g_source_destroy (listen);
  g_source_unref (listen);
  return NULL;
}

/* ------------------------------------------------------------ listener */

/* TRUE when a process accepts connections on the socket at @path */
static gboolean
socket_is_live (const gchar * path)
{
  struct sockaddr_un addr = { 0 };
  gint fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  gboolean live;

  addr.sun_family = AF_UNIX;
  g_strlcpy (addr.sun_path, path, sizeof (addr.sun_path));
  live = connect (fd, (struct sockaddr *) &addr, sizeof (addr)) == 0
      || errno != ECONNREFUSED;
  close (fd);
  return live;
}

/* Binds in a private directory, then links into place: the socket
 * appears at @path already 0600 and never replaces anything. */
static gint
bind_private (const gchar * path, GError ** error)
{
  struct sockaddr_un addr = { 0 };
  gchar *dir = g_path_get_dirname (path);
  gchar *tmpdir = g_build_filename (dir, ".memsink-XXXXXX", NULL);
  gchar *tmp = NULL;
  gint fd = -1, saved = 0;

  if (g_mkdtemp_full (tmpdir, 0700) == NULL)
    goto failed;
  tmp = g_build_filename (tmpdir, "s", NULL);
  addr.sun_family = AF_UNIX;
  g_strlcpy (addr.sun_path, tmp, sizeof (addr.sun_path));
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || strlen (tmp) >= sizeof (addr.sun_path)
      || bind (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0
      || chmod (tmp, 0600) < 0 || listen (fd, 64) < 0 || link (tmp, path) < 0)
    goto failed;
  unlink (tmp);
  g_rmdir (tmpdir);
  g_free (tmp);
  g_free (tmpdir);
  g_free (dir);
  return fd;

failed:
  saved = errno;
  if (fd >= 0)
    close (fd);
  if (tmp)
    unlink (tmp);
  g_rmdir (tmpdir);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
      "creating the socket in %s: %s", dir, g_strerror (saved));
  g_free (tmp);
  g_free (tmpdir);
  g_free (dir);
  return -1;
}

static gint
create_listener (const gchar * path, GError ** error)
{
  struct sockaddr_un addr;
  struct stat st;

  if (strlen (path) >= sizeof (addr.sun_path)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
        "a unix socket path has at most %u bytes",
        (guint) sizeof (addr.sun_path) - 1);
    return -1;
  }
  if (lstat (path, &st) == 0) {
    if (!S_ISSOCK (st.st_mode)) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
          "the path exists and is not a socket");
      return -1;
    }
    if (socket_is_live (path)) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
          "another process serves this socket");
      return -1;
    }
    GST_INFO ("removing the stale socket %s", path);
    unlink (path);
  }
  return bind_private (path, error);
}

GstMemSinkServer *
gst_mem_sink_server_start (GstMemSink * sink, const gchar * path,
    GError ** error)
{
  GstMemSinkServer *self;
  struct stat st;
  gint fd = create_listener (path, error);
  guint i;

  if (fd < 0)
    return NULL;
  self = g_new0 (GstMemSinkServer, 1);
  self->sink = sink;
  self->path = g_strdup (path);
  self->listen_fd = fd;
  if (lstat (path, &st) == 0) {
    self->dev = st.st_dev;
    self->ino = st.st_ino;
  }
  for (i = 0; i < N_CACHED; i++)
    self->cache[i].fd = -1;
  self->context = g_main_context_new ();
  self->running = 1;
  self->thread = g_thread_new ("memsink-serve", serve_thread, self);
  GST_INFO_OBJECT (sink, "serving on %s", path);
  return self;
}

void
gst_mem_sink_server_stop (GstMemSinkServer * self)
{
  struct stat st;
  guint i;

  g_atomic_int_set (&self->running, 0);
  g_main_context_wakeup (self->context);
  g_thread_join (self->thread);
  g_main_context_unref (self->context);
  close (self->listen_fd);
  /* only our socket: a later writer may have taken the path */
  if (lstat (self->path, &st) == 0 && st.st_dev == self->dev
      && st.st_ino == self->ino)
    unlink (self->path);
  for (i = 0; i < N_CACHED; i++)
    if (self->cache[i].fd >= 0)
      close (self->cache[i].fd);
  g_free (self->path);
  g_free (self);
}

void
gst_mem_sink_server_notify (GstMemSinkServer * self)
{
  g_atomic_int_set (&self->pending, 1);
  g_main_context_wakeup (self->context);
}

/* --------------------------------------------------------- memsink hooks */

void
gst_mem_sink_serve_install_property (GObjectClass * klass, guint prop_id)
{
  g_object_class_install_property (klass, prop_id,
      g_param_spec_string ("socket-path", "Socket path",
          "Samples mode: serve the held samples to memsrc on a unix socket "
          "created here, mode 0600 (NULL = don't)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

gboolean
gst_mem_sink_serve_start (GstMemSink * sink)
{
  GError *error = NULL;
  GstMemSinkServer *server;
  gchar *path;

  GST_OBJECT_LOCK (sink);
  path = g_strdup (sink->settings.socket_path);
  GST_OBJECT_UNLOCK (sink);
  if (path == NULL)
    return TRUE;
  server = gst_mem_sink_server_start (sink, path, &error);
  if (server == NULL)
    goto failed;
  g_free (path);
  g_mutex_lock (&sink->lock);
  sink->server = server;
  g_mutex_unlock (&sink->lock);
  return TRUE;

  /* ERRORS */
failed:
  {
    GST_ELEMENT_ERROR (sink, RESOURCE, OPEN_READ_WRITE,
        ("Could not serve on the socket \"%s\".", path),
        ("%s", error->message));
    g_clear_error (&error);
    g_free (path);
    return FALSE;
  }
}

void
gst_mem_sink_serve_stop (GstMemSink * sink)
{
  GstMemSinkServer *server;

  g_mutex_lock (&sink->lock);
  server = sink->server;
  sink->server = NULL;
  g_mutex_unlock (&sink->lock);
  if (server)
    gst_mem_sink_server_stop (server);
}
