"""The artifacts passed between actions, serialized deterministically (see proto/)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from google.protobuf.message import Message

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface
from snakebridge_rules._pb.snakebridge.v1.manifest_pb2 import Manifest
from snakebridge_rules._pb.snakebridge.v1.symbols_pb2 import SymbolLocations, SymbolSet
from snakebridge_rules.engine.files import write_atomic

__all__ = ["ApiSurface", "Manifest", "SymbolLocations", "SymbolSet", "read", "serialize", "write"]

M = TypeVar("M", bound=Message)


def serialize(message: Message) -> bytes:
    """Byte-identical output for equal content (map and field order fixed)."""
    return message.SerializeToString(deterministic=True)


def write(path: Path, message: Message) -> bool:
    return write_atomic(path, serialize(message))


def read(path: Path, message_type: type[M]) -> M:
    message = message_type()
    message.ParseFromString(path.read_bytes())
    return message
