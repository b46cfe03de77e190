package org.egressaudit.harness.network;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * A DHCPv4 server for exactly one client (the sandbox guest) on one interface. It reads requests with libpcap
 * and sends hand-built Ethernet frames, so it binds no UDP port: the guest has no address to talk to yet, and
 * ports 67/68 of the host belong to the host and to other runs.
 * <p>
 * Run it on the run's bridge interface (frames from the guest reach it, and the replies it injects are seen by
 * a capture on the bridge) or on a bridge port. Replies come from the bridge's Ethernet address when the
 * interface is a bridge port, else from the interface's own.
 * <p>
 * The guest is attacker-controlled: each frame is parsed defensively, malformed ones are noted in
 * {@link #events()} and dropped, replies are rate limited, and the log is bounded.
 */
public final class DhcpResponder implements AutoCloseable {
    public static final int MAX_EVENTS = 1000;
    /** More than any client retransmits; beyond it requests are dropped (and counted). */
    static final int MAX_REPLIES_PER_SECOND = 20;
    private static final int SNAPLEN = 2048;
    private static final int READ_TIMEOUT_MILLIS = 100;
    private static final String FILTER = "udp and dst port 67";

    private final String iface;
    private final PcapHandle handle;
    private final DhcpServerLogic logic;
    private final MacAddress serverMac;
    private final int serverAddress;
    private final Clock clock;
    private final Thread thread;
    private final BoundedLog events = new BoundedLog(MAX_EVENTS);
    private final PerSecondLimit replies = new PerSecondLimit(MAX_REPLIES_PER_SECOND);
    private final AtomicReference<Instant> leasedAt = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private int ipId;
    private boolean closed;

    private DhcpResponder(String iface, PcapHandle handle, DhcpLease lease, MacAddress serverMac, Clock clock) {
        this.iface = iface;
        this.handle = handle;
        this.logic = new DhcpServerLogic(lease);
        this.serverMac = serverMac;
        this.serverAddress = Ipv4Cidr.toInt(lease.serverAddress());
        this.clock = clock;
        this.thread = new Thread(this::loop, "dhcp-" + iface);
        this.thread.setDaemon(true);
    }

    /**
     * Starts answering on {@code iface}. Requests arriving after this method returns are answered.
     *
     * @throws DhcpException naming the cause: no such interface, no permission, libpcap missing
     */
    public static DhcpResponder start(String iface, DhcpLease lease) {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(lease, "lease");
        MacAddress mac = sourceMac(iface);
        PcapHandle handle = open(iface);
        DhcpResponder r = new DhcpResponder(iface, handle, lease, mac, Clock.systemUTC());
        r.record("listening on " + iface + " for " + lease.clientMac() + ", offering "
                + lease.clientAddress().getHostAddress() + "/" + lease.prefixLength() + " from " + mac);
        r.thread.start();
        return r;
    }

    private static PcapHandle open(String iface) {
        PcapHandle h = null;
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(iface);
            if (nif == null) {
                throw new DhcpException("no such network interface: " + iface, null);
            }
            h = new PcapHandle.Builder(iface)
                    .snaplen(SNAPLEN)
                    // promiscuous: renewals are unicast to the gateway's MAC, which a bridge port does not own
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MILLIS)
                    .immediateMode(true)
                    .build();
            h.setFilter(FILTER, BpfProgram.BpfCompileMode.OPTIMIZE);
            // only frames arriving from the link; never our own replies or the host's traffic
            h.setDirection(PcapHandle.PcapDirection.IN);
            return h;
        } catch (PcapNativeException | NotOpenException e) {
            if (h != null) {
                h.close();
            }
            throw new DhcpException("cannot listen for DHCP on " + iface + ": " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new DhcpException("cannot load libpcap (install it: apt-get install -y libpcap0.8): "
                    + e.getMessage(), e);
        }
    }

    /** A bridge port's frames appear to come from the bridge (the gateway); any other interface uses its own. */
    static MacAddress sourceMac(String iface) {
        Path dev = Path.of("/sys/class/net", iface);
        Path master = dev.resolve("master");
        Path owner = Files.exists(master) ? master : dev;
        try {
            return MacAddress.parse(Files.readString(owner.resolve("address")).strip());
        } catch (IOException | IllegalArgumentException e) {
            throw new DhcpException("cannot read the Ethernet address of " + iface + " (" + owner + "): "
                    + e.getMessage(), e);
        }
    }

    private void loop() {
        try {
            while (running) {
                byte[] frame;
                try {
                    frame = handle.getNextRawPacketEx();
                } catch (TimeoutException idle) {
                    continue; // read timeout: look at the running flag again
                }
                handle(frame);
            }
        } catch (PcapNativeException | EOFException | NotOpenException | RuntimeException | Error e) {
            if (running) {
                failure.set(e);
                record("stopped: " + e);
            }
        }
    }

    private void handle(byte[] frame) {
        DhcpFrames.Datagram d;
        DhcpMessage m;
        try {
            d = DhcpFrames.parse(frame);
            if (d.destinationPort() != DhcpFrames.SERVER_PORT) {
                return; // the filter lets nothing else through; belt and braces
            }
            m = DhcpCodec.decode(d.payload());
        } catch (DhcpFormatException e) {
            record("malformed frame of " + frame.length + " bytes" + sender(frame) + ": " + e.getMessage());
            return;
        }
        DhcpServerLogic.Decision decision = logic.decide(d.ethernetSource(), m);
        if (decision.reply().isPresent() && !allowReply()) {
            return;
        }
        record(decision.event());
        decision.reply().ifPresent(reply -> send(reply, decision));
    }

    private void send(DhcpMessage reply, DhcpServerLogic.Decision decision) {
        byte[] out = DhcpFrames.build(serverMac, reply.clientMac(), serverAddress, decision.ipDestination(),
                DhcpFrames.SERVER_PORT, DhcpFrames.CLIENT_PORT, DhcpCodec.encode(reply), ++ipId);
        try {
            handle.sendPacket(out);
            if (decision.leased()) {
                leasedAt.set(clock.instant());
            }
        } catch (PcapNativeException | NotOpenException e) {
            record("cannot send the reply on " + iface + ": " + e.getMessage());
        }
    }

    private boolean allowReply() {
        boolean ok = replies.tryAcquire(clock.millis());
        long dropped = replies.takeRefusedInPreviousWindow();
        if (dropped > 0) {
            record("rate limit: dropped " + dropped + " requests over " + MAX_REPLIES_PER_SECOND
                    + " replies per second");
        }
        return ok;
    }

    private static String sender(byte[] frame) {
        return frame.length >= 12 ? " from " + MacAddress.read(frame, 6) : "";
    }

    private void record(String event) {
        events.add(Instant.now(clock) + " " + event);
    }

    /**
     * What happened, oldest first, each line starting with its time: e.g.
     * {@code DISCOVER from 52:54:00:12:34:56 xid 0x1a2b3c4d → OFFER 10.250.3.2}. At most {@value #MAX_EVENTS}
     * lines are kept; when more happened, a last line says how many were not kept.
     */
    public List<String> events() {
        return events.snapshot();
    }

    /** When the address was last handed out (an ACK with it was sent); empty until then. */
    public Optional<Instant> leasedAt() {
        return Optional.ofNullable(leasedAt.get());
    }

    public String interfaceName() {
        return iface;
    }

    /**
     * Stops answering and releases the interface. Idempotent.
     *
     * @throws DhcpException when the receive loop had failed (e.g. the interface vanished); events are kept
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        try {
            thread.join(READ_TIMEOUT_MILLIS * 20L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            try {
                handle.breakLoop();
                thread.join(READ_TIMEOUT_MILLIS * 20L);
            } catch (NotOpenException | InterruptedException ignored) {
                // closing the handle below ends the read in any case
            }
        }
        handle.close();
        Throwable t = failure.get();
        if (t != null) {
            throw new DhcpException("DHCP on " + iface + " failed while running: " + t, t);
        }
    }

    /** The responder could not start or failed while running. */
    public static final class DhcpException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DhcpException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
