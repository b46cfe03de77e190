package org.egressaudit.analyzers.decode;

import static org.egressaudit.analyzers.decode.DecodeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.egressaudit.analyzers.content.ContentObject;
import org.junit.jupiter.api.Test;

class MultipartAndFormDecoderTest {
    private static final String CT = "multipart/form-data; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"";
    private static final String B = "------WebKitFormBoundary7MA4YWxkTrZu0gW";

    private static byte[] upload(byte[] file, String encodedPart) {
        String head = "preamble to ignore\r\n" + B + "\r\n"
                + "Content-Disposition: form-data; name=\"meta\"\r\n\r\n"
                + "{\"host\":\"ws-17\"}\r\n" + B + "\r\n"
                + "Content-Disposition: form-data; name=\"sample\"; filename=\"Q3 plan.docx\"\r\n"
                + "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\n\r\n";
        String mid = "\r\n" + B + "\r\n"
                + "Content-Disposition: form-data; name=\"blob\"; filename*=UTF-8''r%C3%A9sum%C3%A9.bin\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + encodedPart + "\r\n" + B + "--\r\nepilogue";
        byte[] h = ascii(head);
        byte[] m = utf8(mid);
        byte[] all = new byte[h.length + file.length + m.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(file, 0, all, h.length, file.length);
        System.arraycopy(m, 0, all, h.length + file.length, m.length);
        return all;
    }

    @Test
    void partsAreNamedAndTransferEncodingUndone() {
        byte[] doc = docx();
        byte[] blob = random(3000, 1);
        String b64 = Base64.getMimeEncoder().encodeToString(blob);
        ContentObject o = root(upload(doc, b64), Map.of("content-type", CT));
        MultipartDecoder d = new MultipartDecoder();
        assertTrue(d.accepts(o));
        d.decode(o, ctx());
        List<String> names = o.children().stream().map(ContentObject::name).toList();
        assertEquals(List.of("meta", "Q3 plan.docx", "résumé.bin"), names);
        assertEquals("{\"host\":\"ws-17\"}", new String(o.children().get(0).toByteArray()));
        ContentObject file = o.children().get(1);
        assertArrayEquals(doc, file.toByteArray());
        assertTrue(file.parentOffset() > 0, "raw parts are slices");
        assertTrue(file.hint("content-type").startsWith("application/vnd.openxmlformats"));
        assertArrayEquals(blob, o.children().get(2).toByteArray());
        assertTrue(o.notes().isEmpty(), o.notes().toString());
    }

    @Test
    void quotedPrintablePart() {
        String body = "--xyz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "Caf=C3=A9 planning memo, line one that is long =\r\nand continues=3D here\r\n--xyz--\r\n";
        ContentObject o = root(utf8(body), Map.of("content-type", "multipart/mixed; boundary=xyz"));
        new MultipartDecoder().decode(o, ctx());
        assertEquals("Café planning memo, line one that is long and continues= here",
                new String(o.children().get(0).toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void missingClosingBoundaryKeepsTheLastPartTruncated() {
        byte[] full = upload(text(5000), "AAAA");
        int cut = new String(full, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("line 40 ");
        ContentObject o = root(Arrays.copyOf(full, cut), Map.of("content-type", CT));
        new MultipartDecoder().decode(o, ctx());
        assertEquals(2, o.children().size());
        ContentObject last = o.children().get(1);
        assertTrue(last.truncated());
        assertEquals("Q3 plan.docx", last.name());
        assertTrue(anyNoteStartsWith(o, "corrupt: multipart closing boundary missing"), o.notes().toString());
    }

    @Test
    void everyPrefixIsSafe() {
        byte[] full = upload(text(300), Base64.getEncoder().encodeToString(random(200, 2)));
        for (int cut = 0; cut <= full.length; cut++) {
            ContentObject o = root(Arrays.copyOf(full, cut), Map.of("content-type", CT));
            new MultipartDecoder().decode(o, ctx());
            for (ContentObject c : o.children()) {
                assertTrue(c.length() <= cut);
            }
        }
    }

    @Test
    void boundaryNotFoundIsNoted() {
        ContentObject o = root(ascii("no parts in here at all"), Map.of("content-type", "multipart/form-data; boundary=abc"));
        new MultipartDecoder().decode(o, ctx());
        assertTrue(o.children().isEmpty());
        assertTrue(anyNoteStartsWith(o, "corrupt: multipart boundary not found"));
    }

    @Test
    void notAcceptedWithoutBoundary() {
        assertFalse(new MultipartDecoder().accepts(root(ascii("x"), Map.of("content-type", "multipart/form-data"))));
        assertFalse(new MultipartDecoder().accepts(root(ascii("x"), Map.of("content-type", "text/plain"))));
    }

    @Test
    void formFieldsArePercentDecodedAndNamed() {
        String body = "user=alice&q=quarterly+planning+memo%21&empty=&x=ab&data=SGVsbG8lMjB3b3JsZA%3D%3D&bare-token";
        ContentObject o = root(ascii(body), Map.of("content-type", "application/x-www-form-urlencoded; charset=UTF-8"));
        FormUrlEncodedDecoder d = new FormUrlEncodedDecoder();
        assertTrue(d.accepts(o));
        d.decode(o, ctx());
        List<String> names = o.children().stream().map(ContentObject::name).toList();
        assertEquals(Arrays.asList("user", "q", "data", null), names);
        assertEquals("alice", new String(o.children().get(0).toByteArray()));
        assertTrue(o.children().get(0).parentOffset() >= 0, "unescaped values are slices");
        assertEquals("quarterly planning memo!", new String(o.children().get(1).toByteArray()));
        assertEquals("SGVsbG8lMjB3b3JsZA==", new String(o.children().get(2).toByteArray()));
    }

    @Test
    void formDoesNotSplitABinaryFileUploadedWithTheDefaultFormLabel() {
        // curl --data-binary @file and wget --post-file label any file application/x-www-form-urlencoded.
        byte[] binary = random(8192, 7);
        binary[10] = '&';
        binary[20] = '=';
        ContentObject o = root(binary, Map.of("content-type", "application/x-www-form-urlencoded"));
        assertFalse(new FormUrlEncodedDecoder().accepts(o));
        assertTrue(new FormUrlEncodedDecoder().accepts(root(ascii("a=1&b=two%20words"),
                Map.of("content-type", "application/x-www-form-urlencoded"))));
    }

    @Test
    void formDoesNotSplitMislabelledJson() {
        ContentObject o = root(ascii("{\"a\":\"b&c=d\"}"), Map.of("content-type", "application/x-www-form-urlencoded"));
        assertFalse(new FormUrlEncodedDecoder().accepts(o));
    }
}
