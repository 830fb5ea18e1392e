from . import hmr_message_composer
