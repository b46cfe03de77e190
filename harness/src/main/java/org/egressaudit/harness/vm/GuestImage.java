package org.egressaudit.harness.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A Linux guest made by {@link GuestImageBuilder}, ready for QEMU direct kernel boot:
 * {@code -kernel kernel -initrd initrd -append append} with {@code disk} as the first virtio disk.
 *
 * <p>{@code disk} is the shared cached image: boot a throw-away overlay on top of it
 * ({@code qemu-img create -f qcow2 -b disk -F qcow2 overlay.qcow2}), never the image itself, or the next run starts
 * from whatever the previous guest left behind.
 *
 * @param disk          qcow2 image of the root file system (ext4, no partition table)
 * @param kernel        the kernel to pass to {@code -kernel} (a copy of the host's)
 * @param initrd        the initrd to pass to {@code -initrd} (a copy of the host's)
 * @param append        the kernel command line to pass to {@code -append}
 * @param kernelVersion the version of {@code kernel}, whose modules are in the image
 * @param cached        whether an earlier build was reused
 * @param elapsed       how long {@link GuestImageBuilder#build} took
 */
public record GuestImage(Path disk, Path kernel, Path initrd, String append, String kernelVersion, boolean cached,
                         Duration elapsed) {

    /**
     * Root on the first virtio disk (no partition table), our init as pid 1, the network card keeps the name eth0
     * (the initrd's udev would rename it ens2), IPv4 only like the containers (no router solicitations or MLD in
     * the capture), reboot at once on a panic (exit with QEMU's {@code -no-reboot}).
     */
    public static final String APPEND = "console=ttyS0 root=/dev/vda rw init=" + GuestScripts.INIT_PATH
            + " net.ifnames=0 ipv6.disable=1 quiet panic=-1";

    public GuestImage {
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(append, "append");
        Objects.requireNonNull(kernelVersion, "kernelVersion");
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
