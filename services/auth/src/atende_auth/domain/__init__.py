"""Pure logic of the auth service: users and roles, passwords, tokens, keys, TOTP, lockout, networks."""
