package org.egressaudit.analyzers.protocol.dns;

import static org.egressaudit.analyzers.protocol.AppLayerTestSink.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.AppLayerTestSink;
import org.egressaudit.analyzers.protocol.Transmission;
import org.junit.jupiter.api.Test;

class DnsLabelExfilAssemblerTest {
    private static final long SEC = 1_000_000_000L;

    static String base32(byte[] data) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    private record Sent(String name, int qtype, long ts) {
    }

    private final AppLayerTestSink sink = new AppLayerTestSink();

    private DnsRecorder recorder(DnsLimits limits) {
        return new DnsRecorder(sink.context(), limits);
    }

    private static void send(DnsRecorder r, Sent s, int srcPort) {
        byte[] q = DnsWire.query(srcPort, s.name, s.qtype);
        r.record(AppLayerTestSink.udp(srcPort, 53), Direction.CLIENT_TO_SERVER, "udp", q, 0, q.length, -1, s.ts);
    }

    /** Splits text into names "<counter>.<l1>.<l2>.<l3>[.<l4>].<zone>": 3 labels of 63, a 4th of up to 40. */
    private static List<String> exfilNames(String text, String zone, boolean counterFirst, boolean hex) {
        List<String> names = new ArrayList<>();
        int p = 0;
        int n = 0;
        while (p < text.length()) {
            List<String> labels = new ArrayList<>();
            int count = n % 2 == 0 ? 3 : 4;
            for (int i = 0; i < count && p < text.length(); i++) {
                int len = i == 3 ? 40 : 63;
                labels.add(text.substring(p, Math.min(text.length(), p + len)));
                p += len;
            }
            String counter = hex ? String.format("%04x", n) : Integer.toString(n);
            if (counterFirst) {
                labels.add(0, counter);
            } else {
                labels.add(counter);
            }
            names.add(String.join(".", labels) + "." + zone);
            n++;
        }
        return names;
    }

    @Test
    void reassembles20KiBFileFromShuffledQueriesWithRetransmissions() {
        byte[] file = new byte[20 * 1024];
        new Random(7).nextBytes(file);
        String text = base32(file);
        List<String> names = exfilNames(text, "t.exfil.example", true, false);
        assertTrue(names.size() > 100, "several hundred bytes per query need >100 queries: " + names.size());
        Random rnd = new Random(11);
        List<Sent> sent = new ArrayList<>();
        long ts = 1000 * SEC;
        for (String name : names) {
            assertTrue(DnsName.of(name).wireLength() <= 255, name);
            ts += rnd.nextInt(50_000_000);
            sent.add(new Sent(name, DnsTypes.A, ts));
            sent.add(new Sent(name, DnsTypes.AAAA, ts + 1_000_000)); // A+AAAA pair
            if (rnd.nextInt(5) == 0) {
                sent.add(new Sent(name, DnsTypes.A, ts + 2 * SEC)); // resolver retry
            }
        }
        // Out-of-order arrival: shuffle within windows of 20 (parallel resolvers).
        for (int i = 0; i < sent.size(); i += 20) {
            Collections.shuffle(sent.subList(i, Math.min(sent.size(), i + 20)), rnd);
        }
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        for (Sent s : sent) {
            send(r, s, 40000 + rnd.nextInt(1000));
        }
        r.finish(ts);
        List<Transmission> labels = sink.withRoot("dns-labels");
        assertEquals(1, labels.size());
        Transmission t = labels.get(0);
        assertEquals(text, new String(root(t, "dns-labels"), StandardCharsets.ISO_8859_1));
        assertEquals("exfil.example", t.destination());
        assertEquals("dns", t.protocol());
        assertEquals(Direction.CLIENT_TO_SERVER, t.direction());
        assertEquals("labels of " + names.size() + " queries to exfil.example", t.summary());
        assertEquals("decimal first label", t.attributes().get("counter"));
        assertEquals("t.exfil.example", t.attributes().get("zone"));
        // Every query was still reported individually, with its name as content.
        assertEquals(sent.size(), sink.queries.size());
        assertEquals(sent.size(), sink.withRoot("dns-name").size());
    }

    @Test
    void hexCounterInLastLabelAndMixedCaseAreHandled() {
        String text = base32("secret payload that is long enough to span several queries..".repeat(40)
                .getBytes(StandardCharsets.US_ASCII));
        List<String> names = exfilNames(text, "exfil.example", false, true);
        assertTrue(names.size() > 10, "counter values must reach hex digits: " + names.size());
        List<String> reversed = new ArrayList<>(names);
        Collections.reverse(reversed);
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        long ts = 0;
        for (String n : reversed) {
            send(r, new Sent(n, DnsTypes.TXT, ts += SEC), 5000);
            // Resolver 0x20 case randomisation of a retry within the window: still a retransmission.
            send(r, new Sent(n.toUpperCase(Locale.ROOT), DnsTypes.TXT, ts + 100), 5001);
        }
        r.finish(ts);
        List<Transmission> labels = sink.withRoot("dns-labels");
        assertEquals(1, labels.size());
        assertEquals(text, new String(root(labels.get(0), "dns-labels"), StandardCharsets.ISO_8859_1));
        assertEquals("hex last label", labels.get(0).attributes().get("counter"));
    }

    @Test
    void withoutCountersCaptureOrderIsKeptAndAPlusAaaaCountOnce() {
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        String[] chunks = {"mzxw6ytboi", "nbswy3dpeb", "3w64tmmqqq", "gezdgnbvgy"};
        long ts = 0;
        for (String c : chunks) {
            send(r, new Sent(c + ".tunnel.example", DnsTypes.A, ts), 1);
            send(r, new Sent(c + ".tunnel.example", DnsTypes.AAAA, ts + 5_000_000), 1);
            ts += SEC;
        }
        r.finish(ts);
        List<Transmission> labels = sink.withRoot("dns-labels");
        assertEquals(1, labels.size());
        assertEquals(String.join("", chunks), new String(root(labels.get(0), "dns-labels"), StandardCharsets.US_ASCII));
        assertEquals("none", labels.get(0).attributes().get("counter"));
        assertTrue(labels.get(0).notes().contains("4 retransmitted queries dropped"), labels.get(0).notes().toString());
    }

    @Test
    void sameNameAfterTheWindowIsNewData() {
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        send(r, new Sent("aaaaaaaaaa.tunnel.example", 1, 0), 1);
        send(r, new Sent("bbbbbbbbbb.tunnel.example", 1, SEC), 1);
        send(r, new Sent("aaaaaaaaaa.tunnel.example", 1, 60 * SEC), 1);
        r.finish(60 * SEC);
        assertEquals("aaaaaaaaaabbbbbbbbbbaaaaaaaaaa",
                new String(root(sink.withRoot("dns-labels").get(0), "dns-labels"), StandardCharsets.US_ASCII));
    }

    @Test
    void decoyQueriesToTheSameParentDoNotBreakTheStream() {
        String text = base32(new byte[600]).replace('a', 'q');
        List<String> names = exfilNames(text, "d.exfil.example", true, false);
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        long ts = 0;
        send(r, new Sent("www.exfil.example", 1, ts), 1);
        for (String n : names) {
            send(r, new Sent(n, 1, ts += SEC), 1);
        }
        send(r, new Sent("mail.exfil.example", 1, ts), 1);
        r.finish(ts);
        List<Transmission> labels = sink.withRoot("dns-labels");
        assertEquals(1, labels.size(), "the decoys' few characters are below the emission threshold");
        assertEquals(text, new String(root(labels.get(0), "dns-labels"), StandardCharsets.ISO_8859_1));
    }

    @Test
    void repeatedCounterWithDifferentDataFallsBackToCaptureOrder() {
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        send(r, new Sent("1.cccccccccc.tunnel.example", 1, 0), 1);
        send(r, new Sent("0.bbbbbbbbbb.tunnel.example", 1, SEC), 1);
        send(r, new Sent("1.aaaaaaaaaa.tunnel.example", 1, 2 * SEC), 1);
        r.finish(2 * SEC);
        Transmission t = sink.withRoot("dns-labels").get(0);
        assertEquals("none", t.attributes().get("counter"));
        assertEquals("1cccccccccc0bbbbbbbbbb1aaaaaaaaaa", new String(root(t, "dns-labels"), StandardCharsets.US_ASCII));
    }

    @Test
    void randomHexLabelsAreNotMistakenForCounters() {
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        String[] data = {"9f3ab1c2", "01d7e4aa", "c0ffee12", "7b7b7b7b"};
        long ts = 0;
        for (String d : data) {
            send(r, new Sent(d + ".x.tunnel.example", 1, ts += SEC), 1);
        }
        r.finish(ts);
        Transmission t = sink.withRoot("dns-labels").get(0);
        assertEquals("none", t.attributes().get("counter"));
        assertEquals(String.join("", data), new String(root(t, "dns-labels"), StandardCharsets.US_ASCII));
    }

    @Test
    void twoLevelPublicSuffixesKeepDomainsApart() {
        assertEquals("exfil.co.uk", ParentDomains.parentOf(DnsName.of("a.b.exfil.co.uk")));
        assertEquals("example.test", ParentDomains.parentOf(DnsName.of("a.b.Example.TEST")));
        assertEquals("test", ParentDomains.parentOf(DnsName.of("test")));
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        send(r, new Sent("aaaaaaaaaaaaaaaaaaaa.one.co.uk", 1, 0), 1);
        send(r, new Sent("bbbbbbbbbbbbbbbbbbbb.two.co.uk", 1, 0), 1);
        r.finish(0);
        List<String> dests = sink.withRoot("dns-labels").stream().map(Transmission::destination).sorted().toList();
        assertEquals(List.of("one.co.uk", "two.co.uk"), dests);
    }

    @Test
    void shortConcatenationsAreNotEmitted() {
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        send(r, new Sent("www.example.test", 1, 0), 1);
        send(r, new Sent("api.example.test", 1, SEC), 1);
        r.finish(SEC);
        assertEquals(0, sink.withRoot("dns-labels").size());
    }

    @Test
    void groupCountLimitIsRecorded() {
        DnsLimits small = new DnsLimits(64, 32, 256, 2, 1 << 20, 1 << 20, 16, 5 * SEC, 8);
        DnsRecorder r = recorder(small);
        for (int i = 0; i < 5; i++) {
            send(r, new Sent("abcdefghijklmnopqrstuvwxyz.d" + i + ".test", 1, i), 1);
        }
        r.finish(10);
        assertEquals(2, sink.withRoot("dns-labels").size());
        assertTrue(sink.events("limit").stream().anyMatch(e -> e.detail().contains("more than 2 parent domains")));
        assertTrue(sink.events("limit").stream().anyMatch(e -> e.detail().contains("3 queries not assembled")));
    }

    @Test
    void bytesPerGroupLimitIsRecordedOnTheTransmission() {
        DnsLimits small = new DnsLimits(64, 32, 256, 10, 300, 1 << 20, 16, 5 * SEC, 8);
        DnsRecorder r = recorder(small);
        for (int i = 0; i < 10; i++) {
            send(r, new Sent(i + "." + String.valueOf((char) ('a' + i)).repeat(36) + ".big.test", 1, i), 1);
        }
        r.finish(10);
        Transmission t = sink.withRoot("dns-labels").get(0);
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("not assembled: label assembly limit")), t.notes().toString());
        assertTrue(sink.events("limit").stream().anyMatch(e -> e.detail().contains("big.test reached 300 bytes")));
    }

    @Test
    void serverSideQueriesAreNotAssembled() {
        DnsRecorder r = recorder(DnsLimits.DEFAULTS);
        byte[] q = DnsWire.query(1, "abcdefghijklmnopqrstuvwxyz.example.test", 1);
        FlowKey f = AppLayerTestSink.udp(1, 53);
        r.record(f, Direction.SERVER_TO_CLIENT, "udp", q, 0, q.length, -1, 0);
        r.finish(0);
        assertEquals(0, sink.withRoot("dns-labels").size());
        assertEquals(1, sink.withRoot("dns-name").size());
    }
}
