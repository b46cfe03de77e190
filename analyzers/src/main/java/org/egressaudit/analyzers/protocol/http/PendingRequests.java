package org.egressaudit.analyzers.protocol.http;

import java.util.ArrayDeque;

/**
 * Requests of one connection still waiting for their final response, oldest first: the response decoder needs the
 * method to frame responses to HEAD and CONNECT, and names the request in each response's summary. Bounded by
 * {@link HttpLimits#maxPendingRequests()}: once a client pipelines deeper than that, requests and responses can
 * no longer be paired reliably, so the queue stops pairing for the rest of the connection.
 */
final class PendingRequests {

    record Request(String method, String target, String destination) {
    }

    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final int capacity;
    private boolean overflowed;

    PendingRequests(int capacity) {
        this.capacity = capacity;
    }

    void add(Request request) {
        if (overflowed) {
            return;
        }
        if (queue.size() >= capacity) {
            overflowed = true;
            queue.clear();
            return;
        }
        queue.addLast(request);
    }

    /** The oldest pending request, left in place (interim 1xx responses do not complete it); null when unknown. */
    Request peek() {
        return queue.peekFirst();
    }

    /** Removes and returns the oldest pending request; null when unknown. */
    Request poll() {
        return queue.pollFirst();
    }

    /** True once more requests were pending than the limit allows. */
    boolean overflowed() {
        return overflowed;
    }
}
