"""RFC 6238 codes of virtual MFA devices (HMAC-SHA-1, 30-second steps, 6 digits), shared by the
suites that enable devices and sign in or assume roles with them."""
import base64
import hashlib
import hmac
import struct


def totp(seed_base32, step):
    """The code of the device with Base32 seed `seed_base32` for step counter `step`."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)
