"""Writes and workflows of the orders app (``<thing>_<verb>``): carts, the checkout, order status."""
