package org.egressaudit.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.egressaudit.analyzers.content.Category;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The JUnit XML report parses back with the right counts and messages, whatever the text holds. */
class JunitXmlReportTest {

    static Finding finding(Verdict effect, FindingKind kind, String file, String marker, List<String> chain) {
        return new Finding(1, kind, effect, file, file == null ? null : Category.DOCUMENT, marker, 3,
                "tcp 10.0.0.2:4000 -> 10.0.0.1:443", "http", "upload.vendor.example", "POST /x", 0, 0, chain,
                List.of(), 100, "detail", null);
    }

    static Document parse(List<JunitCase> cases) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JunitXmlReport.write(out, "scenarios/suites/smoke", Instant.parse("2026-01-01T00:00:00Z"), cases);
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(out.toByteArray()));
    }

    @Test
    void leaksNameThePlantedFileCategoryAndChain() {
        List<String> leaks = JunitCase.leaks(List.of(
                finding(Verdict.FAIL, FindingKind.WHOLE, "home/user/Work/tools/secret.docx", null,
                        List.of("tls", "http-body", "multipart", "secret.docx")),
                finding(Verdict.PASS, FindingKind.WHOLE, "home/user/ok.exe", null, List.of()),
                finding(Verdict.FAIL, FindingKind.MARKER, null, "CANARY-1234", List.of("dns-name"))));
        assertEquals(List.of("FAIL: home/user/Work/tools/secret.docx (document) left whole via tls > http-body > "
                        + "multipart to upload.vendor.example",
                "FAIL: marker 'CANARY-1234' left via dns-name to upload.vendor.example"), leaks);
    }

    @Test
    void countsMessagesAndEscapingSurviveAParse() throws Exception {
        String nasty = "FAIL: home/u/<a&b>\"q\".docx (document) left whole via tls]]> to x\u0001y.example";
        List<JunitCase> cases = List.of(
                new JunitCase("honest", Duration.ofMillis(14_609), JunitCase.Status.PASSED, null, null, "",
                        "run folder: /tmp/r1\nVERDICT: PASS"),
                new JunitCase("https-upload", Duration.ofSeconds(15), JunitCase.Status.FAILED, nasty, null,
                        nasty + "\nnote: x", "run folder: /tmp/r2"),
                new JunitCase("broken", Duration.ZERO, JunitCase.Status.ERROR, "setup error: no docker", "setup",
                        "no docker\nat all", "run folder: /tmp/r3"));
        Document doc = parse(cases);
        Element suite = doc.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals("scenarios/suites/smoke", suite.getAttribute("name"));
        assertEquals("3", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        assertEquals("1", suite.getAttribute("errors"));
        assertEquals("29.609", suite.getAttribute("time"));
        NodeList tc = doc.getElementsByTagName("testcase");
        assertEquals(3, tc.getLength());
        Element first = (Element) tc.item(0);
        assertEquals("egress-audit", first.getAttribute("classname"));
        assertEquals("honest", first.getAttribute("name"));
        assertEquals("14.609", first.getAttribute("time"));
        assertEquals(0, first.getElementsByTagName("failure").getLength());
        assertTrue(first.getElementsByTagName("system-out").item(0).getTextContent().contains("/tmp/r1"));
        Element failure = (Element) ((Element) tc.item(1)).getElementsByTagName("failure").item(0);
        assertEquals(nasty.replace('\u0001', '\uFFFD'), failure.getAttribute("message"));
        assertTrue(failure.getTextContent().contains("note: x"));
        Element error = (Element) ((Element) tc.item(2)).getElementsByTagName("error").item(0);
        assertEquals("setup error: no docker", error.getAttribute("message"));
        assertEquals("setup", error.getAttribute("type"));
    }

    @Test
    void anEmptyRunIsAnEmptySuite() throws Exception {
        Element suite = parse(List.of()).getDocumentElement();
        assertEquals("0", suite.getAttribute("tests"));
        assertEquals("0.000", suite.getAttribute("time"));
    }
}
