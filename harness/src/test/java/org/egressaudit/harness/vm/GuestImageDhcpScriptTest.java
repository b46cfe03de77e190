package org.egressaudit.harness.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.egressaudit.harness.exec.HostCommand;
import org.egressaudit.harness.exec.HostCommandResult;
import org.egressaudit.harness.sandbox.DockerEnvironment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the guest's udhcpc event script on the host, in private network and mount namespaces (a veth pair,
 * a tmpfs over /etc, a file over /dev/console), with the variables udhcpc sets for a lease: the address, the
 * default route and resolv.conf must be applied. Needs root (unshare).
 */
class GuestImageDhcpScriptTest {

    @Test
    void appliesALeaseWithRouterAndDns(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(DockerEnvironment.isRoot(), "needs root for unshare");
        Path script = tmp.resolve("dhcp");
        Files.writeString(script, GuestScripts.DHCP);
        Path console = Files.writeString(tmp.resolve("console"), "");
        String inside = String.join("\n",
                "set -e",
                "mount --make-rprivate /",
                "mount -t tmpfs none /etc",
                "mount --bind \"$2\" /dev/console",
                "ip link add eth0 type veth peer name peer0",
                "ip link set peer0 up && ip link set eth0 up",
                "interface=eth0 ip=192.0.2.15 mask=24 broadcast=192.0.2.255 router='192.0.2.1 192.0.2.9'"
                        + " dns='192.0.2.53 192.0.2.54' domain=example.test sh \"$1\" bound",
                "ip -4 -o addr show dev eth0 | sed -n 's/.* inet \\([^ ]*\\) .*/\\1/p'",
                "ip -4 route show default",
                "cat /etc/resolv.conf",
                "interface=eth0 sh \"$1\" deconfig",
                "echo after-deconfig: $(ip -4 -o addr show dev eth0 | wc -l)");
        HostCommandResult r = HostCommand.of("unshare", "--net", "--mount", "sh", "-c", inside, "sh",
                script.toString(), console.toString()).timeout(Duration.ofSeconds(30)).runChecked();
        assertEquals(String.join("\n",
                "192.0.2.15/24",
                "default via 192.0.2.1 dev eth0 ",
                "search example.test",
                "nameserver 192.0.2.53",
                "nameserver 192.0.2.54",
                "after-deconfig: 0",
                ""), r.stdoutText());
        assertTrue(Files.readString(console).contains(GuestScripts.LOG_PREFIX
                + " dhcp: bound eth0 192.0.2.15/24 router 192.0.2.1 192.0.2.9 dns 192.0.2.53 192.0.2.54"),
                Files.readString(console));
    }

    @Test
    void refusesALeaseWithoutAddress(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(DockerEnvironment.isRoot(), "needs root for unshare");
        Path script = Files.writeString(tmp.resolve("dhcp"), GuestScripts.DHCP);
        Path console = Files.writeString(tmp.resolve("console"), "");
        HostCommandResult r = HostCommand.of("unshare", "--net", "--mount", "sh", "-c",
                "mount --make-rprivate / && mount -t tmpfs none /etc && mount --bind \"$2\" /dev/console"
                        + " && ip link add eth0 type veth peer name peer0 && interface=eth0 mask=24 sh \"$1\" bound",
                "sh", script.toString(), console.toString()).timeout(Duration.ofSeconds(30)).run();
        assertEquals(1, r.exitCode(), r.outputTail(500));
        assertTrue(Files.readString(console).contains("bound without address or mask on eth0"));
    }
}
