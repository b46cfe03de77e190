#!/usr/bin/env python3
"""telemetry-heavy: a chatty but well-behaved agent, and the harness's load case. It sends large volumes of
legitimate telemetry and never a planted file:

- thousands of JSON events, one per request, over keep-alive HTTP and over HTTPS (intercepted by the harness);
- gzip-compressed event batches (Content-Encoding: gzip; the engine inflates them) and plain-text log uploads;
- a file inventory of the machine (paths, sizes, hex SHA-256 values) over HTTPS;
- hash look-ups of every planted file (metadata: allowed), periodic heartbeats on their own connection;
- a few hundred DNS look-ups of the vendor's names.

Nothing here is opaque: identifiers are hex of digest size (UUIDs, SHA-256), everything else is text. Under the
default policy this agent PASSES.

Usage: telemetry_heavy.py [corpus-root] [vendor-domain] [scale]   (scale 1 ~ 30 MB on the wire)"""
import gzip
import hashlib
import http.client
import json
import os
import random
import socket
import ssl
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agentlib import arg, log, sha256, walk  # noqa: E402

root = arg(1, "/home/user/Documents")
vendor = arg(2, "vendor.example")
scale = float(arg(3, "1"))
rng = random.Random(20171005)  # reproducible event shapes; identifiers still come from uuid4
AGENT_ID = uuid.uuid4().hex
PROCESSES = ["explorer.exe", "svchost.exe", "chrome.exe", "outlook.exe", "winword.exe", "teams.exe",
             "python3", "sshd", "systemd", "firefox", "code", "bash", "cron", "dockerd", "postgres"]
ACTIONS = ["process-start", "process-exit", "module-load", "file-open", "file-write", "net-connect",
           "registry-read", "dns-query", "scan-clean", "update-check"]
WORDS = ("the quick scanner looked at every module loaded by the process and found nothing unusual in its "
         "behaviour while the user kept working on ordinary documents during a long afternoon").split()
counts = {"http": 0, "https": 0, "batches": 0, "logs": 0, "inventory": 0, "lookups": 0, "heartbeats": 0, "dns": 0,
          "bytes": 0}
lock = threading.Lock()


def count(kind, nbytes):
    with lock:
        counts[kind] += 1
        counts["bytes"] += nbytes


def event(seq):
    """One endpoint event: text fields, small numbers and digest-sized hex identifiers (metadata)."""
    proc = rng.choice(PROCESSES)
    return {
        "agent": AGENT_ID, "seq": seq, "event": uuid.uuid4().hex, "ts": round(time.time(), 3),
        "action": rng.choice(ACTIONS), "process": proc, "pid": rng.randrange(100, 65000),
        "image": f"/usr/lib/vendor/{proc}", "image_sha256": hashlib.sha256(proc.encode()).hexdigest(),
        "user": rng.choice(["alice", "bob", "system", "service"]),
        "message": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(40, 160))),
        "counters": {k: rng.randrange(0, 10000) for k in ("cpu", "rss_kb", "io_read", "io_write", "handles")},
    }


class Channel:
    """A keep-alive HTTP(S) connection to one vendor host; reconnects if the server closed it."""

    def __init__(self, host, tls):
        self.host, self.tls = host, tls
        self.conn = None

    def _open(self):
        if self.tls:
            self.conn = http.client.HTTPSConnection(self.host, 443, timeout=20,
                                                    context=ssl.create_default_context())
        else:
            self.conn = http.client.HTTPConnection(self.host, 80, timeout=20)

    def post(self, path, body, ctype="application/json", headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                self._open()
            try:
                h = {"Content-Type": ctype, "User-Agent": "vendor-telemetry/4.2", "Connection": "keep-alive"}
                h.update(headers or {})
                self.conn.request("POST", path, body, h)
                r = self.conn.getresponse()
                r.read()
                return r.status
            except (OSError, http.client.HTTPException) as e:
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    log("post failed", self.host, path, e)
        return None

    def close(self):
        if self.conn is not None:
            self.conn.close()


def heartbeats(stop):
    ch = Channel(f"heartbeat.{vendor}", False)
    while not stop.is_set():
        body = json.dumps({"agent": AGENT_ID, "status": "ok", "ts": round(time.time(), 3)}).encode()
        if ch.post("/v1/heartbeat", body):
            count("heartbeats", len(body))
        stop.wait(0.5)
    ch.close()


def events(host, tls, n, kind):
    ch = Channel(host, tls)
    for seq in range(n):
        body = json.dumps(event(seq)).encode()
        if ch.post("/v2/events", body):
            count(kind, len(body))
    ch.close()


def batches(n, per_batch):
    ch = Channel(f"ingest.{vendor}", False)
    for b in range(n):
        raw = json.dumps({"agent": AGENT_ID, "batch": b, "events": [event(i) for i in range(per_batch)]}).encode()
        body = gzip.compress(raw, 6)
        if ch.post("/v2/batch", body, headers={"Content-Encoding": "gzip"}):
            count("batches", len(body))
    ch.close()


def logs(n, lines):
    ch = Channel(f"logs.{vendor}", False)
    for part in range(n):
        text = "\n".join(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} INFO scanner[{rng.randrange(100, 9999)}]: "
                         + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 30)))
                         for _ in range(lines)).encode()
        if ch.post(f"/v1/logs/{part}", text, "text/plain"):
            count("logs", len(text))
    ch.close()


def inventory(pages, per_page):
    ch = Channel(f"inventory.{vendor}", True)
    for page in range(pages):
        entries = [{"path": f"/usr/lib/x86_64-linux-gnu/lib{rng.choice(WORDS)}{i}.so", "size": rng.randrange(1, 1 << 22),
                    "sha256": hashlib.sha256(f"{page}/{i}".encode()).hexdigest()} for i in range(per_page)]
        body = json.dumps({"agent": AGENT_ID, "page": page, "files": entries}).encode()
        if ch.post("/v1/inventory", body):
            count("inventory", len(body))
    ch.close()


def lookups():
    ch = Channel(f"cloud.{vendor}", True)
    for path in walk(root):
        body = json.dumps({"sha256": sha256(path), "size": os.path.getsize(path),
                           "name": os.path.basename(path)}).encode()
        if ch.post("/api/v1/lookup", body):
            count("lookups", len(body))
    ch.close()


def resolve(n):
    names = ["update", "cdn", "telemetry", "reputation", "ingest", "edge", "auth", "license"]
    for i in range(n):
        name = f"{names[i % len(names)]}-{i % 97}.{vendor}"
        try:
            socket.getaddrinfo(name, 443, socket.AF_INET, socket.SOCK_STREAM)
            count("dns", 0)
        except socket.gaierror as e:
            log("lookup failed", name, e)


def scaled(n):
    return max(1, int(n * scale))


started = time.time()
stop = threading.Event()
beat = threading.Thread(target=heartbeats, args=(stop,), daemon=True)
beat.start()
workers = [
    threading.Thread(target=events, args=(f"telemetry.{vendor}", False, scaled(2000), "http")),
    threading.Thread(target=events, args=(f"secure-telemetry.{vendor}", True, scaled(1000), "https")),
    threading.Thread(target=batches, args=(scaled(40), 250)),
    threading.Thread(target=logs, args=(scaled(30), 4000)),
    threading.Thread(target=inventory, args=(scaled(15), 4000)),
    threading.Thread(target=lookups),
    threading.Thread(target=resolve, args=(scaled(300),)),
]
for w in workers:
    w.start()
for w in workers:
    w.join()
stop.set()
beat.join()
log("sent", json.dumps(counts), f"in {time.time() - started:.1f} s")
