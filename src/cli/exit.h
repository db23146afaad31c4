/* SPDX-License-Identifier: MIT */
/* Process exit codes: the only place they are defined. */
#ifndef LH_CLI_EXIT_H
#define LH_CLI_EXIT_H

enum lh_exit {
    LH_EXIT_CLEAN = 0,    /* no findings */
    LH_EXIT_FINDINGS = 1, /* findings at or above the failure threshold */
    LH_EXIT_USAGE = 2,    /* bad command line, unknown revision */
    LH_EXIT_CONFIG = 3,   /* rules, config or baseline invalid */
    LH_EXIT_IO = 4,       /* runtime / I/O failure, incomplete scan */
};

/* Maps an internal error code to an exit code. */
int lh_exit_from_error(int code);

#endif
