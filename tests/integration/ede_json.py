#!/usr/bin/env python3
"""ede_json.py: read tests/dnsq output on stdin and print each Extended
DNS Error as one line:

    CODE json OBJECT	the EXTRA-TEXT is a JSON object: OBJECT is it
			parsed and written again, minified, keys in the
			order sent, non-ASCII as \\uXXXX
    CODE json~ OBJECT	the same, but the text sent was not that minified
			form (blanks, other escapes)
    CODE text TEXT	the EXTRA-TEXT is not JSON (TEXT as dnsq wrote it)
    CODE none		no EXTRA-TEXT
    CODE bad WHY	bytes that are not UTF-8, or a JSON object that
			I-JSON (RFC 7493) forbids: duplicate names

dnsq writes the text with bytes outside printable ASCII and the backslash
as \\DDD; they are turned back into bytes before decoding.
"""
import json
import re
import sys


def unescape(text):
    """dnsq's \\DDD escapes back to bytes."""
    return re.sub(rb"\\([0-9]{3})", lambda m: bytes([int(m.group(1))]),
                  text.encode("ascii"))


def no_duplicates(pairs):
    """object_pairs_hook: I-JSON names are unique."""
    names = [k for k, _ in pairs]
    if len(names) != len(set(names)):
        raise ValueError("duplicate names")
    return dict(pairs)


def main():
    for line in sys.stdin:
        m = re.match(r"^ede ([0-9]+)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        code, text = m.group(1), m.group(2)
        if text is None:
            print(code, "none")
            continue
        try:
            raw = unescape(text).decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            print(code, "bad", "not UTF-8:", e)
            continue
        if not raw.startswith("{"):
            print(code, "text", text)
            continue
        try:
            obj = json.loads(raw, object_pairs_hook=no_duplicates)
        except ValueError as e:
            print(code, "bad", e)
            continue
        minimal = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        print(code, "json" if raw == minimal else "json~",
              json.dumps(obj, ensure_ascii=True, separators=(",", ":")))


main()
