/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-memsrc
 * @title: memsrc
 *
 * Reads the samples a memsink in another process serves on its
 * #GstMemSink:socket-path.  Caps, timestamps, flags and #GstVideoMeta come
 * from the writer; the frame data is a sealed memfd mapped read-only, so
 * nothing is copied on this side.  The buffer offset is the writer's
 * sample number.
 *
 * In `replay` mode memsrc sends every sample memsink holds when it
 * connects, oldest first, with the writer's timestamps, then EOS.  In
 * `follow` mode it is a live source: the samples memsink keeps from now
 * on, timestamped with the pipeline clock on arrival.  A reader that falls
 * behind misses the samples that left memsink's window meanwhile: the next
 * buffer is DISCONT and #GstMemSrc:missed counts them.
 *
 * When the writer stops, a replay that has not ended posts a WARNING and
 * ends with EOS; in follow mode a writer that stops (READY or NULL) ends
 * the stream with EOS, and a writer that disappears without saying so
 * (killed) is an error.  See docs/memsrc.md for the protocol.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! memsink socket-path=/tmp/mv.sock
 * gst-launch-1.0 memsrc socket-path=/tmp/mv.sock ! videoconvert ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <gst/video/video.h>

#include "gstmemsrc.h"
#include "gstmemvideoelements.h"
#include "memvideo/memproto.h"

GST_DEBUG_CATEGORY_STATIC (gst_mem_src_debug);
#define GST_CAT_DEFAULT gst_mem_src_debug

#define DEFAULT_SOCKET_PATH NULL
#define DEFAULT_MODE GST_MEM_SRC_MODE_FOLLOW
#define RECV_SIZE 65536

enum
{
  PROP_0,
  PROP_SOCKET_PATH,
  PROP_MODE,
  PROP_MISSED,
};

struct _GstMemSrc
{
  GstPushSrc parent;

  /* Guarded by the object lock */
  gchar *socket_path;
  GstMemSrcMode mode;
  guint64 missed;

  /* From start to stop: written by start, read by the streaming thread;
   * wake_fd is written by unlock from any thread */
  gchar *path;
  GstMemSrcMode run_mode;
  gint fd;
  gint wake_fd;
  guint8 *recv_buf;
  GstCaps *caps;                /* streaming thread */
  gboolean have_segment;        /* streaming thread */
};

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define gst_mem_src_parent_class parent_class
G_DEFINE_TYPE (GstMemSrc, gst_mem_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE (memsrc, "memsrc", GST_RANK_NONE, GST_TYPE_MEM_SRC);

static GType
gst_mem_src_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_MEM_SRC_MODE_FOLLOW, "New samples from now on (live)", "follow"},
    {GST_MEM_SRC_MODE_REPLAY, "Every sample held now, then EOS", "replay"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstMemSrcMode", values));
  return type;
}

static void gst_mem_src_finalize (GObject * object);
static void gst_mem_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_mem_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_mem_src_start (GstBaseSrc * src);
static gboolean gst_mem_src_stop (GstBaseSrc * src);
static gboolean gst_mem_src_unlock (GstBaseSrc * src);
static gboolean gst_mem_src_unlock_stop (GstBaseSrc * src);
static GstFlowReturn gst_mem_src_create (GstPushSrc * src, GstBuffer ** buf);

static void
gst_mem_src_class_init (GstMemSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_mem_src_debug, "memsrc", 0,
      "Reads the samples a memsink serves");

  gobject_class->finalize = gst_mem_src_finalize;
  gobject_class->set_property = gst_mem_src_set_property;
  gobject_class->get_property = gst_mem_src_get_property;

  g_object_class_install_property (gobject_class, PROP_SOCKET_PATH,
      g_param_spec_string ("socket-path", "Socket path",
          "The socket-path of the memsink to read from", DEFAULT_SOCKET_PATH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "follow: a live source of the samples kept from now on; replay: "
          "every sample held now, oldest first, then EOS",
          gst_mem_src_mode_get_type (), DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MISSED,
      g_param_spec_uint64 ("missed", "Missed",
          "Samples that left memsink's window before this reader got them",
          0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Memory source",
      "Source/Video", "Reads the samples a memsink in another process serves "
      "on a unix socket", "gst-memvideo developers");

  basesrc_class->start = GST_DEBUG_FUNCPTR (gst_mem_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR (gst_mem_src_stop);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_mem_src_unlock);
  basesrc_class->unlock_stop = GST_DEBUG_FUNCPTR (gst_mem_src_unlock_stop);
  pushsrc_class->create = GST_DEBUG_FUNCPTR (gst_mem_src_create);

  gst_type_mark_as_plugin_api (gst_mem_src_mode_get_type (), 0);
}

static void
gst_mem_src_init (GstMemSrc * self)
{
  self->socket_path = g_strdup (DEFAULT_SOCKET_PATH);
  self->mode = DEFAULT_MODE;
  self->fd = -1;
  self->wake_fd = -1;
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_live (GST_BASE_SRC (self),
      DEFAULT_MODE == GST_MEM_SRC_MODE_FOLLOW);
}

static void
gst_mem_src_finalize (GObject * object)
{
  GstMemSrc *self = GST_MEM_SRC (object);

  g_free (self->socket_path);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_mem_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMemSrc *self = GST_MEM_SRC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SOCKET_PATH:
      g_free (self->socket_path);
      self->socket_path = g_value_dup_string (value);
      break;
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* basesrc reads it before start; it takes the object lock */
  if (prop_id == PROP_MODE)
    gst_base_src_set_live (GST_BASE_SRC (self),
        g_value_get_enum (value) == GST_MEM_SRC_MODE_FOLLOW);
}

static void
gst_mem_src_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstMemSrc *self = GST_MEM_SRC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SOCKET_PATH:
      g_value_set_string (value, self->socket_path);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_MISSED:
      g_value_set_uint64 (value, self->missed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
send_request (gint fd, MemvideoProtoType type)
{
  GBytes *b = memvideo_proto_encode_request (type, 0);
  gsize size;
  const guint8 *data = g_bytes_get_data (b, &size);
  gssize n = send (fd, data, size, MSG_NOSIGNAL);

  g_bytes_unref (b);
  return n == (gssize) size;
}

/* Posts the error; -1 then */
static gint
connect_to (GstMemSrc * self, const gchar * path)
{
  struct sockaddr_un addr = { 0 };
  gint fd, saved;

  if (strlen (path) >= sizeof (addr.sun_path)) {
    errno = ENAMETOOLONG;
    goto failed_noclose;
  }
  addr.sun_family = AF_UNIX;
  g_strlcpy (addr.sun_path, path, sizeof (addr.sun_path));
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto failed_noclose;
  if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0) {
    saved = errno;
    close (fd);
    errno = saved;
    goto failed_noclose;
  }
  return fd;

  /* ERRORS */
failed_noclose:
  {
    saved = errno;
    if (saved == ENOENT || saved == ECONNREFUSED)
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          ("No memsink serves \"%s\".", path), ("connect: %s",
              g_strerror (saved)));
    else if (saved == EACCES || saved == EPERM)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Not allowed to read from the memsink at \"%s\".", path),
          ("connect: %s", g_strerror (saved)));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not connect to the memsink at \"%s\".", path),
          ("connect: %s", g_strerror (saved)));
    return -1;
  }
}

static gboolean
gst_mem_src_start (GstBaseSrc * src)
{
  GstMemSrc *self = GST_MEM_SRC (src);
  gboolean follow;

  GST_OBJECT_LOCK (self);
  self->path = g_strdup (self->socket_path);
  self->run_mode = self->mode;
  self->missed = 0;
  GST_OBJECT_UNLOCK (self);
  follow = self->run_mode == GST_MEM_SRC_MODE_FOLLOW;

  if (self->path == NULL)
    goto no_path;
  self->fd = connect_to (self, self->path);
  if (self->fd < 0)
    goto failed;
  self->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  self->recv_buf = g_malloc (RECV_SIZE);
  gst_base_src_set_do_timestamp (src, follow);
  if (!send_request (self->fd, follow ? MEMVIDEO_PROTO_FOLLOW :
          MEMVIDEO_PROTO_REPLAY))
    goto send_failed;
  return TRUE;

  /* ERRORS */
no_path:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No socket-path set: give the socket-path of a memsink."), (NULL));
    return FALSE;
  }
send_failed:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, READ,
        ("Could not send a request to the memsink at \"%s\".", self->path),
        ("send: %s", g_strerror (errno)));
    gst_mem_src_stop (src);
    return FALSE;
  }
failed:
  {
    g_clear_pointer (&self->path, g_free);
    return FALSE;
  }
}

static gboolean
gst_mem_src_stop (GstBaseSrc * src)
{
  GstMemSrc *self = GST_MEM_SRC (src);

  if (self->fd >= 0)
    close (self->fd);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  self->fd = self->wake_fd = -1;
  g_clear_pointer (&self->recv_buf, g_free);
  g_clear_pointer (&self->path, g_free);
  gst_clear_caps (&self->caps);
  self->have_segment = FALSE;
  return TRUE;
}

static gboolean
gst_mem_src_unlock (GstBaseSrc * src)
{
  GstMemSrc *self = GST_MEM_SRC (src);
  guint64 one = 1;

  if (self->wake_fd >= 0 && write (self->wake_fd, &one, sizeof (one)) < 0)
    GST_WARNING_OBJECT (self, "wake: %s", g_strerror (errno));
  return TRUE;
}

static gboolean
gst_mem_src_unlock_stop (GstBaseSrc * src)
{
  GstMemSrc *self = GST_MEM_SRC (src);
  guint64 v;

  if (self->wake_fd >= 0 && read (self->wake_fd, &v, sizeof (v)) < 0)
    GST_LOG_OBJECT (self, "nothing to drain");
  return TRUE;
}

/* One packet and the first descriptor passed with it (-1: none; others
 * are closed).  Returns its size, 0 when the writer hung up, -1 when
 * unlocked, -2 on an error (errno), -3 when truncated. */
static gssize
receive (GstMemSrc * self, gint * passed_fd)
{
  union
  {
    struct cmsghdr align;
    gchar buf[CMSG_SPACE (4 * sizeof (gint))];
  }
  ctl;
  struct pollfd pfd[2] = { {self->fd, POLLIN, 0}, {self->wake_fd, POLLIN, 0} };
  struct iovec iov = { self->recv_buf, RECV_SIZE };
  struct msghdr mh = { 0 };
  struct cmsghdr *c;
  gssize n;

  *passed_fd = -1;
  while (poll (pfd, 2, -1) < 0)
    if (errno != EINTR)
      return -2;
  if (pfd[1].revents)
    return -1;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl.buf;
  mh.msg_controllen = sizeof (ctl.buf);
  do
    n = recvmsg (self->fd, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno == ECONNRESET ? 0 : -2;
  for (c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c)) {
    gint *fds = (gint *) CMSG_DATA (c);
    guint i, nfds = (c->cmsg_len - CMSG_LEN (0)) / sizeof (gint);

    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    for (i = 0; i < nfds; i++) {
      if (*passed_fd < 0)
        *passed_fd = fds[i];
      else
        close (fds[i]);
    }
  }
  if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    return -3;
  return n;
}

typedef struct
{
  gpointer data;
  gsize size;
} Mapping;

static void
unmap_frame (gpointer data)
{
  Mapping *m = data;

  munmap (m->data, m->size);
  g_free (m);
}

/* Takes @fd; NULL when it is not a sealed memfd of at least @size bytes */
static GstBuffer *
wrap_fd (gint fd, guint64 size)
{
  gint seals = fcntl (fd, F_GET_SEALS);
  struct stat st;
  Mapping *m;

  if (seals < 0 || (seals & (F_SEAL_WRITE | F_SEAL_SHRINK)) !=
      (F_SEAL_WRITE | F_SEAL_SHRINK) || fstat (fd, &st) < 0
      || (guint64) st.st_size < size) {
    close (fd);
    return NULL;
  }
  if (size == 0) {
    close (fd);
    return gst_buffer_new ();
  }
  m = g_new (Mapping, 1);
  m->size = size;
  m->data = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  close (fd);
  if (m->data == MAP_FAILED) {
    g_free (m);
    return NULL;
  }
  return gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, m->data,
      size, 0, size, m, unmap_frame);
}

#define PASSED_FLAGS (GST_BUFFER_FLAG_DISCONT | GST_BUFFER_FLAG_DELTA_UNIT | \
    GST_BUFFER_FLAG_HEADER | GST_BUFFER_FLAG_GAP | GST_BUFFER_FLAG_DROPPABLE | \
    GST_BUFFER_FLAG_MARKER | GST_BUFFER_FLAG_CORRUPTED | \
    GST_BUFFER_FLAG_DECODE_ONLY | GST_BUFFER_FLAG_NON_DROPPABLE)

static void
describe (GstMemSrc * self, GstBuffer * b, const MemvideoProtoFrame * f)
{
  gboolean follow = self->run_mode == GST_MEM_SRC_MODE_FOLLOW;
  gsize offset[MEMVIDEO_PROTO_MAX_PLANES];
  gint stride[MEMVIDEO_PROTO_MAX_PLANES];
  GstVideoInfo info;
  guint i;

  /* follow: basesrc's do-timestamp stamps the arrival */
  GST_BUFFER_PTS (b) = follow ? GST_CLOCK_TIME_NONE : f->entry.pts;
  GST_BUFFER_DTS (b) = follow ? GST_CLOCK_TIME_NONE : f->entry.dts;
  GST_BUFFER_DURATION (b) = f->entry.duration;
  GST_BUFFER_OFFSET (b) = f->entry.number;
  GST_BUFFER_FLAG_SET (b, f->entry.flags & PASSED_FLAGS);
  /* the meta's format must be the caps' one (and so a valid one) */
  if (f->n_planes > 0 && self->caps
      && gst_video_info_from_caps (&info, self->caps)
      && GST_VIDEO_INFO_FORMAT (&info) == (GstVideoFormat) f->video_format) {
    for (i = 0; i < f->n_planes; i++) {
      offset[i] = f->offset[i];
      stride[i] = f->stride[i];
    }
    gst_buffer_add_video_meta_full (b, GST_VIDEO_FRAME_FLAG_NONE,
        f->video_format, f->width, f->height, f->n_planes, offset, stride);
  }
  GST_OBJECT_LOCK (self);
  if (f->missed > self->missed) {
    GST_WARNING_OBJECT (self, "missed %" G_GUINT64_FORMAT " samples",
        f->missed - self->missed);
    self->missed = f->missed;
    GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
  }
  GST_OBJECT_UNLOCK (self);
}

static GstFlowReturn
frame_buffer (GstMemSrc * self, const MemvideoProtoFrame * f, gint fd,
    GstBuffer ** out)
{
  GstCaps *caps;
  GstBuffer *b;

  if (fd < 0 || (b = wrap_fd (fd, f->size)) == NULL)
    goto bad_frame;
  if (self->caps == NULL || strcmp (f->entry.caps, "ANY") != 0) {
    caps = gst_caps_from_string (f->entry.caps);
    if (caps == NULL)
      goto bad_caps;
    if (self->caps == NULL || !gst_caps_is_equal (caps, self->caps)) {
      gst_caps_replace (&self->caps, caps);
      if (!gst_base_src_set_caps (GST_BASE_SRC (self), caps)) {
        gst_caps_unref (caps);
        gst_buffer_unref (b);
        return GST_FLOW_NOT_NEGOTIATED;
      }
    }
    gst_caps_unref (caps);
  }
  /* replay: the writer's timestamps, with running time from the first */
  if (!self->have_segment && self->run_mode == GST_MEM_SRC_MODE_REPLAY
      && GST_CLOCK_TIME_IS_VALID (f->entry.pts)) {
    GstSegment seg;

    gst_segment_init (&seg, GST_FORMAT_TIME);
    seg.start = seg.time = seg.position = f->entry.pts;
    gst_base_src_new_segment (GST_BASE_SRC (self), &seg);
  }
  self->have_segment = TRUE;
  describe (self, b, f);
  GST_LOG_OBJECT (self, "sample %" G_GUINT64_FORMAT, f->entry.number);
  *out = b;
  return GST_FLOW_OK;

  /* ERRORS */
bad_caps:
  gst_buffer_unref (b);
bad_frame:
  {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("The memsink at \"%s\" sent a frame that cannot be read.",
            self->path), ("sample %" G_GUINT64_FORMAT ": %s",
            f->entry.number, fd < 0 ? "no descriptor" :
            "not a sealed memfd of the size given, or caps that don't parse"));
    return GST_FLOW_ERROR;
  }
}

/* The writer closed, or said BYE (@bye) */
static GstFlowReturn
writer_gone (GstMemSrc * self, gboolean bye)
{
  if (self->run_mode == GST_MEM_SRC_MODE_REPLAY) {
    GST_ELEMENT_WARNING (self, RESOURCE, READ,
        ("The memsink at \"%s\" stopped before the replay ended.",
            self->path), ("%s", bye ? "BYE" : "connection closed"));
    return GST_FLOW_EOS;
  }
  if (bye)
    return GST_FLOW_EOS;
  GST_ELEMENT_ERROR (self, RESOURCE, READ,
      ("The memsink at \"%s\" went away.", self->path),
      ("the connection closed without BYE"));
  return GST_FLOW_ERROR;
}

static GstFlowReturn
gst_mem_src_create (GstPushSrc * src, GstBuffer ** buf)
{
  GstMemSrc *self = GST_MEM_SRC (src);
  MemvideoProtoMessage msg;
  GstFlowReturn ret;
  gint fd;
  gssize n = receive (self, &fd);

  if (n == -1)
    return GST_FLOW_FLUSHING;
  if (n == 0)
    return writer_gone (self, FALSE);
  if (n < 0 || memvideo_proto_parse_response (self->recv_buf, n, &msg)
      != MEMVIDEO_PROTO_OK)
    goto malformed;
  switch (msg.type) {
    case MEMVIDEO_PROTO_FRAME:
      ret = frame_buffer (self, &msg.frame, fd, buf);
      fd = -1;
      break;
    case MEMVIDEO_PROTO_END:
      ret = GST_FLOW_EOS;
      break;
    case MEMVIDEO_PROTO_BYE:
      ret = writer_gone (self, TRUE);
      break;
    case MEMVIDEO_PROTO_ERROR:
      GST_ELEMENT_ERROR (self, RESOURCE, READ,
          ("The memsink at \"%s\" refused the request.", self->path),
          ("error %u: %s", msg.code, msg.message));
      ret = GST_FLOW_ERROR;
      break;
    default:
      memvideo_proto_message_clear (&msg);
      goto malformed;
  }
  memvideo_proto_message_clear (&msg);
  if (fd >= 0)
    close (fd);
  return ret;

  /* ERRORS */
malformed:
  {
    if (fd >= 0)
      close (fd);
    GST_ELEMENT_ERROR (self, RESOURCE, READ,
        ("Could not read from the memsink at \"%s\".", self->path),
        ("%s", n < 0 ? g_strerror (errno) : "malformed message"));
    return GST_FLOW_ERROR;
  }
}
