/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the libFuzzer harnesses in tests/fuzz/ (each fuzz_<name>.c defines
 * LLVMFuzzerTestOneInput) and by replay.c, the driver that feeds a corpus directory to a
 * harness in the ordinary gcc build. Harnesses keep what they build once (a detector over
 * the built-in rules, a signing key) in statics, reachable until exit, so LeakSanitizer
 * does not count it. Nothing here prints unless an invariant of the code under test is
 * broken, and then it aborts so that libFuzzer records a crash.
 */
#ifndef LH_FUZZ_COMMON_H
#define LH_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The process's scratch directory (created 0700 on first use, removed at exit). */
const char *lh_fuzz_tmpdir(void);

/* Writes data[0..size) to path (truncating); aborts on failure. */
void lh_fuzz_write(const char *path, const uint8_t *data, size_t size);

/*
 * Once per process: an EC P-256 key pair and a reporter key list file holding its public
 * key under identifier LH_FUZZ_KEY_ID (GitHub's `{"public_keys": [...]}` format). *key is
 * borrowed (kept until exit); the returned path is borrowed too.
 */
#define LH_FUZZ_KEY_ID "fuzz-key-1"
const char *lh_fuzz_keyfile(void **key);

/*
 * Signs data[0..size) with the key of lh_fuzz_keyfile (ECDSA P-256 / SHA-256) and writes
 * standard padded base64 of the DER signature, NUL-terminated, into out[cap >= 128].
 */
void lh_fuzz_sign(char *out, size_t cap, const uint8_t *data, size_t size);

/* A broken invariant: prints what and where, then aborts (a crash for libFuzzer). */
#define LH_FUZZ_CHECK(cond) ((cond) ? (void)0 : lh_fuzz_fail(#cond, __FILE__, __LINE__))
_Noreturn void lh_fuzz_fail(const char *expr, const char *file, int line);

#endif
