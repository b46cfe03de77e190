package org.egressaudit.analyzers.protocol.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsMessageParserTest {
    private final DnsMessageParser parser = new DnsMessageParser();

    /** Response: question www.example.test A; answers CNAME (compressed) and A, TXT, AAAA with pointers. */
    private static byte[] compressedResponse() {
        DnsWire w = DnsWire.header(0x1234, 0x8180, 1, 4, 0, 0);
        int qname = w.size(); // 12
        w.name("www.example.test").u16(1).u16(1);
        int exampleAt = qname + 4; // "example.test" inside the question name
        // www.example.test CNAME cdn.example.test (cdn + pointer to example.test)
        w.pointer(qname).u16(5).u16(1).u32(300).u16(6);
        int cdnAt = w.size();
        w.labels("cdn").pointer(exampleAt);
        // cdn.example.test A 192.0.2.7
        w.pointer(cdnAt).u16(1).u16(1).u32(300).u16(4).u8(192).u8(0).u8(2).u8(7);
        // cdn.example.test TXT "hello" "world"
        w.pointer(cdnAt).u16(16).u16(1).u32(60).u16(12).u8(5).raw("hello".getBytes(StandardCharsets.US_ASCII))
                .u8(5).raw("world".getBytes(StandardCharsets.US_ASCII));
        // cdn.example.test AAAA 2001:db8::1
        w.pointer(cdnAt).u16(28).u16(1).u32(60).u16(16).u16(0x2001).u16(0x0db8).u32(0).u32(0).u16(0).u16(1);
        return w.bytes();
    }

    @Test
    void parsesSimpleQuery() {
        byte[] q = DnsWire.query(7, "Mail.Example.TEST", DnsTypes.AAAA);
        DnsMessage m = parser.parse(q);
        assertTrue(m.ok(), m.error());
        assertEquals(7, m.id());
        assertFalse(m.response());
        assertTrue(m.recursionDesired());
        assertEquals(1, m.questions().size());
        DnsQuestion question = m.questions().get(0);
        assertEquals("Mail.Example.TEST", question.name().text(), "original case kept");
        assertEquals("mail.example.test", question.name().lowerText());
        assertEquals(DnsTypes.AAAA, question.type());
        assertEquals(q.length, m.consumed());
        assertTrue(m.isPlausibleQuery());
    }

    @Test
    void followsCompressionPointersInAnswers() {
        DnsMessage m = parser.parse(compressedResponse());
        assertTrue(m.ok(), m.error());
        assertTrue(m.response());
        assertEquals(4, m.answers().size());
        DnsResourceRecord cname = m.answers().get(0);
        assertEquals("www.example.test", cname.name().text());
        assertEquals("cdn.example.test", cname.data());
        assertEquals("cdn.example.test", m.answers().get(1).name().text());
        assertEquals("192.0.2.7", m.answers().get(1).data());
        assertEquals("\"hello\" \"world\"", m.answers().get(2).data());
        assertEquals("2001:db8::1", m.answers().get(3).data());
        assertEquals(0, m.trailingBytes());
        assertFalse(m.isPlausibleQuery());
    }

    @Test
    void pointerToItselfIsALoopNotAHang() {
        DnsWire w = DnsWire.header(1, 0x0100, 1, 0, 0, 0);
        w.pointer(12).u16(1).u16(1);
        DnsMessage m = parser.parse(w.bytes());
        assertFalse(m.ok());
        assertTrue(m.error().contains("loop"), m.error());
    }

    @Test
    void twoPointerLoopWithLabelsIsRejected() {
        // offset 12: "a" then pointer to 16; offset 16: "b" then pointer to 12.
        DnsWire w = DnsWire.header(1, 0x0100, 1, 0, 0, 0);
        w.labels("a").pointer(16).labels("b").pointer(12).u16(1).u16(1);
        DnsMessage m = parser.parse(w.bytes());
        assertFalse(m.ok());
        // Either the hop limit or the 255-octet limit stops it, both are loops in effect.
        assertTrue(m.error().contains("loop") || m.error().contains("255"), m.error());
    }

    @Test
    void pointerPastTheEndIsAnError() {
        DnsWire w = DnsWire.header(1, 0x0100, 1, 0, 0, 0);
        w.pointer(0x3FFF).u16(1).u16(1);
        DnsMessage m = parser.parse(w.bytes());
        assertFalse(m.ok());
        assertTrue(m.error().contains("past the end"), m.error());
    }

    @Test
    void reservedLabelTypesAreRejected() {
        DnsWire w = DnsWire.header(1, 0x0100, 1, 0, 0, 0);
        w.u8(0x41).raw(new byte[65]).u8(0).u16(1).u16(1);
        DnsMessage m = parser.parse(w.bytes());
        assertFalse(m.ok());
        assertTrue(m.error().contains("reserved label type"), m.error());
    }

    @Test
    void namesLongerThan255OctetsAreRejected() {
        String label = "a".repeat(63);
        String name = label + "." + label + "." + label + "." + label + ".test"; // 4*64 + 5 + 1 > 255
        DnsMessage m = parser.parse(DnsWire.query(1, name, 1));
        assertFalse(m.ok());
        assertTrue(m.error().contains("255"), m.error());
    }

    @Test
    void everyTruncationIsAnErrorNeverAnException() {
        byte[] full = compressedResponse();
        for (int len = 0; len < full.length; len++) {
            DnsMessage m = parser.parse(full, 0, len);
            assertNotNull(m.error(), "truncated at " + len);
            assertEquals(len, m.length());
        }
        assertNull(parser.parse(full).error());
    }

    @Test
    void parsesInsideALargerBufferWithRelativeOffsets() {
        byte[] q = compressedResponse();
        byte[] padded = new byte[q.length + 20];
        System.arraycopy(q, 0, padded, 7, q.length);
        DnsMessage m = parser.parse(padded, 7, q.length);
        assertTrue(m.ok(), m.error());
        assertEquals("cdn.example.test", m.answers().get(0).data());
    }

    @Test
    void trailingBytesAreReported() {
        byte[] q = DnsWire.query(1, "a.example.test", 1);
        byte[] withTail = new byte[q.length + 5];
        System.arraycopy(q, 0, withTail, 0, q.length);
        DnsMessage m = parser.parse(withTail);
        assertTrue(m.ok());
        assertEquals(5, m.trailingBytes());
        assertFalse(m.isPlausibleQuery());
    }

    @Test
    void questionCountLimitIsAnError() {
        DnsWire w = DnsWire.header(1, 0x0100, 100, 0, 0, 0);
        for (int i = 0; i < 100; i++) {
            w.name("q" + i + ".example.test").u16(1).u16(1);
        }
        DnsMessage m = parser.parse(w.bytes());
        assertFalse(m.ok());
        assertEquals(DnsLimits.DEFAULTS.maxQuestions(), m.questions().size());
    }

    @Test
    void rawLabelBytesAreKeptForContentAnalysis() {
        byte[] q = DnsWire.header(1, 0x0100, 1, 0, 0, 0).u8(3).u8('a').u8('.').u8(0xff).name("example.test")
                .u16(1).u16(1).bytes();
        DnsMessage m = parser.parse(q);
        assertTrue(m.ok(), m.error());
        DnsName name = m.questions().get(0).name();
        assertEquals("a\\.\\255.example.test", name.text());
        assertArrayEquals(new byte[] {'a', '.', (byte) 0xff, '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 't', 'e', 's',
                't'}, name.dottedBytes());
    }

    @Test
    void randomCorruptionNeverThrows() {
        byte[] base = compressedResponse();
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = base.clone();
            int flips = 1 + rnd.nextInt(6);
            for (int f = 0; f < flips; f++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(b.length + 1);
            DnsMessage m = parser.parse(b, 0, len);
            assertNotNull(m);
            assertTrue(m.consumed() <= len);
        }
    }
}
