from collections.abc import Sequence

# The buffers: numpy arrays (regions, status, home, rest_len: uint8; rest: int64) and bytes (known); the
# program: intake.cpass.program's six arrays.
def split(stream: object, regions: object, codes: Sequence[str], known: bytes, status: object, home: object,
          rest: object, rest_len: object, program: Sequence[object] | None = None) -> None: ...
