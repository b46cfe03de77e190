package org.egressaudit.harness.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import org.egressaudit.harness.run.Shell;
import org.egressaudit.harness.scenario.SandboxPath;
import org.egressaudit.harness.tls.SandboxTrust;

/**
 * The run of a guest without the QEMU guest agent, as a POSIX sh script on a {@link DataDisk}: it does in the
 * guest, at boot, what the runner otherwise does through the agent, in the same order, and powers the guest off.
 * Found and started by the built-in guest's init when the kernel command line has {@link #KERNEL_FLAG} (see
 * {@link GuestScripts}); any other Linux image can run it from its own boot (e.g. {@code sh /mnt/egress-audit/run.sh}
 * from rc.local), since the script finds and mounts its disk itself.
 *
 * <p>Steps: mount the data disk (found by its label: {@code blkid -L}, {@code findfs}, {@code /dev/disk/by-label},
 * else the label read from the superblock of every block device, for guests without udev or blkid); copy the
 * agent's files; run the install commands (the first failure ends the run, {@code setup-failed} in {@link #STATUS});
 * install the run CA ({@link SandboxTrust}); plant the corpus; start the agent in its own session with its output
 * in {@link #AGENT_LOG}; fire the triggers at their offsets from the agent's start; stop the agent's whole process
 * group when the duration is reached; write {@link #EXIT_CODE} and {@link #STATUS}; copy the strace trace; sync,
 * unmount, power off. Every step is logged in {@link #STEPS_LOG} with UTC time and the guest's uptime, and on the
 * console with the prefix {@link #CONSOLE_PREFIX}.
 *
 * <p>Every value from the scenario is embedded single-quoted ({@link Shell#quote}); the script uses only POSIX sh,
 * coreutils-or-busybox commands, and {@code setsid}/{@code timeout} when present.
 */
public final class BootScript {
    /** Folder of everything the harness puts on the data disk, and of what the guest writes back. */
    public static final String DIR = "egress-audit";
    public static final String SCRIPT = DIR + "/run.sh";
    public static final String CA_PEM = DIR + "/ca.pem";
    public static final String OUT = DIR + "/out";
    public static final String STEPS_LOG = OUT + "/steps.log";
    public static final String AGENT_LOG = OUT + "/agent.log";
    /** Output of install, trust and trigger commands, each with its command line and exit code. */
    public static final String COMMANDS_LOG = OUT + "/commands.log";
    /** The agent's exit code (128 + signal when killed), written once it stopped. */
    public static final String EXIT_CODE = OUT + "/exit-code";
    /**
     * One line: {@code agent-exited <code>}, {@code duration-reached <seconds>} or {@code setup-failed: <what>}.
     * Missing when the script never got that far (it did not run, or the guest died).
     */
    public static final String STATUS = OUT + "/status";
    /** Things that did not stop the run but the report should say (a trust store that could not be updated). */
    public static final String NOTES = OUT + "/notes";
    /** The strace trace, when the plan names one and the agent wrote it. */
    public static final String TRACE = OUT + "/files.trace";
    /** Kernel command line flag that makes the built-in guest run the script instead of starting qemu-ga. */
    public static final String KERNEL_FLAG = "egress-audit.control=boot-script";
    public static final String CONSOLE_PREFIX = "egress-audit-boot:";
    /** Install and trigger commands get as long as the runner gives them through the agent. */
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);
    static final Duration MAX_DURATION = Duration.ofDays(7);
    /** Time between TERM and KILL when the duration is reached. */
    static final int KILL_GRACE_SECONDS = 5;

    /**
     * A file or folder copied from the host into the guest. A folder's contents go into {@code to} (created
     * when missing), as the guest-agent path does it; copies are owned by root, with the host's modes.
     *
     * @param mode octal permission bits for chmod ({@code 0755}), if any
     */
    public record Copy(Path from, String to, Optional<String> mode) {
        public Copy {
            Objects.requireNonNull(from, "from");
            SandboxPath.check(Objects.requireNonNull(to, "to"));
            Objects.requireNonNull(mode, "mode");
            mode.ifPresent(m -> {
                if (!m.matches("[0-7]{3,4}")) {
                    throw new IllegalArgumentException("mode must be 3 or 4 octal digits, not '" + m + "'");
                }
            });
        }

        public Copy(Path from, String to) {
            this(from, to, Optional.empty());
        }
    }

    /** Runs {@code exec} (sh -c, as root) or copies {@code copy} in, {@code at} after the agent started. */
    public record Trigger(String name, Duration at, Optional<String> exec, Optional<Copy> copy) {
        public Trigger {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(exec, "exec");
            Objects.requireNonNull(copy, "copy");
            if (at.isNegative()) {
                throw new IllegalArgumentException("trigger " + name + ": at must not be negative");
            }
            if (exec.isPresent() == copy.isPresent()) {
                throw new IllegalArgumentException("trigger " + name + " needs exactly one of exec and copy");
            }
            checkText("trigger " + name + " name", name);
            exec.ifPresent(e -> checkCommand("trigger " + name, e));
        }

        public static Trigger exec(String name, Duration at, String command) {
            return new Trigger(name, at, Optional.of(command), Optional.empty());
        }

        public static Trigger copy(String name, Duration at, Copy copy) {
            return new Trigger(name, at, Optional.empty(), Optional.of(copy));
        }
    }

    /**
     * What to do in the guest, filled from the scenario by the runner.
     *
     * @param agentFiles         the agent's files, copied first
     * @param install            install commands (sh -c, as root), in order
     * @param caPem              the run CA's certificate, installed after the install commands
     * @param trustStores        extra PEM bundles to append the CA to ({@link SandboxTrust#steps})
     * @param corpus             planted files and folders ({@code corpus.yaml} manifests removed from folders)
     * @param agentCommand       the exact {@code sh -c} command starting the agent (strace wrapper included)
     * @param triggers           fired at their offsets from the agent's start
     * @param maxDuration        when the agent's process group is stopped (TERM, then KILL)
     * @param stopWhenAgentExits end the run when the agent exits; otherwise wait for {@code maxDuration}
     * @param traceFile          guest path of the strace output to copy to {@link #TRACE}
     */
    public record Plan(List<Copy> agentFiles, List<String> install, Optional<Path> caPem, List<String> trustStores,
                       List<Copy> corpus, String agentCommand, List<Trigger> triggers, Duration maxDuration,
                       boolean stopWhenAgentExits, Optional<String> traceFile) {
        public Plan {
            agentFiles = List.copyOf(agentFiles);
            install = List.copyOf(install);
            Objects.requireNonNull(caPem, "caPem");
            trustStores = List.copyOf(trustStores);
            corpus = List.copyOf(corpus);
            triggers = List.copyOf(triggers);
            Objects.requireNonNull(maxDuration, "maxDuration");
            Objects.requireNonNull(traceFile, "traceFile");
            for (int i = 0; i < install.size(); i++) {
                checkCommand("install command " + (i + 1), install.get(i));
            }
            trustStores.forEach(SandboxPath::check);
            checkCommand("agent command", Objects.requireNonNull(agentCommand, "agentCommand"));
            if (agentCommand.isBlank()) {
                throw new IllegalArgumentException("agent command is empty");
            }
            if (maxDuration.isNegative() || maxDuration.isZero() || maxDuration.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("maxDuration must be positive and at most 7 days: "
                        + maxDuration);
            }
            traceFile.ifPresent(SandboxPath::check);
        }
    }

    private final Plan plan;
    private final String label;

    /** A script that looks for the data disk labelled {@link DataDisk#LABEL}. */
    public BootScript(Plan plan) {
        this(plan, DataDisk.LABEL);
    }

    /** @param diskLabel the data disk's label ({@link DataDisk#FAT_LABEL} for a FAT disk) */
    public BootScript(Plan plan, String diskLabel) {
        this.plan = Objects.requireNonNull(plan, "plan");
        if (!diskLabel.matches("[A-Za-z0-9._-]{1,16}")) {
            throw new IllegalArgumentException("bad data disk label: '" + diskLabel + "'");
        }
        this.label = diskLabel;
    }

    public Plan plan() {
        return plan;
    }

    /**
     * Lays out the data disk's content under {@code dataDiskRoot} (empty or missing): {@link #SCRIPT},
     * {@code egress-audit/files/<n>}, {@code corpus/<n>}, {@code triggers/<n>}, {@link #CA_PEM} and an empty
     * {@link #OUT}. Make the disk from it with {@link DataDisk#create}.
     *
     * @throws IllegalArgumentException when a source is missing or holds a symbolic link or special file
     */
    public void writeTo(Path dataDiskRoot) throws IOException {
        if (Files.exists(dataDiskRoot, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(dataDiskRoot)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("data disk folder is not empty: " + dataDiskRoot);
                }
            }
        }
        Path dir = dataDiskRoot.resolve(DIR);
        Files.createDirectories(dir.resolve("out"));
        for (int i = 0; i < plan.agentFiles().size(); i++) {
            copyTree(plan.agentFiles().get(i).from(), dir.resolve("files").resolve(Integer.toString(i)));
        }
        for (int i = 0; i < plan.corpus().size(); i++) {
            copyTree(plan.corpus().get(i).from(), dir.resolve("corpus").resolve(Integer.toString(i)));
        }
        for (int i = 0; i < plan.triggers().size(); i++) {
            Optional<Copy> c = plan.triggers().get(i).copy();
            if (c.isPresent()) {
                copyTree(c.get().from(), dir.resolve("triggers").resolve(Integer.toString(i)));
            }
        }
        if (plan.caPem().isPresent()) {
            copyTree(plan.caPem().get(), dataDiskRoot.resolve(CA_PEM));
        }
        Path script = dataDiskRoot.resolve(SCRIPT);
        Files.writeString(script, text(), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Copies a host file or folder; links and special files are refused, as in the guest-agent copy. */
    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("no such file to copy into the guest: " + from);
        }
        Files.createDirectories(to.getParent());
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Path target = to.resolve(from.relativize(p).toString());
                if (a.isSymbolicLink()) {
                    throw new IllegalArgumentException("symbolic link " + p + " cannot be copied into a VM (copy its"
                            + " target)");
                } else if (a.isDirectory()) {
                    Files.createDirectories(target);
                    dirs.add(p);
                } else if (a.isRegularFile()) {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                } else {
                    throw new IllegalArgumentException(p + " is neither a file nor a folder");
                }
            }
        }
        for (Path d : dirs) { // modes last: a read-only folder must be filled first
            Files.setPosixFilePermissions(to.resolve(from.relativize(d).toString()),
                    Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS));
        }
    }

    /** The script's text. */
    public String text() {
        return PROLOGUE.formatted(Shell.quote(label), Shell.quote(CONSOLE_PREFIX), COMMAND_TIMEOUT.toSeconds(),
                FIND_DISK, KILL_GRACE_SECONDS) + steps();
    }

    /** The plan's part: calls of the prologue's functions only, so tests can run it with stand-ins. */
    String steps() {
        StringBuilder s = new StringBuilder();
        s.append("\nlog 'copying the agent files'\n");
        for (int i = 0; i < plan.agentFiles().size(); i++) {
            Copy c = plan.agentFiles().get(i);
            s.append("copy_in ").append(Shell.quote("files/" + i)).append(' ').append(Shell.quote(c.to()))
                    .append(' ').append(Shell.quote(c.mode().orElse(""))).append(" 0 || setup_failed ")
                    .append(Shell.quote("copy of agent file " + (i + 1) + " to " + c.to())).append('\n');
        }
        s.append("\nlog 'running the install commands'\n");
        for (int i = 0; i < plan.install().size(); i++) {
            String what = "install " + (i + 1);
            s.append("run_cmd ").append(Shell.quote(what)).append(' ').append(Shell.quote(plan.install().get(i)))
                    .append(" || setup_failed ").append(Shell.quote("install command " + (i + 1) + " of "
                            + plan.install().size())).append(" \"exit $rc\"\n");
        }
        if (plan.caPem().isPresent()) {
            s.append("\nlog 'installing the run CA'\n");
            s.append("install_ca ").append(Shell.quote(SandboxTrust.SYSTEM_CA_PATH))
                    .append(" || setup_failed 'copy of the run CA'\n");
            for (SandboxTrust.Step step : SandboxTrust.steps(plan.trustStores())) {
                String what = "trust " + step.what();
                s.append("run_cmd ").append(Shell.quote(what)).append(' ').append(Shell.quote(step.command()));
                if (step.required()) {
                    s.append(" || setup_failed ").append(Shell.quote(step.what() + ": the run CA could not be"
                            + " installed")).append(" \"exit $rc\"\n");
                } else {
                    s.append(" || note ").append(Shell.quote(step.what() + ": the run CA could not be installed"
                            + " (see commands.log)")).append(" \"exit $rc\"\n");
                }
            }
        }
        s.append("\nlog 'planting the corpus'\n");
        for (int i = 0; i < plan.corpus().size(); i++) {
            Copy c = plan.corpus().get(i);
            s.append("copy_in ").append(Shell.quote("corpus/" + i)).append(' ').append(Shell.quote(c.to()))
                    .append(' ').append(Shell.quote(c.mode().orElse(""))).append(" 1 || setup_failed ")
                    .append(Shell.quote("planting corpus entry " + (i + 1) + " at " + c.to())).append('\n');
        }
        s.append("\nstart_agent ").append(Shell.quote(plan.agentCommand())).append('\n');
        for (int i = 0; i < plan.triggers().size(); i++) {
            Trigger t = plan.triggers().get(i);
            String name = Shell.quote("trigger " + t.name());
            s.append("( sleep ").append(seconds(t.at())).append("; ");
            if (t.exec().isPresent()) {
                s.append("run_cmd ").append(name).append(' ').append(Shell.quote(t.exec().get()));
            } else {
                Copy c = t.copy().get();
                s.append("log ").append(name).append("; copy_in ").append(Shell.quote("triggers/" + i)).append(' ')
                        .append(Shell.quote(c.to())).append(' ').append(Shell.quote(c.mode().orElse("")))
                        .append(" 0; log ").append(name).append(" \"exit $?\"");
            }
            s.append(" ) &\ntriggers=\"$triggers $!\"\n");
        }
        s.append("\nsupervise ").append(seconds(plan.maxDuration())).append(' ')
                .append(plan.stopWhenAgentExits() ? 1 : 0).append(' ')
                .append(Shell.quote(plan.traceFile().orElse(""))).append('\n');
        return s.toString();
    }

    /** Seconds with millisecond precision, as sleep(1) of coreutils and busybox takes them. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format("%d.%03d", ms / 1000, ms % 1000);
    }

    private static void checkCommand(String what, String command) {
        Objects.requireNonNull(command, what);
        if (command.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL byte, which no shell can take");
        }
    }

    private static void checkText(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < 0x20) {
                throw new IllegalArgumentException(what + " contains a control character");
            }
        }
    }

    /**
     * Finds the block device labelled {@code $1}; sets {@code data_dev}. Shared with the built-in guest's init.
     * Tried in turn: util-linux {@code blkid -L}, {@code findfs}, udev's by-label link, and the label read straight
     * from each device's superblock (ext2/3/4: magic 0xEF53 at 1080, label at 1144; FAT32: "FAT32" at 82, label
     * at 71; FAT12/16: "FAT" at 54, label at 43).
     */
    static final String FIND_DISK = """
            raw_label() {
                if [ "$(dd if="$1" bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \\n')" = 53ef ]; then
                    dd if="$1" bs=1 skip=1144 count=16 2>/dev/null | tr -d '\\000'
                elif [ "$(dd if="$1" bs=1 skip=82 count=5 2>/dev/null)" = FAT32 ]; then
                    dd if="$1" bs=1 skip=71 count=11 2>/dev/null | sed 's/ *$//'
                elif [ "$(dd if="$1" bs=1 skip=54 count=3 2>/dev/null)" = FAT ]; then
                    dd if="$1" bs=1 skip=43 count=11 2>/dev/null | sed 's/ *$//'
                fi
            }
            find_data_disk() {
                data_dev=$(blkid -L "$1" 2>/dev/null) && [ -b "$data_dev" ] && return 0
                data_dev=$(findfs "LABEL=$1" 2>/dev/null) && [ -b "$data_dev" ] && return 0
                data_dev=/dev/disk/by-label/$1
                [ -b "$data_dev" ] && return 0
                for s in /sys/class/block/*; do
                    data_dev=/dev/${s##*/}
                    [ -b "$data_dev" ] && [ "$(raw_label "$data_dev")" = "$1" ] && return 0
                done
                data_dev=
                return 1
            }
            """;

    /**
     * The fixed part: settings, helpers, mounting the disk. Format arguments: label, console prefix, command
     * timeout in seconds, {@link #FIND_DISK}, the TERM-to-KILL grace in seconds.
     */
    private static final String PROLOGUE = """
            #!/bin/sh
            # egress-audit boot script, generated by the harness for one run. It does in the guest what the harness
            # does through the QEMU guest agent otherwise, then powers the guest off. Values from the scenario are
            # single-quoted. Runs with any POSIX sh; needs mount, cp, dd, od, sed, sleep, kill; uses setsid, timeout
            # and blkid when they are there.
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            export PATH
            umask 022
            LABEL=%1$s
            PREFIX=%2$s
            STATE=/run/egress-audit-boot
            mkdir -p "$STATE" 2>/dev/null && [ -w "$STATE" ] || { STATE=/tmp/egress-audit-boot; mkdir -p "$STATE"; }
            MNT=$STATE/data
            DATA=
            OUT=
            rc=0
            triggers=

            # every step: UTC time and uptime in out/steps.log (in $STATE until the disk is mounted), and the console
            log() {
                line="$(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ) $(cut -d' ' -f1 /proc/uptime 2>/dev/null)s $*"
                if [ -n "$OUT" ]; then
                    printf '%%s\\n' "$line" >> "$OUT/steps.log"
                else
                    printf '%%s\\n' "$line" >> "$STATE/steps.log"
                fi
                printf '%%s %%s\\n' "$PREFIX" "$*" > /dev/console 2>/dev/null
            }
            note() {
                log "note: $*"
                printf '%%s\\n' "$*" >> "$OUT/notes"
            }

            # the script's end: results synced, the disk unmounted, the guest off (busybox and the kernel as fallbacks)
            power_off() {
                log "powering off"
                sync
                # the console only from here: the disk is going away
                if [ -n "$DATA" ]; then
                    if umount "$MNT" 2>/dev/null; then
                        printf '%%s %%s\n' "$PREFIX" "data disk unmounted" > /dev/console 2>/dev/null
                    else
                        mount -o remount,ro "$MNT" 2>/dev/null
                        printf '%%s %%s\n' "$PREFIX" "data disk busy: not unmounted (synced)" > /dev/console 2>/dev/null
                    fi
                fi
                sync
                poweroff -f 2>/dev/null
                busybox poweroff -f 2>/dev/null
                echo 1 > /proc/sys/kernel/sysrq 2>/dev/null
                echo o > /proc/sysrq-trigger 2>/dev/null
                sleep 30
                exit 1
            }
            finish() { # status line
                printf '%%s\\n' "$1" > "$OUT/status"
                log "finished: $1"
                power_off
            }
            setup_failed() { # what [detail]
                log "setup failed: $1${2:+ ($2)}"
                finish "setup-failed: $1${2:+ ($2)}"
            }

            # sh -c as root, output in out/commands.log, bounded by timeout(1) when there is one; sets rc
            run_cmd() { # what command
                log "$1: start"
                printf '%%s [%%s] $ %%s\\n' "$(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ)" "$1" "$2" >> "$OUT/commands.log"
                if command -v timeout >/dev/null 2>&1; then
                    timeout -k 10 %3$d sh -c "$2" >> "$OUT/commands.log" 2>&1 < /dev/null
                else
                    sh -c "$2" >> "$OUT/commands.log" 2>&1 < /dev/null
                fi
                rc=$?
                printf '  -> exit %%s\\n' "$rc" >> "$OUT/commands.log"
                log "$1: exit $rc"
                return $rc
            }

            # a file or folder from the disk to its guest path, owned by root, modes kept; corpus folders lose their
            # corpus.yaml manifests as in the guest-agent path
            copy_in() { # disk path under egress-audit/, target, mode or '', corpus 1/0
                src=$DATA/egress-audit/$1
                log "copy $1 to $2"
                if [ -d "$src" ]; then
                    mkdir -p "$2" || return 1
                    for c in "$src"/* "$src"/.[!.]* "$src"/..?*; do
                        [ -e "$c" ] || continue
                        cp -R -p "$c" "$2/" || return 1
                        chown -R 0:0 "$2/${c##*/}" 2>/dev/null
                    done
                    if [ "$4" = 1 ]; then
                        find "$2" -name corpus.yaml -type f -exec rm -f {} + || return 1
                    fi
                else
                    mkdir -p "$(dirname "$2")" && cp -p "$src" "$2" || return 1
                    chown 0:0 "$2" 2>/dev/null
                fi
                if [ -n "$3" ]; then
                    chmod "$3" "$2" || return 1
                fi
                return 0
            }

            install_ca() { # target
                mkdir -p "$(dirname "$1")" && cp "$DATA/egress-audit/ca.pem" "$1" && chmod 0644 "$1"
            }

            %4$s
            # signals a process group (the agent runs in its own session); dash wants --, busybox refuses it
            kill_group() { # signal pid
                kill -s "$1" -- "-$2" 2>/dev/null || kill -s "$1" "-$2" 2>/dev/null || kill -s "$1" "$2" 2>/dev/null
            }
            group_alive() { # pid
                kill -s 0 -- "-$1" 2>/dev/null || kill -s 0 "-$1" 2>/dev/null
            }

            start_agent() { # command
                log "agent starting"
                if command -v setsid >/dev/null 2>&1; then
                    setsid sh -c "$1" > "$OUT/agent.log" 2>&1 < /dev/null &
                else
                    sh -c "$1" > "$OUT/agent.log" 2>&1 < /dev/null &
                fi
                agent=$!
                log "agent started (pid $agent)"
            }

            # waits for the agent or the duration, whichever the plan says, stops the agent's group when the duration
            # is reached (TERM, then KILL), records the exit code and the trace, powers off
            supervise() { # max seconds, stop when the agent exits 1/0, trace file or ''
                ( sleep "$1"; : > "$STATE/duration-reached"; log "duration of $1 s reached: stopping the agent"
                  kill_group TERM "$agent"
                  i=0
                  while [ $i -lt %5$d ] && group_alive "$agent"; do sleep 1; i=$((i + 1)); done
                  kill_group KILL "$agent" ) &
                watchdog=$!
                wait "$agent"
                code=$?
                printf '%%s\\n' "$code" > "$OUT/exit-code"
                log "agent exited with code $code"
                if [ ! -e "$STATE/duration-reached" ] && [ "$2" = 0 ]; then
                    log "waiting for the end of the duration"
                    wait "$watchdog"
                fi
                kill "$watchdog" $triggers 2>/dev/null
                # what the agent left running would keep the disk busy
                kill_group KILL "$agent"
                if [ -n "$3" ] && [ -f "$3" ]; then
                    cp "$3" "$OUT/files.trace" && log "trace copied" || log "cannot copy the trace $3"
                fi
                if [ -e "$STATE/duration-reached" ]; then
                    finish "duration-reached $1"
                else
                    finish "agent-exited $code"
                fi
            }

            log "boot script started; looking for the data disk labelled $LABEL"
            i=0
            until find_data_disk "$LABEL"; do
                i=$((i + 1))
                if [ $i -ge 50 ]; then
                    log "no block device labelled $LABEL: nothing to do, nowhere to write results"
                    power_off
                fi
                sleep 0.2
            done
            mkdir -p "$MNT"
            if ! mount "$data_dev" "$MNT" 2>/dev/null; then
                for m in ext4 vfat; do modprobe "$m" 2>/dev/null; done
                if ! mount "$data_dev" "$MNT"; then
                    log "cannot mount $data_dev on $MNT"
                    power_off
                fi
            fi
            DATA=$MNT
            OUT=$DATA/egress-audit/out
            mkdir -p "$OUT"
            cat "$STATE/steps.log" >> "$OUT/steps.log" 2>/dev/null
            log "data disk $data_dev mounted on $MNT"
            # a guest that reboots must not run the scenario twice
            if [ -e "$OUT/started" ]; then
                log "this data disk was used by an earlier boot: not running again"
                power_off
            fi
            : > "$OUT/started"
            """;
}
