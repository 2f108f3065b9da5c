"""Message classes for pprof's `profile.proto`, built at import time with the protobuf library.

No protoc is needed: the file descriptor is written here in Python, field for
field from github.com/google/pprof/proto/profile.proto (package
perftools.profiles, proto3), and message_factory makes the classes. Building it
at run time, rather than committing a protoc-generated `_pb2.py`, keeps us off
the generated-code/runtime version checks of protobuf 4 to 7.

Only the fields pprof has had since its first release are declared (numbers
1-14 of Profile); readers ignore what they do not know, and we write no more.
"""
from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto
_INT64, _UINT64, _BOOL, _STRING, _MESSAGE = _F.TYPE_INT64, _F.TYPE_UINT64, _F.TYPE_BOOL, _F.TYPE_STRING, _F.TYPE_MESSAGE
_ONE, _MANY = _F.LABEL_OPTIONAL, _F.LABEL_REPEATED
PACKAGE = "perftools.profiles"

# message -> [(field name, number, type, label, message type or None)]
_MESSAGES = {
    "Profile": [
        ("sample_type", 1, _MESSAGE, _MANY, "ValueType"),
        ("sample", 2, _MESSAGE, _MANY, "Sample"),
        ("mapping", 3, _MESSAGE, _MANY, "Mapping"),
        ("location", 4, _MESSAGE, _MANY, "Location"),
        ("function", 5, _MESSAGE, _MANY, "Function"),
        ("string_table", 6, _STRING, _MANY, None),
        ("drop_frames", 7, _INT64, _ONE, None),
        ("keep_frames", 8, _INT64, _ONE, None),
        ("time_nanos", 9, _INT64, _ONE, None),
        ("duration_nanos", 10, _INT64, _ONE, None),
        ("period_type", 11, _MESSAGE, _ONE, "ValueType"),
        ("period", 12, _INT64, _ONE, None),
        ("comment", 13, _INT64, _MANY, None),
        ("default_sample_type", 14, _INT64, _ONE, None),
    ],
    "ValueType": [("type", 1, _INT64, _ONE, None), ("unit", 2, _INT64, _ONE, None)],
    "Sample": [
        ("location_id", 1, _UINT64, _MANY, None),
        ("value", 2, _INT64, _MANY, None),
        ("label", 3, _MESSAGE, _MANY, "Label"),
    ],
    "Label": [
        ("key", 1, _INT64, _ONE, None), ("str", 2, _INT64, _ONE, None),
        ("num", 3, _INT64, _ONE, None), ("num_unit", 4, _INT64, _ONE, None),
    ],
    "Mapping": [
        ("id", 1, _UINT64, _ONE, None), ("memory_start", 2, _UINT64, _ONE, None),
        ("memory_limit", 3, _UINT64, _ONE, None), ("file_offset", 4, _UINT64, _ONE, None),
        ("filename", 5, _INT64, _ONE, None), ("build_id", 6, _INT64, _ONE, None),
        ("has_functions", 7, _BOOL, _ONE, None), ("has_filenames", 8, _BOOL, _ONE, None),
        ("has_line_numbers", 9, _BOOL, _ONE, None), ("has_inline_frames", 10, _BOOL, _ONE, None),
    ],
    "Location": [
        ("id", 1, _UINT64, _ONE, None), ("mapping_id", 2, _UINT64, _ONE, None),
        ("address", 3, _UINT64, _ONE, None), ("line", 4, _MESSAGE, _MANY, "Line"),
        ("is_folded", 5, _BOOL, _ONE, None),
    ],
    "Line": [("function_id", 1, _UINT64, _ONE, None), ("line", 2, _INT64, _ONE, None)],
    "Function": [
        ("id", 1, _UINT64, _ONE, None), ("name", 2, _INT64, _ONE, None),
        ("system_name", 3, _INT64, _ONE, None), ("filename", 4, _INT64, _ONE, None),
        ("start_line", 5, _INT64, _ONE, None),
    ],
}


def _file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name="mapbench/pprof/profile.proto", package=PACKAGE, syntax="proto3"
    )
    for message_name, fields in _MESSAGES.items():
        message = proto.message_type.add(name=message_name)
        for name, number, kind, label, type_name in fields:
            field = message.field.add(name=name, number=number, type=kind, label=label, json_name=name)
            if type_name is not None:
                field.type_name = f".{PACKAGE}.{type_name}"
    return proto


# A private pool, so another copy of profile.proto loaded elsewhere cannot clash.
_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_file_descriptor())
Profile = message_factory.GetMessageClass(_POOL.FindMessageTypeByName(f"{PACKAGE}.Profile"))
