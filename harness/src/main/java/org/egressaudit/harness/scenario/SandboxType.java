package org.egressaudit.harness.scenario;

/** Kinds of sandbox a scenario can ask for. Virtual machines are planned; the loader rejects 'vm' for now. */
public enum SandboxType {
    CONTAINER
}
