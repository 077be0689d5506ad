"""Signing in: the backends, the lockout (django-axes), the second factor (django-otp), the
access review's idle accounts. The request rates are in base.py (REST_FRAMEWORK), read by
accounts/throttling.py."""

import os

from .env import env_bool

AUTHENTICATION_BACKENDS = [
    "programs.auth.ThrottledLoginBackend",
    # Django's ModelBackend, each user's permissions kept in the cache between requests.
    "programs.auth.CachedPermissionBackend",
]
# Five failures lock the account from that address (`client_address` below) for an hour; the
# message says so.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
#: The lockout's address is the throttles' (REMOTE_ADDR, or behind THROTTLE_NUM_PROXIES proxies
#: the address the outermost one saw), never an X-Forwarded-For the client wrote.
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"

#: ILO managers, administrators and whoever sees personal data sign in with a second factor
#: (accounts/second_factor.py); field staff may choose to. Never off in production.
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)
OTP_TOTP_ISSUER = "haiti_esc"
#: Accounts not signed in for this many days are flagged on the access review.
ACCOUNT_INACTIVE_DAYS = int(os.environ.get("ACCOUNT_INACTIVE_DAYS", "90"))
