package org.egressaudit.harness.run;

/** POSIX shell quoting for commands run in the sandbox. */
final class Shell {
    private Shell() {
    }

    /** Single-quotes {@code s} so sh reads it as one literal word. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
