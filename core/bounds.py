"""What the database can hold: integers beyond it are refused before they reach SQL.

PostgreSQL's ``bigint`` and SQLite's integers are 64-bit signed; an id or count
beyond that answered 500 (psycopg's ``NumericValueOutOfRange``, SQLite's
``OverflowError``). Every integer the API reads is bounded by these.
"""

MAX_INTEGER = 2**63 - 1
MIN_INTEGER = -(2**63)
#: Ids are positive.
MAX_ID = MAX_INTEGER

#: Request bodies nest at most this deep (a JSON body 1,000 deep raised RecursionError).
MAX_JSON_DEPTH = 32
