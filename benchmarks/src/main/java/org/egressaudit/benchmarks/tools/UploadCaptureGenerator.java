package org.egressaudit.benchmarks.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a large, realistic capture of agent-like upload traffic, streaming frames to disk (memory use does not
 * grow with the capture size): many concurrent TCP connections from 10.0.0.0/8 clients to documentation-range
 * servers on ports 80/8080, each with a 3-way handshake, HTTP/1.1 keep-alive POST/PUT uploads (see
 * {@link UploadRequests}) sent in MSS-sized segments interleaved across connections, delayed ACKs and a small
 * response from the server, FIN close; plus DNS lookups over UDP. Deterministic from the seed.
 *
 * <pre>
 * UploadCaptureGenerator [--out FILE] [--size BYTES|1.1G|256M] [--seed N] [--corpus-base DIR]
 *                        [--corpus-out DIR] [--corpus-size BYTES] [--concurrency N]
 * </pre>
 */
public final class UploadCaptureGenerator {
    public static final int MSS = 1448;
    private static final int[] SERVER_NETS = {0xC0000200, 0xC6336400, 0xCB007100}; // 192.0.2/24, 198.51.100/24, 203.0.113/24
    private static final int DNS_SERVER = 0xC0000235; // 192.0.2.53

    /** Settings of one generation run. */
    public record Options(Path out, long size, long seed, Path corpusBase, Path corpusOut, long corpusSize,
                          int concurrency) {
    }

    /** What was written. */
    public record Summary(long bytes, long packets, long connections, long requests, long dnsQueries,
                          UploadRequests.Stats content) {
    }

    private final FastPcapWriter w;
    private final SplittableRandom random;
    private final UploadRequests requests;
    private final long target;
    private long now = 1_700_000_000_000_000_000L;
    private long connections;
    private long requestCount;
    private long dnsQueries;
    /** Bytes of started requests not yet sent: counted against the target so the file ends near it. */
    private long inFlight;
    private int nextClientPort = 40000;

    /** One client connection and the request it is sending. */
    private final class Conn {
        final int client;
        final int server;
        final int clientPort;
        final int serverPort;
        final String host;
        long cseq;
        long sseq;
        byte[] message;
        int pos;
        int requestsLeft;
        int unacked;

        Conn() {
            client = 0x0A000000 | (1 + random.nextInt(0xFFFFFE));
            server = SERVER_NETS[random.nextInt(SERVER_NETS.length)] | (1 + random.nextInt(254));
            clientPort = nextClientPort;
            nextClientPort = nextClientPort >= 65000 ? 40000 : nextClientPort + 1;
            serverPort = random.nextInt(3) == 0 ? 8080 : 80;
            host = "upload-" + ((server & 0xFF) % 17) + ".av-cloud.example";
            cseq = random.nextLong() & 0xFFFFFFFFL;
            sseq = random.nextLong() & 0xFFFFFFFFL;
            requestsLeft = 1 + random.nextInt(6);
        }
    }

    private UploadCaptureGenerator(FastPcapWriter w, long seed, List<SyntheticCorpus.File> planted, long target) {
        this.w = w;
        this.random = new SplittableRandom(seed);
        this.requests = new UploadRequests(seed * 0x9E3779B97F4A7C15L + 1, planted);
        this.target = target;
    }

    public static void main(String[] args) throws IOException {
        Path repo = Path.of(".");
        Path out = Path.of("benchmarks/data/uploads-1.1g.pcap");
        long size = 1_100_000_000L;
        long seed = 42;
        Path corpusBase = repo.resolve("scenarios/corpora/basic");
        Path corpusOut = null;
        long corpusSize = 20L << 20;
        int concurrency = 48;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--out" -> { out = Path.of(v); i++; }
                case "--size" -> { size = parseSize(v); i++; }
                case "--seed" -> { seed = Long.parseLong(v); i++; }
                case "--corpus-base" -> { corpusBase = v.equals("none") ? null : Path.of(v); i++; }
                case "--corpus-out" -> { corpusOut = Path.of(v); i++; }
                case "--corpus-size" -> { corpusSize = parseSize(v); i++; }
                case "--concurrency" -> { concurrency = Integer.parseInt(v); i++; }
                default -> {
                    System.err.println("usage: UploadCaptureGenerator [--out FILE] [--size BYTES|1.1G] [--seed N]"
                            + " [--corpus-base DIR|none] [--corpus-out DIR] [--corpus-size BYTES] [--concurrency N]");
                    System.exit(2);
                }
            }
        }
        if (corpusOut == null) {
            corpusOut = out.toAbsolutePath().getParent().resolve("corpus");
        }
        long t0 = System.nanoTime();
        Summary s = generate(new Options(out, size, seed, corpusBase, corpusOut, corpusSize, concurrency));
        double secs = (System.nanoTime() - t0) / 1e9;
        UploadRequests.Stats c = s.content();
        System.out.printf(Locale.ROOT, "wrote %s: %,d bytes, %,d packets, %,d connections, %,d requests, %,d DNS queries in %.1f s%n",
                out, s.bytes(), s.packets(), s.connections(), s.requests(), s.dnsQueries(), secs);
        System.out.printf(Locale.ROOT, "requests by kind (multipart, chunked-gzip, json-base64, octet-stream, zip): %s;"
                        + " planted: %d whole files, %d fragments, %d markers; corpus: %s%n",
                java.util.Arrays.toString(c.requestsByKind), c.wholeFiles, c.fragments, c.markers, corpusOut);
    }

    static long parseSize(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        double mult = 1;
        if (s.endsWith("G")) {
            mult = 1e9;
        } else if (s.endsWith("M")) {
            mult = 1 << 20;
        } else if (s.endsWith("K")) {
            mult = 1024;
        }
        if (mult != 1) {
            s = s.substring(0, s.length() - 1);
        }
        return (long) (Double.parseDouble(s) * mult);
    }

    /** Writes the corpus and then the capture. */
    public static Summary generate(Options o) throws IOException {
        List<SyntheticCorpus.File> planted = SyntheticCorpus.write(o.corpusOut(), o.corpusBase(), o.corpusSize(), o.seed());
        return generate(o.out(), o.size(), o.seed(), planted, o.concurrency());
    }

    /** Writes a capture of about {@code size} bytes embedding the given planted files. */
    public static Summary generate(Path out, long size, long seed, List<SyntheticCorpus.File> planted, int concurrency)
            throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (FastPcapWriter w = new FastPcapWriter(out)) {
            UploadCaptureGenerator g = new UploadCaptureGenerator(w, seed, planted, size);
            g.run(concurrency);
            return new Summary(w.bytesWritten(), w.packets(), g.connections, g.requestCount, g.dnsQueries,
                    g.requests.stats());
        }
    }

    private void run(int concurrency) throws IOException {
        List<Conn> active = new ArrayList<>();
        while (true) {
            boolean more = w.bytesWritten() + inFlight < target;
            while (more && active.size() < concurrency) {
                active.add(open());
            }
            if (active.isEmpty()) {
                break;
            }
            int i = random.nextInt(active.size());
            Conn c = active.get(i);
            if (!step(c, more)) {
                active.set(i, active.get(active.size() - 1));
                active.remove(active.size() - 1);
            }
        }
    }

    private void tick() {
        now += 2_000 + random.nextInt(20_000);
    }

    private Conn open() throws IOException {
        Conn c = new Conn();
        connections++;
        if (random.nextInt(3) == 0) {
            dns(c);
        }
        tick();
        w.tcp(now, true, c.client, c.clientPort, c.server, c.serverPort, c.cseq, 0, 0x02, 64240, MSS, EMPTY, 0, 0);
        tick();
        w.tcp(now, false, c.server, c.serverPort, c.client, c.clientPort, c.sseq, c.cseq + 1, 0x12, 65160, MSS, EMPTY, 0, 0);
        c.cseq++;
        c.sseq++;
        tick();
        w.tcp(now, true, c.client, c.clientPort, c.server, c.serverPort, c.cseq, c.sseq, 0x10, 502, 0, EMPTY, 0, 0);
        return c;
    }

    private static final byte[] EMPTY = new byte[0];

    /** Sends a burst of this connection's traffic; returns false once the connection is closed. */
    private boolean step(Conn c, boolean more) throws IOException {
        if (c.message == null) {
            if (c.requestsLeft == 0 || !more) {
                close(c);
                return false;
            }
            c.message = requests.next(c.host);
            c.pos = 0;
            inFlight += c.message.length;
            c.requestsLeft--;
            requestCount++;
        }
        int burst = 1 + random.nextInt(8);
        for (int b = 0; b < burst && c.pos < c.message.length; b++) {
            int n = Math.min(MSS, c.message.length - c.pos);
            tick();
            int flags = c.pos + n == c.message.length ? 0x18 : 0x10;
            w.tcp(now, true, c.client, c.clientPort, c.server, c.serverPort, c.cseq, c.sseq, flags, 502, 0,
                    c.message, c.pos, n);
            c.cseq += n;
            c.pos += n;
            inFlight -= n;
            if (++c.unacked == 2) {
                serverAck(c);
            }
        }
        if (c.pos == c.message.length) {
            if (c.unacked > 0) {
                serverAck(c);
            }
            byte[] resp = requests.response();
            tick();
            w.tcp(now, false, c.server, c.serverPort, c.client, c.clientPort, c.sseq, c.cseq, 0x18, 501, 0, resp, 0,
                    resp.length);
            c.sseq += resp.length;
            tick();
            w.tcp(now, true, c.client, c.clientPort, c.server, c.serverPort, c.cseq, c.sseq, 0x10, 502, 0, EMPTY, 0, 0);
            c.message = null;
        }
        return true;
    }

    private void serverAck(Conn c) throws IOException {
        tick();
        w.tcp(now, false, c.server, c.serverPort, c.client, c.clientPort, c.sseq, c.cseq, 0x10, 501, 0, EMPTY, 0, 0);
        c.unacked = 0;
    }

    private void close(Conn c) throws IOException {
        tick();
        w.tcp(now, true, c.client, c.clientPort, c.server, c.serverPort, c.cseq, c.sseq, 0x11, 502, 0, EMPTY, 0, 0);
        c.cseq++;
        tick();
        w.tcp(now, false, c.server, c.serverPort, c.client, c.clientPort, c.sseq, c.cseq, 0x11, 501, 0, EMPTY, 0, 0);
        c.sseq++;
        tick();
        w.tcp(now, true, c.client, c.clientPort, c.server, c.serverPort, c.cseq, c.sseq, 0x10, 502, 0, EMPTY, 0, 0);
    }

    private void dns(Conn c) throws IOException {
        dnsQueries++;
        int id = random.nextInt(0x10000);
        int port = 50000 + random.nextInt(15000);
        byte[] q = dnsMessage(id, c.host, false, 0);
        tick();
        w.udp(now, true, c.client, port, DNS_SERVER, 53, q, 0, q.length);
        byte[] r = dnsMessage(id, c.host, true, c.server);
        tick();
        w.udp(now, false, DNS_SERVER, 53, c.client, port, r, 0, r.length);
    }

    private static byte[] dnsMessage(int id, String name, boolean response, int address) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(64);
        b.write(id >> 8);
        b.write(id);
        b.write(response ? 0x81 : 0x01);
        b.write(response ? 0x80 : 0x00);
        b.writeBytes(new byte[] {0, 1, 0, (byte) (response ? 1 : 0), 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.write(l.length);
            b.writeBytes(l);
        }
        b.writeBytes(new byte[] {0, 0, 1, 0, 1});
        if (response) {
            b.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
                    (byte) (address >> 24), (byte) (address >> 16), (byte) (address >> 8), (byte) address});
        }
        return b.toByteArray();
    }
}
