package org.egressaudit.analyzers.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.egressaudit.analyzers.flow.Direction;
import org.egressaudit.analyzers.flow.FlowKey;

/** Collects transmissions and events ("kind: detail") in order; shared by the HTTP/1.x and HTTP/2 tests. */
public final class RecordingSink implements TransmissionSink {
    public final List<Transmission> transmissions = new ArrayList<>();
    public final List<String> events = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public void accept(Transmission t) {
        transmissions.add(t);
    }

    @Override
    public long nextId() {
        return ids.incrementAndGet();
    }

    @Override
    public void event(FlowKey flow, Direction direction, String kind, String detail, long timestampNanos) {
        events.add(kind + ": " + detail);
    }

    public List<Transmission> of(Direction d) {
        return transmissions.stream().filter(t -> t.direction() == d).toList();
    }
}
