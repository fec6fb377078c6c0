"""Admin forms that run the shared validation functions of ``ticketing.validation``.

``Model.clean()`` already calls the validator with the model's concrete fields. What it
cannot see are many-to-many values (only saved after the instance) and the parent of
models without a ``clean()`` (add-ons, bundles, price overrides); the forms below pass
those from ``cleaned_data``, so the admin refuses what the API refuses, with the same
messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class SharedValidationForm(forms.ModelForm):
    """A ModelForm that accepts validator errors for fields it does not show.

    Validators name fields of the resource (``non_field_errors``, ``items``, a field
    that is read-only in the admin ...); Django raises ``ValueError`` for an error on a
    field the form lacks, so such errors become non-field errors that name the field.
    The same message reported twice (once by the form, once by ``Model.clean()``) is
    shown once.
    """

    def add_error(self, field, error):
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        if field is not None or not hasattr(error, "error_dict"):
            return super().add_error(field, error)
        for name, errors in error.error_dict.items():
            target = name if name in self.fields else NON_FIELD_ERRORS
            messages = [m for e in errors for m in e.messages]
            if target == NON_FIELD_ERRORS and name not in (NON_FIELD_ERRORS, "non_field_errors"):
                messages = [f"{name.replace('_', ' ').capitalize()}: {m}" for m in messages]
            existing = self.errors[target].as_data() if target in self.errors else []
            shown = {m for e in existing for m in e.messages}
            new = [m for m in messages if m not in shown]
            if new:
                super().add_error(None if target == NON_FIELD_ERRORS else target, new)

    def run_validator(
        self, validator: Callable[..., None], *, only: Iterable[str] | None = None, **values: Any
    ) -> None:
        """Call ``validator(**values)``; with ``only``, keep just the errors of those fields.

        ``only`` lists the fields ``Model.clean()`` cannot check (many-to-many ones), so
        concrete-field errors are not reported twice from different values.
        """
        try:
            validator(**values)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            if only is not None:
                errors = {k: v for k, v in errors.items() if k in set(only)}
            if errors:
                self.add_error(None, ValidationError(errors))

    def value(self, name: str) -> Any:
        """The field's cleaned value, else the instance's (read-only fields are not in the form)."""
        if name in self.cleaned_data:
            return self.cleaned_data[name]
        return getattr(self.instance, name, None)
