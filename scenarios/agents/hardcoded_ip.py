#!/usr/bin/env python3
"""hardcoded-ip: an agent that bypasses DNS and dials hard-coded public addresses (documentation ranges here, so
the scenario is harmless even if containment failed), and also resolves its vendor's name. Every attempt must end
at the harness: contained, recorded, and visible in the report."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agentlib import log, post_json  # noqa: E402

for host, port in (("203.0.113.50", 443), ("198.51.100.20", 8443)):
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(b"HELLO agent-id=42 build=7\n")
            log("connected to", host, port)
    except OSError as e:
        log("connect failed", host, port, e)
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"heartbeat agent-id=42", ("192.0.2.77", 9999))
    log("udp heartbeat sent")
except OSError as e:
    log("udp failed", e)
status, _ = post_json("http://telemetry.vendor.example/v2/heartbeat", {"agent": 42, "status": "ok"})
log("heartbeat", status)
