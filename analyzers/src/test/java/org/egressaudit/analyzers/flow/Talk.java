package org.egressaudit.analyzers.flow;

import static org.egressaudit.analyzers.flow.Packets.ACK;
import static org.egressaudit.analyzers.flow.Packets.FIN;
import static org.egressaudit.analyzers.flow.Packets.RST;
import static org.egressaudit.analyzers.flow.Packets.SYN;

import org.egressaudit.analyzers.packet.DecodedPacket;

/** One TCP conversation fed to a table, with offsets given relative to each side's stream start. */
final class Talk {
    final FlowTable table;
    final long client;
    final int clientPort;
    final long server;
    final int serverPort;
    final long clientIsn;
    final long serverIsn;
    long ts = 1_000_000_000L;
    /** What each side acknowledges by default (stream offset of the other side). */
    long clientAcks;
    long serverAcks;

    Talk(FlowTable table, long clientIsn, long serverIsn) {
        this(table, Packets.CLIENT, 40000, Packets.SERVER, 80, clientIsn, serverIsn);
    }

    Talk(FlowTable table, long client, int clientPort, long server, int serverPort, long clientIsn, long serverIsn) {
        this.table = table;
        this.client = client;
        this.clientPort = clientPort;
        this.server = server;
        this.serverPort = serverPort;
        this.clientIsn = clientIsn;
        this.serverIsn = serverIsn;
    }

    Talk handshake() {
        send(Packets.tcp(client, clientPort, server, serverPort, clientIsn, 0, SYN, new byte[0], tick()));
        send(Packets.tcp(server, serverPort, client, clientPort, serverIsn, clientIsn + 1, SYN | ACK, new byte[0],
                tick()));
        send(Packets.tcp(client, clientPort, server, serverPort, clientIsn + 1, serverIsn + 1, ACK, new byte[0],
                tick()));
        return this;
    }

    DecodedPacket clientPacket(long offset, byte[] data, int flags) {
        return Packets.tcp(client, clientPort, server, serverPort, clientIsn + 1 + offset, serverIsn + 1 + clientAcks,
                flags | ACK, data, tick());
    }

    DecodedPacket serverPacket(long offset, byte[] data, int flags) {
        return Packets.tcp(server, serverPort, client, clientPort, serverIsn + 1 + offset, clientIsn + 1 + serverAcks,
                flags | ACK, data, tick());
    }

    Talk c(long offset, String data) {
        send(clientPacket(offset, Packets.bytes(data), 0));
        return this;
    }

    Talk s(long offset, String data) {
        send(serverPacket(offset, Packets.bytes(data), 0));
        return this;
    }

    Talk cFin(long offset) {
        send(clientPacket(offset, new byte[0], FIN));
        return this;
    }

    Talk sFin(long offset) {
        send(serverPacket(offset, new byte[0], FIN));
        return this;
    }

    /** The server acknowledges client bytes below {@code clientOffset} (a FIN counts one). */
    Talk sAck(long clientOffset) {
        serverAcks = clientOffset;
        send(serverPacket(0, new byte[0], 0)); // pure ACK; its seq is irrelevant without data
        return this;
    }

    Talk cRst(long offset) {
        send(Packets.tcp(client, clientPort, server, serverPort, clientIsn + 1 + offset, 0, RST, new byte[0], tick()));
        return this;
    }

    Talk sRst(long offset) {
        send(Packets.tcp(server, serverPort, client, clientPort, serverIsn + 1 + offset, 0, RST, new byte[0], tick()));
        return this;
    }

    void send(DecodedPacket p) {
        table.onPacket(p);
    }

    long tick() {
        ts += 1_000_000L;
        return ts;
    }
}
