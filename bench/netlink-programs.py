#!/usr/bin/env python3
"""Kernel-side cost of one inet_diag established walk with different filter programs.

Sends raw SOCK_DIAG_BY_FAMILY dumps (AF_INET, ESTABLISHED only) and reports the process CPU
time per dump, so that the kernel's share of a listen-queue sample can be compared without any
JVM in the way: no filter, idiag_sport alone, the one-condition program raindrops sends for one
address, our OR program for all the given addresses, the same with all but the first port
unused, and a port-range tree. Used for docs/BENCHMARKS.md (issue 3, "Current run").

Usage (IPv4 listeners, e.g. the quiet holder's READY line of bench/listen-scale.sh):
    python3 bench/netlink-programs.py '127.0.0.1:P1;127.0.0.1:P2;127.0.0.1:P3;127.0.0.1:P4' [ROUNDS]
"""
import socket
import struct
import sys
import time

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
ESTABLISHED = 1 << 1
BC_JMP, BC_S_GE, BC_S_COND = 1, 2, 7


def cond(port, addr):
    # inet_diag_hostcond: family, prefix_len, pad, port (int), address
    return struct.pack("=BBHi", socket.AF_INET, 32, 0, port) + socket.inet_aton(addr)


def or_program(addrs):
    """C1 J1 C2 J2 ... CN, as NetlinkSampler22 builds it."""
    conds = [cond(p, a) for a, p in addrs]
    total = sum(4 + len(c) for c in conds) + 4 * (len(conds) - 1)
    out = b""
    for i, c in enumerate(conds):
        cl = 4 + len(c)
        out += struct.pack("=BBH", BC_S_COND, cl, cl + 4) + c
        if i < len(conds) - 1:
            out += struct.pack("=BBH", BC_JMP, 4, 4 + total - (len(out) + 4))
    return out


def tree_program(addrs):
    """S_GE on the third port, then two conditions per branch (four addresses)."""
    a = sorted(addrs, key=lambda x: x[1])
    c = [cond(p, h) for h, p in a]
    cl = [4 + len(x) for x in c]
    total = 8 + cl[2] + 4 + cl[3] + 4 + cl[0] + 4 + cl[1]
    o_j3 = 8 + cl[2]
    o_c4 = o_j3 + 4
    o_j4 = o_c4 + cl[3]
    o_c1 = o_j4 + 4
    o_j1 = o_c1 + cl[0]
    out = struct.pack("=BBH", BC_S_GE, 8, o_c1) + struct.pack("=BBH", 0, 0, a[2][1])
    out += struct.pack("=BBH", BC_S_COND, cl[2], cl[2] + 4) + c[2]
    out += struct.pack("=BBH", BC_JMP, 4, total - o_j3)
    out += struct.pack("=BBH", BC_S_COND, cl[3], total + 4 - o_c4) + c[3]
    out += struct.pack("=BBH", BC_JMP, 4, total - o_j4)
    out += struct.pack("=BBH", BC_S_COND, cl[0], cl[0] + 4) + c[0]
    out += struct.pack("=BBH", BC_JMP, 4, total - o_j1)
    out += struct.pack("=BBH", BC_S_COND, cl[1], cl[1] + 4) + c[1]
    assert len(out) == total
    return out


class Diag:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.seq = 0

    def dump(self, sport=0, program=None):
        """One dump; returns the number of sockets the kernel sent back."""
        self.seq += 1
        req = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, ESTABLISHED)
        req += struct.pack("!HH", sport, 0) + b"\0" * 32 + struct.pack("=I", 0) + b"\xff" * 8
        if program is not None:
            req += struct.pack("=HH", 4 + len(program), 1) + program
        self.sock.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, 0x301, self.seq, 0) + req)
        rows = 0
        while True:
            data = self.sock.recv(65536)
            off = 0
            while off < len(data):
                length, kind = struct.unpack_from("=IH", data, off)
                if kind in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                    return rows
                rows += 1
                off += (length + 3) & ~3


def main():
    addrs = []
    for a in sys.argv[1].split(";"):
        host, port = a.rsplit(":", 1)
        addrs.append((host, int(port)))
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    d = Diag()
    first = addrs[:1]
    unused = first + [("127.0.0.1", p) for p in (1, 2, 3)][: len(addrs) - 1]
    cases = [
        ("idiag_sport, no program", lambda: d.dump(sport=addrs[0][1])),
        ("1 condition (raindrops, 1 address)", lambda: d.dump(program=or_program(first))),
        ("%d-condition OR (ours)" % len(addrs), lambda: d.dump(program=or_program(addrs))),
        ("the same, other ports unused", lambda: d.dump(program=or_program(unused))),
    ]
    if len(addrs) == 4:
        cases.append(("port-range tree", lambda: d.dump(program=tree_program(addrs))))
    cases.append(("no filter (every socket)", lambda: d.dump()))
    for r in range(rounds):
        for name, f in cases:
            n = 5 if name.startswith("no filter") else 20
            f()
            t0 = time.process_time()
            for _ in range(n):
                rows = f()
            cpu = (time.process_time() - t0) / n * 1e6
            print("round %d  %-36s %9.0f us CPU per dump  rows=%d" % (r + 1, name, cpu, rows))


if __name__ == "__main__":
    main()
