"""English date and time formats (settings.FORMAT_MODULE_PATH): the site's US style, "7:30 PM".

Templates use the format names (``|time``, ``|date``, ``|date:"MONTH_DAY_FORMAT"``) so that each
language shows its own: Spanish falls back to Django's formats ("19:30", "5 de marzo de 2025").
"""

TIME_FORMAT = "g:i A"
DATE_FORMAT = "F j, Y"
MONTH_DAY_FORMAT = "F j"
