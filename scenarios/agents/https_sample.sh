#!/bin/sh
# Uploads only the flagged sample over HTTPS: allowed by the usual policy.
curl -sS -o /dev/null -F "sample=@/home/user/Documents/Samples/flagged.exe" https://upload.vendor.example/api/v1/sample
echo "curl: $?"
