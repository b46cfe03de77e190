package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProtocolSnifferTest {
    private static ProtocolSniffer.Guess guess(String s, boolean tls) {
        return ProtocolSniffer.classify(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1), tls);
    }

    @Test
    void methodsFollowedByASpaceAreHttp() {
        assertEquals(ProtocolSniffer.Guess.HTTP, guess("GET /", true));
        assertEquals(ProtocolSniffer.Guess.HTTP, guess("VERSION-CONTROL /x", true));
        assertEquals(ProtocolSniffer.Guess.HTTP2_PREFACE, guess("PRI * HTTP/2.0", true));
    }

    @Test
    void anUnregisteredUpperCaseWordNeedsAWholeHttpRequestLine() {
        // A raw agent protocol that happens to start with an upper-case word must stay raw (and be recorded).
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("HELLO agent-id=42 build=7\n", true));
        assertNull(guess("HELLO agent-id=42", true), "wait for the end of the line");
        assertEquals(ProtocolSniffer.Guess.HTTP, guess("FROBNICATE /x HTTP/1.1\r\nHost: a\r\n", true));
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("FROBNICATE " + "x".repeat(9000), true));
    }

    @Test
    void tooFewBytesMeansWait() {
        assertNull(guess("", true));
        assertNull(guess("GE", true));
        assertNull(guess("\u0016", true));
    }

    @Test
    void tlsNeedsHandshakeAndVersion3AndIsNotNested() {
        assertEquals(ProtocolSniffer.Guess.TLS, guess("\u0016\u0003\u0001", true));
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("\u0016\u0002", true));
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("\u0016\u0003", false));
    }

    @Test
    void everythingElseIsOther() {
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("SSH-2.0-OpenSSH", true));
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("get / HTTP/1.1", true));
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("\u0000\u0001", true));
        assertEquals(ProtocolSniffer.Guess.OTHER, guess("ABCDEFGHIJKLMNOPQRSTUVWXYZ ", true));
    }
}
