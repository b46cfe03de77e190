package org.egressaudit.harness.corpus;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small, plausible proprietary source tree (C, Python, Java): what a developer's machine holds. */
final class SourceTree {
    private SourceTree() {
    }

    static Map<String, byte[]> files() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("collector/src/main.c", """
                #include <stdio.h>
                #include <string.h>
                #include "checksum.h"

                /* Telemetry collector, internal build. Proprietary: do not distribute. */
                int main(int argc, char **argv) {
                    for (int i = 1; i < argc; i++) {
                        printf("%s %08x\\n", argv[i], checksum(argv[i], strlen(argv[i])));
                    }
                    return 0;
                }
                """.getBytes(StandardCharsets.UTF_8));
        m.put("collector/src/checksum.h", """
                #ifndef CHECKSUM_H
                #define CHECKSUM_H
                #include <stddef.h>

                unsigned int checksum(const char *data, size_t len);

                #endif
                """.getBytes(StandardCharsets.UTF_8));
        m.put("collector/src/checksum.c", """
                #include "checksum.h"

                /* FNV-1a, as the upload protocol expects. */
                unsigned int checksum(const char *data, size_t len) {
                    unsigned int h = 2166136261u;
                    for (size_t i = 0; i < len; i++) {
                        h ^= (unsigned char) data[i];
                        h *= 16777619u;
                    }
                    return h;
                }
                """.getBytes(StandardCharsets.UTF_8));
        m.put("collector/tools/rotate_keys.py", """
                \"\"\"Rotates the collector's upload keys. Internal.\"\"\"
                import os
                import secrets


                def rotate(path):
                    key = secrets.token_hex(32)
                    with open(path, "w") as f:
                        f.write(key)
                    os.chmod(path, 0o600)
                    return key


                if __name__ == "__main__":
                    rotate("/etc/collector/upload.key")
                """.getBytes(StandardCharsets.UTF_8));
        m.put("collector/java/Uploader.java", """
                package example.collector;

                import java.net.URI;
                import java.net.http.HttpClient;
                import java.net.http.HttpRequest;
                import java.net.http.HttpResponse;

                /** Sends collected records to the internal endpoint. */
                public final class Uploader {
                    private static final URI ENDPOINT = URI.create("https://collector.internal.example/v1/records");

                    public static int upload(byte[] records) throws Exception {
                        HttpRequest req = HttpRequest.newBuilder(ENDPOINT)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(records)).build();
                        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                    }
                }
                """.getBytes(StandardCharsets.UTF_8));
        return m;
    }
}
