"""Every error under ``/api/`` answers JSON, whatever raised it and whether DEBUG is on.

DRF renders what happens inside its views; what happens around them does not pass
through DRF: an unknown ``/api/`` URL (Django's HTML 404, or its debug page), a body
over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (an HTML 400), an error nobody caught (an HTML
500). This middleware turns those into the API's error shape,
``{"code": ..., "detail": ...}``: 404 ``not_found``, 413 ``too_large``, 500
``server_error`` and so on. Redirects (a missing trailing slash) are left alone. A
database that cannot be reached outside a view (while authenticating, in a middleware)
answers 503 ``unavailable`` with ``Retry-After``, as inside one.
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from core.metrics import count_refusal, observe_request
from core.requestid import accepted_or_new, bound_request_id

API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "too_large",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def error_response(status: int, detail: str) -> JsonResponse:
    code = CODES.get(status, "error")
    count_refusal(code)
    return JsonResponse({"code": code, "detail": detail}, status=status)


#: Seconds a client is asked to wait before retrying when the database is unavailable.
UNAVAILABLE_RETRY_AFTER = 5
UNAVAILABLE_DETAIL = "The service is unavailable for a moment; nothing was changed. Please retry."


def unavailable() -> JsonResponse:
    response = error_response(503, UNAVAILABLE_DETAIL)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        detail = {
            404: "There is no such resource.",
            500: "Something went wrong on our side; nothing was changed.",
        }.get(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error.")
        replacement = error_response(status, detail)
        # Django logged the answer it made (a foreign Host's one line); the JSON one says the same.
        replacement._has_been_logged = getattr(response, "_has_been_logged", False)
        return replacement

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX) and isinstance(exception, RequestDataTooBig):
            return error_response(413, "The request body is too large.")
        if request.path.startswith(API_PREFIX) and isinstance(exception, (OperationalError, InterfaceError)):
            return unavailable()
        return None


NUL_IN_QUERY = "Null characters are not allowed."


class NulMiddleware:
    """A NUL character is in no slug, code, e-mail or number, and PostgreSQL refuses it in a
    query (a psycopg ``DataError``, a 500). Under ``/api/``, before any view runs: a path
    holding one is a 404 (there is no such resource); a query string holding one is a 400
    naming each parameter, ``{"email": ["Null characters are not allowed."]}``. Bodies are
    checked by the serializers' fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            if "\x00" in request.path:
                return error_response(404, "There is no such resource.")
            names = sorted({key for key, values in request.GET.lists() if "\x00" in key + "".join(values)})
            if names:
                return JsonResponse(
                    {name.replace("\x00", "\ufffd"): [NUL_IN_QUERY] for name in names}, status=400
                )
        return self.get_response(request)


LENGTH_REQUIRED = "Send the body with a Content-Length header; a chunked body is not read."


class LengthRequiredMiddleware:
    """A body sent chunked (``Transfer-Encoding``) without a ``Content-Length`` is a 411, before anything
    reads it: Django reads exactly ``Content-Length`` bytes of a body, and none without one, so gunicorn's
    de-chunked body was read as empty and a view answered as if nothing had been sent (a misleading 400
    ``"This field is required."``). Under ``/api/`` the answer is ``{"code": "length_required", ...}``.
    The proxy in front (``deploy/nginx.conf.template``) reads a chunked body whole and passes it on with
    its length, so clients of the proxy may send chunked bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_TRANSFER_ENCODING") and not request.META.get("CONTENT_LENGTH"):
            if request.path.startswith(API_PREFIX):
                return error_response(411, LENGTH_REQUIRED)
            return HttpResponse(LENGTH_REQUIRED, status=411, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


access_log = logging.getLogger("ticketshop.request")


class RequestIdMiddleware:
    """First of the middlewares: binds the request's id (its ``X-Request-ID`` when that is a sane token,
    a new one otherwise) while the request is served, so every log line carries it, and returns it in
    the ``X-Request-ID`` of every response, those made by the other middlewares included. Records the
    request's latency by route (``core.metrics``) and writes one access log line (``ticketshop.request``,
    INFO) with ``method``, ``path``, ``route``, ``status`` and ``duration_ms``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.request_id = accepted_or_new(request.headers.get("X-Request-ID"))
        started = time.perf_counter()
        with bound_request_id(request_id):
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            route = observe_request(request, response.status_code, seconds)
            duration_ms = round(seconds * 1000, 1)
            access_log.info(
                "%s %s %s %.1fms", request.method, request.path.encode("unicode_escape").decode("ascii"),
                response.status_code, duration_ms,
                extra={
                    "method": request.method, "path": request.path, "route": route,
                    "status": response.status_code, "duration_ms": duration_ms,
                },
            )  # fmt: skip
        return response
