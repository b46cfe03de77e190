package org.egressaudit.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.egressaudit.analyzers.capture.CaptureFormatException;
import org.egressaudit.analyzers.corpus.Corpus;
import org.egressaudit.analyzers.corpus.CorpusException;
import org.egressaudit.analyzers.corpus.CorpusLoader;
import org.egressaudit.analyzers.engine.AnalysisEngine;
import org.egressaudit.analyzers.engine.AnalysisOptions;
import org.egressaudit.analyzers.engine.AnalysisResult;
import org.egressaudit.analyzers.policy.Policy;
import org.egressaudit.analyzers.policy.PolicyException;
import org.egressaudit.analyzers.policy.PolicyLoader;
import org.egressaudit.analyzers.protocol.tls.keylog.KeyLog;
import org.egressaudit.analyzers.report.JsonReport;
import org.egressaudit.harness.report.ConsoleSummary;
import org.egressaudit.harness.report.HtmlReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code egress-audit analyze}: a capture + planted corpus + policy in, a verdict with evidence out. */
@Command(name = "analyze", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Analyses a packet capture (pcap or pcapng) for planted content that left the machine, "
                + "and judges it against a policy.",
                "Exit codes: 0 PASS, 1 FAIL or OPAQUE, 2 bad usage or unreadable input."})
public final class AnalyzeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pcap", required = true, paramLabel = "FILE", description = "Capture to analyse (pcap or pcapng).")
    Path pcap;

    @Option(names = "--corpus", required = true, paramLabel = "DIR",
            description = "Directory of planted files, optionally with a corpus.yaml manifest (files: {name: category}).")
    Path corpus;

    @Option(names = "--policy", required = true, paramLabel = "FILE",
            description = "Policy YAML: allow: [categories], opaqueBytesBudget: N, markers: [...].")
    Path policy;

    @Option(names = "--json", paramLabel = "OUT", description = "Write the full JSON report here.")
    Path json;

    @Option(names = "--html", paramLabel = "OUT",
            description = "Write a self-contained HTML report here (one file, no network needed).")
    Path html;

    @Option(names = "--tls-keylog", paramLabel = "FILE",
            description = "NSS key log (SSLKEYLOGFILE) to decrypt TLS sessions; their plaintext is analysed like "
                    + "plain traffic. Keys in pcapng Decryption Secrets Blocks are used too. Sessions without keys "
                    + "stay opaque.")
    Path tlsKeylog;

    @Option(names = "--threads", paramLabel = "N", description = "Analysis worker threads (default: number of cores).")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "Print only the verdict line.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Also list every transmission and warning.")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KeyLog keys = KeyLog.empty();
        if (tlsKeylog != null) {
            try {
                keys = KeyLog.load(tlsKeylog);
            } catch (IOException e) {
                err.println("egress-audit analyze: --tls-keylog " + tlsKeylog + ": cannot read: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (keys.isEmpty() && keys.malformedLines() > 0) {
                // Nothing usable and something wrong: most likely not a key log at all.
                err.println("egress-audit analyze: --tls-keylog " + tlsKeylog + ": not an NSS key log: "
                        + keys.problems().get(0));
                return ExitCodes.BAD_INPUT;
            }
            for (String p : keys.problems()) {
                err.println("egress-audit analyze: warning: --tls-keylog " + tlsKeylog + ": " + p + " (line ignored)");
            }
            if (keys.malformedLines() > keys.problems().size()) {
                err.println("egress-audit analyze: warning: --tls-keylog " + tlsKeylog + ": "
                        + (keys.malformedLines() - keys.problems().size()) + " more malformed line(s) ignored");
            }
            if (keys.isEmpty()) {
                err.println("egress-audit analyze: warning: --tls-keylog " + tlsKeylog + " holds no TLS secrets");
            }
        }
        if (!Files.isRegularFile(pcap)) {
            err.println("egress-audit analyze: --pcap " + pcap + ": no such file");
            return ExitCodes.BAD_INPUT;
        }
        Policy pol;
        try {
            pol = PolicyLoader.load(policy);
        } catch (PolicyException e) {
            err.println("egress-audit analyze: --policy " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        AnalysisOptions options = AnalysisOptions.defaults();
        if (threads != null) {
            if (threads < 1 || threads > 256) {
                err.println("egress-audit analyze: --threads must be 1..256, got " + threads);
                return ExitCodes.BAD_INPUT;
            }
            options = options.withThreads(threads);
        }
        AnalysisEngine engine = new AnalysisEngine(options);
        Corpus planted;
        try {
            planted = new CorpusLoader(engine.decoders()).load(corpus);
        } catch (CorpusException e) {
            err.println("egress-audit analyze: --corpus " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        AnalysisResult result;
        try {
            result = engine.analyze(pcap, planted, pol, keys);
        } catch (CaptureFormatException e) {
            err.println("egress-audit analyze: --pcap " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            err.println("egress-audit analyze: --pcap " + pcap + ": cannot read: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (json != null) {
            try {
                new JsonReport(Version.get()).write(result, json);
            } catch (IOException e) {
                err.println("egress-audit analyze: --json " + json + ": cannot write report: " + e.getMessage());
                new ConsoleSummary(out, false, false).print(result);
                return ExitCodes.BAD_INPUT;
            }
        }
        if (html != null) {
            try {
                HtmlReport.write(new JsonReport(Version.get()).toJson(result), html);
            } catch (IOException e) {
                err.println("egress-audit analyze: --html " + html + ": cannot write report: " + e.getMessage());
                new ConsoleSummary(out, false, false).print(result);
                return ExitCodes.BAD_INPUT;
            }
        }
        new ConsoleSummary(out, quiet, verbose).print(result);
        if (json != null && !quiet) {
            out.println("JSON report: " + json);
        }
        if (html != null && !quiet) {
            out.println("HTML report: " + html);
        }
        return ExitCodes.of(result.verdict());
    }
}
