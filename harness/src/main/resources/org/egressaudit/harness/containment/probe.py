# egress-audit containment probe: a negative control run in the sandbox's network before the agent starts.
# Every target below is outside the sandbox (documentation addresses, an .example name): each must end at the
# harness. Prints one JSON object. Python 3.5+, standard library only.
import json, random, socket, struct, sys

token, resolver = sys.argv[1], sys.argv[2]
TCP_ADDR, UDP_ADDR, DNS_ADDR = "203.0.113.7", "198.51.100.7", "192.0.2.53"
DOMAIN = "containment.egress-audit.example"
out = {"token": token}


def encode_name(name):
    return b"".join(bytes([len(p)]) + p.encode("ascii") for p in name.split(".")) + b"\0"


def skip_name(data, i):
    while True:
        n = data[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += n + 1


def dns(server, name):
    qid = random.randint(0, 0xFFFF)
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    try:
        s.sendto(query, (server, 53))
        data, peer = s.recvfrom(4096)
        rid, flags, qd, an = struct.unpack(">HHHH", data[:8])
        if rid != qid:
            return {"ok": False, "error": "answer id mismatch"}
        i = 12
        for _ in range(qd):
            i = skip_name(data, i) + 4
        answers = []
        for _ in range(an):
            i = skip_name(data, i)
            rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", data[i:i + 10])
            i += 10
            if rtype == 1 and rdlen == 4:
                answers.append(socket.inet_ntoa(data[i:i + 4]))
            i += rdlen
        return {"ok": True, "answers": answers, "from": peer[0], "rcode": flags & 0xF}
    except Exception as e:
        return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    finally:
        s.close()


def http(address, host, path):
    try:
        s = socket.create_connection((address, 80), timeout=5)
    except Exception as e:
        return {"ok": False, "error": "connect: %s: %s" % (type(e).__name__, e)}
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: egress-audit-containment-probe\r\n"
                   "Connection: close\r\n\r\n" % (path, host)).encode("ascii"))
        data = b""
        while len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        return {"ok": line.startswith("HTTP/"), "status": line[:200]}
    except Exception as e:
        return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    finally:
        s.close()


out["dnsResolver"] = dns(resolver, "%s.%s" % (token, DOMAIN))
out["dnsPublic"] = dns(DNS_ADDR, "%s-direct.%s" % (token, DOMAIN))
out["tcpAddress"] = http(TCP_ADDR, TCP_ADDR, "/egress-audit-containment/%s/address" % token)
named = dns(resolver, "%s-name.%s" % (token, DOMAIN))
if named.get("ok") and named.get("answers"):
    out["tcpName"] = http(named["answers"][0], "%s-name.%s" % (token, DOMAIN),
                          "/egress-audit-containment/%s/name" % token)
else:
    out["tcpName"] = {"ok": False, "error": "the name did not resolve: %s" % named}
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(("egress-audit-containment %s\n" % token).encode("ascii"), (UDP_ADDR, 9))
    u.close()
    out["udpAddress"] = {"ok": True}
except Exception as e:
    out["udpAddress"] = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
print(json.dumps(out))
