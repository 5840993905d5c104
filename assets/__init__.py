"""Software-defined assets of kodistill, one sub-package per asset group, next to the pure logic they call."""
