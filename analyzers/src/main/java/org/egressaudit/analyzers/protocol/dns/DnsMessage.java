package org.egressaudit.analyzers.protocol.dns;

import java.util.List;

/**
 * A parsed DNS message. Parsing never throws: a malformed message has {@link #error()} set and holds what
 * was read before the problem.
 *
 * @param length          bytes of the buffer the parser was given
 * @param questionsEnd    offset (from the message start) just after the question section, or -1
 * @param consumed        offset just after the last byte the parser understood
 * @param records         answer, authority and additional records parsed (bounded by the limits)
 * @param error           why the message is malformed, or null
 */
public record DnsMessage(int id, boolean response, int opcode, boolean authoritative, boolean truncated,
                         boolean recursionDesired, boolean recursionAvailable, int rcode,
                         int questionCount, int answerCount, int authorityCount, int additionalCount,
                         List<DnsQuestion> questions, List<DnsResourceRecord> records,
                         int length, int questionsEnd, int consumed, String error) {

    public DnsMessage {
        questions = List.copyOf(questions);
        records = List.copyOf(records);
    }

    public boolean ok() {
        return error == null;
    }

    /** Records of the answer section. */
    public List<DnsResourceRecord> answers() {
        return records.stream().filter(r -> r.section() == 1).toList();
    }

    /** Bytes after the last understood byte (data smuggled behind a well-formed message). */
    public int trailingBytes() {
        return Math.max(0, length - consumed);
    }

    /**
     * True for what a stub resolver sends: a well-formed standard query with one question of class IN, CH or
     * ANY, no answer or authority records, at most one additional record (EDNS), and nothing after it. Used to
     * recognise DNS on ports other than 53 without mistaking arbitrary datagrams for it.
     */
    public boolean isPlausibleQuery() {
        if (!ok() || response || opcode != 0 || questionCount != 1 || answerCount != 0 || authorityCount != 0
                || additionalCount > 1 || trailingBytes() != 0 || questions.size() != 1) {
            return false;
        }
        DnsQuestion q = questions.get(0);
        int cls = q.qclass() & 0x7fff;
        return q.name().labelCount() > 0 && (cls == 1 || cls == 3 || cls == 255);
    }
}
