#!/usr/bin/env python3
"""slowdns.py PORTFILE DELAY_MS LOG: an authoritative server for
slow-test. on 127.0.0.1 that answers each UDP query DELAY_MS after it
came, so that queries to a resolver stay in flight together.

    aliasN.slow-test. A	CNAME bad.slow-test. and its A 192.0.2.9
    bad.slow-test. A		A 192.0.2.9
    anything else		NOERROR, no answer, the zone's SOA

It binds a free port and writes it to PORTFILE, logs "QNAME QTYPE" per
query to LOG (the name in presentation form, lower case), and exits after 300 s at the latest.
"""
import os
import socket
import struct
import sys
import threading
import time

ZONE = b"\x09slow-test\x00"
TTL = 300


def name_at(msg, pos):
    """The uncompressed name at pos: (lower-cased wire bytes, end)."""
    start = pos
    while pos < len(msg) and msg[pos]:
        pos += 1 + msg[pos]
    return msg[start:pos + 1].lower(), pos + 1


def text(wire):
    """A wire name in presentation form (the log's)."""
    labels, pos = [], 0
    while pos < len(wire) and wire[pos]:
        labels.append(wire[pos + 1:pos + 1 + wire[pos]].decode("ascii",
                                                               "replace"))
        pos += 1 + wire[pos]
    return ".".join(labels) + "."


def rr(owner, rtype, rdata):
    return owner + struct.pack("!HHIH", rtype, 1, TTL, len(rdata)) + rdata


def answer(query):
    qname, end = name_at(query, 12)
    qtype, = struct.unpack("!H", query[end:end + 2])
    question = query[12:end + 4]
    bad = b"\x03bad" + ZONE
    ans, auth = [], []
    first, rest = qname[1:1 + qname[0]], qname[1 + qname[0]:]
    if qtype == 1 and first.startswith(b"alias") and rest == ZONE:
        ans = [rr(b"\xc0\x0c", 5, bad), rr(bad, 1, bytes([192, 0, 2, 9]))]
    elif qtype == 1 and qname == bad:
        ans = [rr(b"\xc0\x0c", 1, bytes([192, 0, 2, 9]))]
    else:
        soa = b"\x02ns" + ZONE + b"\x04host" + ZONE + \
            struct.pack("!IIIII", 1, 3600, 600, 86400, 60)
        auth = [rr(ZONE, 6, soa)]
    flags = 0x8400 | (struct.unpack("!H", query[2:4])[0] & 0x0100)
    head = query[0:2] + struct.pack("!HHHHH", flags, 1, len(ans),
                                    len(auth), 0)
    return head + question + b"".join(ans) + b"".join(auth), qname, qtype


def main():
    portfile, delay, logname = sys.argv[1], int(sys.argv[2]) / 1000.0, \
        sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    log = open(logname, "a", buffering=1)
    lock = threading.Lock()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % sock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    sock.settimeout(1.0)
    stop = time.time() + 300
    while time.time() < stop:
        try:
            query, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        try:
            reply, qname, qtype = answer(query)
        except (IndexError, struct.error):
            continue
        with lock:
            log.write("%s %d\n" % (text(qname), qtype))

        def send(r=reply, p=peer):
            sock.sendto(r, p)
        threading.Timer(delay, send).start()


main()
