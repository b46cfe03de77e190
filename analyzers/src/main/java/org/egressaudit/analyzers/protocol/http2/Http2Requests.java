package org.egressaudit.analyzers.protocol.http2;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Requests of one connection by stream id (from the client's HEADERS and the server's PUSH_PROMISE), so that the
 * server side can name what each response answers. Bounded: the oldest entries are forgotten first.
 */
final class Http2Requests {

    record Request(String method, String uri, String destination) {
    }

    private final Map<Integer, Request> byStream;

    Http2Requests(int capacity) {
        this.byStream = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Request> eldest) {
                return size() > capacity;
            }
        };
    }

    void put(int streamId, Request r) {
        byStream.put(streamId, r);
    }

    Request get(int streamId) {
        return byStream.get(streamId);
    }

    void remove(int streamId) {
        byStream.remove(streamId);
    }
}
