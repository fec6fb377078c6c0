"""What the database can hold: integers beyond it are refused before they reach SQL.

PostgreSQL's ``bigint`` and SQLite's integers are 64-bit signed; an id or count
beyond that answered 500 (psycopg's ``NumericValueOutOfRange``, SQLite's
``OverflowError``). Every integer the API reads is bounded by these.
"""

MAX_INTEGER = 2**63 - 1
MIN_INTEGER = -(2**63)
#: Ids are positive.
MAX_ID = MAX_INTEGER
#: An amount a filter compares with (``?value=12.00``): from 0 up to this (money columns hold 12 digits
#: before the point; a larger one could match nothing).
MAX_AMOUNT = 10**12

#: Request bodies nest at most this deep (a JSON body 1,000 deep raised RecursionError).
MAX_JSON_DEPTH = 32
