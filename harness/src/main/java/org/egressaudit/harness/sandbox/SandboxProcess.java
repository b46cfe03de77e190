package org.egressaudit.harness.sandbox;

import java.nio.file.Path;

/** A long-running process started in a sandbox (the agent); its output is streamed to {@code logFile}. */
public record SandboxProcess(String id, String command, Path logFile) {
}
