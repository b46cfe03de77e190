package org.egressaudit.harness.vm;

import java.util.List;

/**
 * How QEMU runs the guest's instructions, and why: KVM when it was shown to work, TCG (software emulation,
 * several times slower) otherwise. The reason goes into the run's notes, because timing-sensitive agents behave
 * differently under emulation.
 */
public record Acceleration(Kind kind, String reason) {
    public enum Kind { KVM, TCG }

    public static Acceleration tcg(String reason) {
        return new Acceleration(Kind.TCG, reason);
    }

    public static Acceleration kvm(String reason) {
        return new Acceleration(Kind.KVM, reason);
    }

    /** QEMU arguments selecting it. With KVM the guest sees the host CPU; under TCG the richest emulated model. */
    public List<String> qemuArguments() {
        return kind == Kind.KVM ? List.of("-accel", "kvm", "-cpu", "host") : List.of("-accel", "tcg", "-cpu", "max");
    }

    /** One line for the run's notes. */
    public String note() {
        return kind == Kind.KVM ? "virtual machine: KVM acceleration (" + reason + ")"
                : "virtual machine: software emulation (TCG), several times slower than hardware; " + reason;
    }
}
