#!/bin/sh
# A client that pins its vendor's public key: it refuses the harness's certificate, so what it would have sent
# cannot be inspected. The pin is a made-up key, as a real vendor's would be to us.
curl -sS --pinnedpubkey 'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' -o /dev/null \
  -F "sample=@/home/user/Documents/Documents/secret.docx" https://pinned.vendor.example/api/v1/sample
echo "curl pinned: $?"
exit 0
