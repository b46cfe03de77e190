package org.egressaudit.harness.tls;

import io.netty.channel.ChannelHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.egressaudit.harness.network.TlsConnection;
import org.egressaudit.harness.network.TlsHandlerFactory;

/**
 * TLS interception for one run, to pass to {@code SinkServices.start(...)}: every TLS connection from the sandbox
 * is terminated with a certificate the run CA signed for the name the agent asked for, the plaintext is answered
 * by the usual HTTP(/2) responder, and the session keys go to the NSS key log so the capture can be decrypted
 * offline. Closing closes the key log.
 */
public final class TlsInterception implements TlsHandlerFactory, AutoCloseable {
    private final RunCertificateAuthority authority;
    private final LeafCertificates leaves;
    private final TlsKeyLog keyLog;
    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());

    public TlsInterception(RunCertificateAuthority authority, LeafCertificates leaves, TlsKeyLog keyLog) {
        this.authority = Objects.requireNonNull(authority, "authority");
        this.leaves = Objects.requireNonNull(leaves, "leaves");
        this.keyLog = Objects.requireNonNull(keyLog, "keyLog");
    }

    /** Interception with {@code authority}, its keys logged to {@code keyLogFile} (created or truncated). */
    public static TlsInterception start(RunCertificateAuthority authority, Path keyLogFile) throws IOException {
        return new TlsInterception(authority, new LeafCertificates(authority),
                TlsKeyLog.create(keyLogFile, TlsKeyLog.DEFAULT_MAX_BYTES));
    }

    @Override
    public ChannelHandler newHandler(TlsConnection connection) {
        return new TlsTerminator(connection, this);
    }

    public RunCertificateAuthority authority() {
        return authority;
    }

    public LeafCertificates leaves() {
        return leaves;
    }

    public TlsKeyLog keyLog() {
        return keyLog;
    }

    BcTlsCrypto crypto() {
        return crypto;
    }

    @Override
    public void close() throws IOException {
        keyLog.close();
    }
}
