package org.egressaudit.analyzers.protocol.tls.decrypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class RecordProtectionTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Opens a whole record (header included); returns the plaintext or null. */
    static byte[] open(RecordProtection p, String record) {
        byte[] r = HEX.parseHex(record);
        byte[] body = Arrays.copyOfRange(r, 5, r.length);
        byte[] out = new byte[body.length];
        int n = p.open(r[0] & 0xff, ((r[1] & 0xff) << 8) | (r[2] & 0xff), body, body.length, out);
        return n < 0 ? null : Arrays.copyOf(out, n);
    }

    static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void rfc8448ServerHandshakeFlight() {
        RecordProtection p = RecordProtection.tls13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.SERVER_HANDSHAKE_SECRET));
        byte[] plain = open(p, Rfc8448.SERVER_FLIGHT_RECORD);
        assertTrue(HEX.formatHex(plain).startsWith(Rfc8448.SERVER_FLIGHT_START), HEX.formatHex(plain));
        assertEquals(22, plain[plain.length - 1], "inner content type handshake");
        assertEquals(1, p.sequence());
    }

    @Test
    void rfc8448ClientFinishedApplicationDataAndAlerts() {
        RecordProtection hs = RecordProtection.tls13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.CLIENT_HANDSHAKE_SECRET));
        assertEquals(Rfc8448.CLIENT_FINISHED + "16", HEX.formatHex(open(hs, Rfc8448.CLIENT_FINISHED_RECORD)));
        RecordProtection client = RecordProtection.tls13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.CLIENT_TRAFFIC_SECRET));
        byte[] data = open(client, Rfc8448.CLIENT_DATA_RECORD);
        assertArrayEquals(counting(50), Arrays.copyOf(data, 50));
        assertEquals(23, data[50]);
        assertEquals("010015", HEX.formatHex(open(client, Rfc8448.CLIENT_ALERT_RECORD)), "sequence 1");
        RecordProtection server = RecordProtection.tls13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.SERVER_TRAFFIC_SECRET));
        // The server's data record is its second under this key (the first carried a NewSessionTicket).
        assertEquals(null, open(server, Rfc8448.SERVER_DATA_RECORD), "sequence 1 record at sequence 0");
        byte[] first = TlsRecords.seal13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.SERVER_TRAFFIC_SECRET), 0, 22, new byte[] {4, 0, 0, 0});
        assertEquals("0400000016", HEX.formatHex(open(server, HEX.formatHex(first))));
        assertArrayEquals(counting(50), Arrays.copyOf(open(server, Rfc8448.SERVER_DATA_RECORD), 50));
    }

    @Test
    void wrongSequenceOrKeyOrDamageFailsWithoutAdvancing() {
        RecordProtection client = RecordProtection.tls13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.CLIENT_TRAFFIC_SECRET));
        assertEquals(null, open(client, Rfc8448.CLIENT_ALERT_RECORD), "sequence 1 record at sequence 0");
        assertEquals(0, client.sequence());
        RecordProtection server = RecordProtection.tls13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.SERVER_TRAFFIC_SECRET));
        assertEquals(null, open(server, Rfc8448.CLIENT_DATA_RECORD), "other direction's key");
        String damaged = Rfc8448.CLIENT_DATA_RECORD.substring(0, 20) + "00" + Rfc8448.CLIENT_DATA_RECORD.substring(22);
        assertEquals(null, open(client, damaged));
        assertEquals(null, open(client, "1703030004deadbeef"), "shorter than a tag");
        assertArrayEquals(counting(50), Arrays.copyOf(open(client, Rfc8448.CLIENT_DATA_RECORD), 50));
    }

    @Test
    void keyUpdateDerivesTheNextGeneration() {
        RecordProtection p = RecordProtection.tls13(CipherSuite.TLS_AES_128_GCM_SHA256,
                HEX.parseHex(Rfc8448.CLIENT_TRAFFIC_SECRET));
        byte[] next = TlsKdf.expandLabel("HmacSHA256", HEX.parseHex(Rfc8448.CLIENT_TRAFFIC_SECRET), "traffic upd",
                new byte[0], 32);
        byte[] record = TlsRecords.seal13(CipherSuite.TLS_AES_128_GCM_SHA256, next, 0, 23, counting(10));
        assertEquals(null, open(p, HEX.formatHex(record)));
        assertArrayEquals(counting(10), Arrays.copyOf(open(p.next(), HEX.formatHex(record)), 10));
    }

    /** Every TLS 1.3 suite opens what the JDK (or CCM here, checked by vectors) sealed; the sequence is used. */
    @Test
    void allTls13SuitesRoundTrip() {
        byte[] secret = counting(48);
        for (CipherSuite s : CipherSuite.values()) {
            if (!s.tls13()) {
                continue;
            }
            byte[] sec = Arrays.copyOf(secret, s.hashLength());
            RecordProtection p = RecordProtection.tls13(s, sec);
            for (int seq = 0; seq < 3; seq++) {
                byte[] rec = TlsRecords.seal13(s, sec, seq, 23, counting(100 + seq));
                byte[] plain = open(p, HEX.formatHex(rec));
                assertTrue(plain != null, s + " seq " + seq);
                assertArrayEquals(counting(100 + seq), Arrays.copyOf(plain, 100 + seq), s.name());
            }
        }
    }

    /** TLS 1.2 AES-GCM (RFC 5288) and ChaCha20-Poly1305 (RFC 7905) records sealed independently with the JDK. */
    @Test
    void tls12RecordsOfGcmAndChaCha() throws Exception {
        byte[] master = counting(48);
        byte[] cr = Arrays.copyOfRange(counting(100), 10, 42);
        byte[] sr = Arrays.copyOfRange(counting(100), 50, 82);
        for (CipherSuite s : new CipherSuite[] {CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}) {
            int k = s.keyLength();
            int v = s.fixedIvLength();
            byte[] seed = new byte[64];
            System.arraycopy(sr, 0, seed, 0, 32);
            System.arraycopy(cr, 0, seed, 32, 32);
            byte[] block = TlsKdf.prf(s.hmac(), master, "key expansion", seed, 2 * k + 2 * v);
            byte[] serverKey = Arrays.copyOfRange(block, k, 2 * k);
            byte[] serverIv = Arrays.copyOfRange(block, 2 * k + v, 2 * k + 2 * v);
            RecordProtection server = RecordProtection.tls12(s, master, cr, sr)[1];
            for (long seq = 0; seq < 3; seq++) {
                byte[] plain = counting(200 + (int) seq);
                byte[] aad = new byte[13];
                for (int i = 0; i < 8; i++) {
                    aad[i] = (byte) (seq >>> (56 - 8 * i));
                }
                aad[8] = 23;
                aad[9] = 3;
                aad[10] = 3;
                aad[11] = (byte) (plain.length >>> 8);
                aad[12] = (byte) plain.length;
                byte[] body;
                if (s.aead() == AeadKind.AES_GCM) {
                    byte[] explicit = {9, 8, 7, 6, 5, 4, 3, (byte) seq};
                    byte[] nonce = new byte[12];
                    System.arraycopy(serverIv, 0, nonce, 0, 4);
                    System.arraycopy(explicit, 0, nonce, 4, 8);
                    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(serverKey, "AES"), new GCMParameterSpec(128, nonce));
                    c.updateAAD(aad);
                    byte[] ct = c.doFinal(plain);
                    body = new byte[8 + ct.length];
                    System.arraycopy(explicit, 0, body, 0, 8);
                    System.arraycopy(ct, 0, body, 8, ct.length);
                } else {
                    byte[] nonce = serverIv.clone();
                    for (int i = 0; i < 8; i++) {
                        nonce[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
                    }
                    Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
                    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(serverKey, "ChaCha20"), new IvParameterSpec(nonce));
                    c.updateAAD(aad);
                    body = c.doFinal(plain);
                }
                byte[] out = new byte[body.length];
                int n = server.open(23, 0x0303, body, body.length, out);
                assertEquals(plain.length, n, s + " seq " + seq);
                assertArrayEquals(plain, Arrays.copyOf(out, n));
            }
        }
    }

    @Test
    void cbcSuitesAreNotDecryptable() {
        assertEquals(null, CipherSuite.of(0xc013));
        assertEquals(null, CipherSuite.of(0x002f));
        assertEquals(CipherSuite.TLS_AES_128_CCM_8_SHA256, CipherSuite.of(0x1305));
    }
}
