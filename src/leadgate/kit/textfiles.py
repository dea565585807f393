"""Text files as spreadsheet users save them: the encoding (UTF-8 with or without BOM, UTF-16 with BOM,
else Windows-1252, Latin-1 for its five undefined bytes), binary files recognised and refused with what
they are, and the delimiter sniffed from the header line. Shared by the supplier-file intake and the CRM
and call-centre files."""

from __future__ import annotations

from leadgate.kit.errors import InvalidInput

DELIMITERS = (";", ",", "\t", "|")
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook?); give it the .xlsx extension"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook; save it as .xlsx or CSV UTF-8"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
)


HEAD = 65536  # the bytes looked at to recognise a binary file


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding name) of a CSV file as Excel users save it, or InvalidInput saying what the file is."""
    head = data[:HEAD]
    refuse_binary(head, name)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InvalidInput(f"{name} starts as UTF-16 text but is not valid UTF-16.", field="file") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            line = data[:error.start + 3].count(b"\n") + 1
            raise InvalidInput(f"{name} starts as UTF-8 text (it has the byte order mark) but line {line} is not "
                               "valid UTF-8; save it again as \"CSV UTF-8\".", field="file") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def refuse_binary(head: bytes, name: str) -> None:
    """InvalidInput if the file's first HEAD bytes are not those of a text file (UTF-16 with a byte order
    mark is text), saying what the file looks like."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InvalidInput(f"{name} is not a CSV text file (binary data): it is {what}.", field="file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    if b"\x00" in head:
        zeros = head.count(b"\x00")
        if zeros * 3 >= len(head):  # every other byte zero: UTF-16 without its byte order mark
            raise InvalidInput(f"{name} looks like UTF-16 text without a byte order mark, which cannot be read "
                               "reliably; save it as \"CSV UTF-8\" in Excel.", field="file")
        raise InvalidInput(f"{name} is not a CSV text file (it contains binary data).", field="file")
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if controls * 100 > len(head):
        raise InvalidInput(f"{name} is not a CSV text file (it contains binary data).", field="file")


def sniff_delimiter(header: str) -> str:
    """The delimiter that splits the header line most often (outside quotes); `,` for one column."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
