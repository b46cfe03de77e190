package org.egressaudit.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egressaudit.harness.cli.EgressAudit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    static final String HOSTILE = "<script>alert(1)</script>";

    /** A report shaped like JsonReport.toJson plus a run section, with agent-controlled values made hostile. */
    static ObjectNode hostileReport() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode r = m.createObjectNode();
        r.put("schemaVersion", "1");
        r.put("tool", "egress-audit test");
        r.put("verdict", "FAIL");
        ArrayNode findings = r.putArray("findings");
        ObjectNode f = findings.addObject();
        f.put("id", 1);
        f.put("kind", "whole");
        f.put("effect", "FAIL");
        f.put("plantedFile", "Documents/\"><img src=x onerror=alert(2)>.docx");
        f.put("category", "document");
        f.put("detail", "left whole " + HOSTILE);
        f.put("flow", "tcp 10.0.0.2:1234 -> 10.0.0.1:80");
        f.put("protocol", "http");
        f.put("destination", "evil.example'><svg onload=alert(3)>");
        f.put("request", "POST /upload?q=" + HOSTILE + " HTTP/1.1");
        f.put("transmission", 7);
        f.put("firstSeen", "2026-01-01T00:00:01.5Z");
        f.put("lastSeen", "2026-01-01T00:00:01.6Z");
        f.put("decodeChain", "http-body > 7z > <b>x</b>");
        f.put("bytes", 40);
        ObjectNode range = f.putArray("ranges").addObject();
        range.put("objectOffset", 16);
        range.put("fileOffset", 0);
        range.put("length", 40);
        ObjectNode e = f.putObject("excerpt");
        e.put("objectOffset", 0);
        byte[] data = ("0123456789abcdef" + "<script>alert(1)</script>" + "zzzzzzzzzzzzzzz").getBytes();
        StringBuilder hex = new StringBuilder();
        for (byte x : data) {
            hex.append(String.format("%02x", x));
        }
        e.put("hex", hex.toString());
        e.put("text", new String(data));
        e.put("matchStart", 16);
        e.put("matchLength", 25);
        ObjectNode o = findings.addObject();
        o.put("id", 2);
        o.put("kind", "opaque");
        o.put("effect", "OPAQUE");
        o.putNull("plantedFile");
        o.put("detail", "TLS refused " + HOSTILE);
        o.put("flow", "tcp 10.0.0.2:999 -> 10.0.0.1:443");
        o.put("destination", "pinned.example");
        o.put("request", "TLS session refused by the client");
        o.put("transmission", -1);
        o.put("firstSeen", "2026-01-01T00:00:02Z");
        o.put("decodeChain", "tls");
        o.put("bytes", 621);
        o.putArray("ranges");
        ObjectNode cap = r.putObject("capture");
        cap.put("file", "capture.pcap");
        cap.put("packets", 10);
        cap.put("complete", true);
        ObjectNode corpus = r.putObject("corpus");
        corpus.putArray("files").addObject().put("name", "Documents/memo.txt");
        r.putObject("policy").put("opaqueBytesBudget", 4096);
        ArrayNode tx = r.putArray("transmissions");
        ObjectNode t = tx.addObject();
        t.put("id", 7);
        t.put("direction", "out");
        t.put("protocol", "http");
        t.put("destination", "evil.example'><svg onload=alert(3)>");
        t.put("summary", "POST /upload?q=" + HOSTILE + " HTTP/1.1");
        t.put("first", "2026-01-01T00:00:01.5Z");
        t.put("bytes", 100);
        t.put("opaqueBytes", 0);
        ObjectNode t2 = tx.addObject();
        t2.put("id", 8);
        t2.put("direction", "out");
        t2.put("protocol", "tls");
        t2.put("destination", "10.0.0.9");
        t2.put("summary", "TLS ClientHello");
        t2.put("first", "2026-01-01T00:00:03Z");
        t2.put("bytes", 900);
        t2.put("opaqueBytes", 800);
        t2.putObject("attributes").put("sni", "sni-" + HOSTILE);
        ObjectNode q = r.putArray("dnsQueries").addObject();
        q.put("time", "2026-01-01T00:00:00.9Z");
        q.put("name", HOSTILE + ".example");
        q.put("type", "A");
        r.putArray("warnings").add("warning " + HOSTILE);
        r.putObject("limits").put("missingBytes", 3);
        ObjectNode run = r.putObject("run");
        run.put("scenario", "scn " + HOSTILE);
        run.put("agentVersion", "agent " + HOSTILE);
        run.putArray("notes").add("note " + HOSTILE);
        ArrayNode act = run.putArray("fileActivity");
        act.add("opened home/" + HOSTILE + " at 2026-01-01T00:00:01.2Z (pid 5)");
        act.add("finding #1: the agent read x at 2026-01-01T00:00:01.4Z (pid 5) and sent it");
        act.add("no time here " + HOSTILE);
        return r;
    }

    @Test
    void everyReportStringIsEscaped() {
        String html = HtmlReport.render(hostileReport());
        assertFalse(html.contains(HOSTILE), "raw hostile script in the page");
        assertFalse(html.contains("<img"), "raw hostile tag in the page");
        assertFalse(html.contains("<svg"), "raw hostile tag in the page");
        assertFalse(html.contains("<b>x</b>"), "raw hostile tag in the page");
        assertTrue(html.contains("POST /upload?q=&lt;script&gt;alert(1)&lt;/script&gt; HTTP/1.1"), html);
        assertTrue(html.contains("evil.example&#39;&gt;&lt;svg onload=alert(3)&gt;"), html);
        // our own script is the only one
        assertEquals(1, count(html, "<script"), html);
        assertTrue(html.contains("http-body &gt; 7z &gt; &lt;b&gt;x&lt;/b&gt;"));
    }

    @Test
    void pageIsSelfContained() {
        String html = HtmlReport.render(hostileReport());
        assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), html);
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(?!#)", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "external reference in the page");
        assertFalse(html.contains("@import") || html.contains("url("), "external CSS reference");
    }

    @Test
    void showsSectionsLinksAndHighlight() {
        String html = HtmlReport.render(hostileReport());
        assertTrue(html.contains("class=\"banner v-FAIL\""), html);
        assertTrue(html.contains("id=\"finding-1\"") && html.contains("href=\"#finding-1\""), html);
        // timeline: the upload and the file read that preceded it are marked as findings, in time order
        int dns = html.indexOf("&lt;script&gt;alert(1)&lt;/script&gt;.example");
        int read = html.indexOf("opened home/");
        int send = html.indexOf("http to evil.example");
        assertTrue(dns > 0 && dns < read && read < send, html);
        assertTrue(html.contains("File activity without a time"), html);
        // the matrix cell for the leaked file is FAIL
        assertTrue(Pattern.compile("Documents/&quot;&gt;&lt;img src=x onerror=alert\\(2\\)&gt;\\.docx</th>"
                + "<td class=\"cell c-FAIL\"").matcher(html).find(), html);
        // the match is highlighted in the hex view, escaped in the text column
        assertTrue(html.contains("<mark>3c 73 63"), html);
        assertTrue(html.contains("<mark>&lt;script&gt;alert(1)</mark>"), html);
        // opaque: the refused TLS finding and the transmission with uninspected bytes, with its SNI
        Matcher op = Pattern.compile("<section id=\"opaque\">(.*?)</section>", Pattern.DOTALL).matcher(html);
        assertTrue(op.find());
        assertTrue(op.group(1).contains("not inspected") && op.group(1).contains("pinned.example")
                && op.group(1).contains("SNI sni-&lt;script&gt;") && op.group(1).contains("800 bytes"), op.group(1));
        assertTrue(html.contains("warning &lt;script&gt;") && html.contains("note &lt;script&gt;"), html);
    }

    @Test
    void analyzeWritesHtmlNextToJson(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("report.html");
        StringWriter out = new StringWriter();
        int code = EgressAudit.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "analyze",
                "--pcap", "../scenarios/captures/hash-lookup.pcap", "--corpus", "../scenarios/corpora/basic",
                "--policy", "../scenarios/policies/default.yaml", "--html", html.toString());
        assertEquals(0, code, out.toString());
        String page = Files.readString(html);
        assertTrue(page.contains("class=\"banner v-PASS\""), page);
        assertTrue(out.toString().contains("HTML report: " + html), out.toString());
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}
