"""Time windows of a force extract (occurred_from, occurred_to), read as the
README's "Time of week and peaks" says, for the shell tests' brute forces."""
import datetime

MIN = datetime.timedelta(minutes=1)


def parse(s):
    """an ISO date-time; a bare date means the end of that day; '' -> None"""
    s = s.strip()
    if not s:
        return None
    if len(s) == 10:
        return datetime.datetime.fromisoformat(s) + datetime.timedelta(days=1)
    return datetime.datetime.fromisoformat(s)


def window(r):
    """(start, end, minutes) of a row; end and minutes None without an end"""
    s, e = parse(r["occurred_from"]), parse(r["occurred_to"])
    return s, e, (None if e is None else (e - s) // MIN)
