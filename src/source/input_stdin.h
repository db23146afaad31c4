/* SPDX-License-Identifier: MIT */
/*
 * The stdin input: standard input read whole (up to max_file_size: past it, the input is
 * skipped with a warning) and scanned as one item named "-". One job, read on the calling
 * thread. A read error is fatal (there is nothing else to scan in this input).
 */
#ifndef LH_SOURCE_INPUT_STDIN_H
#define LH_SOURCE_INPUT_STDIN_H

#include "source/input.h"

/* Makes the input (env borrowed). *out is set on success only. Returns 0 or LH_ENOMEM. */
int lh_input_stdin_new(struct lh_input **out, const struct lh_input_env *env) LH_WUR;

#endif
