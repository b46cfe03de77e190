package org.egressaudit.harness.vm;

import java.time.Duration;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandException;
import org.egressaudit.harness.exec.HostCommandResult;

/** Runs one host command of the guest build; a failure becomes a GuestImageException naming the step. */
final class GuestStep {
    private GuestStep() {
    }

    static HostCommandResult run(String step, HostCommand command, Duration timeout) {
        try {
            return command.timeout(timeout).runChecked();
        } catch (HostCommandException e) {
            // the message names the command, its exit code and the tail of its stderr
            throw new GuestImageBuilder.GuestImageException(step, e.getMessage(), e);
        }
    }
}
