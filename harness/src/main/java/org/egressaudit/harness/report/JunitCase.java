package org.egressaudit.harness.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.run.RunOutcome;
import org.egressaudit.harness.run.RunSummary;

/**
 * One scenario as a JUnit test case.
 *
 * @param message   for failures and errors: one line naming what leaked (or why it errored); null when passed
 * @param details   longer text under the failure/error element (every leak), may be empty
 * @param systemOut the run folder and the run's summary
 */
public record JunitCase(String name, Duration time, Status status, String message, String errorType, String details,
                        String systemOut) {

    /** How the case ended. */
    public enum Status { PASSED, FAILED, ERROR }

    /** How many leaks the one-line message names before "and N more"; the details list all. */
    static final int MESSAGE_LEAKS = 5;

    /**
     * The case for one run. Without {@code expect} a FAIL or OPAQUE verdict fails the case; with it, a verdict other
     * than the scenario's 'expect:' does (so a known-bad agent failing as expected passes), as the exit code does.
     */
    public static JunitCase of(RunOutcome o, Duration time, boolean expect) {
        String out = "run folder: " + o.folder().dir() + "\n\n" + RunSummary.text(o, false);
        if (o.exitCode() >= 2 || o.verdict() == null) {
            String type = o.exitCode() == 3 ? "setup" : "analysis";
            String problem = o.problem() == null ? "no verdict" : o.problem();
            return new JunitCase(o.scenario().name(), time, Status.ERROR, type + " error: " + firstLine(problem), type,
                    problem, out);
        }
        List<Finding> findings = o.result() == null ? List.of() : o.result().findings();
        List<String> leaks = leaks(findings);
        boolean failed = expect ? !o.asExpected() : o.verdict() != Verdict.PASS;
        if (!failed) {
            return new JunitCase(o.scenario().name(), time, Status.PASSED, null, null, "", out);
        }
        String head = expect && o.scenario().expect().isPresent()
                ? "expected " + o.scenario().expect().get() + ", got " + o.verdict() : o.verdict().name();
        StringBuilder msg = new StringBuilder(head);
        if (leaks.isEmpty()) {
            if (o.verdict() != Verdict.PASS) {
                msg.append(o.result() != null && o.result().verdict() != o.verdict()
                        ? ": the capture was incomplete" : ": no finding recorded");
            }
        } else {
            msg.append(": ").append(String.join("; ", leaks.subList(0, Math.min(MESSAGE_LEAKS, leaks.size()))));
            if (leaks.size() > MESSAGE_LEAKS) {
                msg.append("; and ").append(leaks.size() - MESSAGE_LEAKS).append(" more");
            }
        }
        List<String> detail = new ArrayList<>(leaks);
        detail.addAll(o.notes().stream().map(n -> "note: " + n).toList());
        return new JunitCase(o.scenario().name(), time, Status.FAILED, msg.toString(), null,
                String.join("\n", detail), out);
    }

    /**
     * One line per FAIL/OPAQUE finding: "FAIL: home/user/x/secret.docx (document) left whole via tls > http-body >
     * multipart to upload.vendor.example".
     */
    public static List<String> leaks(List<Finding> findings) {
        List<String> out = new ArrayList<>();
        for (Finding f : findings) {
            if (f.effect() == Verdict.PASS) {
                continue;
            }
            StringBuilder s = new StringBuilder(f.effect().name()).append(": ");
            if (f.plantedFile() != null) {
                s.append(f.plantedFile());
                if (f.category() != null) {
                    s.append(" (").append(f.category().id()).append(')');
                }
                if (f.marker() != null) {
                    s.append(" marker '").append(f.marker()).append('\'');
                }
            } else if (f.marker() != null) {
                s.append("marker '").append(f.marker()).append('\'');
            } else if (f.category() != null) {
                s.append(f.category().id());
            } else {
                s.append(f.kind().id());
            }
            s.append(' ').append(how(f));
            List<String> chain = chain(f);
            if (!chain.isEmpty()) {
                s.append(" via ").append(String.join(" > ", chain));
            }
            if (f.destination() != null) {
                s.append(" to ").append(f.destination());
            }
            out.add(s.toString());
        }
        return out;
    }

    private static String how(Finding f) {
        return switch (f.kind()) {
            case WHOLE -> "left whole";
            case FRAGMENT -> "left in part (" + f.bytes() + " bytes)";
            case MARKER -> "left";
            case OPAQUE -> "could not be inspected (" + f.bytes() + " opaque bytes)";
            default -> "(" + f.kind().id() + ")";
        };
    }

    /** The decode chain without its last element when that is just the planted file's member name. */
    private static List<String> chain(Finding f) {
        List<String> c = f.decodeChain();
        if (!c.isEmpty() && f.plantedFile() != null) {
            String last = c.get(c.size() - 1);
            String base = f.plantedFile().substring(f.plantedFile().lastIndexOf('/') + 1);
            if (last.equals(base) || f.plantedFile().endsWith("/" + last)) {
                return c.subList(0, c.size() - 1);
            }
        }
        return c;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
