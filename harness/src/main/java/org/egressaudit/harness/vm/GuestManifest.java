package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * {@code guest.json} of a cached guest folder: what went into the image, so a cached guest can be described
 * without rebuilding it, and a person looking at the cache can tell the folders apart.
 */
record GuestManifest(int format, String kernelVersion, String append, List<String> packages, String baseImage,
                     String imageId, String created) {
    static final String FILE = "guest.json";
    /** guest.json is written by us, but the cache folder is shared: refuse to parse anything huge. */
    private static final long MAX_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    GuestManifest {
        Objects.requireNonNull(kernelVersion, "kernelVersion");
        Objects.requireNonNull(append, "append");
        packages = List.copyOf(packages);
    }

    void write(Path folder) throws IOException {
        JSON.writeValue(folder.resolve(FILE).toFile(), this);
    }

    /** The manifest of {@code folder}; IOException when missing, too large or not a manifest. */
    static GuestManifest read(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new IOException(file + " is " + size + " bytes, not a guest manifest");
        }
        try {
            GuestManifest m = JSON.readValue(Files.readAllBytes(file), GuestManifest.class);
            if (m.kernelVersion() == null || !HostKernel.VERSION.matcher(m.kernelVersion()).matches()) {
                throw new IOException(file + " names no valid kernel version");
            }
            return m;
        } catch (RuntimeException | com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + " is not a guest manifest: " + e.getMessage(), e);
        }
    }
}
