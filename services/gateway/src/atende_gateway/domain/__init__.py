"""Pure gateway logic: webhook signatures and the verification handshake (no I/O)."""
