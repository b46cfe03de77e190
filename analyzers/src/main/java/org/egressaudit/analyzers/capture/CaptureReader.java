package org.egressaudit.analyzers.capture;

import java.io.IOException;
import java.util.List;

/**
 * Sequential reader over a capture file. Implementations must not allocate per packet.
 * A truncated or damaged tail is not an exception: reading stops and a warning is recorded.
 */
public interface CaptureReader extends AutoCloseable {

    /** Fills {@code into} with the next packet; returns false at the end of the capture. */
    boolean next(PacketRecord into) throws IOException;

    /** Problems met so far (truncated record, bad block, unknown link type), in file order. */
    List<String> warnings();

    /** Capture format, e.g. "pcap (microseconds, little-endian)" or "pcapng". */
    String formatDescription();

    /** Bytes of the file consumed so far. */
    long bytesRead();

    /** Number of warnings met so far, including those beyond the texts kept by {@link #warnings()}. */
    default long warningCount() {
        return warnings().size();
    }

    /**
     * Contents of pcapng Decryption Secrets Blocks met so far (e.g. a TLS key log, secrets type 0x544c534b),
     * in file order. Empty for formats that cannot carry secrets.
     */
    /** How many Decryption Secrets Blocks were read so far; cheap enough to ask for every packet. */
    default int decryptionSecretCount() {
        return 0;
    }

    default List<byte[]> decryptionSecrets() {
        return List.of();
    }

    @Override
    void close() throws IOException;
}
