package org.egressaudit.harness.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.egressaudit.analyzers.engine.Finding;
import org.egressaudit.analyzers.engine.FindingKind;
import org.egressaudit.analyzers.policy.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StraceParserTest {

    @Test
    void successfulOpensAreReadAndSplitCallsJoined(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("files.trace");
        Files.writeString(trace, String.join("\n",
                "812   1763881263.123456 openat(AT_FDCWD, \"/home/user/Documents/secret.docx\", O_RDONLY|O_CLOEXEC) = 3",
                "812   1763881263.200000 openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)",
                "813   1763881263.300000 openat(AT_FDCWD, \"/home/user/Documents/memo.txt\", O_RDONLY <unfinished ...>",
                "814   1763881263.300100 open(\"/tmp/out\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4",
                "813   1763881263.300200 <... openat resumed>) = 5",
                "815   1763881263.400000 openat(AT_FDCWD, \"/home/user/odd\\x20name\", O_RDONLY) = 6",
                "812   1763881264.000000 +++ exited with 0 +++",
                "garbage line",
                ""));
        StraceParser.Trace t = StraceParser.parse(trace);
        assertEquals(4, t.accesses().size(), t.accesses().toString());
        FileAccess first = t.accesses().get(0);
        assertEquals(812, first.pid());
        assertEquals("/home/user/Documents/secret.docx", first.path());
        assertEquals(1763881263_123456000L, first.timestampNanos());
        assertFalse(first.write());
        assertTrue(t.accesses().get(1).write(), "O_CREAT is a write");
        FileAccess resumed = t.accesses().get(2);
        assertEquals("/home/user/Documents/memo.txt", resumed.path());
        assertEquals(1763881263_300000000L, resumed.timestampNanos(), "time of the call, not of its return");
        assertEquals("/home/user/odd name", t.accesses().get(3).path());
        assertEquals(1, t.unparsedLines());
    }

    @Test
    void findingsAreTiedToTheLastReadBeforeTheyLeft() {
        FileAccess early = new FileAccess(1_000_000_000L, 7, "/home/user/Documents/secret.docx", false);
        FileAccess later = new FileAccess(3_000_000_000L, 9, "/home/user/Documents/secret.docx", false);
        FileAccess after = new FileAccess(9_000_000_000L, 9, "/home/user/Documents/secret.docx", false);
        List<FileActivity.PlantedRead> reads = FileActivity.plantedReads(List.of(after, early, later,
                new FileAccess(2_000_000_000L, 7, "/etc/passwd", false)), Set.of("home/user/Documents/secret.docx"));
        assertEquals(3, reads.size(), "only planted files, in time order");
        Finding f = new Finding(4, FindingKind.WHOLE, Verdict.FAIL, "home/user/Documents/secret.docx", null, null, 1,
                "tcp a -> b", "http", "cloud.vendor.example", "POST /x", 5_000_000_000L, 5_000_000_000L, List.of(),
                List.of(), 13920, "d", null);
        List<FileActivity.Correlation> c = FileActivity.correlate(reads, List.of(f));
        assertEquals(1, c.size());
        assertEquals(9, c.get(0).pid(), "the last read before the upload");
        assertTrue(c.get(0).sentence().startsWith("the agent read home/user/Documents/secret.docx at "
                + "1970-01-01T00:00:03Z (pid 9) and 2.0 s later sent 13,920 bytes matching it (whole) to "
                + "cloud.vendor.example: not allowed"), c.get(0).sentence());
    }
}
