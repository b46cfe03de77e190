package org.egressaudit.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egressaudit.harness.cli.EgressAudit;
import org.egressaudit.harness.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the HTML report of a failing analysis in headless Chromium (file:// only, every network feature off) and
 * checks what a person sees: the FAIL banner, the leaked file in the leak matrix, the evidence. Also takes a
 * screenshot (target/report-fail.png; docs/report-fail.png is one of these). Needs Debian's chromium
 * (bin/setup --sandbox installs it).
 */
class HtmlReportBrowserIT {

    @Test
    void failingRunReportRendersInBrowser(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("report.html");
        StringWriter out = new StringWriter();
        int code = EgressAudit.execute(new PrintWriter(out), new PrintWriter(out), "analyze",
                "--pcap", "../scenarios/captures/archive-7z.pcap", "--corpus", "../scenarios/corpora/basic",
                "--policy", "../scenarios/policies/default.yaml", "--html", html.toString());
        assertEquals(ExitCodes.FAIL_OR_OPAQUE, code, out.toString());

        String dom = chromium(dir, "--dump-dom", html);
        assertTrue(dom.contains("class=\"banner v-FAIL\""), dom);
        assertTrue(dom.contains("<h1 id=\"verdict-word\">FAIL</h1>"), dom);
        Matcher matrix = Pattern.compile("<section id=\"matrix\">(.*?)</section>", Pattern.DOTALL).matcher(dom);
        assertTrue(matrix.find(), dom);
        assertTrue(Pattern.compile("<th class=\"mono\">Documents/secret\\.docx</th><td class=\"cell c-FAIL\"")
                .matcher(matrix.group(1)).find(), matrix.group(1));
        Matcher evidence = Pattern.compile("<article class=\"finding f-FAIL\" id=\"finding-(\\d+)\">(.*?)</article>",
                Pattern.DOTALL).matcher(dom);
        assertTrue(evidence.find(), dom);
        assertTrue(evidence.group(2).contains("Documents/secret.docx"), evidence.group(2));
        assertTrue(evidence.group(2).contains("http-body &gt; 7z &gt; secret.docx"), evidence.group(2));
        assertTrue(evidence.group(2).contains("<mark>"), evidence.group(2));
        assertTrue(dom.contains("href=\"#finding-" + evidence.group(1) + "\""), dom);

        Path png = Path.of("target", "report-fail.png").toAbsolutePath();
        Files.deleteIfExists(png);
        chromium(dir, "--screenshot=" + png, html);
        assertTrue(Files.size(png) > 10_000, "screenshot " + png);
    }

    /** Runs headless Chromium on {@code page} with no network: file:// only, background services off. */
    private static String chromium(Path dir, String mode, Path page) throws Exception {
        String exe = null;
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                exe = candidate;
                break;
            }
        }
        if (exe == null) {
            fail("chromium is not installed: run bin/setup --sandbox (or apt-get install -y chromium)");
        }
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
                "--user-data-dir=" + profile, "--window-size=1280,1600", mode,
                page.toAbsolutePath().toUri().toString()));
        Path stdout = dir.resolve("chromium.out");
        Path stderr = dir.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s: " + Files.readString(stderr));
        }
        String dom = Files.readString(stdout, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(stderr));
        return dom;
    }
}
