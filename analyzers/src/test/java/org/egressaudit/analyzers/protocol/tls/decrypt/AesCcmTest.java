package org.egressaudit.analyzers.protocol.tls.decrypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** AES-CCM against RFC 3610 and NIST SP 800-38C (Appendix C) vectors; tampering must fail authentication. */
class AesCcmTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] range(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static byte[] open(AesCcm ccm, String nonce, byte[] aad, String ciphertext) {
        byte[] c = HEX.parseHex(ciphertext);
        byte[] out = new byte[c.length];
        int n = ccm.open(HEX.parseHex(nonce), aad, c, 0, c.length, out, 0);
        return n < 0 ? null : java.util.Arrays.copyOf(out, n);
    }

    @Test
    void rfc3610PacketVector1() {
        AesCcm ccm = new AesCcm(HEX.parseHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"), 8);
        assertArrayEquals(range(8, 0x1f), open(ccm, "00000003020100a0a1a2a3a4a5", range(0, 8),
                "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"));
    }

    @Test
    void nistExample1ShortNonceAndTag() {
        AesCcm ccm = new AesCcm(range(0x40, 0x50), 4);
        assertArrayEquals(HEX.parseHex("20212223"), open(ccm, "10111213141516", range(0, 8), "7162015b4dac255d"));
    }

    @Test
    void nistExample3TwelveByteNonceAsInTls() {
        AesCcm ccm = new AesCcm(range(0x40, 0x50), 8);
        assertArrayEquals(range(0x20, 0x38), open(ccm, "101112131415161718191a1b", range(0, 0x14),
                "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951"));
    }

    @Test
    void anyChangedByteFailsAuthentication() {
        AesCcm ccm = new AesCcm(range(0x40, 0x50), 8);
        String c = "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951";
        byte[] good = HEX.parseHex(c);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            assertEquals(null, open(ccm, "101112131415161718191a1b", range(0, 0x14), HEX.formatHex(bad)), "byte " + i);
        }
        byte[] aad = range(0, 0x14);
        aad[3] ^= 1;
        assertEquals(null, open(ccm, "101112131415161718191a1b", aad, c));
        assertEquals(null, open(ccm, "111112131415161718191a1b", range(0, 0x14), c));
        assertEquals(null, open(ccm, "101112131415161718191a1b", range(0, 0x14), "e3b201"), "shorter than the tag");
    }
}
