package org.egressaudit.harness.attribution;

/**
 * A flow as the analysis prints it ({@code FlowKey.toString()}): "tcp 172.18.0.2:40000 -> 172.18.0.1:80",
 * "udp [fd00::2]:5353 -> [ff02::fb]:5353", "icmp 172.18.0.2 -> 172.18.0.1". The client is the side that sent
 * first (the SYN for TCP).
 */
public record FlowText(String text, String transport, Endpoint client, Endpoint server) {

    /** @throws IllegalArgumentException naming the flow text when it is not in that form */
    public static FlowText parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no flow text");
        }
        int space = text.indexOf(' ');
        int arrow = text.indexOf(" -> ");
        if (space <= 0 || arrow <= space) {
            throw new IllegalArgumentException("not a flow (expected 'proto a -> b'): " + text);
        }
        try {
            return new FlowText(text, text.substring(0, space), Endpoint.parse(text.substring(space + 1, arrow)),
                    Endpoint.parse(text.substring(arrow + 4)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a flow: " + text + " (" + e.getMessage() + ")", e);
        }
    }

    /** TCP or UDP: the only transports a process socket can be matched on by port. */
    public boolean hasPorts() {
        return transport.equals("tcp") || transport.equals("udp");
    }
}
