package org.egressaudit.harness.vm;

import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * One asynchronous QMP event ({@code {"event": "SHUTDOWN", "data": {...}, "timestamp": {...}}}).
 *
 * @param name event name, e.g. {@code SHUTDOWN}, {@code POWERDOWN}, {@code GUEST_PANICKED}
 * @param data the event's {@code data} member, {@link NullNode} when it has none
 * @param at QEMU's timestamp of the event, or the time it was received if QEMU sent none
 */
public record QmpEvent(String name, JsonNode data, Instant at) {
    public QmpEvent {
        Objects.requireNonNull(name, "name");
        data = data == null ? NullNode.getInstance() : data;
        Objects.requireNonNull(at, "at");
    }
}
