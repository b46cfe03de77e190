package org.egressaudit.analyzers.decode;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A parsed Content-Type value: "type/subtype" lower-cased, and its parameters (names lower-cased). */
record MediaType(String type, Map<String, String> params) {

    static MediaType parse(String value) {
        if (value == null) {
            return new MediaType("", Map.of());
        }
        int semi = value.indexOf(';');
        String type = (semi < 0 ? value : value.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        int i = semi < 0 ? value.length() : semi + 1;
        int n = value.length();
        while (i < n && params.size() < 64) {
            while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t' || value.charAt(i) == ';')) {
                i++;
            }
            int eq = value.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = value.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < n && value.charAt(i) == '"') {
                i++;
                while (i < n && value.charAt(i) != '"') {
                    char c = value.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        c = value.charAt(++i);
                    }
                    v.append(c);
                    i++;
                }
                i++;
            } else {
                while (i < n && value.charAt(i) != ';') {
                    v.append(value.charAt(i++));
                }
            }
            params.putIfAbsent(name, name.isEmpty() ? "" : v.toString().trim());
        }
        return new MediaType(type, params);
    }

    String param(String name) {
        return params.get(name);
    }
}
