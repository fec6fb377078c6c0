"""Domain errors: a business rule refused an operation. Plain Python, no DRF imports,
so services anywhere can raise them; ``config.exceptions`` renders them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the operation; ``code`` is stable and documented."""

    status_code = 400
    code = "invalid"
    default_detail = "The request could not be processed."

    def __init__(self, detail: str | None = None, *, code: str | None = None, **context: Any) -> None:
        self.detail = detail or self.default_detail
        if code is not None:
            self.code = code
        self.context = context
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.context}


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"
