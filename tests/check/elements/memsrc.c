/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * memsink's socket-path and memsrc across processes: the writer (appsrc !
 * memsink socket-path=...) runs in the test, the readers are gst-launch-1.0
 * processes (memsrc ! exact caps ! filesink) or raw protocol clients in
 * forked children.  Frames are numbered in their bytes, so every check
 * compares every byte.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "../memvideotest.h"
#include "memvideo/memproto.h"

#define W 64
#define H 48
#define FRAME_SIZE (W * H * 3 / 2)
#define CAPS_STR "video/x-raw,format=I420,width=64,height=48,framerate=30/1"

static gchar *tmpdir;

static gchar *
tmp_path (const gchar * name)
{
  if (tmpdir == NULL)
    tmpdir = g_dir_make_tmp ("memsrc-XXXXXX", NULL);
  return g_build_filename (tmpdir, name, NULL);
}

static void
fill_frame (guint8 * d, guint64 i)
{
  guint j;

  for (j = 0; j < FRAME_SIZE; j++)
    d[j] = (i * 31 + j * 7) & 0xff;
  memcpy (d, &i, 8);
}

typedef struct
{
  GstElement *pipe, *src, *sink;
  gboolean live;
} Writer;

static Writer *
writer_new (const gchar * path, guint max_samples, gboolean live)
{
  Writer *w = g_new0 (Writer, 1);
  gchar *desc = g_strdup_printf ("appsrc name=src format=time is-live=%d "
      "caps=" CAPS_STR " block=true max-buffers=8 ! memsink name=sink "
      "socket-path=%s max-samples=%u sync=%d", live, path, max_samples, live);

  w->pipe = gst_parse_launch (desc, NULL);
  fail_unless (w->pipe != NULL);
  g_free (desc);
  w->src = gst_bin_get_by_name (GST_BIN (w->pipe), "src");
  w->sink = gst_bin_get_by_name (GST_BIN (w->pipe), "sink");
  w->live = live;
  fail_if (gst_element_set_state (w->pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  return w;
}

static void
writer_push (Writer * w, guint64 i)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, FRAME_SIZE, NULL);
  GstMapInfo map;
  GstFlowReturn ret;
  GstClockTime step = w->live ? 2 * GST_MSECOND : 33 * GST_MSECOND;

  gst_buffer_map (b, &map, GST_MAP_WRITE);
  fill_frame (map.data, i);
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = i * step;
  GST_BUFFER_DURATION (b) = step;
  g_signal_emit_by_name (w->src, "push-buffer", b, &ret);
  gst_buffer_unref (b);
  fail_unless_equals_int (ret, GST_FLOW_OK);
}

/* Pushes @n frames and EOS, returns when memsink has them all */
static Writer *
writer_with_frames (const gchar * path, guint n)
{
  Writer *w = writer_new (path, 0, FALSE);
  GstBus *bus = gst_element_get_bus (w->pipe);
  GstMessage *msg;
  GstFlowReturn ret;
  guint i;

  for (i = 0; i < n; i++)
    writer_push (w, i);
  g_signal_emit_by_name (w->src, "end-of-stream", &ret);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_object_unref (bus);
  return w;
}

static void
writer_free (Writer * w)
{
  gst_element_set_state (w->pipe, GST_STATE_NULL);
  gst_object_unref (w->src);
  gst_object_unref (w->sink);
  gst_object_unref (w->pipe);
  g_free (w);
}

/* gst-launch-1.0 memsrc ! exact caps ! filesink in another process */
static GPid
spawn_reader (const gchar * path, const gchar * mode, guint num_buffers,
    const gchar * out)
{
  gchar *sp = g_strdup_printf ("socket-path=%s", path);
  gchar *md = g_strdup_printf ("mode=%s", mode);
  gchar *nb = g_strdup_printf ("num-buffers=%d", num_buffers ?
      (gint) num_buffers : -1);
  gchar *loc = g_strdup_printf ("location=%s", out);
  gchar *argv[] = { (gchar *) "gst-launch-1.0", (gchar *) "-q",
    (gchar *) "memsrc", sp, md, nb, (gchar *) "!", (gchar *) CAPS_STR,
    (gchar *) "!", (gchar *) "filesink", loc, NULL
  };
  GError *error = NULL;
  GPid pid;

  fail_unless (g_spawn_async (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
          G_SPAWN_SEARCH_PATH, NULL, NULL, &pid, &error), "%s",
      error ? error->message : "");
  g_free (sp);
  g_free (md);
  g_free (nb);
  g_free (loc);
  return pid;
}

static void
wait_reader_ok (GPid pid)
{
  gint status;

  fail_unless_equals_int (waitpid (pid, &status, 0), pid);
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "reader exited with status %d", status);
}

/* @out holds exactly @n frames numbered from @first (-1: whatever the
 * first is); returns the first */
static guint64
check_frames (const gchar * out, guint n, gint64 first)
{
  gchar *data;
  gsize len;
  guint8 expect[FRAME_SIZE];
  guint64 start;
  guint k;

  fail_unless (g_file_get_contents (out, &data, &len, NULL));
  fail_unless_equals_uint64 (len, (guint64) n * FRAME_SIZE);
  memcpy (&start, data, 8);
  if (first >= 0)
    fail_unless_equals_uint64 (start, first);
  for (k = 0; k < n; k++) {
    fill_frame (expect, start + k);
    fail_unless (memcmp (data + (gsize) k * FRAME_SIZE, expect,
            FRAME_SIZE) == 0, "frame %u differs (a gap?)", k);
  }
  g_free (data);
  return start;
}

/* ------------------------------------------------------- raw clients */

static gint
client_connect (const gchar * path)
{
  struct sockaddr_un addr = { 0 };
  struct timeval tv = { 20, 0 };
  gint fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

  addr.sun_family = AF_UNIX;
  g_strlcpy (addr.sun_path, path, sizeof (addr.sun_path));
  fail_unless (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) == 0,
      "connect: %s", g_strerror (errno));
  /* a bound on a test that would hang, not a wait for a condition */
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
  return fd;
}

static void
client_send (gint fd, GBytes * b)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (b, &n);

  fail_unless_equals_int (send (fd, p, n, MSG_NOSIGNAL), n);
  g_bytes_unref (b);
}

/* One packet into @msg (parsed), the passed descriptor in @pfd (or -1);
 * returns the packet size (0: closed) */
static gssize
client_recv (gint fd, MemvideoProtoMessage * msg, gint * pfd)
{
  static guint8 buf[65536];
  union
  {
    struct cmsghdr align;
    gchar b[CMSG_SPACE (sizeof (gint))];
  }
  ctl;
  struct iovec iov = { buf, sizeof (buf) };
  struct msghdr mh = { 0 };
  struct cmsghdr *c;
  gssize n;

  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl.b;
  mh.msg_controllen = sizeof (ctl.b);
  n = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC);
  *pfd = -1;
  c = CMSG_FIRSTHDR (&mh);
  if (n > 0 && c && c->cmsg_type == SCM_RIGHTS)
    memcpy (pfd, CMSG_DATA (c), sizeof (gint));
  if (n > 0)
    fail_unless_equals_int (memvideo_proto_parse_response (buf, n, msg),
        MEMVIDEO_PROTO_OK);
  return n;
}

static void
check_fetch (gint fd, guint64 number)
{
  MemvideoProtoMessage m;
  guint8 expect[FRAME_SIZE];
  gint mfd;
  guint8 *p;

  client_send (fd, memvideo_proto_encode_request (MEMVIDEO_PROTO_FETCH,
          number));
  fail_unless (client_recv (fd, &m, &mfd) > 0);
  fail_unless_equals_int (m.type, MEMVIDEO_PROTO_FRAME);
  fail_unless_equals_uint64 (m.frame.entry.number, number);
  fail_unless_equals_uint64 (m.frame.size, FRAME_SIZE);
  fail_unless (mfd >= 0);
  /* sealed: the reader cannot write to it */
  fail_unless (mmap (NULL, FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
          mfd, 0) == MAP_FAILED);
  p = mmap (NULL, FRAME_SIZE, PROT_READ, MAP_SHARED, mfd, 0);
  /* memsink numbers from 1, the frames from 0 */
  fill_frame (expect, number - 1);
  fail_unless (memcmp (p, expect, FRAME_SIZE) == 0);
  munmap (p, FRAME_SIZE);
  close (mfd);
  memvideo_proto_message_clear (&m);
}

/* Descriptors of this process that are sockets / memsink's memfds */
static guint
count_fds (const gchar * prefix)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const gchar *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir))) {
    gchar *p = g_build_filename ("/proc/self/fd", name, NULL);
    gchar *target = g_file_read_link (p, NULL);

    if (target && g_str_has_prefix (target, prefix))
      n++;
    g_free (target);
    g_free (p);
  }
  g_dir_close (dir);
  return n;
}

/* Polls the count until it is @want, for at most 10 s */
static guint
wait_fds (const gchar * prefix, guint want)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  guint n;

  while ((n = count_fds (prefix)) != want && g_get_monotonic_time () < end)
    g_usleep (1000);
  return n;
}

/* ------------------------------------------------------------- tests */

GST_START_TEST (test_replay_100_byte_identical)
{
  gchar *path = tmp_path ("replay.sock"), *out = tmp_path ("replay.raw");
  Writer *w = writer_with_frames (path, 100);
  GstElement *pipe, *appsink, *src;
  GstCaps *want = gst_caps_from_string (CAPS_STR);
  guint k;

  wait_reader_ok (spawn_reader (path, "replay", 0, out));
  check_frames (out, 100, 0);

  /* in this process too: caps, timestamps, numbers and the video meta */
  pipe = gst_parse_launch ("memsrc name=src mode=replay ! appsink name=out "
      "sync=false", NULL);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  g_object_set (src, "socket-path", path, NULL);
  gst_object_unref (src);
  appsink = gst_bin_get_by_name (GST_BIN (pipe), "out");
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  for (k = 0; k < 100; k++) {
    GstSample *s = gst_app_sink_pull_sample (GST_APP_SINK (appsink));
    GstBuffer *b;
    GstVideoMeta *meta;

    fail_unless (s != NULL, "sample %u missing", k);
    b = gst_sample_get_buffer (s);
    fail_unless (gst_caps_is_equal (gst_sample_get_caps (s), want));
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), k * 33 * GST_MSECOND);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (b), 33 * GST_MSECOND);
    /* memsink numbers its samples from 1 */
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (b), k + 1);
    meta = gst_buffer_get_video_meta (b);
    fail_unless (meta != NULL);
    fail_unless_equals_int (meta->format, GST_VIDEO_FORMAT_I420);
    fail_unless_equals_int (meta->stride[0], W);
    fail_unless_equals_int (meta->n_planes, 3);
    gst_sample_unref (s);
  }
  fail_unless (gst_app_sink_pull_sample (GST_APP_SINK (appsink)) == NULL);
  fail_unless (gst_app_sink_is_eos (GST_APP_SINK (appsink)));
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (appsink);
  gst_object_unref (pipe);
  gst_caps_unref (want);

  writer_free (w);
  /* removed at stop */
  fail_if (g_file_test (path, G_FILE_TEST_EXISTS));
  g_unlink (out);
  g_free (out);
  g_free (path);
}

GST_END_TEST;

/* A live writer (sync memsink, 500 frames/s); the reader takes 150
 * frames: consecutive numbers, every byte.  Bounded by frame count. */
GST_START_TEST (test_follow_live_no_gap)
{
  gchar *path = tmp_path ("follow.sock"), *out = tmp_path ("follow.raw");
  Writer *w = writer_new (path, 2000, TRUE);
  GPid pid;
  guint64 i = 0;
  gint status;
  pid_t done = 0;

  pid = spawn_reader (path, "follow", 150, out);
  while (done == 0 && i < 20000) {
    writer_push (w, i++);
    done = waitpid (pid, &status, WNOHANG);
  }
  fail_unless_equals_int (done, pid);
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  fail_unless (check_frames (out, 150, -1) + 150 <= i);
  writer_free (w);
  g_unlink (out);
  g_free (out);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_eight_readers)
{
  gchar *path = tmp_path ("eight.sock");
  Writer *w = writer_with_frames (path, 100);
  GPid pids[8];
  gchar *outs[8];
  guint r;

  for (r = 0; r < 8; r++) {
    gchar *name = g_strdup_printf ("eight-%u.raw", r);

    outs[r] = tmp_path (name);
    g_free (name);
    pids[r] = spawn_reader (path, "replay", 0, outs[r]);
  }
  for (r = 0; r < 8; r++) {
    wait_reader_ok (pids[r]);
    check_frames (outs[r], 100, 0);
    g_unlink (outs[r]);
    g_free (outs[r]);
  }
  writer_free (w);
  g_free (path);
}

GST_END_TEST;

/* A child asks for a replay, takes one frame and is killed with the rest
 * in flight: the writer closes its end (no descriptor left behind) and
 * serves the next reader every byte. */
GST_START_TEST (test_reader_killed_mid_transfer)
{
  gchar *path = tmp_path ("killed.sock"), *out = tmp_path ("killed.raw");
  Writer *w = writer_with_frames (path, 100);
  GBytes *req = memvideo_proto_encode_request (MEMVIDEO_PROTO_REPLAY, 0);
  guint sockets = count_fds ("socket:");
  gint status;
  pid_t pid;

  pid = fork ();
  if (pid == 0) {
    /* only system calls in the child of a threaded process */
    struct sockaddr_un addr = { 0 };
    gchar buf[4096];
    gint fd = socket (AF_UNIX, SOCK_SEQPACKET, 0);

    addr.sun_family = AF_UNIX;
    strcpy (addr.sun_path, path);
    if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0
        || send (fd, g_bytes_get_data (req, NULL), g_bytes_get_size (req),
            0) < 0 || recv (fd, buf, sizeof (buf), 0) <= 0)
      _exit (3);
    kill (getpid (), SIGKILL);
    _exit (4);
  }
  fail_unless_equals_int (waitpid (pid, &status, 0), pid);
  fail_unless (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
      "child status %d", status);
  fail_unless_equals_int (wait_fds ("socket:", sockets), sockets);
  /* the shared frames stay bounded by the cache */
  fail_unless (count_fds ("/memfd:memsink-frame") <= 8);

  wait_reader_ok (spawn_reader (path, "replay", 0, out));
  check_frames (out, 100, 0);
  fail_unless_equals_int (wait_fds ("socket:", sockets), sockets);

  writer_free (w);
  g_bytes_unref (req);
  g_unlink (out);
  g_free (out);
  g_free (path);
}

GST_END_TEST;

static void
expect_start_error (const gchar * path, const gchar * debug_part)
{
  GstElement *sink = gst_element_factory_make ("memsink", NULL);
  GstBus *bus = gst_bus_new ();
  gchar *text = g_strdup_printf ("Could not serve on the socket \"%s\".",
      path);

  gst_element_set_bus (sink, bus);
  g_object_set (sink, "socket-path", path, NULL);
  fail_unless_equals_int (gst_element_set_state (sink, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_READ_WRITE, text, debug_part);
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_element_set_bus (sink, NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (sink);
  gst_object_unref (bus);
  g_free (text);
}

GST_START_TEST (test_socket_permissions_and_refusals)
{
  gchar *path = tmp_path ("perm.sock"), *file = tmp_path ("regular");
  gchar *stale = tmp_path ("stale.sock");
  struct sockaddr_un addr = { 0 };
  struct stat st;
  Writer *w = writer_with_frames (path, 3), *w2;
  gint fd;

  fail_unless (lstat (path, &st) == 0);
  fail_unless (S_ISSOCK (st.st_mode));
  fail_unless_equals_int (st.st_mode & 0777, 0600);
  /* a path that is served, and one that is not a socket */
  expect_start_error (path, "another process serves this socket");
  fail_unless (g_file_set_contents (file, "x", 1, NULL));
  expect_start_error (file, "not a socket");
  fail_unless (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  /* a stale socket (its writer died) is replaced */
  fd = socket (AF_UNIX, SOCK_SEQPACKET, 0);
  addr.sun_family = AF_UNIX;
  g_strlcpy (addr.sun_path, stale, sizeof (addr.sun_path));
  fail_unless (bind (fd, (struct sockaddr *) &addr, sizeof (addr)) == 0);
  close (fd);
  w2 = writer_with_frames (stale, 3);
  fd = client_connect (stale);
  check_fetch (fd, 3);
  close (fd);
  writer_free (w2);
  fail_if (g_file_test (stale, G_FILE_TEST_EXISTS));

  writer_free (w);
  g_unlink (file);
  g_free (file);
  g_free (stale);
  g_free (path);
}

GST_END_TEST;

static GBytes *
packet (const gchar * bytes, gsize n)
{
  return g_bytes_new (bytes, n);
}

/* Each malformed request closes its own connection only; a reader
 * connected all along still lists and fetches */
GST_START_TEST (test_malformed_closes_that_connection)
{
  gchar *path = tmp_path ("bad.sock");
  Writer *w = writer_with_frames (path, 100);
  guint8 big[300] = { 'M', 'V', 1, 1 };
  GBytes *bad[] = {
    packet ("hello", 5),
    packet ("MV\2\1\0\0\0\0", 8),       /* version 2 */
    packet ("MV\1\2\4\0\0\0\1\2\3\4", 12),      /* FETCH of 4 bytes */
    packet ("MV\1\310\0\0\0\0", 8),     /* unknown type */
    packet ("MV\1\1\1\0\0\0\0", 9),     /* LIST with a byte */
    packet ("MV\1\104\0\0\0\0", 8),     /* BYE is not a request */
    packet ("MV\1\1\0\0\0\0", 7),       /* short header */
    g_bytes_new (big, sizeof (big)),
  };
  MemvideoProtoMessage m;
  gint good = client_connect (path), fd, mfd;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    fd = client_connect (path);
    client_send (fd, bad[i]);
    fail_unless (client_recv (fd, &m, &mfd) == 0,
        "malformed request %u did not close", i);
    close (fd);
  }

  client_send (good, memvideo_proto_encode_request (MEMVIDEO_PROTO_LIST, 0));
  fail_unless (client_recv (good, &m, &mfd) > 0);
  fail_unless_equals_int (m.type, MEMVIDEO_PROTO_LIST_REPLY);
  fail_unless_equals_int (m.entries->len, 100);
  fail_unless_equals_uint64 (g_array_index (m.entries, MemvideoProtoEntry,
          99).pts, 99 * 33 * GST_MSECOND);
  memvideo_proto_message_clear (&m);
  check_fetch (good, 5);
  /* a number not held is an answer, not a reason to close */
  client_send (good, memvideo_proto_encode_request (MEMVIDEO_PROTO_FETCH,
          1000));
  fail_unless (client_recv (good, &m, &mfd) > 0);
  fail_unless_equals_int (m.type, MEMVIDEO_PROTO_ERROR);
  fail_unless_equals_int (m.code, MEMVIDEO_PROTO_ERROR_NOT_HELD);
  memvideo_proto_message_clear (&m);
  check_fetch (good, 100);
  close (good);

  writer_free (w);
  g_free (path);
}

GST_END_TEST;

/* What memsrc pushed, seen by a probe on its pad */
typedef struct
{
  GMutex lock;
  GCond cond;
  GArray *offsets;
  gboolean caps_ok;
} Seen;

static GstPadProbeReturn
seen_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Seen *seen = data;
  guint64 offset = GST_BUFFER_OFFSET (GST_PAD_PROBE_INFO_BUFFER (info));
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstCaps *want = gst_caps_from_string (CAPS_STR);

  g_mutex_lock (&seen->lock);
  g_array_append_val (seen->offsets, offset);
  seen->caps_ok = caps && gst_caps_is_equal (caps, want);
  g_cond_broadcast (&seen->cond);
  g_mutex_unlock (&seen->lock);
  gst_clear_caps (&caps);
  gst_caps_unref (want);
  return GST_PAD_PROBE_OK;
}

static guint
seen_count (Seen * seen)
{
  guint n;

  g_mutex_lock (&seen->lock);
  n = seen->offsets->len;
  g_mutex_unlock (&seen->lock);
  return n;
}

/* In follow mode, a writer that stops says BYE: the reader ends with EOS */
GST_START_TEST (test_follow_writer_stops_eos)
{
  gchar *path = tmp_path ("stop.sock");
  Writer *w = writer_new (path, 100, FALSE);
  GstElement *pipe = gst_parse_launch ("memsrc name=src mode=follow ! "
      "fakesink sync=false", NULL);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  GstPad *pad = gst_element_get_static_pad (src, "src");
  GstBus *bus = gst_element_get_bus (pipe);
  Seen seen = { 0 };
  GstMessage *msg;
  guint64 k, missed = 1, first;
  guint i;

  g_mutex_init (&seen.lock);
  g_cond_init (&seen.cond);
  seen.offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, seen_probe, &seen, NULL);
  g_object_set (src, "socket-path", path, NULL);
  fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  /* until the reader sees one (it follows from its connection on) */
  for (k = 0; seen_count (&seen) == 0 && k < 100000; k++)
    writer_push (w, k);
  for (i = 0; i < 5; i++)
    writer_push (w, k++);
  g_mutex_lock (&seen.lock);
  while (seen.offsets->len < 6)
    g_cond_wait (&seen.cond, &seen.lock);
  fail_unless (seen.caps_ok);
  first = g_array_index (seen.offsets, guint64, 0);
  for (i = 0; i < seen.offsets->len; i++)
    fail_unless (g_array_index (seen.offsets, guint64, i) == first + i,
        "sample %u is number %" G_GUINT64_FORMAT, i,
        g_array_index (seen.offsets, guint64, i));
  g_mutex_unlock (&seen.lock);

  writer_free (w);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  g_object_get (src, "missed", &missed, NULL);
  fail_unless_equals_uint64 (missed, 0);

  /* the writer restarts on the same path: the reader reconnects */
  gst_element_set_state (pipe, GST_STATE_NULL);
  w = writer_new (path, 100, FALSE);
  g_mutex_lock (&seen.lock);
  g_array_set_size (seen.offsets, 0);
  g_mutex_unlock (&seen.lock);
  fail_if (gst_element_set_state (pipe, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  for (k = 0; seen_count (&seen) == 0 && k < 100000; k++)
    writer_push (w, k);
  fail_unless (seen_count (&seen) > 0);
  writer_free (w);

  gst_element_set_state (pipe, GST_STATE_NULL);
  g_array_unref (seen.offsets);
  g_mutex_clear (&seen.lock);
  g_cond_clear (&seen.cond);
  gst_object_unref (bus);
  gst_object_unref (pad);
  gst_object_unref (src);
  gst_object_unref (pipe);
  g_free (path);
}

GST_END_TEST;

/* A raw follower that reads nothing while 300 frames pass a 50-sample
 * window: the writer is never blocked, and when the reader reads again
 * the samples it missed are counted in the FRAME it gets */
GST_START_TEST (test_slow_reader_misses_counted)
{
  gchar *path = tmp_path ("slow.sock");
  Writer *w = writer_new (path, 50, FALSE);
  MemvideoProtoMessage m;
  gint fd = client_connect (path), mfd;
  guint64 k, prev = 0, missed = 0, got = 0, last_number = 0;
  GstBus *bus = gst_element_get_bus (w->pipe);
  GstMessage *msg;
  GstFlowReturn ret;
  gboolean end = FALSE;

  client_send (fd, memvideo_proto_encode_request (MEMVIDEO_PROTO_FOLLOW, 0));
  /* the request is taken before the frames: a LIST answered proves it */
  client_send (fd, memvideo_proto_encode_request (MEMVIDEO_PROTO_LIST, 0));
  fail_unless (client_recv (fd, &m, &mfd) > 0);
  fail_unless_equals_int (m.type, MEMVIDEO_PROTO_LIST_REPLY);
  memvideo_proto_message_clear (&m);
  for (k = 0; k < 3000; k++)
    writer_push (w, k);
  g_signal_emit_by_name (w->src, "end-of-stream", &ret);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  /* read what comes: frames in increasing order, missed + got = 3000 */
  while (!end && client_recv (fd, &m, &mfd) > 0) {
    if (m.type == MEMVIDEO_PROTO_FRAME) {
      fail_unless (got == 0 || m.frame.entry.number > prev);
      fail_unless (m.frame.missed >= missed);
      prev = last_number = m.frame.entry.number;
      missed = m.frame.missed;
      got++;
      close (mfd);
      end = last_number == 3000;
    }
    memvideo_proto_message_clear (&m);
  }
  fail_unless_equals_uint64 (last_number, 3000);
  fail_unless (missed > 0, "a reader that read nothing missed nothing");
  fail_unless_equals_uint64 (missed + got, 3000);
  /* what a stalled reader holds in flight is bounded (a small send
   * buffer): the rest of what it got is the 50-sample window */
  GST_INFO ("got %" G_GUINT64_FORMAT, got);
  fail_unless (got <= 50 + 64, "%" G_GUINT64_FORMAT " frames got", got);
  close (fd);
  gst_object_unref (bus);
  writer_free (w);
  g_free (path);
}

GST_END_TEST;

/* A reader of another user is refused by its credentials even when the
 * socket's mode would let it connect.  Needs root (to become nobody). */
GST_START_TEST (test_other_uid_refused)
{
  gchar *path = tmp_path ("uid.sock");
  Writer *w;
  gint status;
  pid_t pid;

  if (geteuid () != 0) {
    g_print ("test_other_uid_refused needs root: not run\n");
    return;
  }
  w = writer_with_frames (path, 3);
  fail_unless (chmod (tmpdir, 0711) == 0);
  fail_unless (chmod (path, 0666) == 0);
  pid = fork ();
  if (pid == 0) {
    /* only system calls in the child of a threaded process */
    struct sockaddr_un addr = { 0 };
    struct timeval tv = { 20, 0 };
    guint8 buf[512];
    gint fd;
    gssize n;

    if (setgid (65534) < 0 || setuid (65534) < 0)
      _exit (2);
    fd = socket (AF_UNIX, SOCK_SEQPACKET, 0);
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
    addr.sun_family = AF_UNIX;
    strcpy (addr.sun_path, path);
    if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
      _exit (3);
    n = recv (fd, buf, sizeof (buf), 0);
    /* ERROR (67) with code REFUSED (2), then the end */
    if (n < 12 || buf[3] != MEMVIDEO_PROTO_ERROR
        || buf[8] != MEMVIDEO_PROTO_ERROR_REFUSED)
      _exit (4);
    _exit (recv (fd, buf, sizeof (buf), 0) == 0 ? 0 : 5);
  }
  fail_unless_equals_int (waitpid (pid, &status, 0), pid);
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "the other user's reader: status %d", status);
  fail_unless (chmod (tmpdir, 0700) == 0);
  writer_free (w);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_memsrc_no_socket_error)
{
  gchar *path = tmp_path ("nobody.sock");
  GstElement *src = gst_element_factory_make ("memsrc", NULL);
  GstBus *bus = gst_bus_new ();
  gchar *text = g_strdup_printf ("No memsink serves \"%s\".", path);

  gst_element_set_bus (src, bus);
  g_object_set (src, "socket-path", path, "mode", 1, NULL);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  mvt_expect_message (bus, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, text, "No such file");
  gst_element_set_state (src, GST_STATE_NULL);
  gst_element_set_bus (src, NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (src);
  gst_object_unref (bus);
  g_free (text);
  g_free (path);
}

GST_END_TEST;

static Suite *
memsrc_suite (void)
{
  Suite *s = suite_create ("memsrc");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_replay_100_byte_identical);
  tcase_add_test (tc, test_follow_live_no_gap);
  tcase_add_test (tc, test_eight_readers);
  tcase_add_test (tc, test_reader_killed_mid_transfer);
  tcase_add_test (tc, test_socket_permissions_and_refusals);
  tcase_add_test (tc, test_malformed_closes_that_connection);
  tcase_add_test (tc, test_follow_writer_stops_eos);
  tcase_add_test (tc, test_slow_reader_misses_counted);
  tcase_add_test (tc, test_other_uid_refused);
  tcase_add_test (tc, test_memsrc_no_socket_error);

  return s;
}

GST_CHECK_MAIN (memsrc);
