package org.egressaudit.harness.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The JUnit XML report of a `run` (the format CI systems publish): one testsuite, one testcase per scenario. The
 * writer escapes every attribute and text; characters XML 1.0 cannot hold at all (control bytes an agent may have
 * put in a host name) are replaced, as no escaping can carry them.
 */
public final class JunitXmlReport {
    /** Every case's classname, so CI groups them under one heading. */
    public static final String CLASSNAME = "egress-audit";

    private JunitXmlReport() {
    }

    /** Writes the report to {@code file} (through a temporary file, so a reader never sees half of it). */
    public static void write(Path file, String suiteName, Instant started, List<JunitCase> cases) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(out, suiteName, started, cases);
            }
            Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(OutputStream out, String suiteName, Instant started, List<JunitCase> cases)
            throws IOException {
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuite");
            w.writeAttribute("name", clean(suiteName));
            w.writeAttribute("tests", Integer.toString(cases.size()));
            w.writeAttribute("failures", Long.toString(count(cases, JunitCase.Status.FAILED)));
            w.writeAttribute("errors", Long.toString(count(cases, JunitCase.Status.ERROR)));
            w.writeAttribute("skipped", "0");
            w.writeAttribute("time", seconds(cases.stream().map(JunitCase::time).reduce(Duration.ZERO,
                    Duration::plus)));
            w.writeAttribute("timestamp", started.truncatedTo(ChronoUnit.SECONDS).toString());
            w.writeCharacters("\n");
            for (JunitCase c : cases) {
                w.writeCharacters("  ");
                w.writeStartElement("testcase");
                w.writeAttribute("classname", CLASSNAME);
                w.writeAttribute("name", clean(c.name()));
                w.writeAttribute("time", seconds(c.time()));
                if (c.status() != JunitCase.Status.PASSED) {
                    w.writeCharacters("\n    ");
                    w.writeStartElement(c.status() == JunitCase.Status.FAILED ? "failure" : "error");
                    w.writeAttribute("message", clean(c.message()));
                    w.writeAttribute("type", c.status() == JunitCase.Status.FAILED ? "verdict"
                            : clean(c.errorType() == null ? "error" : c.errorType()));
                    w.writeCharacters(clean(c.details()));
                    w.writeEndElement();
                }
                w.writeCharacters("\n    ");
                w.writeStartElement("system-out");
                w.writeCharacters(clean(c.systemOut()));
                w.writeEndElement();
                w.writeCharacters("\n  ");
                w.writeEndElement();
                w.writeCharacters("\n");
            }
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.flush();
            w.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write the JUnit XML report: " + e.getMessage(), e);
        }
    }

    private static long count(List<JunitCase> cases, JunitCase.Status s) {
        return cases.stream().filter(c -> c.status() == s).count();
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    /** Replaces what XML 1.0 cannot carry (C0 controls but tab/CR/LF, lone surrogates, U+FFFE/FFFF) by U+FFFD. */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (b != null) {
                    b.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (!ok && b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (b != null) {
                b.append(ok ? c : '\uFFFD');
            }
        }
        return b == null ? s : b.toString();
    }
}
