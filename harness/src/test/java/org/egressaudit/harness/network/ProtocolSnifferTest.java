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
