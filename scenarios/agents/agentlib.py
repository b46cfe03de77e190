"""Small helpers shared by the reference agents: they behave like endpoint agents talking to a vendor cloud.
Standard library only (the sandbox image has python3, curl and 7z). Every address is whatever the sandbox
resolves: under egress-audit all names resolve to the harness's sinkhole."""
import hashlib
import json
import os
import sys
import time
import urllib.request
import uuid

SIGNATURE = b"EGRESS-AUDIT-TEST-SIGNATURE"


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def walk(root):
    for d, _, files in os.walk(root):
        for f in sorted(files):
            yield os.path.join(d, f)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def flagged(path, rules=(SIGNATURE,)):
    with open(path, "rb") as f:
        data = f.read()
    return any(r in data for r in rules)


def post(url, body, content_type="application/octet-stream", headers=None, timeout=10):
    req = urllib.request.Request(url, data=body, method="POST")
    req.add_header("Content-Type", content_type)
    req.add_header("User-Agent", "egress-audit-reference-agent/1.0")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except Exception as e:  # the sinkhole may answer anything; an agent keeps going
        log("post failed", url, e)
        return None, b""


def post_json(url, obj, **kw):
    return post(url, json.dumps(obj).encode(), "application/json", **kw)


def multipart(field, filename, data):
    boundary = "----agent" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def wait_for(path, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.2)
    return False


def arg(i, default):
    return sys.argv[i] if len(sys.argv) > i else default


def raw_http_post(host, port, path, body, content_type="application/octet-stream", timeout=10):
    """One HTTP/1.1 POST on its own TCP connection, written by hand (Connection: close), as small implants do.
    Returns the status code, or None when the connection failed."""
    import socket
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: egress-audit-reference-agent/1.0\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(head + body)
            reply = b""
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        parts = reply.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    except OSError as e:
        log("raw post failed", host, port, path, e)
        return None


def keystream_xor(key, data):
    """XOR with a SHA-256 counter-mode keystream: output indistinguishable from random without the key."""
    out = bytearray(len(data))
    for block in range(0, len(data), 32):
        pad = hashlib.sha256(key + block.to_bytes(8, "big")).digest()
        for i, b in enumerate(data[block:block + 32]):
            out[block + i] = b ^ pad[i]
    return bytes(out)
