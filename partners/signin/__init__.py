"""Organisers' sign-in: single sign-on with OpenID Connect, and local accounts with a password,
a second factor (TOTP) and throttled attempts. See docs/decisions.md, "Organiser sign-in"."""
