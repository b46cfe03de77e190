package org.egressaudit.harness.cli;

import org.egressaudit.analyzers.policy.Verdict;

/** Process exit codes, in one place: scripts and CI gate on them. */
public final class ExitCodes {
    /** The verdict is PASS. */
    public static final int PASS = 0;
    /** The verdict is FAIL or OPAQUE. */
    public static final int FAIL_OR_OPAQUE = 1;
    /** Bad usage or unreadable input (missing file, bad policy, not a capture). */
    public static final int BAD_INPUT = 2;
    /** The sandbox or harness could not be set up (used by `run`). */
    public static final int HARNESS_SETUP = 3;
    /**
     * The run's containment self-test failed (a canary did not end at the harness, or traffic was answered from
     * outside): the verdict is ERROR whatever the agent did (used by `run`).
     */
    public static final int CONTAINMENT = 4;

    private ExitCodes() {
    }

    public static int of(Verdict v) {
        return v == Verdict.PASS ? PASS : FAIL_OR_OPAQUE;
    }
}
