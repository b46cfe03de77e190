package org.egressaudit.analyzers.protocol.dns;

/** One entry of a DNS message's question section. */
public record DnsQuestion(DnsName name, int type, int qclass) {
}
