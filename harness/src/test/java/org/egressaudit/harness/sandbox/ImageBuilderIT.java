package org.egressaudit.harness.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.egressaudit.harness.exec.HostCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

class ImageBuilderIT {

    /** An image already present under the content tag is reused: debootstrap is never run. */
    @Test
    void reusesAnImageWithTheSameContentTag() {
        List<String> packages = List.of("cache-probe-" + Long.toHexString(System.nanoTime()));
        // tagLatest(false): the shared :latest tag is left alone
        ImageBuilder builder = new ImageBuilder().debootstrapCommand("/nonexistent/debootstrap").tagLatest(false);
        String image = builder.imageFor(packages);
        assertFalse(builder.imageExists(image));
        HostCommand.of("docker", "tag", TestImages.sandboxImage(), image).runChecked();
        try {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            ImageBuilder.BuildResult r = builder.log(log).build(packages);
            assertTrue(r.cached());
            assertEquals(image, r.image());
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("reusing"));
        } finally {
            HostCommand.of("docker", "rmi", image).run();
        }
    }

    /** A real debootstrap from the Debian mirror (about a minute); run with EGRESS_AUDIT_IT_IMAGE_BUILD=true. */
    @Test
    @EnabledIfEnvironmentVariable(named = "EGRESS_AUDIT_IT_IMAGE_BUILD", matches = "true")
    void buildsARealImageOnceThenReusesIt() {
        ImageBuilder builder = new ImageBuilder().log(System.err).tagLatest(false);
        List<String> packages = List.of("netcat-openbsd");
        String image = builder.imageFor(packages);
        HostCommand.of("docker", "rmi", image).run();
        ImageBuilder.BuildResult first = builder.build(packages);
        assertFalse(first.cached());
        assertTrue(builder.imageExists(image));
        String out = HostCommand.of("docker", "run", "--rm", "--network", "none", image, "sh", "-c",
                "command -v nc strace ip && test -s /etc/ssl/certs/ca-certificates.crt && echo fine")
                .runChecked().stdoutText();
        assertTrue(out.endsWith("fine\n"), out);
        assertTrue(builder.build(packages).cached());
        HostCommand.of("docker", "rmi", image).run();
    }
}
