"""Makes botocore sign with a clock that is off by a given amount (for RequestExpired tests).

botocore reads the signing time from `datetime.datetime` inside botocore.auth (utcnow() in older
releases, now(timezone.utc) in newer); both are shifted here.
"""
import contextlib
import datetime
from unittest import mock

import botocore.auth


@contextlib.contextmanager
def skewed_clock(offset):
    real = datetime.datetime

    class Skewed(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() + offset

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + offset

    with mock.patch.object(botocore.auth.datetime, "datetime", Skewed):
        yield
