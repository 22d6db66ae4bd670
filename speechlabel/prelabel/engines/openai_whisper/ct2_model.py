"""Read a CTranslate2 ``model.bin`` into numpy arrays (numpy only, no CTranslate2 needed).

Layout (little endian, DESIGN.md §4): u32 version (<= 6); str spec name; u32 revision; u32
number of variables; per variable: str name, u8 rank, u32 dims[rank], u8 dtype, u32 byte count,
the data; then u32 number of aliases and (alias, target) string pairs. A str is a u16 length
(counting a trailing NUL), the UTF-8 bytes and the NUL.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from speechlabel.core.errors import ValidationError

MAX_VERSION = 6
# CTranslate2's dtype codes. bfloat16 has no numpy type: it is widened to float32 by hand.
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: "bfloat16"}


@dataclass
class Ct2Model:
    """The variables of one model.bin, by CTranslate2 name."""

    spec: str
    version: int
    revision: int
    variables: dict[str, np.ndarray]
    aliases: dict[str, str] = field(default_factory=dict)


class _Cursor:
    """Reads fields off the file's bytes and says where a truncated file ran out."""

    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.path, self.position = data, path, 0

    def take(self, count: int, what: str) -> memoryview:
        end = self.position + count
        if count < 0 or end > len(self.data):
            raise ValidationError(
                message_key="error.ct2_truncated",
                params={
                    "path": self.path,
                    "part": what,
                    "count": count,
                    "position": self.position,
                    "size": len(self.data),
                },
            )
        chunk = self.data[self.position : end]
        self.position = end
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def string(self, what: str) -> str:
        (length,) = self.unpack("H", f"the length of {what}")
        raw = bytes(self.take(length, what))
        if length == 0 or raw[-1] != 0:
            raise ValidationError(
                message_key="error.ct2_not_nul",
                params={"path": self.path, "part": what, "offset": self.position - length},
            )
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(
                message_key="error.ct2_not_utf8", params={"path": self.path, "part": what, "error": error}
            ) from error


def read_ct2_model(path: Path) -> Ct2Model:
    """Parse ``path`` (a model.bin). A truncated or damaged file raises ValidationError."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(message_key="error.ct2_missing", params={"path": path})
    cursor = _Cursor(memoryview(path.read_bytes()), path)
    (version,) = cursor.unpack("I", "the format version")
    if not 1 <= version <= MAX_VERSION:
        raise ValidationError(
            message_key="error.ct2_version",
            params={"path": path, "version": version, "most": MAX_VERSION},
        )
    spec = cursor.string("the spec name") if version >= 2 else ""
    (revision,) = cursor.unpack("I", "the spec revision") if version >= 2 else (1,)
    (count,) = cursor.unpack("I", "the number of variables")
    variables = dict(_read_variable(cursor, version) for _ in range(count))
    aliases = (
        dict(_read_alias(cursor) for _ in range(cursor.unpack("I", "the number of aliases")[0]))
        if cursor.position < len(cursor.data)
        else {}
    )
    if cursor.position != len(cursor.data):
        raise ValidationError(
            message_key="error.ct2_trailing", params={"path": path, "count": len(cursor.data) - cursor.position}
        )
    return Ct2Model(spec, version, revision, variables, aliases)


def _read_variable(cursor: _Cursor, version: int) -> tuple[str, np.ndarray]:
    name = cursor.string("a variable name")
    (rank,) = cursor.unpack("B", f"the rank of {name}")
    shape = cursor.unpack(f"{rank}I", f"the shape of {name}")
    if version >= 4:
        (code,) = cursor.unpack("B", f"the dtype of {name}")
        (nbytes,) = cursor.unpack("I", f"the byte count of {name}")
    else:  # older files: a u8 item size, always float32 here
        (item_size,) = cursor.unpack("B", f"the item size of {name}")
        (count,) = cursor.unpack("I", f"the item count of {name}")
        code, nbytes = 0, item_size * count
    if code not in _DTYPES:
        raise ValidationError(message_key="error.ct2_dtype", params={"path": cursor.path, "name": name, "code": code})
    raw = cursor.take(nbytes, f"the data of {name}")
    return name, _to_array(raw, _DTYPES[code], shape, name, cursor.path)


def _to_array(raw: memoryview, dtype, shape: tuple[int, ...], name: str, path: Path) -> np.ndarray:
    if dtype == "bfloat16":
        halves = np.frombuffer(raw, dtype="<u2")
        array = (halves.astype(np.uint32) << 16).view(np.float32)
    else:
        array = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
    if array.size != int(np.prod(shape, dtype=np.int64)):
        raise ValidationError(
            message_key="error.ct2_size",
            params={
                "path": path,
                "name": name,
                "size": array.size,
                "shape": shape,
                "needed": int(np.prod(shape, dtype=np.int64)),
            },
        )
    return array.reshape(shape)


def _read_alias(cursor: _Cursor) -> tuple[str, str]:
    return cursor.string("an alias name"), cursor.string("an alias target")
