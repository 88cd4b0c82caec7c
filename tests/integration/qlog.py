#!/usr/bin/env python3
"""qlog.py: the query log tests' helper (t25, t26, t27).

  send PORT N FORMAT [--src ADDR] [--type T] [--rate QPS]
        N queries, one at a time over UDP, names FORMAT % i; each waits
        up to 2 s.  Prints "answered A timeouts T p50 US p99 US max US".
  raw PORT SRC HEXLABEL... -- SUFFIX
        one query for the labels given in hex (any bytes), then the
        labels of SUFFIX; prints the answer's rcode or TIMEOUT.
  check FILE...
        every line of every file must be one JSON object in pure ASCII;
        prints the number of records, or the first bad line and exits 1.
  rec FILE QNAME [N]
        the N-th (default last) record whose qname is QNAME, compact,
        with a well-formed "ts" within 5 minutes of now replaced by "TS".
  has FILE HEXLABEL...  how many records have the qname of those labels
  hmac KEYFILE ADDR     the client value hash mode gives ADDR
  keyid KEYFILE         the key's id
  pres HEXLABEL...      the presentation form of those labels (the rule of
                        doc/querylog.md)
  syslog SOCKET STOPFILE OUTFILE
        a syslog daemon stand-in: bind a datagram socket at SOCKET and
        write each message received to OUTFILE, one a line, until
        STOPFILE exists (120 s at most).
  hold FIFO STOPFILE OUTFILE
        open FIFO for reading (non-blocking) and never read until
        STOPFILE exists (120 s at most); then read what is there and
        write the number of lines to OUTFILE.

Every loop is bounded in count and time.
"""
import hashlib
import hmac
import ipaddress
import json
import os
import random
import re
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "MX": 15, "TXT": 16, "AAAA": 28}


def wire(labels):
    out = b""
    for lab in labels:
        out += bytes([len(lab)]) + lab
    return out + b"\0"


def query(qid, labels, qtype):
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + \
        wire(labels) + struct.pack(">HH", qtype, 1)


def sock_for(src, port):
    fam = socket.AF_INET6 if ":" in (src or "") else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    dst = "::1" if fam == socket.AF_INET6 else "127.0.0.1"
    s.connect((dst, port))
    s.settimeout(2.0)
    return s


def ask(s, labels, qtype):
    """@return (rcode or None, seconds)"""
    qid = random.randrange(65536)
    pkt = query(qid, labels, qtype)
    t0 = time.monotonic()
    s.send(pkt)
    deadline = t0 + 2.0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, time.monotonic() - t0
        s.settimeout(left)
        try:
            ans = s.recv(4096)
        except socket.timeout:
            return None, time.monotonic() - t0
        if len(ans) >= 12 and struct.unpack(">H", ans[:2])[0] == qid:
            return ans[3] & 15, time.monotonic() - t0


def opt(args, name, default):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def cmd_send(args):
    src = opt(args, "--src", None)
    qtype = TYPES[opt(args, "--type", "A")]
    rate = float(opt(args, "--rate", "0"))
    port, n, fmt = int(args[0]), int(args[1]), args[2]
    s = sock_for(src, port)
    lat = []
    timeouts = 0
    t0 = time.monotonic()
    for i in range(n):
        labels = [x.encode() for x in (fmt % i).split(".")]
        rc, sec = ask(s, labels, qtype)
        if rc is None:
            timeouts += 1
        else:
            lat.append(sec)
        if rate > 0:
            ahead = t0 + (i + 1) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    lat.sort()

    def pct(p):
        return int(lat[min(len(lat) - 1, int(len(lat) * p))] * 1e6) \
            if lat else -1
    print("answered %d timeouts %d p50 %d p99 %d max %d" %
          (len(lat), timeouts, pct(0.5), pct(0.99), pct(1.0)))


def cmd_raw(args):
    port, src = int(args[0]), args[1]
    i = args.index("--")
    labels = [bytes.fromhex(h) for h in args[2:i]]
    labels += [x.encode() for x in args[i + 1].split(".") if x]
    s = sock_for(src, port)
    rc, _ = ask(s, labels, 1)
    print("TIMEOUT" if rc is None else rc)


def cmd_check(args):
    n = 0
    for f in args:
        with open(f, "rb") as fh:
            for lineno, line in enumerate(fh, 1):
                try:
                    text = line.decode("ascii")
                    if not text.endswith("\n") or "\n" in text[:-1]:
                        raise ValueError("not one whole line")
                    rec = json.loads(text)
                    if not isinstance(rec, dict) or rec.get("v") != 1:
                        raise ValueError("not a v1 record")
                except ValueError as e:
                    print("%s:%d: %s: %r" % (f, lineno, e, line[:200]))
                    sys.exit(1)
                n += 1
    print(n)


TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def cmd_rec(args):
    f, qname = args[0], args[1]
    want = int(args[2]) if len(args) > 2 else -1
    found = []
    with open(f, encoding="ascii") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("qname") == qname:
                found.append(rec)
    if not found or (want >= 0 and want >= len(found)):
        print("NONE")
        return
    rec = found[want]
    ts = rec.get("ts", "")
    if isinstance(ts, str) and TS.match(ts):
        t = time.mktime(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) - \
            time.timezone
        if abs(t - time.time()) < 300:
            rec["ts"] = "TS"
    print(json.dumps(rec, separators=(",", ":")))


def read_key(path):
    with open(path, "rb") as fh:
        return fh.read()


def cmd_hmac(args):
    key = read_key(args[0])
    a = ipaddress.ip_address(args[1]).packed
    print("hmac:" + hmac.new(key, a, hashlib.sha256).hexdigest()[:32])


def cmd_keyid(args):
    key = read_key(args[0])
    print(hashlib.sha256(b"fraudblock-key-id" + key).hexdigest()[:8])


def pres(args):
    out = []
    for h in args:
        lab = ""
        for c in bytes.fromhex(h):
            if chr(c) in ".;()\\":
                lab += "\\" + chr(c)
            elif c <= 0x20 or c >= 0x7f:
                lab += "\\%03d" % c
            else:
                lab += chr(c)
        out.append(lab)
    return ".".join(out)


def cmd_pres(args):
    print(json.dumps(pres(args)))


def cmd_has(args):
    want = pres(args[1:])
    n = 0
    with open(args[0], encoding="ascii") as fh:
        for line in fh:
            if json.loads(line).get("qname") == want:
                n += 1
    print(n)


def cmd_hold(args):
    fifo, stop, outf = args
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    end = time.monotonic() + 120
    while not os.path.exists(stop) and time.monotonic() < end:
        time.sleep(0.05)
    n = 0
    while True:
        try:
            b = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not b:
            break
        n += b.count(b"\n")
    with open(outf, "w") as fh:
        fh.write("%d\n" % n)


def cmd_syslog(args):
    path, stop, outf = args
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.1)
    end = time.monotonic() + 120
    with open(outf, "ab", buffering=0) as fh:
        while not os.path.exists(stop) and time.monotonic() < end:
            try:
                fh.write(s.recv(65536) + b"\n")
            except socket.timeout:
                pass


def main():
    cmds = {"send": cmd_send, "raw": cmd_raw, "check": cmd_check,
            "rec": cmd_rec, "hmac": cmd_hmac, "keyid": cmd_keyid,
            "pres": cmd_pres, "hold": cmd_hold, "has": cmd_has,
            "syslog": cmd_syslog}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__)
        sys.exit(2)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
