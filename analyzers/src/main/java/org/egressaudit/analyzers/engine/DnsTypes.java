package org.egressaudit.analyzers.engine;

/** Names of common DNS RR types for reports. */
final class DnsTypes {
    private DnsTypes() {
    }

    static String name(int qtype) {
        return switch (qtype) {
            case 1 -> "A";
            case 2 -> "NS";
            case 5 -> "CNAME";
            case 6 -> "SOA";
            case 12 -> "PTR";
            case 15 -> "MX";
            case 16 -> "TXT";
            case 28 -> "AAAA";
            case 33 -> "SRV";
            case 64 -> "SVCB";
            case 65 -> "HTTPS";
            case 255 -> "ANY";
            default -> "TYPE" + qtype;
        };
    }
}
