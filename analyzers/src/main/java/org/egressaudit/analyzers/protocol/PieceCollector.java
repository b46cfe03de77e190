package org.egressaudit.analyzers.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.egressaudit.analyzers.content.ObjectAccumulator;

/**
 * One object of a stream (a body, a raw stream) collected in pieces with {@link ObjectAccumulator}, across gaps:
 * missing bytes end the current run of pieces and the bytes after them start a new run, each piece knowing its
 * offset in the whole object. Piece numbers continue across runs. Shared by the HTTP/1.x and HTTP/2 layers.
 */
public final class PieceCollector {

    /**
     * @param data           bytes {@code [0, length)} of the piece (the array belongs to the piece)
     * @param objectOffset   position of the piece's first byte in the whole object, missing bytes included
     * @param number         1-based number of the piece within the object
     * @param lastOfRun      no more piece follows before the next gap or the end
     * @param truncatedBytes bytes of this piece the memory budget refused
     * @param reservedBytes  budget bytes held by {@code data}, released by whoever analyses the piece
     */
    public record Piece(byte[] data, int length, long objectOffset, int number, boolean lastOfRun, long truncatedBytes,
                 long reservedBytes) {
    }

    private final ProtocolContext context;
    private final Consumer<Piece> listener;
    private ObjectAccumulator run;
    private long runStart;
    private long position;
    private long missingBytes;
    private int emitted;

    public PieceCollector(ProtocolContext context, Consumer<Piece> listener) {
        this.context = context;
        this.listener = listener;
    }

    public void append(ByteBuffer src, int offset, int length) {
        if (length == 0) {
            return;
        }
        if (run == null) {
            runStart = position;
            run = new ObjectAccumulator(context.pieceSize(), context.pieceOverlap(), context.budget(), this::deliver);
        }
        run.append(src, offset, length);
        position += length;
    }

    /** Bytes missing at the current position: emits the run so far, the next bytes start a new run. */
    public void gap(long length) {
        endRun();
        position += length;
        missingBytes += length;
    }

    /** End of the object: emits what is still held. */
    public void finish() {
        endRun();
    }

    /** Offset in the object of the next byte, missing bytes included. */
    public long position() {
        return position;
    }

    public long missingBytes() {
        return missingBytes;
    }

    public int piecesEmitted() {
        return emitted;
    }

    /** True while bytes are held that no piece has carried yet. */
    public boolean holdsBytes() {
        return run != null;
    }

    private void endRun() {
        if (run != null) {
            ObjectAccumulator r = run;
            run = null;
            r.finish();
        }
    }

    private void deliver(ObjectAccumulator.Piece p) {
        emitted++;
        listener.accept(new Piece(p.data(), p.length(), runStart + p.startOffset(), emitted, p.last(),
                p.truncatedBytes(), p.reservedBytes()));
    }
}
