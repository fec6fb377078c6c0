"""Writes and workflows of the vouchers app (``<thing>_<verb>``)."""
