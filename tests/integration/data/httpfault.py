#!/usr/bin/env python3
"""httpfault.py: a small HTTP server on 127.0.0.1 that misbehaves on
purpose, for tests/integration/t18-http.sh.

    httpfault.py PORTFILE LOGFILE LISTFILE

It listens on an ephemeral port of 127.0.0.1, writes the port to PORTFILE
once it listens, and appends the path of every request it gets to LOGFILE
(one line each, flushed), so a test can count requests.  LISTFILE is a
good feed, served by /list.  Every delay is bounded; the server exits on
SIGTERM.

Paths:
  /list            200, LISTFILE
  /304 /404 /500   that status
  /redirect        302 to /list
  /redirect-file   302 to file:///etc/hostname (must not be followed)
  /slow            200, Content-Length 4096, one line, then 30 s of silence
  /drop            200, Content-Length 100000, 40 bytes, connection closed
  /bomb            200, Content-Encoding gzip, 8 MB of a name repeated,
                   gzip-compressed to a few kB
  /big             200, Content-Length 3 MB
  /big-stream      200, 3 MB with no Content-Length (ends at close)
  /empty           200, Content-Length 0
  /br              200, Content-Encoding br
"""
import gzip
import http.server
import os
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_body(self, code, body, headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(self.server.logfile, "a") as log:
            log.write(self.path + "\n")
        p = self.path
        if p == "/list":
            with open(self.server.listfile, "rb") as f:
                self.send_body(200, f.read(), [("Content-Type", "text/plain")])
        elif p == "/304":
            self.send_response(304)
            self.end_headers()
        elif p in ("/404", "/500"):
            self.send_body(int(p[1:]), b"no\n")
        elif p == "/redirect":
            self.send_body(302, b"", [("Location", "/list")])
        elif p == "/redirect-file":
            self.send_body(302, b"", [("Location", "file:///etc/hostname")])
        elif p == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b"slow.example-test\n")
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
        elif p == "/drop":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"drop1.example-test\ndrop2.example-test\n\n\n")
            self.wfile.flush()
            self.close_connection = True
        elif p == "/bomb":
            body = gzip.compress(b"bomb.example-test\n" * ((8 << 20) // 18),
                                 mtime=0)
            self.send_body(200, body, [("Content-Encoding", "gzip")])
        elif p == "/big":
            self.send_body(200, b"big.example-test\n" * ((3 << 20) // 17))
        elif p == "/big-stream":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            line = b"big.example-test\n" * 4096
            for _ in range((3 << 20) // len(line) + 1):
                self.wfile.write(line)
            self.close_connection = True
        elif p == "/empty":
            self.send_body(200, b"")
        elif p == "/br":
            self.send_body(200, b"\x0b\x02\x80", [("Content-Encoding", "br")])
        else:
            self.send_body(404, b"unknown path\n")


def main():
    portfile, logfile, listfile = sys.argv[1:4]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.logfile = logfile
    srv.listfile = listfile
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
