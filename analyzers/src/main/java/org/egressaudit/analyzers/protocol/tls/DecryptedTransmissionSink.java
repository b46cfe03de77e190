package org.egressaudit.analyzers.protocol.tls;

import java.util.LinkedHashMap;
import java.util.Map;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;
import org.egressaudit.analyzers.protocol.Transmission;
import org.egressaudit.analyzers.protocol.TransmissionSink;

/**
 * The sink of the handlers that analyse decrypted TLS plaintext: passes everything on, marking each
 * transmission with {@code tls=decrypted} and the session's TLS attributes (sni, alpn, tls-version, cipher), so
 * that findings show they came out of TLS (their decode chains start at "tls").
 */
final class DecryptedTransmissionSink implements TransmissionSink {
    static final String ATTRIBUTE = "tls";
    static final String DECRYPTED = "decrypted";

    private final TransmissionSink delegate;
    private final Map<String, String> tlsAttributes;

    DecryptedTransmissionSink(TransmissionSink delegate, Map<String, String> tlsAttributes) {
        this.delegate = delegate;
        this.tlsAttributes = Map.copyOf(tlsAttributes);
    }

    @Override
    public void accept(Transmission t) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put(ATTRIBUTE, DECRYPTED);
        for (Map.Entry<String, String> e : tlsAttributes.entrySet()) {
            attrs.put(e.getKey().startsWith("tls-") ? e.getKey() : "tls-" + e.getKey(), e.getValue());
        }
        attrs.putAll(t.attributes()); // the inner protocol's own attributes win on a clash
        delegate.accept(new Transmission(t.id(), t.flow(), t.direction(), t.protocol(), t.destination(), t.summary(),
                t.firstNanos(), t.lastNanos(), t.streamOffset(), attrs, t.roots(), t.opaqueBytes(), t.notes(),
                t.reservedBytes()));
    }

    @Override
    public long nextId() {
        return delegate.nextId();
    }

    @Override
    public void dnsQuery(FlowKey flow, Direction direction, String name, int qtype, long timestampNanos) {
        delegate.dnsQuery(flow, direction, name, qtype, timestampNanos);
    }

    @Override
    public void event(FlowKey flow, Direction direction, String kind, String detail, long timestampNanos) {
        delegate.event(flow, direction, kind, detail, timestampNanos);
    }
}
