package org.egressaudit.analyzers.protocol;

import org.egressaudit.analyzers.content.MemoryBudget;

/**
 * What every protocol handler needs: where to deliver transmissions, the shared memory budget, and how to cut
 * large objects into pieces (see {@link org.egressaudit.analyzers.content.ObjectAccumulator}).
 *
 * @param pieceSize    largest object buffered whole; larger ones are analysed in pieces of this size
 * @param pieceOverlap bytes repeated between consecutive pieces, at least the fragment size, so no fragment
 *                     match is cut
 */
public record ProtocolContext(TransmissionSink sink, MemoryBudget budget, int pieceSize, int pieceOverlap) {

    public ProtocolContext {
        if (pieceSize <= pieceOverlap || pieceOverlap < 0) {
            throw new IllegalArgumentException("pieceSize must exceed pieceOverlap: " + pieceSize + "/" + pieceOverlap);
        }
    }
}
