"""The key under which two phone numbers of prospects are "the same" (B6)."""

import re

# Mexico dropped the "1" of mobile numbers dialled from abroad (+52 1 55...) and the
# national prefixes 044/045 (mobiles) and 01 (long distance) in 2019-2020, but people
# still write them: all of them reach the same 10-digit number.
MX_PHONE_CODE = "52"
MX_NATIONAL_PREFIXES = ("044", "045", "01")


def phone_key(number, phone_code=MX_PHONE_CODE):
    """Return the number as ``+<country code><national number>``, digits only, with the
    Mexican variants folded onto one key; ``False`` when there is no number.

    ``phone_code`` is the country calling code of numbers written without one (the
    prospect's country, else the company's).

    >>> phone_key("+52 1 55 1234 5678") == phone_key("55 1234 5678") == "+525512345678"
    True
    """
    digits = re.sub(r"\D", "", number or "")
    if not digits:
        return False
    written = (number or "").strip()
    if written.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    else:
        international = _national_to_international(digits, phone_code or MX_PHONE_CODE)
    if international.startswith(MX_PHONE_CODE + "1") and len(international) == 13:
        international = MX_PHONE_CODE + international[3:]
    return "+" + international


def _national_to_international(digits, phone_code):
    if phone_code == MX_PHONE_CODE:
        for prefix in MX_NATIONAL_PREFIXES:
            if digits.startswith(prefix) and len(digits) - len(prefix) == 10:
                digits = digits[len(prefix) :]
                break
        if len(digits) in (12, 13) and digits.startswith(MX_PHONE_CODE):
            # written without the "+": 52 55 1234 5678, 52 1 55 1234 5678
            return digits
        return MX_PHONE_CODE + digits
    return phone_code + digits.lstrip("0")
