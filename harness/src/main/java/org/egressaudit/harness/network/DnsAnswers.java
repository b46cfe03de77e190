package org.egressaudit.harness.network;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sinkhole's answers: every A question resolves to the sink address, everything else (AAAA included: the
 * sandbox is IPv4 only) gets NOERROR with no records. Only standard queries are answered; other opcodes get
 * NOTIMP. Shared by the UDP and TCP sides.
 */
final class DnsAnswers {
    private final Inet4Address sink;
    private final int ttl;

    DnsAnswers(Inet4Address sink, int ttlSeconds) {
        this.sink = sink;
        this.ttl = ttlSeconds;
    }

    /**
     * Fills {@code response} for {@code query} (which has at least one question) and returns the facts to log.
     * Only the first question is answered, as every real resolver does.
     */
    Map<String, String> answer(DnsQuery query, DnsResponse response) {
        DnsQuestion q = query.recordAt(DnsSection.QUESTION, 0);
        response.setOpCode(query.opCode());
        response.setRecursionDesired(query.isRecursionDesired());
        response.setRecursionAvailable(true);
        response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(q.name(), q.type(), q.dnsClass()));
        String answered = "none";
        if (!query.opCode().equals(DnsOpCode.QUERY)) {
            response.setCode(DnsResponseCode.NOTIMP);
        } else {
            response.setCode(DnsResponseCode.NOERROR);
            if (q.type().equals(DnsRecordType.A)) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, ttl,
                        Unpooled.wrappedBuffer(sink.getAddress())));
                answered = "A " + sink.getHostAddress();
            }
        }
        Map<String, String> a = new LinkedHashMap<>();
        a.put("name", name(q.name()));
        a.put("type", q.type().name());
        a.put("class", Integer.toString(q.dnsClass()));
        a.put("id", Integer.toString(query.id()));
        a.put("questions", Integer.toString(query.count(DnsSection.QUESTION)));
        a.put("rcode", response.code().toString());
        a.put("answer", answered);
        return a;
    }

    static String detail(Map<String, String> a, String transport) {
        return "DNS/" + transport + " " + a.get("type") + " " + a.get("name") + " -> " + a.get("answer");
    }

    /** The name without the root label's trailing dot ("." stays "."). */
    static String name(String n) {
        return n.length() > 1 && n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
