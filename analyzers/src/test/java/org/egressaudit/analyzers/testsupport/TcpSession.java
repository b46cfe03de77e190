package org.egressaudit.analyzers.testsupport;

import org.egressaudit.analyzers.capture.LinkType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces the packets of one TCP connection, for end-to-end test captures:
 * <pre>
 * List&lt;TimedFrame&gt; f = TcpSession.of("10.0.0.2", 40000, "192.0.2.10", 80)
 *         .clientSends(request).serverSends(response).close().frames();
 * </pre>
 * The 3-way handshake is emitted before the first data unless {@link #withoutHandshake()} was called; data is
 * cut into segments of at most {@link #mss(int)} bytes; the peer ACKs every segment unless {@link #acks(boolean)}
 * is false; every packet is {@link #step(long)} ns after the previous. Sequence numbers wrap at 2^32, so an ISN
 * near 0xFFFFFFFF tests wrap-around. The returned list is a copy that tests may reorder, drop from or duplicate.
 */
public final class TcpSession {
    private final String clientIp;
    private final int clientPort;
    private final String serverIp;
    private final int serverPort;
    private final List<TimedFrame> frames = new ArrayList<>();

    private int linkType = LinkType.ETHERNET;
    private Frames.Vlan[] vlans = new Frames.Vlan[0];
    private long clientIsn = 1_000_000L;
    private long serverIsn = 5_000_000L;
    private int mss = 1460;
    private boolean acks = true;
    private boolean handshake = true;
    private long now = 1_700_000_000_000_000_000L;
    private long step = 1_000_000L;
    private int window = 65535;
    private int ipId = 1;

    private boolean started;
    private long clientNext; // next sequence number the client will send
    private long serverNext;

    private TcpSession(String clientIp, int clientPort, String serverIp, int serverPort) {
        if (Frames.isV6(clientIp) != Frames.isV6(serverIp)) {
            throw new IllegalArgumentException("client and server must be the same IP version");
        }
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.serverIp = serverIp;
        this.serverPort = serverPort;
    }

    public static TcpSession of(String clientIp, int clientPort, String serverIp, int serverPort) {
        return new TcpSession(clientIp, clientPort, serverIp, serverPort);
    }

    // ------------------------------------------------------------ configuration (before the first packet)

    public TcpSession clientIsn(long isn) { clientIsn = isn & 0xFFFFFFFFL; return this; }
    public TcpSession serverIsn(long isn) { serverIsn = isn & 0xFFFFFFFFL; return this; }
    /** Largest payload per segment. */
    public TcpSession mss(int v) { mss = v; return this; }
    /** Whether the receiver ACKs each data segment (default true). */
    public TcpSession acks(boolean v) { acks = v; return this; }
    /** Start mid-connection: no SYN/SYN-ACK/ACK (capture began after the handshake). */
    public TcpSession withoutHandshake() { handshake = false; return this; }
    /** Timestamp of the first packet, ns since the epoch. */
    public TcpSession startAt(long tsNanos) { now = tsNanos; return this; }
    /** Time between consecutive packets, ns (default 1 ms). */
    public TcpSession step(long nanos) { step = nanos; return this; }
    public TcpSession window(int v) { window = v; return this; }
    /** Link encapsulation of every frame (default Ethernet). */
    public TcpSession linkType(int v) { linkType = v; return this; }
    /** VLAN tags on Ethernet frames, outermost first. */
    public TcpSession vlans(Frames.Vlan... tags) { vlans = tags.clone(); return this; }

    // ------------------------------------------------------------ traffic

    /** Emits the handshake now (otherwise done implicitly before the first data). */
    public TcpSession handshake() {
        if (!started) {
            started = true;
            if (handshake) {
                emit(true, Frames.SYN, clientIsn, 0, new byte[0], true);
                emit(false, Frames.SYN | Frames.ACK, serverIsn, add(clientIsn, 1), new byte[0], true);
                clientNext = add(clientIsn, 1);
                serverNext = add(serverIsn, 1);
                emit(true, Frames.ACK, clientNext, serverNext, new byte[0], false);
            } else {
                clientNext = clientIsn;
                serverNext = serverIsn;
            }
        }
        return this;
    }

    public TcpSession clientSends(byte[] data) {
        return send(true, data);
    }

    public TcpSession clientSends(String text) {
        return clientSends(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public TcpSession serverSends(byte[] data) {
        return send(false, data);
    }

    public TcpSession serverSends(String text) {
        return serverSends(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Orderly close: client FIN, server FIN|ACK, client ACK. */
    public TcpSession close() {
        handshake();
        emit(true, Frames.FIN | Frames.ACK, clientNext, serverNext, new byte[0], false);
        clientNext = add(clientNext, 1);
        emit(false, Frames.FIN | Frames.ACK, serverNext, clientNext, new byte[0], false);
        serverNext = add(serverNext, 1);
        emit(true, Frames.ACK, clientNext, serverNext, new byte[0], false);
        return this;
    }

    /** Server closes first: server FIN, client FIN|ACK, server ACK. */
    public TcpSession serverCloses() {
        handshake();
        emit(false, Frames.FIN | Frames.ACK, serverNext, clientNext, new byte[0], false);
        serverNext = add(serverNext, 1);
        emit(true, Frames.FIN | Frames.ACK, clientNext, serverNext, new byte[0], false);
        clientNext = add(clientNext, 1);
        emit(false, Frames.ACK, serverNext, clientNext, new byte[0], false);
        return this;
    }

    /** Abortive close by one side. */
    public TcpSession reset(boolean fromClient) {
        handshake();
        if (fromClient) {
            emit(true, Frames.RST | Frames.ACK, clientNext, serverNext, new byte[0], false);
        } else {
            emit(false, Frames.RST | Frames.ACK, serverNext, clientNext, new byte[0], false);
        }
        return this;
    }

    /**
     * Appends an arbitrary segment (e.g. a retransmission with other bytes, an overlap) without moving the
     * session's own sequence numbers. {@code seq} is absolute.
     */
    public TcpSession rawSegment(boolean fromClient, int flags, long seq, long ack, byte[] payload) {
        handshake();
        emit(fromClient, flags, seq & 0xFFFFFFFFL, ack & 0xFFFFFFFFL, payload, false);
        return this;
    }

    /** Lets time pass without traffic. */
    public TcpSession idle(long nanos) {
        now += nanos;
        return this;
    }

    // ------------------------------------------------------------ results

    /** Next sequence number the client would send (absolute, unsigned 32-bit). */
    public long clientNextSeq() {
        handshake();
        return clientNext;
    }

    public long serverNextSeq() {
        handshake();
        return serverNext;
    }

    /** Copy of the frames produced so far (the handshake is emitted if nothing was sent yet). */
    public List<TimedFrame> frames() {
        handshake();
        return new ArrayList<>(frames);
    }

    public int linkType() {
        return linkType;
    }

    /** Timestamp the next packet will get. */
    public long now() {
        return now;
    }

    private TcpSession send(boolean fromClient, byte[] data) {
        handshake();
        for (int off = 0; off < data.length; off += mss) {
            int len = Math.min(mss, data.length - off);
            byte[] chunk = new byte[len];
            System.arraycopy(data, off, chunk, 0, len);
            boolean last = off + len >= data.length;
            int flags = Frames.ACK | (last ? Frames.PSH : 0);
            if (fromClient) {
                emit(true, flags, clientNext, serverNext, chunk, false);
                clientNext = add(clientNext, len);
                if (acks) {
                    emit(false, Frames.ACK, serverNext, clientNext, new byte[0], false);
                }
            } else {
                emit(false, flags, serverNext, clientNext, chunk, false);
                serverNext = add(serverNext, len);
                if (acks) {
                    emit(true, Frames.ACK, clientNext, serverNext, new byte[0], false);
                }
            }
        }
        return this;
    }

    private void emit(boolean fromClient, int flags, long seq, long ack, byte[] payload, boolean withMss) {
        String src = fromClient ? clientIp : serverIp;
        String dst = fromClient ? serverIp : clientIp;
        int sport = fromClient ? clientPort : serverPort;
        int dport = fromClient ? serverPort : clientPort;
        Frames.Tcp tcp = Frames.tcp(src, sport, dst, dport).seq(seq).ack((flags & Frames.ACK) != 0 ? ack : 0)
                .flags(flags).window(window);
        if (withMss) {
            tcp.mssOption(mss);
        }
        byte[] segment = tcp.segment(payload);
        byte[] ip = Frames.isV6(src)
                ? Frames.ipv6(src, dst, Frames.PROTO_TCP, segment)
                : Frames.ipv4(src, dst, Frames.PROTO_TCP).id(ipId++).dontFragment(true).build(segment);
        byte[] frame = linkType == LinkType.ETHERNET ? Frames.ethernet(ip, vlans) : Frames.encapsulate(linkType, ip);
        frames.add(new TimedFrame(now, frame));
        now += step;
    }

    private static long add(long seq, long n) {
        return (seq + n) & 0xFFFFFFFFL;
    }
}
