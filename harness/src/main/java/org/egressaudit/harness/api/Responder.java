package org.egressaudit.harness.api;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One answer of the fake vendor cloud, the Java form of a {@code responders:} entry in scenario YAML: matchers
 * ({@link #host}, {@link #method}, {@link #path}; all optional) and the answer ({@link #status}, {@link #header},
 * {@link #body} or {@link #bodyFile}). Values are checked when the scenario is built, by the YAML loader.
 */
public final class Responder {
    String host;
    String method;
    String path;
    Integer status;
    final Map<String, String> headers = new LinkedHashMap<>();
    String body;
    Path bodyFile;

    private Responder() {
    }

    /** A rule that matches every request until narrowed. */
    public static Responder any() {
        return new Responder();
    }

    /** Glob on the Host header / TLS SNI ('*' matches anything, case-insensitive). */
    public Responder host(String glob) {
        this.host = Objects.requireNonNull(glob, "host");
        return this;
    }

    public Responder method(String method) {
        this.method = Objects.requireNonNull(method, "method");
        return this;
    }

    /** Exact path (query ignored), or a prefix when it ends in '*'. */
    public Responder path(String path) {
        this.path = Objects.requireNonNull(path, "path");
        return this;
    }

    /** 100..599, default 200. */
    public Responder status(int status) {
        this.status = status;
        return this;
    }

    public Responder header(String name, String value) {
        headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** The body, inline (UTF-8). */
    public Responder body(String body) {
        this.body = Objects.requireNonNull(body, "body");
        return this;
    }

    /** The body, read from a host file (at most 1 MiB). */
    public Responder bodyFile(Path file) {
        this.bodyFile = Objects.requireNonNull(file, "file");
        return this;
    }
}
