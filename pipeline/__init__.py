"""convenio: international cooperation agreements into a queryable, auditable database."""

__version__ = "0.1.0"
