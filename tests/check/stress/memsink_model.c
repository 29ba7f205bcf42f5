/* gst-memvideo
 * Copyright (C) 2026 gst-memvideo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Model-based random test of memsink's file mode through its element
 * interface: thousands of random sequences of BYTES segments, writes, empty
 * buffers, flushes, EOS, SEEKING/POSITION queries and get-bytes, each
 * checked step by step against a GByteArray model (memfileops.c).  Half the
 * sequences run with a 64 KiB budget so the file spills.
 *
 * The sequences start at a fixed seed (DEFAULT_SEED, printed); a failure
 * prints its seed and MEMVIDEO_MODEL_SEED=<seed> reruns exactly that
 * sequence, MEMVIDEO_MODEL_SEQUENCES=<n> changes how many run.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <gst/check/gstcheck.h>

#include "memfileops.h"
#include "../memvideotest.h"

#define DEFAULT_SEQUENCES 1500
#define VALGRIND_SEQUENCES 60
#define DEFAULT_SEED 20261203

static guint8 *
random_program (guint32 seed, gsize * len)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gsize i, n;
  guint8 *ops;

  /* short and long sequences: most bugs need few steps, spills need many */
  n = g_rand_int_range (rand, 4, 2 + (seed % 4 == 0 ? 1200 : 160));
  ops = g_malloc (n);
  for (i = 0; i < n; i++)
    ops[i] = g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  *len = n;
  return ops;
}

/* @n_default sequences, fewer under valgrind, MEMVIDEO_MODEL_SEQUENCES
 * overrides */
static void
run_sequences (gboolean allow_garbage, guint n_default)
{
  gboolean one = g_getenv ("MEMVIDEO_MODEL_SEED") != NULL;
  const gchar *env_n = g_getenv ("MEMVIDEO_MODEL_SEQUENCES");
  guint32 base_seed;
  guint n, i;

  if (env_n)
    n = atoi (env_n);
  else if (g_getenv ("MEMVIDEO_UNDER_VALGRIND"))
    n = VALGRIND_SEQUENCES;
  else
    n = n_default;
  /* a fixed default, printed; MEMVIDEO_MODEL_SEED runs one sequence */
  base_seed = mvt_seed ("MEMVIDEO_MODEL_SEED", DEFAULT_SEED);
  if (one)
    n = 1;

  for (i = 0; i < n; i++) {
    guint32 seed = base_seed + i;
    MemfileOpsConfig config = { 0, };
    guint8 *ops;
    gsize len;
    gchar *failure;

    config.max_memory = (seed & 1) ? 64 * 1024 : 256 * 1024 * 1024;
    config.max_position = (seed & 2) ? 3 * 1024 * 1024 : 200 * 1024;
    config.max_write = (seed & 2) ? 65535 : 4096;
    config.allow_garbage = allow_garbage;

    ops = random_program (seed, &len);
    failure = memfile_ops_run (&config, ops, len);
    g_free (ops);
    fail_unless (failure == NULL,
        "sequence with seed %u (MEMVIDEO_MODEL_SEED=%u, max-memory %"
        G_GUINT64_FORMAT ") differs from the model: %s", seed, seed,
        config.max_memory, failure);
  }
}

GST_START_TEST (test_file_mode_against_model)
{
  run_sequences (FALSE, DEFAULT_SEQUENCES);
}

GST_END_TEST;

GST_START_TEST (test_file_mode_invalid_segments)
{
  /* an invalid segment start must give an error; whatever follows must not
   * crash or hang */
  run_sequences (TRUE, DEFAULT_SEQUENCES / 3);
}

GST_END_TEST;

static Suite *
memsink_model_suite (void)
{
  Suite *s = suite_create ("memsink_model");
  TCase *tc_chain = tcase_create ("general");

  suite_add_tcase (s, tc_chain);
  tcase_set_timeout (tc_chain, 300);
  tcase_add_test (tc_chain, test_file_mode_against_model);
  tcase_add_test (tc_chain, test_file_mode_invalid_segments);

  return s;
}

GST_CHECK_MAIN (memsink_model);
