package org.egressaudit.analyzers.protocol.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Header (or trailer) fields of one message in wire order; names are held lowercased. */
final class HttpHeaders {

    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    void add(String lowercaseName, String value) {
        names.add(lowercaseName);
        values.add(value);
    }

    /** Appends an obs-fold continuation to the last field, joined with one space (RFC 9112 §5.2). */
    void appendToLast(String continuation) {
        int last = values.size() - 1;
        if (continuation.isEmpty()) {
            return;
        }
        String v = values.get(last);
        values.set(last, v.isEmpty() ? continuation : v + " " + continuation);
    }

    int size() {
        return names.size();
    }

    boolean isEmpty() {
        return names.isEmpty();
    }

    boolean contains(String lowercaseName) {
        return names.contains(lowercaseName);
    }

    String first(String lowercaseName) {
        int i = names.indexOf(lowercaseName);
        return i < 0 ? null : values.get(i);
    }

    List<String> all(String lowercaseName) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(lowercaseName)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    /** All values of a field joined with ", " (how repeated fields combine, RFC 9110 §5.3), or null. */
    String joined(String lowercaseName) {
        List<String> all = all(lowercaseName);
        return all.isEmpty() ? null : String.join(", ", all);
    }

    /** One entry per distinct name, {@code prefix + name} to the joined values, in first-seen order. */
    Map<String, String> toAttributes(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.merge(prefix + names.get(i), values.get(i), (a, b) -> a + ", " + b);
        }
        return out;
    }
}
