package org.egressaudit.harness.differential;

/** Which corpus a run of a differential planted. */
public enum RunLabel {
    /** The scenario's corpus as planted. */
    CONTROL,
    /** The variant corpus: private files absent or resized. */
    VARIANT;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
