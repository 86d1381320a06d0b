"""reportgen: NHS Oversight Framework league tables and segments as accessible documents."""

__version__ = "0.1.0"
