"""Back-office pages of the orders app that are not a model's own pages (``orders.admin`` adds their URLs)."""
