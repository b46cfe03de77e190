package org.egressaudit.harness.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConntrackLookupTest {
    // what conntrack -o extended prints for a sandbox flow REDIRECTed from 203.0.113.80:443 to the sink on 18080
    private static final String REDIRECTED = "ipv4     2 tcp      6 431999 ESTABLISHED src=172.18.0.2 dst=203.0.113.80 "
            + "sport=40512 dport=443 src=172.18.0.1 dst=172.18.0.2 sport=18080 dport=40512 [ASSURED] mark=0 use=1\n";
    private static final String OTHER_LISTENER = "ipv4     2 tcp      6 5 TIME_WAIT src=172.18.0.2 dst=198.51.100.9 "
            + "sport=40512 dport=80 src=198.51.100.9 dst=172.18.0.2 sport=80 dport=40512 [ASSURED] mark=0 use=1\n";
    private static final String UDP = "ipv4     2 udp      17 29 src=172.18.0.2 dst=192.0.2.53 sport=5353 dport=53 "
            + "src=172.18.0.1 dst=172.18.0.2 sport=15353 dport=5353 mark=0 use=1\n";

    @Test
    void readsTheOriginalDirectionOfTheEntryRepliedByTheListener() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("203.0.113.80"), 443),
                ConntrackLookup.parse(OTHER_LISTENER + REDIRECTED, 18080));
        assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 53),
                ConntrackLookup.parse(UDP, 15353));
    }

    @Test
    void noMatchingEntryOrGarbageIsUnknown() {
        assertNull(ConntrackLookup.parse(REDIRECTED, 9999));
        assertNull(ConntrackLookup.parse("", 18080));
        assertNull(ConntrackLookup.parse("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.", 1));
        // a dst that is not an IP literal must never be resolved by name
        assertNull(ConntrackLookup.parse("tcp 6 1 src=1.2.3.4 dst=vendor.example sport=1 dport=2 src=a dst=b "
                + "sport=18080 dport=1", 18080));
    }

    @Test
    void aMissingExecutableGivesUnknownNotAnException() {
        ConntrackLookup missing = new ConntrackLookup(Path.of("/nonexistent/conntrack"), Duration.ofSeconds(1));
        assertNull(missing.lookup(OriginalDestinationLookup.Protocol.TCP,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000), 18080));
    }
}
