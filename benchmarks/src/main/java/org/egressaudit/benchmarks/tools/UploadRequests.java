package org.egressaudit.benchmarks.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds agent-like HTTP/1.1 upload requests (request line, headers and body in one array): multipart file
 * uploads, chunked gzip log batches, JSON telemetry with base64 samples, raw octet-stream and zip archives.
 * Some bodies carry planted files (whole, or a fragment of at least 8 KiB) or a canary marker so that the
 * analysis has real recognition work. Filler comes from pre-generated pools (random bytes, text) sliced at
 * random offsets, which keeps generation fast and deterministic.
 */
public final class UploadRequests {
    public enum Kind { MULTIPART, CHUNKED_GZIP, JSON_BASE64, OCTET_STREAM, ZIP }

    /** What went into the requests, printed by the generator. */
    public static final class Stats {
        public final long[] requestsByKind = new long[Kind.values().length];
        public long wholeFiles;
        public long fragments;
        public long markers;
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private final SplittableRandom random;
    private final List<SyntheticCorpus.File> planted;
    private final byte[] randomPool;
    private final byte[] textPool;
    private final Stats stats = new Stats();
    private int counter;

    public UploadRequests(long seed, List<SyntheticCorpus.File> planted) {
        this.random = new SplittableRandom(seed);
        this.planted = planted;
        this.randomPool = new byte[32 << 20];
        new SplittableRandom(seed ^ 0xABCDEFL).nextBytes(randomPool);
        SyntheticText text = new SyntheticText(seed ^ 0x7E47L);
        byte[] prose = text.prose(4 << 20);
        byte[] log = text.log(4 << 20);
        textPool = new byte[prose.length + log.length];
        System.arraycopy(log, 0, textPool, 0, log.length);
        System.arraycopy(prose, 0, textPool, log.length, prose.length);
    }

    public Stats stats() {
        return stats;
    }

    /** Log-uniform body size between 1 KiB and 4 MiB. */
    private int bodySize() {
        double lo = Math.log(1024);
        double hi = Math.log(4 << 20);
        return (int) Math.exp(lo + random.nextDouble() * (hi - lo));
    }

    /** One complete request for the given virtual host. */
    public byte[] next(String host) {
        counter++;
        double k = random.nextDouble();
        Kind kind = k < 0.30 ? Kind.MULTIPART : k < 0.48 ? Kind.CHUNKED_GZIP : k < 0.68 ? Kind.JSON_BASE64
                : k < 0.90 ? Kind.OCTET_STREAM : Kind.ZIP;
        stats.requestsByKind[kind.ordinal()]++;
        int size = bodySize();
        return switch (kind) {
            case MULTIPART -> multipart(host, size);
            case CHUNKED_GZIP -> chunkedGzip(host, size);
            case JSON_BASE64 -> jsonBase64(host, size);
            case OCTET_STREAM -> octetStream(host, size);
            case ZIP -> zip(host, size);
        };
    }

    /** Small HTTP response acknowledging an upload. */
    public byte[] response() {
        String body = "{\"status\":\"ok\",\"id\":" + (100000 + random.nextInt(900000)) + "}";
        return ("HTTP/1.1 " + (random.nextInt(4) == 0 ? "201 Created" : "200 OK")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: keep-alive\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Payload of about {@code size} bytes: mostly filler, sometimes a whole planted file, a fragment of one, or a
     * canary marker inside text.
     */
    private byte[] payload(int size, boolean text) {
        double p = random.nextDouble();
        if (p < 0.12) {
            SyntheticCorpus.File f = planted.get(random.nextInt(planted.size()));
            if (f.content().length <= Math.max(size, 64 << 10)) {
                stats.wholeFiles++;
                return f.content();
            }
            p = 0.15; // too large for this request: send a fragment of it
        }
        if (p < 0.24) {
            SyntheticCorpus.File f = planted.get(random.nextInt(planted.size()));
            if (f.content().length >= 16 << 10) {
                int len = Math.min(f.content().length, Math.max(8 << 10, Math.min(size, 256 << 10)));
                int at = random.nextInt(f.content().length - len + 1);
                byte[] out = filler(size + len, text);
                int where = random.nextInt(size + 1);
                System.arraycopy(f.content(), at, out, where, len);
                stats.fragments++;
                return out;
            }
        }
        byte[] out = filler(size, text);
        if (text && p > 0.97 && size > 64) {
            byte[] marker = ("CANARY-" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(marker, 0, out, random.nextInt(size - marker.length), marker.length);
            stats.markers++;
        }
        return out;
    }

    private byte[] filler(int size, boolean text) {
        byte[] pool = text ? textPool : randomPool;
        byte[] out = new byte[size];
        int done = 0;
        while (done < size) {
            int at = random.nextInt(pool.length);
            int n = Math.min(size - done, pool.length - at);
            System.arraycopy(pool, at, out, done, n);
            done += n;
        }
        return out;
    }

    private static byte[] request(String method, String path, String host, String headers, byte[]... body) {
        int bodyLen = 0;
        for (byte[] b : body) {
            bodyLen += b.length;
        }
        byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: ExampleAV-Agent/5.2.1"
                + "\r\nAccept: */*\r\n" + headers + (headers.contains("chunked") ? "" : "Content-Length: " + bodyLen + "\r\n")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + bodyLen];
        System.arraycopy(head, 0, out, 0, head.length);
        int at = head.length;
        for (byte[] b : body) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    private byte[] multipart(String host, int size) {
        String boundary = "----ExampleAVBoundary" + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
        boolean text = random.nextInt(3) == 0;
        byte[] file = payload(size, text);
        String pre = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
                + "Content-Type: application/json\r\n\r\n{\"machine\":\"ws-" + random.nextInt(5000)
                + "\",\"reason\":\"on-access\",\"seq\":" + counter + "}\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"sample\"; filename=\"sample-" + counter
                + (text ? ".txt" : ".bin") + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        String post = "\r\n--" + boundary + "--\r\n";
        return request("POST", "/api/v2/samples", host, "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n",
                ascii(pre), file, ascii(post));
    }

    private byte[] chunkedGzip(String host, int size) {
        byte[] gz = gzip(payload(size, true));
        ByteArrayOutputStream chunked = new ByteArrayOutputStream(gz.length + gz.length / 1000 + 64);
        int at = 0;
        while (at < gz.length) {
            int n = Math.min(gz.length - at, 4096 + random.nextInt(60 << 10));
            chunked.writeBytes(ascii(Integer.toHexString(n)));
            chunked.writeBytes(CRLF);
            chunked.write(gz, at, n);
            chunked.writeBytes(CRLF);
            at += n;
        }
        chunked.writeBytes(ascii("0\r\n\r\n"));
        return request("POST", "/telemetry/logs", host,
                "Content-Type: text/plain\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
                chunked.toByteArray());
    }

    private byte[] jsonBase64(String host, int size) {
        StringBuilder sb = new StringBuilder(size * 4 / 3 + 1024);
        sb.append("{\"agent\":\"ExampleAV\",\"version\":\"5.2.1\",\"host\":\"ws-").append(random.nextInt(5000))
                .append("\",\"events\":[");
        int remaining = size;
        int i = 0;
        while (remaining > 0) {
            int n = Math.min(remaining, 512 + random.nextInt(256 << 10));
            byte[] blob = payload(n, random.nextBoolean());
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":").append(counter * 1000L + i).append(",\"path\":\"C:\\\\ProgramData\\\\sample-")
                    .append(i).append(".dat\",\"sha256\":\"");
            for (int j = 0; j < 4; j++) {
                sb.append(Long.toHexString(random.nextLong() | Long.MIN_VALUE));
            }
            sb.append("\",\"blob\":\"").append(Base64.getEncoder().encodeToString(blob)).append("\"}");
            remaining -= n;
            i++;
        }
        sb.append("]}");
        return request("POST", "/api/v1/telemetry", host, "Content-Type: application/json\r\n", ascii(sb.toString()));
    }

    private byte[] octetStream(String host, int size) {
        return request("PUT", "/upload/blob/" + counter, host, "Content-Type: application/octet-stream\r\n",
                payload(size, random.nextInt(4) == 0));
    }

    private byte[] zip(String host, int size) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size + 1024);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(Deflater.BEST_SPEED);
            int entries = 1 + random.nextInt(5);
            for (int i = 0; i < entries; i++) {
                ZipEntry e = new ZipEntry("collected/item-" + i + (i % 2 == 0 ? ".txt" : ".bin"));
                e.setTime(1_700_000_000_000L);
                zip.putNextEntry(e);
                zip.write(payload(Math.max(256, size / entries), i % 2 == 0));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return request("POST", "/api/v2/archives", host, "Content-Type: application/zip\r\n", bytes.toByteArray());
    }

    private byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 << 10) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
