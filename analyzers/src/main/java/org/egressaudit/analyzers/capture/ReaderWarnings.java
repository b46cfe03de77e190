package org.egressaudit.analyzers.capture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Warning texts of a reader, bounded in number; every warning is counted. */
final class ReaderWarnings {
    private final List<String> texts = new ArrayList<>();
    private final int max;
    private long count;

    ReaderWarnings(int max) {
        this.max = max;
    }

    void add(String text) {
        count++;
        if (texts.size() < max) {
            texts.add(text);
        }
    }

    List<String> list() {
        return Collections.unmodifiableList(texts);
    }

    long count() {
        return count;
    }

    /** Warns when the decoder will not understand this link type, so its packets will be skipped. */
    void checkLinkType(String where, int linkType) {
        if (LinkType.name(linkType).startsWith("LINKTYPE_")) {
            add(where + ": link type " + linkType + " is not decoded; its packets will be skipped");
        }
    }
}
