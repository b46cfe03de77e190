package org.egressaudit.analyzers.protocol.http2;

import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.describeAll;
import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.layers;
import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.root;
import static org.egressaudit.analyzers.protocol.http2.H2TestSupport.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.content.MemoryBudget;
import org.egressaudit.analyzers.protocol.ProtocolContext;
import org.egressaudit.analyzers.protocol.TcpProtocol.Recognition;
import org.egressaudit.analyzers.protocol.Transmission;
import org.junit.jupiter.api.Test;

/**
 * The protocol as the dispatcher uses it: recognition of the preface, then a handler from {@code create} fed a real
 * conversation, recorded from {@code curl --http2-prior-knowledge -F file=@secret.docx http://127.0.0.1:PORT/upload?case=7}
 * (curl 7.88.1 / nghttp2 1.52.0: Huffman strings, dynamic table, SETTINGS, WINDOW_UPDATE, a multipart body in
 * several DATA frames) against a minimal loopback h2c responder.
 */
class Http2ProtocolTest {

    private final Http2Protocol h2 = new Http2Protocol();

    private Recognition recognize(byte[] b) {
        byte[] padded = new byte[b.length + 10];
        System.arraycopy(b, 0, padded, 0, b.length);
        return h2.recognize(H2TestSupport.FLOW, padded, b.length);
    }

    @Test
    void recognisesTheClientPreface() {
        assertEquals("h2", h2.name());
        byte[] preface = H2Wire.PREFACE;
        assertEquals(Recognition.YES, recognize(preface));
        assertEquals(Recognition.YES, recognize(H2Wire.concat(preface, H2Wire.settings())));
        for (int n = 0; n < preface.length; n++) {
            assertEquals(Recognition.NEED_MORE, recognize(H2Wire.slice(preface, 0, n)), "prefix of " + n);
        }
        assertEquals(Recognition.NO, recognize("PRI * HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Recognition.NO, recognize("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Recognition.NO, recognize(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}));
        assertEquals(Recognition.NO, recognize("PRX".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void createsAConnectionHandler() {
        ProtocolContext ctx = new ProtocolContext(new org.egressaudit.analyzers.protocol.RecordingSink(), new MemoryBudget(1024), 128, 16);
        assertInstanceOf(Http2ConnectionHandler.class, h2.create(H2TestSupport.FLOW, true, 0, ctx));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Http2ProtocolTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private H2TestSupport.Conn conn() {
        return new H2TestSupport.Conn(ctx -> h2.create(H2TestSupport.FLOW, true, 0, ctx));
    }

    @Test
    void realCurlUploadIsDecoded() throws IOException {
        byte[] client = resource("curl-upload-client.bin");
        byte[] server = resource("curl-upload-server.bin");
        assertEquals(Recognition.YES, recognize(client));
        H2TestSupport.Conn c = conn().client(client).server(server);
        c.close();
        List<Transmission> up = c.client();
        assertEquals(1, up.size(), describeAll(up).toString());
        Transmission t = up.get(0);
        assertEquals("POST /upload?case=7 (h2 stream 1)", t.summary());
        assertEquals("127.0.0.1", t.destination());
        assertEquals(List.of("http-headers", "http-query", "http-body"), layers(t));
        assertEquals("case=7", text(root(t, "http-query")));
        assertTrue(t.attributes().get("header:user-agent").startsWith("curl/"), t.attributes().toString());
        assertEquals(List.of(), t.notes());
        ContentObject body = root(t, "http-body");
        assertTrue(body.hint("content-type").startsWith("multipart/form-data; boundary="), body.hints().toString());
        assertEquals(Long.parseLong(t.attributes().get("header:content-length")), body.length());
        String bodyText = text(body);
        assertTrue(bodyText.contains("filename=\"secret.docx\""));
        byte[] docx = secretDocx();
        if (docx != null) {
            int at = indexOf(body.toByteArray(), docx);
            assertTrue(at > 0, "the planted document is in the body byte for byte");
        }
        List<Transmission> down = c.server();
        assertEquals(1, down.size());
        assertEquals("HTTP/2 200 (response to POST /upload?case=7, h2 stream 1)", down.get(0).summary());
        assertEquals("stored\n", text(root(down.get(0), "http-response-body")));
    }

    @Test
    void realCurlUploadSplitAtEveryOffset() throws IOException {
        byte[] client = resource("curl-upload-client.bin");
        List<String> whole = describeAll(conn().client(client).close());
        for (int cut = 1; cut < client.length; cut++) {
            List<String> split = describeAll(conn().client(H2Wire.slice(client, 0, cut),
                    H2Wire.slice(client, cut, client.length)).close());
            assertEquals(whole, split, "split at " + cut);
        }
    }

    /** The corpus file the recording uploaded, when the repository checkout has it. */
    private static byte[] secretDocx() throws IOException {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("scenarios/corpora/basic/Documents/secret.docx");
            if (Files.isRegularFile(f)) {
                return Files.readAllBytes(f);
            }
        }
        return null;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
