#!/usr/bin/env python3
"""Print every named counter of a rainbarrel Barrel file, using only Python's standard library.

Usage: read_barrel.py [--json] FILE

Counters print as ``name value`` (``name{label} value`` when labelled), the sum of the counter's
base record and its per-thread cells (format version 2); a gauge prints once with the sum of the
records (base and cells) whose owner process (pid and start time) is still alive, as the Java
reader does. All sums wrap at 2**64. The byte layout is described in docs/FILE-FORMAT.md.
"""
import json
import mmap
import struct
import sys

MAGIC = b"RNBARREL"
VERSION = 2  # reads versions 1 and 2 (a version 1 file is a version 2 file without cells)
HEADER_LENGTH = 4096
EXTC = 0x43545845  # "EXTC"
TYPE_COUNTERS = 1
STATE_ALLOCATED = 1
KIND_COUNTER, KIND_GAUGE = 1, 2


class BarrelError(Exception):
    pass


def owner_alive(stamp):
    """True when the process with this owner stamp (pid << 32 | start ticks) still runs."""
    pid, start = stamp >> 32, stamp & 0xFFFFFFFF
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return False
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return False
    return int(fields[19]) & 0xFFFFFFFF == start


def read(path):
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        if size < HEADER_LENGTH:
            raise BarrelError("%s: truncated: %d bytes, a barrel header needs %d" % (path, size, HEADER_LENGTH))
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        if mm[0:8] != MAGIC:
            raise BarrelError("%s: not a barrel file" % path)
        (version, _hlen, slot_size, meta_len, slots, _max_ext, extent_count, ready) = struct.unpack_from("<8I", mm, 8)
        if version > VERSION:
            raise BarrelError("%s: format version %d is newer than this reader (%d)" % (path, version, VERSION))
        if not ready:
            raise BarrelError("%s: not initialised" % path)
        (ext_table,) = struct.unpack_from("<I", mm, 76)
        values = {}
        order = []
        for i in range(extent_count):
            off, length, typ = struct.unpack_from("<QII", mm, ext_table + 16 * i)
            if off + length > size:
                raise BarrelError("%s: truncated: extent %d ends at %d beyond %d bytes" % (path, i, off + length, size))
            if typ != TYPE_COUNTERS:
                continue  # blocks (histograms) are not counters
            magic, _t, _idx, nslots, _alloc, meta_off, values_off = struct.unpack_from("<7I", mm, off)
            if magic != EXTC:
                raise BarrelError("%s: extent %d is not a counter extent" % (path, i))
            for n in range(nslots):
                m = off + meta_off + n * meta_len
                state, kind, owner = struct.unpack_from("<IIQ", mm, m)
                if state != STATE_ALLOCATED or kind not in (KIND_COUNTER, KIND_GAUGE):
                    continue
                name_len, label_len = struct.unpack_from("<HH", mm, m + 32)
                name = mm[m + 64:m + 64 + name_len].decode("utf-8")
                label = mm[m + 128:m + 128 + label_len].decode("utf-8")
                (value,) = struct.unpack_from("<Q", mm, off + values_off + n * slot_size)
                key = name + ("{%s}" % label if label else "")
                # Several records of one (kind, name, label) add up: a counter's base record and
                # its cells (flag bit 0 at offset 40), a gauge's records of every live owner.
                if kind == KIND_GAUGE and not owner_alive(owner):
                    value = 0
                if key not in values:
                    order.append(key)
                values[key] = (values.get(key, 0) + value) & 0xFFFFFFFFFFFFFFFF
        return [(k, values[k]) for k in order]
    finally:
        mm.close()


def main(argv):
    args = [a for a in argv[1:] if a != "--json"]
    if len(args) != 1:
        sys.stderr.write("usage: read_barrel.py [--json] FILE\n")
        return 2
    try:
        counters = read(args[0])
    except (OSError, BarrelError) as e:
        sys.stderr.write("read_barrel.py: %s\n" % e)
        return 1
    if "--json" in argv:
        print(json.dumps(dict(counters)))
    else:
        for name, value in counters:
            print("%s %d" % (name, value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
