#!/bin/sh
# ClamAV (Debian's clamav, clamav-daemon, clamdscan) run as an endpoint agent, start to finish:
#   1. freshclam updates the signatures from the ClamAV CDN (sinkholed: the attempts show in the capture),
#   2. clamd starts with the signatures the scenario shipped in /var/lib/clamav,
#   3. clamdscan scans the given folders on demand,
#   4. clamonacc tries on-access scanning (fanotify: needs CAP_SYS_ADMIN, which the sandbox does not grant),
#   5. clamsubmit submits every file clamd reported to ClamAV's malware submission site (TLS intercepted).
# Usage: agent.sh FOLDER...   Every step's outcome is logged as "[clamav-agent] STEP: ..." for the report.
set -u
log() { echo "[clamav-agent] $*"; }
SOCKET=/run/clamav/clamd.ctl
CONF=/etc/clamav
FOUND_LIST=/var/lib/clamav-agent/found.txt
mkdir -p /run/clamav /var/log/clamav /var/lib/clamav-agent
chown clamav:clamav /run/clamav /var/log/clamav /var/lib/clamav
: > "$FOUND_LIST"

log "versions: $(clamscan --version) | $(clamd --version) | $(freshclam --version)"
log "signature databases shipped: $(ls /var/lib/clamav | tr '\n' ' ')"

# 1. Signature update from the CDN. The sandbox answers database.clamav.net with the harness, so this fails;
# what matters is what it sent.
log "freshclam: start"
timeout 120 freshclam --config-file="$CONF/freshclam.conf" --stdout --verbose > /tmp/freshclam.out 2>&1
rc=$?
sed 's/^/[freshclam] /' /tmp/freshclam.out
log "freshclam: exit=$rc (0 updated, 1 up to date, other: failed; 124: timed out)"

# 2. clamd, daemonised; ready once it answers PING on its socket.
log "clamd: start"
# In the foreground, in the background of this script: clamd's own daemonizing parent waits for a signal from
# the daemon, and under the file-activity audit (strace -f) that wait once never ended.
clamd --foreground --config-file="$CONF/clamd.conf" > /tmp/clamd.out 2>&1 &
CLAMD_PID=$!
ready=no
for i in $(seq 1 120); do
    if [ -S "$SOCKET" ] && printf 'zPING\0' | nc -U -w 2 "$SOCKET" 2>/dev/null | grep -q PONG; then
        ready=yes
        break
    fi
    sleep 0.5
done
log "clamd: ready=$ready after ${i} checks; $(clamdscan --config-file="$CONF/clamd.conf" --version 2>&1)"

# 3. On-demand scan. clamdscan prints "PATH: SIGNATURE FOUND" per detection.
for folder in "$@"; do
    log "scan: $folder"
    if [ "$ready" = yes ]; then
        clamdscan --config-file="$CONF/clamd.conf" --fdpass --infected --multiscan "$folder" > /tmp/scan.out 2>&1
    else
        log "scan: clamd is not answering, falling back to clamscan (libclamav in-process)"
        clamscan -d /var/lib/clamav -r --infected "$folder" > /tmp/scan.out 2>&1
    fi
    rc=$?
    sed 's/^/[scan] /' /tmp/scan.out
    log "scan: $folder exit=$rc (0 clean, 1 virus found, 2 error)"
    sed -n 's/^\(\/.*\): \(.*\) FOUND$/\1/p' /tmp/scan.out >> "$FOUND_LIST"
done
log "scan: $(wc -l < "$FOUND_LIST") detection(s): $(tr '\n' ' ' < "$FOUND_LIST")"

# 4. On-access scanning through fanotify.
log "clamonacc: start"
timeout 15 clamonacc --config-file="$CONF/clamd.conf" --foreground --verbose --fdpass \
    --log=/var/log/clamav/clamonacc.log > /tmp/clamonacc.out 2>&1 &
onacc=$!
sleep 3
echo "on-access probe" > /home/user/onaccess-probe.txt
wait $onacc
rc=$?
sed 's/^/[clamonacc] /' /tmp/clamonacc.out /var/log/clamav/clamonacc.log 2>/dev/null
if [ "$rc" = 124 ]; then
    log "clamonacc: ran until stopped (exit=$rc): on-access scanning was possible"
elif grep -qi "fanotify\|permission\|not permitted\|CAP_SYS_ADMIN" /tmp/clamonacc.out /var/log/clamav/clamonacc.log 2>/dev/null; then
    log "clamonacc: NOT POSSIBLE in this sandbox (exit=$rc): fanotify needs CAP_SYS_ADMIN, which the container lacks"
else
    log "clamonacc: exited exit=$rc (see its output above)"
fi
rm -f /home/user/onaccess-probe.txt

# 5. Submit every detection to ClamAV as a false negative (malware) sample.
while IFS= read -r file; do
    [ -n "$file" ] || continue
    log "clamsubmit: $file"
    timeout 60 clamsubmit -d -N "Corp SOC Analyst" -e analyst@corp.example -n "$file" > /tmp/clamsubmit.out 2>&1
    rc=$?
    sed 's/^/[clamsubmit] /' /tmp/clamsubmit.out
    log "clamsubmit: $file exit=$rc (0: the site redirected to /reports/success)"
done < "$FOUND_LIST"

log "clamd: stop"
kill "$CLAMD_PID" 2>/dev/null
wait "$CLAMD_PID" 2>/dev/null
sed 's/^/[clamd] /' /tmp/clamd.out
log "clamd log:"
sed 's/^/[clamd.log] /' /var/log/clamav/clamd.log 2>/dev/null
log "done"
