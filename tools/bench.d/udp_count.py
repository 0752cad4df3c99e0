#!/usr/bin/env python3
"""tools/bench zeroloss: a numbered UDP stream at a fixed rate, and the receiver that counts it.

  udp_count.py send ADDR PORT PPS   sends until SIGTERM, then prints {"sent": N, "send_errors": E}
  udp_count.py recv ADDR PORT       counts until SIGTERM, then prints {"received": N, "duplicates": D,
                                    "socket_drops": S, "gaps": [[SECONDS, FIRST_SEQ, COUNT], ...]}

Each datagram carries its sequence number and the sender's CLOCK_MONOTONIC (one clock for every
namespace of the host), so a gap in the sequence says when the missing packets were sent,
in seconds since the first one. socket_drops is the receiving namespace's UDP RcvbufErrors: packets
the data plane delivered but the socket had no room for.
"""
import json
import signal
import socket
import struct
import sys
import time

DATAGRAM = struct.Struct("!Qd")  # sequence, send time
stop = False


def on_signal(_signum, _frame):
    global stop
    stop = True


def udp_rcvbuf_errors():
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


def send(addr, port, pps):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    period, seq, errors = 1.0 / pps, 0, 0
    due = time.monotonic()
    while not stop:
        now = time.monotonic()
        while due <= now and not stop:  # after a stall the missed packets go out at once
            try:
                sock.sendto(DATAGRAM.pack(seq, now), (addr, port))
                seq += 1
            except OSError:
                errors += 1
            due += period
        time.sleep(max(0.0, due - time.monotonic()))
    print(json.dumps({"sent": seq, "send_errors": errors}))


def recv(addr, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: a stall of the reader is not a loss
    sock.bind((addr, port))
    sock.settimeout(0.1)
    drops_before = udp_rcvbuf_errors()
    seen = bytearray()
    gap_start_time = {}  # first missing sequence -> when the packet before it was sent
    received = duplicates = 0
    first_time, top, top_time = None, -1, 0.0
    while not stop:
        try:
            data = sock.recv(64)
        except (socket.timeout, InterruptedError):
            continue
        seq, when = DATAGRAM.unpack_from(data)
        if first_time is None:
            first_time = when
        if seq >= len(seen):
            seen.extend(bytes(seq + 1 - len(seen) + 65536))
        if seen[seq]:
            duplicates += 1
            continue
        seen[seq] = 1
        received += 1
        if seq > top:
            if seq > top + 1:
                gap_start_time[top + 1] = top_time
            top, top_time = seq, when - first_time
    gaps, seq = [], 0
    while seq <= top:  # what is still missing (a late packet may have filled a gap)
        if not seen[seq]:
            start = seq
            while not seen[seq]:
                seq += 1
            gaps.append([round(gap_start_time.get(start, 0.0), 3), start, seq - start])
        seq += 1
    print(json.dumps({"received": received, "duplicates": duplicates,
                      "socket_drops": udp_rcvbuf_errors() - drops_before, "gaps": gaps}))


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
