#!/usr/bin/env python3
"""The tests' independent TFRecord checker: Python 3 standard library only, no code shared with src/.

Usage:
  tfrecord_check.py check FILE... [--gzip | --zlib] [--dump]

Reads each FILE whole (decompressed with --gzip / --zlib), walks the TFRecord framing
(u64 length, masked CRC32C of the length, data, masked CRC32C of the data), decodes every
record as a tf.train.Example, and prints one JSON object (indent 1):

  {"files", "records", "bytes" (uncompressed), "features": {key: "bytes"|"int64"|"float"|"empty"} in order
   of first appearance, "errors": [{"file", "offset", "record", "error"}],
   "examples": [{key: {type: values}}] (only with --dump; bytes as hex, int64 signed, float32 widened),
   "feature_lists": {key: {type: frames}} (only when some record is a SequenceExample: its context
   is read as the Example's features)}

Exit status 0 without errors, 1 with any. This is the same output as the golden files'
*.expected.json (test/fixtures/golden/README.md), so `pipeline inspect --json` can be compared
with it. Errors: "truncated header" / "length crc mismatch" / "truncated record" stop a file (the
framing is lost); "data crc mismatch" and "not an Example: ..." skip one record.
"""
import json
import struct
import sys
import zlib
import gzip


def _crc32c_table():
    # Castagnoli polynomial, reflected (0x1EDC6F41 bit-reversed).
    poly = 0x82F63B78
    table = []
    for byte in range(256):
        value = byte
        for _ in range(8):
            value = (value >> 1) ^ (poly if value & 1 else 0)
        table.append(value)
    return table


CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    table = CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    """TFRecord's mask: rotate right by 15 bits, add a constant (mod 2^32)."""
    crc = crc32c(data)
    rotated = ((crc >> 15) | (crc << 17)) & 0xFFFFFFFF
    return (rotated + 0xA282EAD8) & 0xFFFFFFFF


class Protobuf:
    """A cursor over one protobuf message: yields (field number, wire type, value)."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def varint(self):
        value, shift = 0, 0
        while True:
            if self.pos >= len(self.data):
                raise ValueError("truncated varint")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated field")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def __iter__(self):
        while self.pos < len(self.data):
            tag = self.varint()
            number, wire = tag >> 3, tag & 7
            if wire == 0:
                value = self.varint()
            elif wire == 1:
                value = self.take(8)
            elif wire == 2:
                value = self.take(self.varint())
            elif wire == 5:
                value = self.take(4)
            else:
                raise ValueError("wire type %d not supported" % wire)
            yield number, wire, value


def as_int64(unsigned):
    return unsigned - (1 << 64) if unsigned & (1 << 63) else unsigned


def packed_varints(data):
    cursor = Protobuf(data)
    out = []
    while cursor.pos < len(cursor.data):
        out.append(as_int64(cursor.varint()))
    return out


def feature(data):
    """A tf.train.Feature: oneof bytes_list (1), float_list (2), int64_list (3)."""
    for number, _, value in Protobuf(data):
        if number == 1:
            return "bytes", [item.hex() for n, _, item in Protobuf(value) if n == 1]
        if number == 2:
            floats = []
            for n, _, item in Protobuf(value):
                if n == 1:  # packed (wire 2): many float32; unpacked (wire 5): one
                    floats.extend(x for (x,) in struct.iter_unpack("<f", item))
            return "float", floats
        if number == 3:
            ints = []
            for n, wire, item in Protobuf(value):
                if n != 1:
                    continue
                ints.extend(packed_varints(item) if wire == 2 else [as_int64(item)])
            return "int64", ints
    return "empty", []  # no list set (TFX's missing value): a feature without a type


def example(data):
    """A tf.train.Example: features (1) -> map<string, Feature> entries (1) of key (1), value (2)."""
    decoded = {}
    for number, _, features in Protobuf(data):
        if number != 1:
            continue
        for n, _, entry in Protobuf(features):
            if n != 1:
                continue
            key, value = None, b""
            for m, _, part in Protobuf(entry):
                if m == 1:
                    key = part.decode("utf-8")
                elif m == 2:
                    value = part
            decoded[key] = feature(value)
    return decoded


def feature_lists(data):
    """A tf.train.SequenceExample's feature_lists (field 2): {key: [(type, values) per frame]}; {} for an Example."""
    lists = {}
    for number, _, body in Protobuf(data):
        if number != 2:
            continue
        for n, _, entry in Protobuf(body):  # FeatureLists.feature_list: map entries (1) of key (1), FeatureList (2)
            if n != 1:
                continue
            key, frames = None, []
            for m, _, part in Protobuf(entry):
                if m == 1:
                    key = part.decode("utf-8")
                elif m == 2:
                    frames = [feature(f) for k, _, f in Protobuf(part) if k == 1]  # FeatureList.feature (1)
            lists.setdefault(key, []).extend(frames)
    return lists


def load(path, compression):
    with open(path, "rb") as handle:
        raw = handle.read()
    if compression == "gzip":
        return gzip.decompress(raw)
    if compression == "zlib":
        return zlib.decompress(raw)
    return raw


def check_file(path, data, summary, dump):
    offset, record = 0, 0
    size = len(data)

    def problem(text):
        summary["errors"].append({"file": path, "offset": offset, "record": record, "error": text})

    while offset < size:
        if size - offset < 12:
            problem("truncated header")
            return
        length_bytes = data[offset:offset + 8]
        length = int.from_bytes(length_bytes, "little")
        if int.from_bytes(data[offset + 8:offset + 12], "little") != masked_crc(length_bytes):
            problem("length crc mismatch")
            return
        end = offset + 12 + length
        if end + 4 > size:
            problem("truncated record")
            return
        body = data[offset + 12:end]
        if int.from_bytes(data[end:end + 4], "little") != masked_crc(body):
            problem("data crc mismatch")
        else:
            try:
                decoded = example(body)
            except Exception as error:  # a valid record that is not an Example
                problem("not an Example: %s" % error)
            else:
                for key, (kind, _) in decoded.items():
                    summary["features"].setdefault(key, kind)
                # A SequenceExample: its context read above as the features, its lists' frame types counted.
                for key, frames in feature_lists(body).items():
                    counts = summary.setdefault("feature_lists", {}).setdefault(key, {})
                    for kind, _ in frames:
                        counts[kind] = counts.get(kind, 0) + 1
                if dump:
                    summary["examples"].append({key: {kind: values} for key, (kind, values) in decoded.items()})
        summary["records"] += 1
        offset = end + 4
        record += 1


def main(argv):
    if not argv or argv[0] != "check":
        sys.stdout.write(__doc__)
        return 2
    flags = {a for a in argv[1:] if a.startswith("--")}
    paths = [a for a in argv[1:] if not a.startswith("--")]
    compression = "gzip" if "--gzip" in flags else "zlib" if "--zlib" in flags else None
    dump = "--dump" in flags
    summary = {"files": 0, "records": 0, "bytes": 0, "features": {}, "errors": []}
    if dump:
        summary["examples"] = []
    for path in paths:
        data = load(path, compression)
        summary["files"] += 1
        summary["bytes"] += len(data)
        check_file(path, data, summary, dump)
    print(json.dumps(summary, indent=1))
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
