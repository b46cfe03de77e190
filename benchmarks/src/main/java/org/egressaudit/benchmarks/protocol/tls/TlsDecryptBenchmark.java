package org.egressaudit.benchmarks.protocol.tls;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.egressaudit.analyzers.protocol.tls.decrypt.CipherSuite;
import org.egressaudit.analyzers.protocol.tls.decrypt.RecordProtection;
import org.egressaudit.analyzers.protocol.tls.decrypt.TlsRecords;
import org.egressaudit.benchmarks.support.ByteCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TLS 1.3 record decryption: 256 full-size records (16 KiB of random application data each, sealed beforehand)
 * opened in order with {@link RecordProtection}, key derivation from the traffic secret included. The "bytes"
 * counter is record bytes per second. AES-GCM runs on the JDK's AES-NI/CLMUL intrinsics; ChaCha20-Poly1305 on
 * the JDK's vectorised implementation; CCM on AES/ECB blocks (CTR in one call, CBC-MAC block by block).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class TlsDecryptBenchmark {
    private static final int RECORDS = 256;

    @Param({"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256"})
    public String suite;

    private CipherSuite cipherSuite;
    private byte[] secret;
    private byte[][] bodies;
    private byte[] out;
    private long totalBytes;

    @Setup
    public void setup() {
        cipherSuite = CipherSuite.valueOf(suite);
        SplittableRandom random = new SplittableRandom(7);
        secret = new byte[cipherSuite.hashLength()];
        random.nextBytes(secret);
        bodies = new byte[RECORDS][];
        for (int i = 0; i < RECORDS; i++) {
            byte[] content = new byte[16 << 10];
            random.nextBytes(content);
            byte[] record = TlsRecords.seal13(cipherSuite, secret, i, 23, content);
            bodies[i] = java.util.Arrays.copyOfRange(record, 5, record.length);
            totalBytes += record.length;
        }
        out = new byte[(16 << 10) + 256];
    }

    @Benchmark
    public long decryptRecords(ByteCounter counter) {
        RecordProtection p = RecordProtection.tls13(cipherSuite, secret);
        long plain = 0;
        for (byte[] body : bodies) {
            int n = p.open(23, 0x0303, body, body.length, out);
            if (n < 0) {
                throw new IllegalStateException("record did not authenticate");
            }
            plain += n;
        }
        counter.bytes += totalBytes;
        return plain;
    }
}
