"""Every error the fake answers with: a status, a message, and the vendor's envelope."""


class ApiError(Exception):
    """Base of all errors; subclasses set `status` and a default `message`."""

    status = 500
    message = "Internal Server Error"

    def __init__(self, message: str | None = None, details: dict | None = None, headers: dict | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details
        self.headers = headers or {}

    def to_envelope(self) -> dict:
        status = {"code": self.status, "message": self.message}
        if self.details:
            status["details"] = self.details
        return {"status": status}


class BadRequest(ApiError):
    status = 400
    message = "Invalid request parameters provided"


class Unauthorized(ApiError):
    status = 401
    message = "Missing or invalid x-api-key header"


class Forbidden(ApiError):
    status = 403
    message = "This API key is not allowed for this open media service"


class NotFound(ApiError):
    status = 404
    message = "Resource is not found"


class RequestTimeout(ApiError):
    status = 408
    message = "Timed out"


class Conflict(ApiError):
    status = 409
    message = "Resource already exists"


class PayloadTooLarge(ApiError):
    status = 413
    message = "Request body is too large"


class InternalError(ApiError):
    status = 500
    message = "Internal Server Error"


class WaitTimedOut(RequestTimeout):
    """408 from a wait (POST /__admin/requests/wait, .../deliveries/wait); the envelope also carries what matched
    so far, under `key`."""

    def __init__(self, message: str, requests: list, key: str = "requests"):
        super().__init__(message)
        self.requests = requests
        self.key = key

    def to_envelope(self) -> dict:
        return {**super().to_envelope(), self.key: self.requests}


def envelope(status: int, message: str) -> dict:
    """The error envelope for any status, for statuses that have no class (fault rules)."""
    return {"status": {"code": status, "message": message}}
