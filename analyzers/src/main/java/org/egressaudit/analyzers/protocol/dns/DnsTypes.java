package org.egressaudit.analyzers.protocol.dns;

/** Mnemonics of DNS record types and response codes, for summaries and reports. */
public final class DnsTypes {
    public static final int A = 1;
    public static final int NS = 2;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int NULL = 10;
    public static final int PTR = 12;
    public static final int MX = 15;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    public static final int OPT = 41;
    public static final int SVCB = 64;
    public static final int HTTPS = 65;
    public static final int ANY = 255;

    private DnsTypes() {
    }

    public static String typeName(int type) {
        return switch (type) {
            case A -> "A";
            case NS -> "NS";
            case CNAME -> "CNAME";
            case SOA -> "SOA";
            case NULL -> "NULL";
            case PTR -> "PTR";
            case 13 -> "HINFO";
            case MX -> "MX";
            case TXT -> "TXT";
            case AAAA -> "AAAA";
            case SRV -> "SRV";
            case 35 -> "NAPTR";
            case OPT -> "OPT";
            case 43 -> "DS";
            case 46 -> "RRSIG";
            case 47 -> "NSEC";
            case 48 -> "DNSKEY";
            case SVCB -> "SVCB";
            case HTTPS -> "HTTPS";
            case 251 -> "IXFR";
            case 252 -> "AXFR";
            case ANY -> "ANY";
            case 257 -> "CAA";
            default -> "TYPE" + type;
        };
    }

    public static String rcodeName(int rcode) {
        return switch (rcode) {
            case 0 -> "NOERROR";
            case 1 -> "FORMERR";
            case 2 -> "SERVFAIL";
            case 3 -> "NXDOMAIN";
            case 4 -> "NOTIMP";
            case 5 -> "REFUSED";
            default -> "RCODE" + rcode;
        };
    }
}
