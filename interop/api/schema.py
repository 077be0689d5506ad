"""The OpenAPI description of the API: each operation also documents its error responses."""

from __future__ import annotations

from drf_spectacular import openapi

ERROR = {
    "type": "object",
    "additionalProperties": True,
    "description": "`detail` with a message, or messages by field name (`non_field_errors` for the "
    "others), as lists of strings.",
}
ERRORS = {
    "400": "The request breaks a rule: messages by field.",
    "401": "No or an invalid token or session.",
    "403": "The user's role does not allow this.",
    "404": "No such record among those the user may see.",
    "429": "Too many requests from this address or user: wait the seconds given by Retry-After.",
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code not in responses:
                response = self._get_response_for_code(ERROR, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
