#!/usr/bin/env python3
"""slowdns.py: a small authoritative DNS server that answers late, for
tests where two queries to the resolver must be in flight at once
(tests/integration/t34-clients.sh, tests/integration/t35-sde.sh).

    slowdns.py PORTFILE LOGFILE DELAY_MS ADDRESS

It listens on UDP on an ephemeral port of 127.0.0.1, writes the port to
PORTFILE once it listens, and answers each query DELAY_MS milliseconds
after it came (each on its own timer, so queries in flight overlap).  Z
is the query name's last label (the zone a test delegates to it, e.g.
slow-test.); every answer is NOERROR with the AA bit, the question
copied, TTL 300, names matched in any case:

    aliasX.Z. (two labels, the first    CNAME bad.Z., and for type A
    starting with "alias"), any type    bad.Z. A ADDRESS as well
    any other name, type A              A ADDRESS
    any other name, any other type      no answer, the SOA of Z (NODATA)

Each query's name (presentation form, lower case) and type number are
appended to LOGFILE, one line "NAME TYPE" each, flushed, so a test can
count what reached the upstream.  Malformed packets (short, not exactly
one question, a response, not a standard query, a compressed or bad
name) are dropped unlogged.  Bounded: at most 256 answers pending (more
are dropped), and it exits on SIGTERM or after 300 s.
"""
import os
import signal
import socket
import struct
import sys
import threading
import time

LIFETIME = 300
MAX_PENDING = 256
TTL = 300
T_A, T_CNAME, T_SOA = 1, 5, 6


def parse_question(pkt):
    """(lower-cased wire labels of the qname, qtype, end of the question)
    or None when the packet is not a well-formed standard query."""
    if len(pkt) < 12:
        return None
    flags, qdcount = struct.unpack(">HH", pkt[2:6])
    if flags & 0x8000 or (flags >> 11) & 0xF or qdcount != 1:
        return None
    pos, labels = 12, []
    while True:
        if pos >= len(pkt) or len(labels) > 127:
            return None
        n = pkt[pos]
        if n == 0:
            pos += 1
            break
        if n > 63 or pos + 1 + n > len(pkt):
            return None
        labels.append(pkt[pos + 1:pos + 1 + n].lower())
        pos += 1 + n
    if pos + 4 > len(pkt) or pos - 12 > 255:
        return None
    qtype = struct.unpack(">H", pkt[pos:pos + 2])[0]
    return labels, qtype, pos + 4


def wire(labels):
    """The uncompressed wire form of a list of labels."""
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\x00"


def rr(owner, rtype, rdata):
    """One resource record of class IN with the fixed TTL."""
    return owner + struct.pack(">HHIH", rtype, 1, TTL, len(rdata)) + rdata


def reply(pkt, labels, qtype, end, addr):
    """The answer to the query pkt, per the table in the docstring."""
    zone = wire(labels[-1:])
    ans, auth = [], []
    if len(labels) == 2 and labels[0].startswith(b"alias"):
        bad = wire([b"bad"] + labels[-1:])
        ans.append(rr(b"\xc0\x0c", T_CNAME, bad))
        if qtype == T_A:
            ans.append(rr(bad, T_A, addr))
    elif qtype == T_A:
        ans.append(rr(b"\xc0\x0c", T_A, addr))
    if qtype != T_A:
        soa = wire([b"ns"] + labels[-1:]) + wire([b"host"] + labels[-1:]) \
            + struct.pack(">IIIII", 1, 3600, 600, 86400, 60)
        auth.append(rr(zone, T_SOA, soa))
    rd = struct.unpack(">H", pkt[2:4])[0] & 0x0100
    head = pkt[0:2] + struct.pack(">HHHHH", 0x8400 | rd, 1, len(ans),
                                  len(auth), 0)
    return head + pkt[12:end] + b"".join(ans) + b"".join(auth)


def text(labels):
    """A name in presentation form, as the log has it."""
    return ".".join(x.decode("ascii", "replace") for x in labels) + "."


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    portfile, logfile = sys.argv[1], sys.argv[2]
    delay = int(sys.argv[3]) / 1000.0
    addr = socket.inet_aton(sys.argv[4])
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % sock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    log = open(logfile, "a", buffering=1)
    pending = threading.BoundedSemaphore(MAX_PENDING)

    def send(out, peer):
        try:
            sock.sendto(out, peer)
        except OSError:
            pass
        pending.release()

    deadline = time.time() + LIFETIME
    while time.time() < deadline:
        try:
            pkt, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        q = parse_question(pkt)
        if q is None or not pending.acquire(blocking=False):
            continue
        log.write("%s %d\n" % (text(q[0]), q[1]))
        timer = threading.Timer(delay, send,
                                (reply(pkt, q[0], q[1], q[2], addr), peer))
        timer.daemon = True
        timer.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
