"""Working days (工作日历): the calendar time limits are counted on, and its administration."""
