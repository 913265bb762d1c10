from datetime import date, datetime, time

from infraprep.practice.streak import streak_days


def ts(y, m, d, h=12):
    return datetime.combine(date(y, m, d), time(h)).timestamp()


def test_streak_counts_consecutive_days_ending_today_or_yesterday():
    today = date(2026, 11, 28)
    days = [ts(2026, 11, 28), ts(2026, 11, 27, 1), ts(2026, 11, 27, 23), ts(2026, 11, 26), ts(2026, 11, 24)]
    assert streak_days(days, today) == 3
    assert streak_days(days[1:], today) == 2  # nothing today yet: the streak still stands
    assert streak_days([ts(2026, 11, 25)], today) == 0
    assert streak_days([], today) == 0
