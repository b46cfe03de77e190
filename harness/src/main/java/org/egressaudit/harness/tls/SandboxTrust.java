package org.egressaudit.harness.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The shell commands (sh -c, run as root in the sandbox) that make the sandbox trust the run CA before the agent
 * starts: the Debian system store (curl, OpenSSL, GnuTLS, NSS-via-p11-kit, Python's certifi-less ssl, and Debian's
 * Java through ca-certificates-java all read it), a JRE's own cacerts when there is one, and any PEM bundle the
 * scenario names (agents that ship their own CA bundle). The CA file is copied to {@link #SYSTEM_CA_PATH} first.
 */
public final class SandboxTrust {
    /** Where the CA certificate goes; update-ca-certificates picks up *.crt there. */
    public static final String SYSTEM_CA_PATH = "/usr/local/share/ca-certificates/egress-audit-run.crt";
    /** Alias of the CA in Java key stores. */
    public static final String JAVA_ALIAS = "egress-audit-run";

    private SandboxTrust() {
    }

    /** A step and whether the run must stop when it fails. */
    public record Step(String what, String command, boolean required) {
        public Step {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * The steps, in order, after the CA file is at {@link #SYSTEM_CA_PATH}.
     *
     * @param extraStores absolute sandbox paths of PEM bundles to append the CA to (created when missing)
     */
    public static List<Step> steps(List<String> extraStores) {
        List<Step> steps = new ArrayList<>();
        // Without ca-certificates there is no system store to update: TLS to the harness is then refused and
        // recorded, which is the truthful outcome for such an image, so this step does not stop the run.
        steps.add(new Step("system trust store",
                "command -v update-ca-certificates >/dev/null 2>&1 || { echo 'update-ca-certificates missing: "
                        + "install ca-certificates in the image' >&2; exit 3; }; update-ca-certificates", false));
        // A JRE outside Debian's packaging keeps its own cacerts; keytool -cacerts finds it (Java 9+).
        // An alias already present (ca-certificates-java added it) is not an error.
        steps.add(new Step("Java trust store",
                "kt=$(command -v keytool 2>/dev/null || true); "
                        + "if [ -z \"$kt\" ] && [ -n \"${JAVA_HOME:-}\" ] && [ -x \"$JAVA_HOME/bin/keytool\" ]; then "
                        + "kt=\"$JAVA_HOME/bin/keytool\"; fi; "
                        + "if [ -z \"$kt\" ]; then echo 'no JRE: nothing to do'; exit 0; fi; "
                        + "if \"$kt\" -list -cacerts -storepass changeit -alias " + JAVA_ALIAS + " >/dev/null 2>&1; "
                        + "then echo 'already trusted'; exit 0; fi; "
                        + "\"$kt\" -importcert -noprompt -cacerts -storepass changeit -alias " + JAVA_ALIAS
                        + " -file " + SYSTEM_CA_PATH, false));
        for (String store : extraStores) {
            String q = quote(store);
            steps.add(new Step("trust store " + store, "mkdir -p \"$(dirname " + q + ")\" && "
                    + "{ [ ! -s " + q + " ] || [ -z \"$(tail -c 1 " + q + ")\" ] || echo >> " + q + "; } && "
                    + "cat " + SYSTEM_CA_PATH + " >> " + q, true));
        }
        return steps;
    }

    /** Single-quotes a string for sh. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
