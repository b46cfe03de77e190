package org.egressaudit.harness.vm;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Parses and writes the one-object-per-line JSON of QMP and qemu-ga. */
final class JsonMessages {
    private final ObjectMapper mapper;

    /** @param maxStringChars longest JSON string accepted (base64 file data and exec output can be megabytes) */
    JsonMessages(int maxStringChars) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(maxStringChars)
                        .maxNestingDepth(64) // nothing in either protocol nests deeper; a hostile guest might
                        .build())
                .build();
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    byte[] write(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e); // cannot happen for trees
        }
    }

    /**
     * @return the message as an object
     * @throws IOException with the first 200 characters of the line if it is not one JSON object
     */
    ObjectNode parse(byte[] line) throws IOException {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (IOException e) {
            throw new IOException("malformed JSON: " + UnixLineChannel.excerpt(line), e);
        }
        if (!(node instanceof ObjectNode o)) {
            throw new IOException("not a JSON object: " + UnixLineChannel.excerpt(line));
        }
        return o;
    }
}
