package org.egressaudit.harness.scenario;

/** Kinds of sandbox a scenario can ask for. */
public enum SandboxType {
    /** A Docker container from a local image. */
    CONTAINER,
    /** A QEMU virtual machine booted from a copy-on-write overlay of a disk image. */
    VM
}
