package org.egressaudit.harness.vm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The programs {@link GuestImageBuilder} installs into the guest: an init for pid 1 (the guest has no init system
 * and no udev), the udhcpc event script, a {@code /sbin/shutdown} for qemu-ga's {@code guest-shutdown}, and the
 * busybox acpid action for the ACPI power button (QMP {@code system_powerdown}). Their text is part of the cache
 * key, so editing a script here rebuilds the guest image.
 */
final class GuestScripts {
    /** Every line the init and its helpers write to the serial console starts with this. */
    static final String LOG_PREFIX = "egress-audit-init:";
    static final String INIT_PATH = "/sbin/egress-audit-init";
    static final String DHCP_PATH = "/usr/local/sbin/egress-audit-dhcp";
    /** qemu-ga's guest-shutdown executes exactly this path ({@code shutdown -h -P|-H|-r +0 message}). */
    static final String SHUTDOWN_PATH = "/sbin/shutdown";
    /** busybox acpid runs {@code <confdir>/PWRF/00000080} when the power button is pressed. */
    static final String ACPI_POWER_PATH = "/etc/acpi/PWRF/00000080";
    /** Written by the init: {@code up <address/prefix>}, {@code failed} or {@code none} (no eth0). */
    static final String NETWORK_STATUS_PATH = "/run/egress-audit/network";

    static final String INIT = """
            #!/bin/sh
            # egress-audit guest init, started by the kernel as pid 1 (init=%1$s). The guest has no init system and
            # no udev: this mounts the API file systems, configures the network card by DHCP, keeps the QEMU guest agent running
            # (or runs the harness's boot script from a data disk) and reaps orphans (pid 1 inherits them). Every step is logged on the console with the prefix %2$s
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            export PATH
            umask 022

            log() { echo "%2$s $*"; }

            # signals busybox poweroff/halt/reboot (without -f) and Ctrl-Alt-Del send to pid 1
            trap '%3$s -h -P now' USR2 TERM
            trap '%3$s -h -H now' USR1
            trap '%3$s -r now' INT

            # the initramfs usually moved /proc, /sys, /dev and /run here already
            mnt() { # type mountpoint options
                mountpoint -q "$2" && return 0
                mkdir -p "$2"
                mount -t "$1" -o "$3" "$1" "$2" || log "cannot mount $1 on $2"
            }
            mnt proc /proc nosuid,nodev,noexec
            mnt sysfs /sys nosuid,nodev,noexec
            mnt devtmpfs /dev mode=0755,nosuid
            mnt devpts /dev/pts mode=0620,gid=5,nosuid,noexec
            mnt tmpfs /dev/shm mode=1777,nosuid,nodev
            mnt tmpfs /run mode=0755,nosuid,nodev
            mnt tmpfs /tmp mode=1777,nosuid,nodev
            mkdir -p /run/egress-audit /run/lock
            log "file systems mounted"

            echo sandbox > /proc/sys/kernel/hostname
            for m in virtio_net virtio_console button evdev; do
                modprobe "$m" || log "modprobe $m failed"
            done
            log "modules loaded"

            # whether a virtio device of this type is present (1 network card, 3 console)
            has_virtio() {
                for d in /sys/bus/virtio/devices/*; do
                    [ "$(cat "$d/device" 2>/dev/null)" = "$1" ] && return 0
                done
                return 1
            }
            # waits up to 10 s for a driver to register its device (few forks: they are slow under TCG)
            await() {
                i=0
                while [ $i -lt 50 ]; do
                    eval "$1" && return 0
                    sleep 0.2
                    i=$((i + 1))
                done
                return 1
            }
            # the network card: eth0 (net.ifnames=0 keeps the initramfs's udev from renaming it), else the first
            # interface backed by a device
            nic=
            find_nic() {
                for n in /sys/class/net/eth0 /sys/class/net/*; do
                    n=${n##*/}
                    if [ "$n" != lo ] && [ -e "/sys/class/net/$n/device" ]; then
                        nic=$n
                        return 0
                    fi
                done
                return 1
            }

            ip link set lo up
            if has_virtio 0x0001 && await find_nic; then
                ip link set "$nic" up
                log "DHCP on $nic"
                if busybox udhcpc -i "$nic" -q -n -t 20 -T 1 -s %4$s; then
                    log "network up: $(ip -4 -br addr show dev "$nic")"
                    echo "up $(ip -4 -o addr show dev "$nic" | sed -n 's/.* inet \\([^ ]*\\) .*/\\1/p')" > %5$s
                else
                    log "DHCP on $nic failed: network left unconfigured"
                    echo failed > %5$s
                fi
            else
                log "no network card: network left down"
                echo none > %5$s
            fi

            # ACPI power button (QMP system_powerdown): busybox acpid reads /dev/input/event* and runs %6$s
            busybox acpid -f -c /etc/acpi -l /run/egress-audit/acpid.log -p /run/acpid.pid &
            log "acpid started"

            # without a guest agent the harness passes %7$s and a data disk holding a boot script
            # (BootScript): the script is copied off the disk (it mounts the disk itself, rw) and run instead
            boot_script=
            case " $(cat /proc/cmdline) " in
            *" %7$s "*)
            %8$s
                if await 'find_data_disk %9$s || find_data_disk %10$s'; then
                    mkdir -p /run/egress-audit/probe
                    if mount -o ro "$data_dev" /run/egress-audit/probe 2>/dev/null \
                            || { modprobe vfat; mount -o ro "$data_dev" /run/egress-audit/probe; }; then
                        cp /run/egress-audit/probe/%11$s /run/egress-audit/boot-script.sh 2>/dev/null \
                            && boot_script=/run/egress-audit/boot-script.sh
                        umount /run/egress-audit/probe
                    fi
                fi
                [ -n "$boot_script" ] || log "%7$s given, but no data disk holds %11$s: starting the guest agent"
                ;;
            esac

            # no udev, so no /dev/virtio-ports links: find the agent's port by its name
            port=
            find_port() {
                for p in /sys/class/virtio-ports/*; do
                    [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=/dev/$(basename "$p")
                done
                [ -n "$port" ] && [ -e "$port" ]
            }
            if [ -n "$boot_script" ]; then
                log "running the boot script from $data_dev instead of the guest agent"
                sh "$boot_script" > /dev/console 2>&1 < /dev/null &
            elif has_virtio 0x0003 && await find_port; then
                (
                    while :; do
                        log "starting qemu-ga on $port"
                        qemu-ga -m virtio-serial -p "$port"
                        log "qemu-ga exited with status $?, restarting"
                        sleep 1
                    done
                ) &
            else
                log "no org.qemu.guest_agent.0 port: guest agent not started"
            fi
            log "ready"

            # pid 1 must never exit (the kernel panics) and must reap the orphans it inherits: wait blocks in
            # waitpid(-1) while the background jobs above live, which reaps every child
            while :; do
                wait
                sleep 1
            done
            """.formatted(INIT_PATH, LOG_PREFIX, SHUTDOWN_PATH, DHCP_PATH, NETWORK_STATUS_PATH, ACPI_POWER_PATH,
            BootScript.KERNEL_FLAG, BootScript.FIND_DISK, DataDisk.LABEL, DataDisk.FAT_LABEL, BootScript.SCRIPT);

    static final String DHCP = """
            #!/bin/sh
            # busybox udhcpc event script (-s): applies the lease on $interface with ip(8), writes /etc/resolv.conf.
            log() { echo "%1$s dhcp: $*" > /dev/console; }
            event=$1
            case "$event" in
            deconfig)
                ip -4 addr flush dev "$interface"
                ip link set "$interface" up
                ;;
            bound|renew)
                if [ -z "$ip" ] || [ -z "$mask" ]; then
                    log "$event without address or mask on $interface"
                    exit 1
                fi
                ip -4 addr flush dev "$interface"
                ip addr add "$ip/$mask" ${broadcast:+broadcast "$broadcast"} dev "$interface" || exit 1
                if [ -n "$router" ]; then
                    set -- $router
                    ip route replace default via "$1" dev "$interface" || log "cannot add default route via $1"
                fi
                tmp=/etc/resolv.conf.dhcp.$$
                {
                    [ -n "$domain" ] && echo "search $domain"
                    for s in $dns; do echo "nameserver $s"; done
                } > "$tmp" && mv -f "$tmp" /etc/resolv.conf
                log "$event $interface $ip/$mask router ${router:-none} dns ${dns:-none}"
                ;;
            leasefail|nak)
                log "$event on $interface ${message:-}"
                ;;
            esac
            exit 0
            """.formatted(LOG_PREFIX);

    static final String SHUTDOWN = """
            #!/bin/sh
            # Stands in for the init system's shutdown, which this guest does not have. qemu-ga's guest-shutdown runs
            # "/sbin/shutdown -h -P|-H|-r +0 message"; the init's signal traps and the ACPI power button use it too.
            # Syncs, then powers off (or halts, reboots) through the kernel at once.
            action=poweroff
            for a in "$@"; do
                case "$a" in
                -r) action=reboot ;;
                -H) action=halt ;;
                esac
            done
            echo "%1$s shutdown: $action" > /dev/console
            sync
            mount -o remount,ro / 2> /dev/null
            exec busybox "$action" -f
            """.formatted(LOG_PREFIX);

    static final String ACPI_POWER = """
            #!/bin/sh
            # busybox acpid: the ACPI power button was pressed (QMP system_powerdown)
            exec %1$s -h -P now
            """.formatted(SHUTDOWN_PATH);

    private GuestScripts() {
    }

    /** Absolute guest path to executable text, in install order. */
    static Map<String, String> executables() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(INIT_PATH, INIT);
        files.put(DHCP_PATH, DHCP);
        files.put(SHUTDOWN_PATH, SHUTDOWN);
        files.put(ACPI_POWER_PATH, ACPI_POWER);
        return files;
    }

    /** All script text, for the cache key. */
    static String fingerprint() {
        StringBuilder sb = new StringBuilder();
        executables().forEach((path, text) -> sb.append(path).append('\n').append(text).append('\0'));
        return sb.toString();
    }
}
