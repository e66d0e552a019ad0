"""Errors a stage raises for bad input. The class name is what the ``errors`` table records."""


class InputError(Exception):
    """The file cannot be processed as it is; the batch records it and goes on."""


class EmptyFile(InputError):
    pass


class UnsupportedType(InputError):
    pass


class CorruptFile(InputError):
    pass


class EncryptedFile(InputError):
    pass


class TooLarge(InputError):
    """Pages, images or archives beyond the configured limits (decompression bombs)."""


class UndecodableText(InputError):
    pass


class OcrTimeout(InputError):
    pass


class UnsafeArchive(InputError):
    """Zip members with path traversal, absurd compression ratios or nesting."""
