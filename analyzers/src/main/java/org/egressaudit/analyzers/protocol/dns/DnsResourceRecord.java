package org.egressaudit.analyzers.protocol.dns;

/**
 * One resource record.
 *
 * @param section     1 = answer, 2 = authority, 3 = additional
 * @param rdataOffset offset of the RDATA in the message buffer given to the parser
 * @param data        RDATA in presentation form for the types this parser knows (A, AAAA, CNAME, NS, PTR, MX,
 *                    TXT), else null
 */
public record DnsResourceRecord(int section, DnsName name, int type, int rclass, long ttl, int rdataOffset,
                                int rdataLength, String data) {
}
