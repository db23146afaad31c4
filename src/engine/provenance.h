/* SPDX-License-Identifier: MIT */
/*
 * Provenance of git history findings, after the scan: the driver gave each finding its blob
 * id; this pass reduces the findings to one per secret and path (the earliest blob version
 * that holds it, by the commit that introduced that version), drops in a range scan what the
 * range's base already held at the same path, and gives each kept finding its introducing
 * commit (id, author, date, summary) and the listed ref tips that still contain the secret
 * (branches, then tags, remote-tracking branches, HEAD and stash entries; refs/pull and other
 * namespaces are scanned but not listed). Runs on the calling thread.
 */
#ifndef LH_ENGINE_PROVENANCE_H
#define LH_ENGINE_PROVENANCE_H

#include "finding/finding.h"
#include "source/input.h"
#include "source/input_history.h"

#include <stddef.h>

/*
 * Attributes the findings l->items[first..] of a history scan of h (a prepared and read
 * history input's view); disposes of the dropped ones and compacts the list (its order is
 * for the caller to sort). Commits whose metadata cannot be read are warned about through
 * env and left without author. Returns 0 or a negative code (LH_ENOMEM, LH_EGIT).
 */
int lh_provenance_attribute(struct lh_findings *l, size_t first, const struct lh_git_history *h,
                            const struct lh_input_env *env) LH_WUR;

#endif
