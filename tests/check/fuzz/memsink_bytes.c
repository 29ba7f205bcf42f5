/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * libFuzzer target: memsink's byte-segment handling.  The input is a
 * program for the interpreter of tests/check/stress/memfileops.c (BYTES
 * segments including invalid starts, writes, empty buffers, flushes, EOS,
 * queries, get-bytes) run through a GstHarness with a 64 KiB budget, so
 * the file spills; any difference from the GByteArray model aborts.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <gst/gst.h>

#include "memfileops.h"
#define MVT_FUZZ_ONLY
#include "../memvideotest.h"

int LLVMFuzzerTestOneInput (const guint8 * data, size_t size);


int
LLVMFuzzerTestOneInput (const guint8 * data, size_t size)
{
  MemfileOpsConfig config = { 0, };
  gchar *failure;

  mvt_fuzz_init ();
  config.max_memory = 64 * 1024;
  config.max_position = 1024 * 1024;
  config.max_write = 65535;
  config.allow_garbage = TRUE;
  failure = memfile_ops_run (&config, data, size);
  if (failure) {
    fprintf (stderr, "memsink differs from the model: %s\n", failure);
    abort ();
  }
  return 0;
}
