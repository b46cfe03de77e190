package org.egressaudit.harness.run;

/** POSIX shell quoting for commands run in the sandbox. */
public final class Shell {
    private Shell() {
    }

    /** Single-quotes {@code s} so sh reads it as one literal word. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
