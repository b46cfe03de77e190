package org.egressaudit.harness.network;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Decides what the catch-all HTTP service answers. Called on an event loop: must be quick and must not block.
 * A thrown exception or a null answer is logged and answered with 500.
 */
@FunctionalInterface
public interface HttpResponder {

    /** Answers every request with 200 application/json {"status":"ok"}. */
    HttpResponder DEFAULT = (host, method, path, headers) -> HttpAnswer.json(200, "{\"status\":\"ok\"}");

    /**
     * @param host    the Host header (or the authority of an absolute-form target), without port; "" if none
     * @param method  the request method, e.g. "POST"
     * @param path    the request target as sent (path and query, or the absolute form)
     * @param headers the request headers (read only; do not keep)
     */
    HttpAnswer answer(String host, String method, String path, HttpHeaders headers);
}
