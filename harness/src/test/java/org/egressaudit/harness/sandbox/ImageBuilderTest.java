package org.egressaudit.harness.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.testcontainers.utility.TestcontainersConfiguration;

class ImageBuilderTest {

    @Test
    void packageSetIsSortedDedupedAndIncludesTheBase() {
        assertEquals(List.of("ca-certificates", "curl", "iproute2", "strace"),
                new ImageBuilder().packageSet(List.of("curl", " strace ", "curl", "")));
    }

    @Test
    void tagDependsOnContentNotOrder() {
        ImageBuilder b = new ImageBuilder();
        assertEquals(b.imageFor(List.of("curl", "python3")), b.imageFor(List.of("python3", "curl", "curl")));
        assertNotEquals(b.imageFor(List.of("curl")), b.imageFor(List.of("curl", "python3")));
        assertNotEquals(b.imageFor(List.of("curl")), new ImageBuilder().suite("trixie").imageFor(List.of("curl")));
        assertTrue(b.imageFor(List.of()).matches("egress-audit/base:bookworm-[0-9a-f]{16}"), b.imageFor(List.of()));
    }

    @Test
    void rejectsBadInput() {
        ImageBuilder b = new ImageBuilder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.packageSet(List.of("curl", "--allow-unauthenticated")));
        assertTrue(e.getMessage().contains("--allow-unauthenticated"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.packageSet(List.of("Curl")));
        assertThrows(IllegalArgumentException.class, () -> b.suite("../x"));
        assertThrows(IllegalArgumentException.class, () -> b.mirror("ftp://example.invalid/debian"));
        assertThrows(IllegalArgumentException.class, () -> b.mirror("not a url"));
    }

    @Test
    void ryukMustBeDisabledThroughTheEnvironment() {
        TestcontainersSettings.apply();
        TestcontainersConfiguration config = TestcontainersConfiguration.getInstance();
        List<String> p = TestcontainersSettings.problems(Map.of(), config, false);
        assertTrue(p.stream().anyMatch(s -> s.contains("export TESTCONTAINERS_RYUK_DISABLED=true")), p.toString());
        // apply() and the harness's classpath testcontainers.properties provide the rest
        assertEquals(List.of(), TestcontainersSettings.problems(Map.of("TESTCONTAINERS_RYUK_DISABLED", "true"), config,
                false));
        // inside a container the Docker host address lookup must be short-cut as well
        List<String> inContainer = TestcontainersSettings.problems(Map.of("TESTCONTAINERS_RYUK_DISABLED", "true"),
                config, true);
        assertTrue(inContainer.size() == 1 && inContainer.get(0).contains("TESTCONTAINERS_HOST_OVERRIDE=localhost"),
                inContainer.toString());
        assertEquals(List.of(), TestcontainersSettings.problems(Map.of("TESTCONTAINERS_RYUK_DISABLED", "true",
                "TESTCONTAINERS_HOST_OVERRIDE", "localhost"), config, true));
    }

    @Test
    void comparesDottedVersions() {
        assertTrue(DockerEnvironment.compareVersions("1.41", "1.9") > 0);
        assertEquals(0, DockerEnvironment.compareVersions("1.41", "1.41.0"));
        assertTrue(DockerEnvironment.compareVersions("1.40", "1.41") < 0);
    }
}
