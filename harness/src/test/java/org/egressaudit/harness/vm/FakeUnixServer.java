package org.egressaudit.harness.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Test peer: listens on a UNIX socket (optionally only after a delay, like QEMU creating it late), accepts one
 * client and runs a script against it on its own thread. {@link #close()} rethrows whatever the script threw, so
 * assertions made in the script fail the test.
 */
final class FakeUnixServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    interface Script {
        void serve(Peer peer) throws Exception;
    }

    private final Path socket;
    private final Thread thread;
    private volatile ServerSocketChannel server;
    private volatile SocketChannel client;
    private volatile Throwable failure;
    private volatile boolean closing;

    private FakeUnixServer(Path socket, Duration delay, Script script) {
        this.socket = socket;
        this.thread = new Thread(() -> run(delay, script), "fake-unix-server");
        thread.setDaemon(true);
    }

    static FakeUnixServer start(Path socket, Script script) throws IOException {
        return startLater(socket, Duration.ZERO, script);
    }

    /** Creates the socket only after {@code delay}. */
    static FakeUnixServer startLater(Path socket, Duration delay, Script script) throws IOException {
        FakeUnixServer s = new FakeUnixServer(socket, delay, script);
        if (delay.isZero()) {
            s.bind();
        }
        s.thread.start();
        return s;
    }

    private void bind() throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        server = ch;
    }

    private void run(Duration delay, Script script) {
        try {
            if (server == null) {
                Thread.sleep(delay.toMillis());
                bind();
            }
            client = server.accept();
            script.serve(new Peer(client));
        } catch (Throwable t) {
            if (!closing) {
                failure = t;
            }
        }
    }

    /** Waits for the script to end by itself. */
    void awaitScript(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("fake server script still running after " + timeout);
        }
    }

    @Override
    public void close() throws Exception {
        closing = thread.isAlive();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        thread.join(5000);
        Files.deleteIfExists(socket);
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new AssertionError("fake server script failed", failure);
        }
    }

    /** The accepted client, as the script sees it. */
    static final class Peer {
        private final SocketChannel channel;
        private final ByteBuffer in = ByteBuffer.allocate(8192).flip();
        final AtomicInteger sentinelsReceived = new AtomicInteger();

        Peer(SocketChannel channel) {
            this.channel = channel;
        }

        /** Next line from the client, 0xFF bytes counted and dropped; null at end of stream. */
        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                if (!in.hasRemaining()) {
                    in.clear();
                    int n = channel.read(in);
                    in.flip();
                    if (n < 0) {
                        return null;
                    }
                    continue;
                }
                int b = in.get() & 0xFF;
                if (b == 0xFF) {
                    sentinelsReceived.incrementAndGet();
                } else if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                } else {
                    line.write(b);
                }
            }
        }

        /** Next line parsed as a JSON object; null at end of stream. */
        ObjectNode readJson() throws IOException {
            String line = readLine();
            return line == null ? null : (ObjectNode) JSON.readTree(line);
        }

        void send(String line) throws IOException {
            sendRaw((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        void send(JsonNode message) throws IOException {
            send(JSON.writeValueAsString(message));
        }

        void sendRaw(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        void close() throws IOException {
            channel.close();
        }
    }
}
