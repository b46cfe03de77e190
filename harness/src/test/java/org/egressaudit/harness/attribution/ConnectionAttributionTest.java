package org.egressaudit.harness.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.egressaudit.analyzers.engine.AnalysisResult.ConnectionRecord;
import org.egressaudit.analyzers.engine.AnalysisResult.DnsQueryRecord;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.egressaudit.harness.audit.FileAccess;
import org.egressaudit.harness.audit.FileActivity;
import org.junit.jupiter.api.Test;

class ConnectionAttributionTest {
    private static final long T0 = 1_795_424_800_000_000_000L;
    private static final Duration INTERVAL = Duration.ofMillis(40);

    private static long ms(long millis) {
        return T0 + millis * 1_000_000L;
    }

    private static Instant at(long millis) {
        return StraceProcesses.instantOf(ms(millis));
    }

    private static ConnectionRecord conn(String flow, long fromMs, long toMs) {
        String[] p = flow.split(" ");
        return new ConnectionRecord(flow, p[0], p[1], p[3], null, ms(fromMs), ms(toMs), 100, 100, 0, 0, true);
    }

    private static ProcessInfo proc(int pid, String exe, String cmd) {
        return new ProcessInfo(pid, 9000 + pid, 1, exe, cmd, false, 0, "root", at(-60_000));
    }

    private static SocketOwner owner(String transport, String local, String remote, ProcessInfo p, long from,
                                     long to) {
        return new SocketOwner(transport, 1, Endpoint.parse(local), Endpoint.parse(remote), "ESTABLISHED", p,
                at(from), at(to));
    }

    private static ProcSocketSampler.Result sampling(List<SocketOwner> owners) {
        return new ProcSocketSampler.Result(1234, at(-10_000), at(600_000), INTERVAL, 1000, owners, Map.of(),
                Map.of(), false, List.of());
    }

    private static ConnectionAttribution attribution(ProcSocketSampler.Result s, StraceNetworkParser.Trace t) {
        return new ConnectionAttribution(new ConnectionAttribution.Sources(s, t, Set.of("172.18.0.2"), false,
                ConnectionAttribution.DEFAULT_TOLERANCE));
    }

    @Test
    void aReusedLocalPortGoesToTheSocketNearestInTime() {
        ProcessInfo a = proc(10, "/usr/bin/freshclam", "freshclam --daemon");
        ProcessInfo b = proc(11, "/usr/bin/clamsubmit", "clamsubmit -n x");
        ConnectionAttribution m = attribution(sampling(List.of(
                owner("tcp", "172.18.0.2:40000", "172.18.0.1:80", a, 0, 200),
                owner("tcp", "172.18.0.2:40000", "172.18.0.1:80", b, 60_000, 60_300))), null);
        List<Attribution> r = m.connections(List.of(
                conn("tcp 172.18.0.2:40000 -> 172.18.0.1:80", 60_010, 60_200),
                conn("tcp 172.18.0.2:40000 -> 172.18.0.1:80", 10, 150)));
        assertEquals(11, r.get(0).process().orElseThrow().pid());
        assertEquals(10, r.get(1).process().orElseThrow().pid());
        assertEquals(Attribution.SAMPLING, r.get(0).source());
    }

    @Test
    void samplingMatchesOnlyWithinTheToleranceAndOnTheRightPeer() {
        ProcessInfo a = proc(10, "/usr/bin/freshclam", "freshclam");
        ConnectionAttribution m = attribution(sampling(List.of(
                owner("tcp", "172.18.0.2:40000", "172.18.0.1:80", a, 0, 100),
                owner("udp", "0.0.0.0:51000", "0.0.0.0:0", a, 0, 100))), null);
        assertTrue(m.attribute("tcp 172.18.0.2:40000 -> 172.18.0.1:80", null, ms(2_100), ms(2_100)).attributed(),
                "2 s tolerance past the last sample plus one interval");
        Attribution late = m.attribute("tcp 172.18.0.2:40000 -> 172.18.0.1:80", null, ms(2_200), ms(2_300));
        assertFalse(late.attributed());
        assertEquals("no process held this socket when sampled (it lived less than the 40 ms sampling interval); "
                + "enable agent.auditFiles for exact attribution", late.reason());
        assertFalse(m.attribute("tcp 172.18.0.2:40000 -> 172.18.0.1:443", null, ms(50), ms(60)).attributed(),
                "same port, another peer: another socket");
        assertFalse(m.attribute("udp 172.18.0.2:40000 -> 172.18.0.1:80", null, ms(50), ms(60)).attributed(),
                "another transport");
        assertTrue(m.attribute("udp 172.18.0.2:51000 -> 172.18.0.1:53", null, ms(50), ms(60)).attributed(),
                "an unconnected UDP socket sends anywhere");
    }

    @Test
    void straceIsPreferredAndAFirstConnectIsMatchedByDestinationOnce() {
        StraceNetworkParser.Trace t = StraceNetworkParser.parse(List.of(
                line(20, 0, "execve(\"/usr/bin/clamsubmit\", [\"clamsubmit\", \"-n\", \"x.exe\"], 0x1 /* 1 vars */) = 0"),
                line(20, 1_000, "connect(5<TCP:[77]>, {sa_family=AF_INET, sin_port=htons(443), "
                        + "sin_addr=inet_addr(\"172.18.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)"),
                line(20, 1_005, "connect(6<TCP:[78]>, {sa_family=AF_INET, sin_port=htons(443), "
                        + "sin_addr=inet_addr(\"172.18.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)"),
                line(21, 5_000, "sendto(7<UDP:[172.18.0.2:51000->172.18.0.1:53]>, \"q\", 1, 0, NULL, 0) = 1")));
        ProcessInfo sampled = proc(99, "/usr/bin/other", "other");
        ConnectionAttribution m = attribution(sampling(List.of(
                owner("udp", "172.18.0.2:51000", "172.18.0.1:53", sampled, 4_990, 5_010))), t);
        List<Attribution> r = m.connections(List.of(
                conn("tcp 172.18.0.2:40001 -> 172.18.0.1:443", 1_001, 1_500),
                conn("tcp 172.18.0.2:40002 -> 172.18.0.1:443", 1_006, 1_400),
                conn("tcp 172.18.0.2:40003 -> 172.18.0.1:443", 1_007, 1_400),
                conn("udp 172.18.0.2:51000 -> 172.18.0.1:53", 5_000, 5_001)));
        assertEquals(Attribution.STRACE, r.get(0).source());
        assertEquals("/usr/bin/clamsubmit", r.get(0).process().orElseThrow().exe());
        assertEquals("clamsubmit -n x.exe", r.get(0).process().orElseThrow().cmdline());
        assertTrue(r.get(1).attributed(), "the second connect");
        assertFalse(r.get(2).attributed(), "two connects make two connections, not three");
        assertTrue(r.get(2).reason().startsWith("not in the strace log"), r.get(2).reason());
        assertEquals(Attribution.STRACE, r.get(3).source(), "strace wins over sampling");
        assertEquals(21, r.get(3).process().orElseThrow().pid());
    }

    @Test
    void aFirstPacketMustFollowItsCall() {
        StraceNetworkParser.Trace t = StraceNetworkParser.parse(List.of(line(20, 1_000, "connect(5<TCP:[77]>, "
                + "{sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"172.18.0.1\")}, 16) = 0")));
        ConnectionAttribution m = attribution(null, t);
        assertFalse(m.attribute("tcp 172.18.0.2:40001 -> 172.18.0.1:443", null, ms(800), ms(900)).attributed());
        assertFalse(m.attribute("tcp 172.18.0.2:40001 -> 172.18.0.1:443", null, ms(4_100), ms(4_200)).attributed());
        assertTrue(m.attribute("tcp 172.18.0.2:40001 -> 172.18.0.1:443", null, ms(2_500), ms(2_600)).attributed(),
                "ARP can delay the SYN");
    }

    @Test
    void reasonsSayWhatWasMissing() {
        ConnectionAttribution none = attribution(null, null);
        assertEquals("no process information was collected for this run (socket sampling did not run and "
                + "agent.auditFiles is off)", none.attribute("tcp 172.18.0.2:1 -> 172.18.0.1:2", null, ms(0), ms(1))
                .reason());
        assertTrue(none.attribute("icmp 172.18.0.2 -> 172.18.0.1", null, ms(0), ms(1)).reason()
                .startsWith("the connection came from the sandbox's own system (icmp"));
        assertTrue(none.attribute("udp 172.18.0.2:68 -> 255.255.255.255:67", null, ms(0), ms(1)).reason()
                .contains("DHCP"));
        assertTrue(none.attribute("tcp 192.0.2.1:1 -> 192.0.2.2:2", null, ms(0), ms(1)).reason()
                .startsWith("neither end of this flow is the sandbox"));
        ConnectionAttribution vm = new ConnectionAttribution(new ConnectionAttribution.Sources(null, null, Set.of(),
                true, ConnectionAttribution.DEFAULT_TOLERANCE));
        assertEquals("virtual machine: process attribution is not available in VM guests",
                vm.attribute("tcp 10.0.2.15:1 -> 10.0.2.2:2", null, ms(0), ms(1)).reason());
        ConnectionAttribution early = attribution(sampling(List.of()), null);
        assertEquals("the connection ended before socket sampling started; enable agent.auditFiles for exact "
                + "attribution", early.attribute("tcp 172.18.0.2:1 -> 172.18.0.1:2", null, ms(-20_000),
                ms(-15_000)).reason());
    }

    @Test
    void anInboundConnectionIsMatchedOnTheSandboxSide() {
        ProcessInfo server = proc(30, "/usr/sbin/sshd", "sshd");
        ConnectionAttribution m = attribution(sampling(List.of(
                owner("tcp", "0.0.0.0:22", "0.0.0.0:0", server, 0, 100_000))), null);
        assertEquals(30, m.attribute("tcp 172.18.0.1:50000 -> 172.18.0.2:22", null, ms(10), ms(20)).process()
                .orElseThrow().pid());
    }

    @Test
    void storiesTieReadsToWhatLeftAndTheReportCounts() {
        ProcessInfo p = new ProcessInfo(812, 9812, 1, "/usr/bin/clamsubmit", "clamsubmit -n x.exe", false, 0,
                "root", null);
        String flow = "tcp 172.18.0.2:40000 -> 172.18.0.1:443";
        ConnectionAttribution m = attribution(sampling(List.of(
                owner("tcp", "172.18.0.2:40000", "172.18.0.1:443", p, 0, 1_000))), null);
        List<ConnectionRecord> conns = List.of(conn(flow, 10, 900),
                conn("udp 172.18.0.2:51000 -> 172.18.0.1:53", 5, 6));
        List<Attribution> c = m.connections(conns);
        List<Attribution> d = m.dnsQueries(List.of(
                new DnsQueryRecord(ms(5), "udp 172.18.0.2:51000 -> 172.18.0.1:53", "www.clamav.net", "A")), conns, c);
        Finding f = new Finding(1, FindingKind.WHOLE, Verdict.FAIL, "home/user/Documents/x.exe", null, null, 1, flow,
                "tls", "www.clamav.net", "POST", ms(500), ms(600), List.of(), List.of(), 61_440, "d", null);
        List<FileActivity.PlantedRead> reads = FileActivity.plantedReads(List.of(
                new FileAccess(ms(1), 812, "/home/user/Documents/x.exe", false)), Set.of("home/user/Documents/x.exe"));
        List<ProcessStory> stories = ProcessStory.of(c, List.of(f), reads, tid -> tid);
        assertEquals(List.of("clamsubmit (pid 812, user root) read /home/user/Documents/x.exe, then connected to "
                + "www.clamav.net:443 and sent 61 KB matching it"), stories.get(0).sentences());

        AttributionReport report = new AttributionReport(c, d, stories);
        assertEquals(1, report.attributedConnections());
        assertEquals(1, report.unattributedConnections());
        assertEquals(1, report.unattributedDnsQueries(), "the query's flow was not sampled");
        ObjectNode json = report.toJson();
        assertEquals(812, json.get("connections").get(0).get("pid").asInt());
        assertEquals("socket-sampling", json.get("connections").get(0).get("source").asText());
        assertEquals("/usr/bin/clamsubmit", json.get("connections").get(0).get("exe").asText());
        assertEquals("root", json.get("connections").get(0).get("user").asText());
        assertTrue(json.get("connections").get(1).get("unattributed").asBoolean());
        assertEquals("www.clamav.net", json.get("dnsQueries").get(0).get("name").asText());
        assertEquals(1, json.get("counts").get("connectionsAttributed").asInt());
        List<String> lines = report.sentences();
        assertTrue(lines.contains(flow + ": clamsubmit (pid 812, user root) `clamsubmit -n x.exe` [socket-sampling]"),
                lines.toString());
        assertEquals("process attribution: 1 of 2 connections and 0 of 1 DNS queries attributed",
                lines.get(lines.size() - 1));
    }

    @Test
    void aDnsQueryTakesItsConnectionsAttribution() {
        ProcessInfo p = proc(5, "/usr/bin/freshclam", "freshclam");
        ConnectionAttribution m = attribution(sampling(List.of(
                owner("udp", "172.18.0.2:51000", "172.18.0.1:53", p, 0, 100))), null);
        List<ConnectionRecord> conns = List.of(conn("udp 172.18.0.2:51000 -> 172.18.0.1:53", 10, 5_000));
        List<Attribution> c = m.connections(conns);
        List<Attribution> d = m.dnsQueries(List.of(new DnsQueryRecord(ms(4_900),
                "udp 172.18.0.2:51000 -> 172.18.0.1:53", "db.local.clamav.net", "TXT")), conns, c);
        assertEquals(5, d.get(0).process().orElseThrow().pid(), "late in a long flow, still its socket's query");
        assertEquals("db.local.clamav.net", d.get(0).dnsName());
    }

    private static String line(int pid, long millis, String call) {
        long n = ms(millis);
        return pid + " " + n / 1_000_000_000L + "." + String.format("%06d", (n % 1_000_000_000L) / 1000) + " " + call;
    }
}
