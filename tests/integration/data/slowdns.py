#!/usr/bin/env python3
"""slowdns.py: the smallest authoritative DNS server that answers late,
for tests/integration/t34-clients.sh (two identical queries in flight at
once).

    slowdns.py PORTFILE LOGFILE DELAY ADDRESS

It listens on UDP on an ephemeral port of 127.0.0.1, writes the port to
PORTFILE once it listens, and answers every query DELAY seconds after it
came (each in its own thread, so queries in flight overlap): an A query
with one A record of ADDRESS (TTL 300), any other type with no records;
always NOERROR with the AA bit, the question copied.  Each query's name
and type are appended to LOGFILE (one line each, flushed), so a test can
count what reached the upstream.  Bounded: it exits on SIGTERM or after
300 s; malformed packets are dropped.
"""
import os
import signal
import socket
import struct
import sys
import threading
import time

LIFETIME = 300


def parse_question(pkt):
    """(qname text, qtype, end of question) or None."""
    if len(pkt) < 12 or struct.unpack(">H", pkt[4:6])[0] != 1:
        return None
    pos, labels = 12, []
    while pos < len(pkt) and len(labels) < 128:
        n = pkt[pos]
        if n == 0:
            pos += 1
            break
        if n > 63 or pos + 1 + n > len(pkt):
            return None
        labels.append(pkt[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    else:
        return None
    if pos + 4 > len(pkt):
        return None
    qtype = struct.unpack(">H", pkt[pos:pos + 2])[0]
    return ".".join(labels) + ".", qtype, pos + 4


def answer(sock, pkt, peer, delay, addr, log, lock):
    q = parse_question(pkt)
    if q is None:
        return
    name, qtype, end = q
    with lock:
        log.write("%s %d\n" % (name, qtype))
        log.flush()
    time.sleep(delay)
    qid, flags = struct.unpack(">HH", pkt[:4])
    rd = flags & 0x0100
    an = 1 if qtype == 1 else 0
    out = struct.pack(">HHHHHH", qid, 0x8400 | rd, 1, an, 0, 0)
    out += pkt[12:end]
    if an:
        out += struct.pack(">HHHIH", 0xC00C, 1, 1, 300, 4) + addr
    try:
        sock.sendto(out, peer)
    except OSError:
        pass


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    portfile, logfile, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    addr = socket.inet_aton(sys.argv[4])
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % sock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    log = open(logfile, "a")
    lock = threading.Lock()
    deadline = time.time() + LIFETIME
    while time.time() < deadline:
        try:
            pkt, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        threading.Thread(target=answer, daemon=True,
                         args=(sock, pkt, peer, delay, addr, log,
                               lock)).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
