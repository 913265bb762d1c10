"""Practice streak: consecutive calendar days (local time) with at least one attempt, ending today
or yesterday (a streak is not broken until a whole day passes without practice)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

__all__ = ["streak_days"]


def streak_days(timestamps: list[float], today: date | None = None) -> int:
    days = {datetime.fromtimestamp(t).date() for t in timestamps}
    today = today or date.today()
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count, day = count + 1, day - timedelta(days=1)
    return count
