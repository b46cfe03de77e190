#!/bin/sh
# Example agent for scenarios/EXAMPLE.yaml: sends the SHA-256 of every file under DIR (metadata only) to the
# fake vendor cloud, then waits for new files and hashes those too. Tiny on purpose: the scenario is the example.
set -eu
dir="${1:?usage: agent.sh DIR}"
url="http://cloud.vendor.example/api/v1/lookup"
find "$dir" -type f -exec sha256sum {} + | curl -sS -X POST -H 'Content-Type: text/plain' --data-binary @- "$url"
while [ ! -e /var/lib/agent/stop ]; do
    sleep 1
    find "$dir" -type f -newer /var/lib/agent/started -exec sha256sum {} + \
        | curl -sS -X POST -H 'Content-Type: text/plain' --data-binary @- "$url" || true
    touch /var/lib/agent/started
done
