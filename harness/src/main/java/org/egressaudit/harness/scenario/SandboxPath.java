package org.egressaudit.harness.scenario;

/**
 * Checks paths inside the sandbox ('to' of copies, 'workdir'). They must be absolute and plain: a relative path
 * would depend on the container's working directory, and '.'/'..' segments hide where a file really lands.
 */
public final class SandboxPath {
    static final int MAX_LENGTH = 4096;

    private SandboxPath() {
    }

    /**
     * Returns {@code path} if it is a plain absolute path other than '/'.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static String check(String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        if (path.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("path is longer than " + MAX_LENGTH + " characters");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("'" + YamlNode.abbreviate(path)
                    + "' must be an absolute path inside the sandbox (starting with '/')");
        }
        if (path.equals("/")) {
            throw new IllegalArgumentException("'/' is not allowed: name a file or directory below it");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0 || c == '\n' || c == '\r') {
                throw new IllegalArgumentException("'" + YamlNode.abbreviate(path) + "' contains a control character");
            }
        }
        String[] segments = path.substring(1).split("/", -1);
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                throw new IllegalArgumentException("'" + YamlNode.abbreviate(path)
                        + "' must be a plain absolute path (no empty, '.' or '..' segments, no trailing '/')");
            }
        }
        return path;
    }
}
