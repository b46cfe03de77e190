package org.egressaudit.analyzers.protocol.tls.decrypt;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-CCM decryption (RFC 3610, NIST SP 800-38C) on the JDK's AES block cipher, which has no CCM mode: CTR mode
 * for the payload, CBC-MAC over B0, the encoded associated data and the plaintext for the tag. Nonces of 7 to 13
 * bytes; tags of 4 to 16 bytes (TLS uses 12-byte nonces and 16- or 8-byte tags).
 */
public final class AesCcm implements Aead {
    private final Cipher aes;
    private final int tagLength;
    private final byte[] block = new byte[16];
    private final byte[] mac = new byte[16];
    private byte[] keystream = new byte[0];
    private byte[] counters = new byte[0];

    public AesCcm(byte[] key, int tagLength) {
        if (tagLength < 4 || tagLength > 16 || tagLength % 2 != 0) {
            throw new IllegalArgumentException("CCM tag length must be 4..16 and even: " + tagLength);
        }
        try {
            aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("AES key rejected: " + e.getMessage(), e);
        }
        this.tagLength = tagLength;
    }

    @Override
    public int tagLength() {
        return tagLength;
    }

    @Override
    public int open(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
        int n = nonce.length;
        if (n < 7 || n > 13 || len < tagLength) {
            return -1;
        }
        int q = 15 - n; // bytes of the length field (RFC 3610's L)
        int plen = len - tagLength;
        if (q < 4 && plen >= 1L << (8 * q)) {
            return -1;
        }
        try {
            // CTR: A_i = flags(L-1) | nonce | i; S_0 masks the tag, S_1.. the payload. One call for all blocks.
            int blocks = (plen + 15) / 16 + 1;
            if (counters.length < blocks * 16) {
                counters = new byte[blocks * 16];
                keystream = new byte[blocks * 16];
            }
            for (int i = 0; i < blocks; i++) {
                int b = i * 16;
                counters[b] = (byte) (q - 1);
                System.arraycopy(nonce, 0, counters, b + 1, n);
                for (int k = 0; k < q; k++) {
                    counters[b + 15 - k] = (byte) (k < 4 ? i >>> (8 * k) : 0);
                }
            }
            aes.doFinal(counters, 0, blocks * 16, keystream, 0);
            for (int i = 0; i < plen; i++) {
                out[outOff + i] = (byte) (in[off + i] ^ keystream[16 + i]);
            }
            // CBC-MAC over B0 | encoded AAD | plaintext, each part zero-padded to whole blocks.
            block[0] = (byte) ((aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (q - 1));
            System.arraycopy(nonce, 0, block, 1, n);
            for (int k = 0; k < q; k++) {
                block[15 - k] = (byte) (k < 4 ? plen >>> (8 * k) : 0);
            }
            java.util.Arrays.fill(mac, (byte) 0);
            macBlock(block, 0, 16);
            if (aad.length > 0) {
                // RFC 3610 2.2: lengths below 2^16 - 2^8 take two bytes; longer ones are not used by TLS.
                if (aad.length >= 0xff00) {
                    return -1;
                }
                byte[] a = new byte[2 + aad.length];
                a[0] = (byte) (aad.length >>> 8);
                a[1] = (byte) aad.length;
                System.arraycopy(aad, 0, a, 2, aad.length);
                macPadded(a, 0, a.length);
            }
            macPadded(out, outOff, plen);
            byte[] expected = new byte[tagLength];
            byte[] received = new byte[tagLength];
            for (int i = 0; i < tagLength; i++) {
                expected[i] = (byte) (mac[i] ^ keystream[i]);
                received[i] = in[off + plen + i];
            }
            if (!MessageDigest.isEqual(expected, received)) {
                java.util.Arrays.fill(out, outOff, outOff + plen, (byte) 0); // release no unauthenticated plaintext
                return -1;
            }
            return plen;
        } catch (GeneralSecurityException e) {
            return -1;
        }
    }

    private void macPadded(byte[] b, int off, int len) throws ShortBufferException {
        int p = 0;
        while (p < len) {
            int n = Math.min(16, len - p);
            macBlock(b, off + p, n);
            p += n;
        }
    }

    /** mac = E(mac xor block), the block zero-padded when shorter than 16 bytes. */
    private void macBlock(byte[] b, int off, int n) throws ShortBufferException {
        for (int i = 0; i < n; i++) {
            mac[i] ^= b[off + i];
        }
        aes.update(mac, 0, 16, mac, 0);
    }
}
