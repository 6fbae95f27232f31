"""Request signers: pure functions, no I/O, no clock, no randomness.

- `venuekit._signing.coinbase`: HMAC-SHA256 prehash and signature for Coinbase Exchange and INTX.
- `venuekit._signing.deribit`: Deribit ``deri-hmac-sha256`` (request data, string to sign,
  signature, Authorization header).
- `venuekit._signing.cdp`: Coinbase CDP JWTs (EdDSA via PyNaCl, ES256 via ``cryptography``) for
  ``public/auth`` at drb.coinbase.com.
- `venuekit._signing.loopring`: Loopring v3 signature base, message and EdDSA signature
  (Baby JubJub + Poseidon, built on `_babyjubjub` and `_poseidon`).

The `httpx.Auth` adapters that apply them to real requests live in `venuekit.auth`.
"""

from __future__ import annotations

__all__: list[str] = []
