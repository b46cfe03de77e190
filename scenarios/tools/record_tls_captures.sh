#!/usr/bin/env bash
# Records the TLS decryption test captures: curl uploads Documents/secret.docx as multipart over HTTPS to a
# loopback-only python3 server (self-signed certificate made here), with SSLKEYLOGFILE so that the key log of
# every session is written next to its capture. One capture per TLS version / cipher suite.
# Needs root (tcpdump on lo), curl built with OpenSSL, openssl, python3, editcap.
# Output: scenarios/captures/tls/<name>.pcap and <name>.keys (plus one pcapng with the keys embedded in a
# Decryption Secrets Block). The captures are committed; re-run this only to regenerate them.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
doc=$here/corpora/basic/Documents/secret.docx
out=$here/captures/tls
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$out"
port=8443

openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=upload.test \
  -addext subjectAltName=DNS:upload.test -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# OpenSSL configuration for the server: TLS 1.3 suites cannot be chosen from python's ssl module, but OpenSSL
# applies the system_default section to every new SSL_CTX, so the CCM suites can be enabled here.
cat > "$work/openssl.cnf" <<'CNF'
openssl_conf = conf
[conf]
ssl_conf = ssl
[ssl]
system_default = tls
[tls]
Ciphersuites = TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256
CNF

cat > "$work/server.py" <<'PY'
import http.server, ssl, sys
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n:
            self.rfile.read(n)
        body = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305")
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[3])), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
OPENSSL_CONF=$work/openssl.cnf python3 "$work/server.py" "$work/cert.pem" "$work/key.pem" $port & sleep 1

record() { # NAME CURL-OPTIONS...
  local name=$1; shift
  rm -f "$out/$name.keys"
  tcpdump -i lo -s 0 -U -w "$out/$name.pcap" "tcp port $port" 2>/dev/null &
  local pid=$!; sleep 1
  SSLKEYLOGFILE=$out/$name.keys curl -s --http1.1 --cacert "$work/cert.pem" \
    --resolve upload.test:$port:127.0.0.1 "$@" -F "sample=@$doc" "https://upload.test:$port/upload" >/dev/null
  sleep 1; kill -INT $pid; wait $pid 2>/dev/null || true
  echo "recorded $name ($(stat -c %s "$out/$name.pcap") bytes, $(wc -l < "$out/$name.keys") key lines)"
}

record tls12-aes128gcm --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256
record tls12-aes256gcm --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
record tls12-chacha20 --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-CHACHA20-POLY1305
record tls13-aes128gcm --tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256
record tls13-aes256gcm --tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384
record tls13-chacha20 --tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256
record tls13-aes128ccm --tlsv1.3 --tls13-ciphers TLS_AES_128_CCM_SHA256
record tls13-aes128ccm8 --tlsv1.3 --tls13-ciphers TLS_AES_128_CCM_8_SHA256
# The key log inside the capture (pcapng Decryption Secrets Block), as Wireshark's editcap writes it.
editcap --inject-secrets "tls,$out/tls13-aes128gcm.keys" "$out/tls13-aes128gcm.pcap" "$out/tls13-aes128gcm-dsb.pcapng"
