package org.egressaudit.analyzers.protocol.dns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.Transmission;

/**
 * Turns DNS messages (from UDP datagrams or TCP frames) into what the report needs: every question is a
 * {@code sink.dnsQuery} and a "dns" transmission whose "dns-name" root holds the name's bytes (markers hidden
 * in names are found); client queries feed the {@link DnsLabelExfilAssembler}; responses are events.
 *
 * <p>Bytes a client sends that the name roots do not cover (a malformed message, bytes after the message,
 * records in a query beyond a small EDNS OPT, a "response" sent by the client) are kept as a "dns-message" root
 * holding the whole message, so nothing that left the machine escapes content analysis.
 */
public final class DnsRecorder {
    /** An OPT record in a query with at most this much RDATA (cookie, padding, client subnet) is ordinary. */
    private static final int ORDINARY_OPT_RDATA = 64;

    private final ProtocolContext context;
    private final DnsMessageParser parser;
    private final DnsLabelExfilAssembler assembler;

    public DnsRecorder(ProtocolContext context, DnsLimits limits) {
        this.context = context;
        this.parser = new DnsMessageParser(limits);
        this.assembler = new DnsLabelExfilAssembler(context, limits);
    }

    public DnsMessageParser parser() {
        return parser;
    }

    public DnsLabelExfilAssembler assembler() {
        return assembler;
    }

    /** Parses and records one message; returns the parse so callers can decide about fallbacks. */
    public DnsMessage record(FlowKey flow, Direction direction, String transport, byte[] buf, int off, int len,
                             long streamOffset, long timestampNanos) {
        DnsMessage msg = parser.parse(buf, off, len);
        record(flow, direction, transport, msg, buf, off, len, streamOffset, timestampNanos);
        return msg;
    }

    /** Records an already parsed message ({@code buf[off, off+len)} are its bytes). */
    public void record(FlowKey flow, Direction direction, String transport, DnsMessage msg, byte[] buf, int off,
                       int len, long streamOffset, long timestampNanos) {
        boolean outbound = direction == Direction.CLIENT_TO_SERVER;
        if (!msg.ok()) {
            context.sink().event(flow, direction, "dns-malformed", msg.error(), timestampNanos);
        }
        if (msg.response()) {
            context.sink().event(flow, direction, "dns-response", describeResponse(msg), timestampNanos);
        }
        boolean extraContent = outbound && needsMessageRoot(msg);
        List<String> notes = new ArrayList<>();
        if (!msg.ok()) {
            notes.add("malformed DNS message: " + msg.error());
        }
        if (msg.trailingBytes() > 0 && msg.ok()) {
            notes.add(msg.trailingBytes() + " bytes after the DNS message");
        }
        boolean messageRootPending = extraContent;
        if (!msg.response()) {
            for (DnsQuestion q : msg.questions()) {
                String text = q.name().text();
                context.sink().dnsQuery(flow, direction, text, q.type(), timestampNanos);
                if (outbound) {
                    assembler.onQuery(flow, q.name(), timestampNanos);
                }
                List<ContentObject> roots = new ArrayList<>();
                List<String> tNotes = new ArrayList<>(notes);
                long[] reservedOpaque = new long[2];
                addRoot(roots, tNotes, reservedOpaque, "dns-name", q.name().dottedBytes());
                if (messageRootPending) {
                    addRoot(roots, tNotes, reservedOpaque, "dns-message", slice(buf, off, len));
                    messageRootPending = false;
                }
                Map<String, String> attrs = baseAttributes(msg, transport);
                attrs.put("qname", text);
                attrs.put("qtype", DnsTypes.typeName(q.type()));
                attrs.put("qclass", Integer.toString(q.qclass()));
                String parent = ParentDomains.parentOf(q.name());
                context.sink().accept(new Transmission(context.sink().nextId(), flow, direction, "dns", parent,
                        DnsTypes.typeName(q.type()) + " " + text, timestampNanos, timestampNanos, streamOffset,
                        attrs, roots, reservedOpaque[1], tNotes, reservedOpaque[0]));
            }
        }
        if (messageRootPending) {
            List<ContentObject> roots = new ArrayList<>();
            long[] reservedOpaque = new long[2];
            addRoot(roots, notes, reservedOpaque, "dns-message", slice(buf, off, len));
            String summary = msg.response() ? "DNS response sent by the client" : "malformed DNS message";
            context.sink().accept(new Transmission(context.sink().nextId(), flow, direction, "dns",
                    flow.serverAddress(), summary, timestampNanos, timestampNanos, streamOffset,
                    baseAttributes(msg, transport), roots, reservedOpaque[1], notes, reservedOpaque[0]));
        }
    }

    /** End of capture: emits the label assemblies. */
    public void finish(long lastTimestampNanos) {
        assembler.finish(lastTimestampNanos);
    }

    private static Map<String, String> baseAttributes(DnsMessage msg, String transport) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("transport", transport);
        attrs.put("id", Integer.toString(msg.id()));
        attrs.put("opcode", Integer.toString(msg.opcode()));
        return attrs;
    }

    /** True when a client message holds bytes that its question names do not. */
    private static boolean needsMessageRoot(DnsMessage msg) {
        if (!msg.ok() || msg.response() || msg.trailingBytes() > 0 || msg.questions().isEmpty()) {
            return true;
        }
        if (msg.answerCount() > 0 || msg.authorityCount() > 0 || msg.additionalCount() > 1) {
            return true;
        }
        for (DnsResourceRecord r : msg.records()) {
            if (r.type() != DnsTypes.OPT || r.rdataLength() > ORDINARY_OPT_RDATA || r.name().labelCount() != 0) {
                return true;
            }
        }
        return false;
    }

    private void addRoot(List<ContentObject> roots, List<String> notes, long[] reservedOpaque, String layer,
                         byte[] data) {
        if (context.budget() == null || context.budget().tryReserve(data.length)) {
            reservedOpaque[0] += context.budget() == null ? 0 : data.length;
            roots.add(ContentObject.root(layer, null, data, Map.of()));
        } else {
            reservedOpaque[1] += data.length;
            notes.add(layer + " (" + data.length + " bytes) not analysed: memory budget exhausted");
        }
    }

    private static byte[] slice(byte[] buf, int off, int len) {
        byte[] b = new byte[len];
        System.arraycopy(buf, off, b, 0, len);
        return b;
    }

    static String describeResponse(DnsMessage msg) {
        StringBuilder sb = new StringBuilder(DnsTypes.rcodeName(msg.rcode()));
        for (DnsQuestion q : msg.questions()) {
            sb.append(' ').append(DnsTypes.typeName(q.type())).append(' ').append(q.name().text());
        }
        List<DnsResourceRecord> answers = msg.answers();
        sb.append(": ").append(answers.size()).append(answers.size() == 1 ? " answer" : " answers");
        int shown = 0;
        for (DnsResourceRecord r : answers) {
            if (shown++ == 8) {
                sb.append(", ...");
                break;
            }
            sb.append(shown == 1 ? " " : ", ").append(DnsTypes.typeName(r.type())).append(' ')
                    .append(r.data() != null ? truncate(r.data(), 200) : "(" + r.rdataLength() + " bytes)");
        }
        return sb.toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
