"""The contract pages: the brand's (list, create with the live fairness panel, preview, send, track), the signing
pages a signer opens from their email, a creator's own contracts, and the public verification page."""
