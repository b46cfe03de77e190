#!/usr/bin/env python3
"""Loopback-only sink services used to record the test captures: an HTTP/1.1 server that accepts any upload and
serves planted files for download, a raw TCP sink, and a DNS responder that answers every name with 192.0.2.1.
Usage: sinks.py CORPUS_DIR  (listens on 127.0.0.1:8080 http, :9000 raw tcp, :5353 udp dns)"""
import http.server
import socket
import socketserver
import struct
import sys
import threading

CORPUS = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0"))
        if n:
            self.rfile.read(n)

    def _reply(self, body=b'{"ok":true}', ctype="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/download/"):
            with open(CORPUS + "/" + self.path[len("/download/"):], "rb") as f:
                self._reply(f.read(), "application/octet-stream")
        else:
            self._reply()

    def do_POST(self):
        self._body()
        self._reply()

    do_PUT = do_POST


class RawSink(socketserver.BaseRequestHandler):
    def handle(self):
        while self.request.recv(65536):
            pass


def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 5353))
    while True:
        q, addr = s.recvfrom(4096)
        # Echo the question, answer A 192.0.2.1 (documentation range) for every name.
        end = 12
        while q[end] != 0:
            end += q[end] + 1
        question = q[12:end + 5]
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1])
        s.sendto(q[:2] + b"\x81\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00" + question + answer, addr)


class Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


class ThreadedHttp(http.server.ThreadingHTTPServer):
    allow_reuse_address = True


threading.Thread(target=dns, daemon=True).start()
threading.Thread(target=Threaded(("127.0.0.1", 9000), RawSink).serve_forever, daemon=True).start()
ThreadedHttp(("127.0.0.1", 8080), Handler).serve_forever()
