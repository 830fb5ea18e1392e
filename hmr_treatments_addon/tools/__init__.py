from . import photo_upload
