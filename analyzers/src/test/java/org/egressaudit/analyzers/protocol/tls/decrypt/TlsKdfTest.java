package org.egressaudit.analyzers.protocol.tls.decrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TlsKdfTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void tls12PrfSha256Vector() {
        // The widely used P_SHA256 test vector (IETF TLS WG, "test label").
        byte[] out = TlsKdf.prf("HmacSHA256", HEX.parseHex("9bbe436ba940f017b17652849a71db35"), "test label",
                HEX.parseHex("a0ba9f936cda311827a6f796ffd5198c"), 100);
        assertEquals("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af"
                + "0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff7"
                + "0187347b66", HEX.formatHex(out));
    }

    @Test
    void rfc8448TrafficKeys() {
        byte[] shts = HEX.parseHex(Rfc8448.SERVER_HANDSHAKE_SECRET);
        assertEquals("3fce516009c21727d0f2e4e86ee403bc",
                HEX.formatHex(TlsKdf.expandLabel("HmacSHA256", shts, "key", new byte[0], 16)));
        assertEquals("5d313eb2671276ee13000b30",
                HEX.formatHex(TlsKdf.expandLabel("HmacSHA256", shts, "iv", new byte[0], 12)));
        byte[] cats = HEX.parseHex(Rfc8448.CLIENT_TRAFFIC_SECRET);
        assertEquals("17422dda596ed5d9acd890e3c63f5051",
                HEX.formatHex(TlsKdf.expandLabel("HmacSHA256", cats, "key", new byte[0], 16)));
        assertEquals("5b78923dee08579033e523d9",
                HEX.formatHex(TlsKdf.expandLabel("HmacSHA256", cats, "iv", new byte[0], 12)));
    }
}
