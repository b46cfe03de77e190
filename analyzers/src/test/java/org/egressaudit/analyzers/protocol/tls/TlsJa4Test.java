package org.egressaudit.analyzers.protocol.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JA4 against a published fingerprint of a Chrome 143 ClientHello (its JA3 text and JA4_r raw form). */
class TlsJa4Test {

    static List<Integer> dec(String dashSeparated) {
        return Arrays.stream(dashSeparated.split("-")).map(Integer::valueOf).toList();
    }

    static List<Integer> hex(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(h -> Integer.parseInt(h, 16)).toList();
    }

    @Test
    void chromeClientHelloGivesItsPublishedJa4() {
        List<Integer> ciphers = new java.util.ArrayList<>(List.of(0x0a0a)); // GREASE first, as Chrome sends it
        ciphers.addAll(dec("4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53"));
        List<Integer> extensions = new java.util.ArrayList<>(List.of(0xfafa));
        extensions.addAll(dec("45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27"));
        TlsClientHello hello = new TlsClientHello(0x0303, List.of(0x2a2a, 0x0304, 0x0303), "tls.browserleaks.com",
                "tls.browserleaks.com".getBytes(), List.of("h2", "http/1.1"), ciphers, extensions,
                dec("4588-29-23-24"), List.of(0), hex("0403,0804,0401,0503,0805,0501,0806,0601"), 512, null);
        assertEquals("t13d1516h2_8daaf6152771_d8a2da3f94cd", hello.ja4());
    }

    @Test
    void noSniNoAlpnAndTls12() {
        TlsClientHello hello = new TlsClientHello(0x0303, List.of(), null, null, List.of(), List.of(0xc02f),
                List.of(0x000a, 0x000d), List.of(23), List.of(0), List.of(0x0401), 100, null);
        String ja4 = hello.ja4();
        assertEquals("t12i010200_", ja4.substring(0, 11));
    }
}
