package org.egressaudit.analyzers.engine;

import java.util.List;
import org.egressaudit.analyzers.content.ContentObject;
import org.egressaudit.analyzers.detect.ScanResult;

/** A decode-tree node with what the scanner found in it. */
public record ObjectAnalysis(ContentObject object, ScanResult scan) {

    public List<org.egressaudit.analyzers.detect.Match> matches() {
        return scan.matches();
    }
}
