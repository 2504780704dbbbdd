"""Elixir structs that have a Python twin: sets and the calendar types, both ways;
ranges one way (to `range`).

Kept apart from the worker loop because these are pure value mappings: `to_python`
reads a decoded struct (a dict with `__struct__`), `to_elixir` answers the struct to
encode for a Python value, or None when the value has no Elixir twin. Standard library
only (this runs in the user's interpreter).
"""

import datetime

import snakebridge_etf as etf

_ISO = etf.Atom("Elixir.Calendar.ISO")
_UTC_NAME = "Etc/UTC"


def to_python(name, value, resolve):
    """A decoded Elixir struct named `name` (`Elixir.MapSet`, ...) as a Python value;
    `resolve` converts nested terms. None when the struct is not one of these."""
    maker = _TO_PYTHON.get(name)
    return None if maker is None else maker(value, resolve)


def _mapset(value, resolve):
    return {as_key(resolve(item)) for item in value.get("map", {})}


def as_key(value):
    """A resolved value used as a dict key or set element: sets become frozensets."""
    return frozenset(value) if isinstance(value, set) else value


def _microsecond(value):
    micro = value.get("microsecond", (0, 0))
    return micro[0] if isinstance(micro, tuple) else 0


def _date(value, _resolve):
    return datetime.date(value["year"], value["month"], value["day"])


def _time(value, _resolve):
    return datetime.time(value["hour"], value["minute"], value["second"], _microsecond(value))


def _naive(value, _resolve):
    return datetime.datetime(
        value["year"],
        value["month"],
        value["day"],
        value["hour"],
        value["minute"],
        value["second"],
        _microsecond(value),
    )


def _aware(value, resolve):
    naive = _naive(value, resolve)
    offset = datetime.timedelta(seconds=value.get("utc_offset", 0) + value.get("std_offset", 0))
    zone = value.get("time_zone", _UTC_NAME)
    if zone == _UTC_NAME and not offset:
        return naive.replace(tzinfo=datetime.timezone.utc)
    named = _named_zone(naive, zone, offset)
    if named is not None:
        return named
    return naive.replace(tzinfo=datetime.timezone(offset, value.get("zone_abbr") or None))


def _named_zone(naive, zone, offset):
    """`naive` in the IANA zone `zone` when it exists here and gives `offset`."""
    try:
        import zoneinfo  # Python >= 3.9

        tz = zoneinfo.ZoneInfo(zone)
    except Exception:  # noqa: BLE001 - no zoneinfo, unknown key, no tzdata
        return None
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=tz, fold=fold)
        if candidate.utcoffset() == offset:
            return candidate
    return None


def _range(value, _resolve):
    """`first..last//step` includes `last`; Python's `range` stops before it."""
    step = value.get("step", 1)
    return range(value["first"], value["last"] + (1 if step > 0 else -1), step)


_TO_PYTHON = {
    "Elixir.MapSet": _mapset,
    "Elixir.Range": _range,
    "Elixir.Date": _date,
    "Elixir.Time": _time,
    "Elixir.NaiveDateTime": _naive,
    "Elixir.DateTime": _aware,
}


def to_elixir(value):
    """The `etf.Struct` for a set or calendar value, else None (exact types only: a
    subclass such as pandas.Timestamp stays an object)."""
    maker = _TO_ELIXIR.get(type(value))
    return None if maker is None else maker(value)


def _struct_mapset(value):
    return etf.Struct("MapSet", [("map", dict.fromkeys(value, [])), ("version", 2)])


def _clock(value):
    micro = value.microsecond
    return [
        ("hour", value.hour),
        ("minute", value.minute),
        ("second", value.second),
        ("microsecond", (micro, 6 if micro else 0)),
    ]


def _day(value):
    return [("year", value.year), ("month", value.month), ("day", value.day)]


def _struct_date(value):
    return etf.Struct("Date", [("calendar", _ISO), *_day(value)])


def _struct_time(value):
    if value.tzinfo is not None:
        raise TypeError("a time with a tzinfo has no Elixir form (Time is naive)")
    return etf.Struct("Time", [("calendar", _ISO), *_clock(value)])


def _struct_datetime(value):
    fields = [("calendar", _ISO), *_day(value), *_clock(value)]
    offset = value.utcoffset()
    if offset is None:
        return etf.Struct("NaiveDateTime", fields)
    dst = value.dst() or datetime.timedelta(0)
    key = getattr(value.tzinfo, "key", None)
    name = value.tzname() or ""
    zone = key or (_UTC_NAME if not offset else name)
    abbr = "UTC" if zone == _UTC_NAME else name
    return etf.Struct(
        "DateTime",
        [
            *fields,
            ("time_zone", zone),
            ("zone_abbr", abbr),
            ("utc_offset", int((offset - dst).total_seconds())),
            ("std_offset", int(dst.total_seconds())),
        ],
    )


_TO_ELIXIR = {
    set: _struct_mapset,
    frozenset: _struct_mapset,
    datetime.date: _struct_date,
    datetime.time: _struct_time,
    datetime.datetime: _struct_datetime,
}
