package org.egressaudit.harness.network;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Hand-built DNS messages for tests: a query encoder and a response parser independent of Netty's codec. */
final class DnsWire {
    static final int A = 1;
    static final int TXT = 16;
    static final int AAAA = 28;

    record Answer(String name, int type, int ttl, byte[] data) {
    }

    record Response(int id, boolean qr, int rcode, boolean recursionAvailable, List<String> questions,
                    List<Answer> answers) {
    }

    private DnsWire() {
    }

    static byte[] query(int id, String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.write(0x01); // RD
        out.write(0x00);
        out.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0}); // 1 question
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            out.write(l.length);
            out.writeBytes(l);
        }
        out.write(0);
        out.write(type >> 8);
        out.write(type);
        out.write(0);
        out.write(1); // IN
        return out.toByteArray();
    }

    static Response parse(byte[] msg, int length) {
        ByteBuffer b = ByteBuffer.wrap(msg, 0, length);
        int id = b.getShort() & 0xffff;
        int flags = b.getShort() & 0xffff;
        int qd = b.getShort() & 0xffff;
        int an = b.getShort() & 0xffff;
        b.getShort();
        b.getShort();
        List<String> questions = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            String n = name(msg, b);
            int type = b.getShort() & 0xffff;
            b.getShort();
            questions.add(n + "/" + type);
        }
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            String n = name(msg, b);
            int type = b.getShort() & 0xffff;
            b.getShort();
            int ttl = b.getInt();
            byte[] data = new byte[b.getShort() & 0xffff];
            b.get(data);
            answers.add(new Answer(n, type, ttl, data));
        }
        return new Response(id, (flags & 0x8000) != 0, flags & 0xf, (flags & 0x80) != 0, questions, answers);
    }

    private static String name(byte[] msg, ByteBuffer b) {
        StringBuilder s = new StringBuilder();
        int pos = b.position();
        boolean jumped = false;
        while (true) {
            int len = msg[pos] & 0xff;
            if ((len & 0xc0) == 0xc0) {
                int target = ((len & 0x3f) << 8) | (msg[pos + 1] & 0xff);
                if (!jumped) {
                    b.position(pos + 2);
                }
                jumped = true;
                pos = target;
                continue;
            }
            pos++;
            if (len == 0) {
                break;
            }
            if (s.length() > 0) {
                s.append('.');
            }
            s.append(new String(msg, pos, len, StandardCharsets.US_ASCII));
            pos += len;
        }
        if (!jumped) {
            b.position(pos);
        }
        return s.toString();
    }
}
