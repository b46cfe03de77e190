package org.egressaudit.harness.network;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the one-client DHCP server answers (RFC 2131 section 4.3), without any I/O. The server is authoritative
 * for its link: a request for any address but the client's own is refused with a NAK, so a guest that remembers
 * an address from elsewhere falls back to discovery at once instead of waiting for timeouts.
 */
final class DhcpServerLogic {
    private static final int BROADCAST = 0xffffffff;

    private final DhcpLease lease;
    private final MacAddress client;
    private final int clientAddress;
    private final int server;
    private final String yours;

    DhcpServerLogic(DhcpLease lease) {
        this.lease = lease;
        this.client = lease.mac();
        this.clientAddress = Ipv4Cidr.toInt(lease.clientAddress());
        this.server = Ipv4Cidr.toInt(lease.serverAddress());
        this.yours = lease.clientAddress().getHostAddress();
    }

    /**
     * The answer to one message.
     *
     * @param reply         what to send, if anything
     * @param ipDestination where the reply's IP datagram goes (the Ethernet frame always goes to the client MAC)
     * @param event         one line for the log: what came in and what was done
     * @param leased        whether the reply hands out the address (an ACK with yiaddr)
     */
    record Decision(Optional<DhcpMessage> reply, int ipDestination, String event, boolean leased) {
        static Decision ignore(String event) {
            return new Decision(Optional.empty(), 0, event, false);
        }
    }

    Decision decide(MacAddress ethernetSource, DhcpMessage m) {
        String from = "from " + m.clientMac() + " xid " + String.format("0x%08x", m.xid());
        if (m.op() != DhcpMessage.BOOTREQUEST) {
            return Decision.ignore("BOOTREPLY " + from + " on the server port: ignored");
        }
        if (!m.clientMac().equals(client)) {
            return Decision.ignore("message " + from + ": not the expected client " + client + ", ignored");
        }
        if (!ethernetSource.equals(client)) {
            return Decision.ignore("message " + from + " sent by Ethernet address " + ethernetSource
                    + ": not the client's own, ignored");
        }
        if (m.giaddr() != 0) {
            return Decision.ignore("message " + from + " relayed via " + Ipv4Cidr.format(m.giaddr())
                    + ": no relays on this link, ignored");
        }
        if (!m.options().has(DhcpOptions.MESSAGE_TYPE)) {
            return Decision.ignore("BOOTP request " + from + " without a DHCP message type: BOOTP not served");
        }
        OptionalInt type = m.messageType();
        if (type.isEmpty()) {
            return Decision.ignore("message " + from + ": option 53 is not one byte, ignored");
        }
        String what = DhcpMessage.typeName(type.getAsInt()) + " " + from;
        return switch (type.getAsInt()) {
            case DhcpMessage.DISCOVER -> reply(what, m, DhcpMessage.OFFER, clientAddress, 0, true);
            case DhcpMessage.REQUEST -> request(what, m);
            case DhcpMessage.INFORM -> reply(what + " (ciaddr " + Ipv4Cidr.format(m.ciaddr()) + ")", m,
                    DhcpMessage.ACK, 0, m.ciaddr(), false);
            case DhcpMessage.DECLINE -> Decision.ignore(what + ": client declined "
                    + address(m, DhcpOptions.REQUESTED_ADDRESS) + " (address in use on the link?)"
                    + message(m));
            case DhcpMessage.RELEASE -> Decision.ignore(what + ": client released " + Ipv4Cidr.format(m.ciaddr())
                    + message(m));
            default -> Decision.ignore(what + ": not a client message type, ignored");
        };
    }

    /** RFC 2131 4.3.2: which state the client is in follows from server id, requested address and ciaddr. */
    private Decision request(String what, DhcpMessage m) {
        DhcpOptions o = m.options();
        if (o.has(DhcpOptions.SERVER_ID) && o.u32(DhcpOptions.SERVER_ID).isEmpty()
                || o.has(DhcpOptions.REQUESTED_ADDRESS) && o.u32(DhcpOptions.REQUESTED_ADDRESS).isEmpty()) {
            return nak(what, m, "option 50 or 54 is not four bytes");
        }
        OptionalInt serverId = o.u32(DhcpOptions.SERVER_ID);
        OptionalInt requested = o.u32(DhcpOptions.REQUESTED_ADDRESS);
        if (serverId.isPresent()) { // SELECTING
            if (serverId.getAsInt() != server) {
                return nak(what, m, "selected server " + Ipv4Cidr.format(serverId.getAsInt()) + ", not us");
            }
            if (requested.isEmpty()) {
                return nak(what, m, "no requested address");
            }
            return requested.getAsInt() == clientAddress
                    ? reply(what + " selecting " + yours, m, DhcpMessage.ACK, clientAddress, m.ciaddr(), true)
                    : nak(what, m, "requested " + Ipv4Cidr.format(requested.getAsInt()));
        }
        if (requested.isPresent()) { // INIT-REBOOT
            return requested.getAsInt() == clientAddress
                    ? reply(what + " init-reboot " + yours, m, DhcpMessage.ACK, clientAddress, m.ciaddr(), true)
                    : nak(what, m, "init-reboot with " + Ipv4Cidr.format(requested.getAsInt()));
        }
        if (m.ciaddr() != 0) { // RENEWING or REBINDING
            return m.ciaddr() == clientAddress
                    ? reply(what + " renewing " + yours, m, DhcpMessage.ACK, clientAddress, m.ciaddr(), true)
                    : nak(what, m, "renewing " + Ipv4Cidr.format(m.ciaddr()));
        }
        return nak(what, m, "neither a requested address nor ciaddr");
    }

    private Decision reply(String what, DhcpMessage m, int type, int yiaddr, int ciaddr, boolean withLease) {
        DhcpOptions.Builder o = DhcpOptions.builder()
                .u8(DhcpOptions.MESSAGE_TYPE, type)
                .u32(DhcpOptions.SERVER_ID, server);
        if (withLease) {
            long secs = lease.leaseTime().toSeconds();
            o.u32(DhcpOptions.LEASE_TIME, (int) secs)
                    .u32(DhcpOptions.RENEWAL_TIME, (int) (secs / 2))
                    .u32(DhcpOptions.REBINDING_TIME, (int) (secs * 7 / 8));
        }
        Ipv4Cidr net = lease.subnet();
        o.u32(DhcpOptions.SUBNET_MASK, net.mask())
                .u32(DhcpOptions.BROADCAST, net.broadcast())
                .u32(DhcpOptions.ROUTER, Ipv4Cidr.toInt(lease.router()))
                .u32(DhcpOptions.DNS, Ipv4Cidr.toInt(lease.dns()))
                .text(DhcpOptions.DOMAIN_NAME, lease.domain())
                .u16(DhcpOptions.MTU, 1500);
        DhcpMessage reply = new DhcpMessage(DhcpMessage.BOOTREPLY, 0, m.xid(), 0, m.flags() & DhcpMessage.FLAG_BROADCAST,
                ciaddr, yiaddr, 0, 0, m.clientMac(), o.build());
        int dst = m.broadcastFlag() || m.ciaddr() == 0 ? BROADCAST : m.ciaddr();
        String sent = DhcpMessage.typeName(type) + (yiaddr != 0 ? " " + Ipv4Cidr.format(yiaddr) : "");
        return new Decision(Optional.of(reply), dst, what + " → " + sent,
                type == DhcpMessage.ACK && yiaddr != 0);
    }

    /** NAKs always go to the IP broadcast address (RFC 2131 4.1): the client may no longer hold ciaddr. */
    private Decision nak(String what, DhcpMessage m, String why) {
        DhcpOptions o = DhcpOptions.builder()
                .u8(DhcpOptions.MESSAGE_TYPE, DhcpMessage.NAK)
                .u32(DhcpOptions.SERVER_ID, server)
                .text(DhcpOptions.MESSAGE, why.length() > 200 ? why.substring(0, 200) : why)
                .build();
        DhcpMessage reply = new DhcpMessage(DhcpMessage.BOOTREPLY, 0, m.xid(), 0, m.flags() & DhcpMessage.FLAG_BROADCAST,
                0, 0, 0, 0, m.clientMac(), o);
        return new Decision(Optional.of(reply), BROADCAST, what + " → NAK (" + why + ")", false);
    }

    private static String address(DhcpMessage m, int option) {
        OptionalInt a = m.options().u32(option);
        return a.isPresent() ? Ipv4Cidr.format(a.getAsInt()) : "(no address given)";
    }

    private static String message(DhcpMessage m) {
        return m.options().text(DhcpOptions.MESSAGE)
                .map(t -> ": \"" + (t.length() > 200 ? t.substring(0, 200) + "..." : t) + "\"").orElse("");
    }
}
