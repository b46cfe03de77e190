#!/usr/bin/env python3
"""honest: scans the corpus, looks up every file's hash, and uploads only the files its scanner flags.
Under the usual policy (executables and metadata may leave) this agent PASSES."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agentlib import arg, flagged, log, multipart, post, post_json, sha256, walk  # noqa: E402

root = arg(1, "/home/user/Documents")
cloud = arg(2, "http://cloud.vendor.example")
for path in walk(root):
    digest = sha256(path)
    status, _ = post_json(cloud + "/api/v1/lookup", {"sha256": digest, "size": os.path.getsize(path)})
    log("lookup", path, digest[:16], status)
    if flagged(path):
        with open(path, "rb") as f:
            body, ctype = multipart("sample", os.path.basename(path), f.read())
        status, _ = post(cloud + "/api/v1/sample", body, ctype)
        log("uploaded flagged sample", path, status)
log("scan complete")
