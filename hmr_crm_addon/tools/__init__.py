from . import phone_key
