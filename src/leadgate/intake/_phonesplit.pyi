from collections.abc import Buffer, Sequence

def split(stream: object, regions: Buffer, codes: Sequence[str], known: Buffer, status: Buffer, home: Buffer,
          rest: Buffer, rest_len: Buffer) -> None: ...
