"""Exact numbers: parsing to rationals, integer logarithms, decimal display.

Every number that enters boundcalc becomes a :class:`fractions.Fraction`:

* strings: integers (``"12"``), decimals (``"0.05"``, ``".5"``), scientific
  notation (``"5e-2"``) and fractions (``"1/20"``) are read exactly, so
  ``"0.1"`` is 1/10, not the binary float nearest to it;
* ``int``, ``Fraction`` and ``decimal.Decimal`` are taken as they are;
* a Python ``float`` is taken at its exact binary value
  (``0.1`` -> 3602879701896397/36028797018963968); pass a string for a
  decimal value.

Floats never decide anything: they appear only in :func:`format_decimal`,
whose output is the exact value correctly rounded to a number of significant
digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from numbers import Rational
from typing import Any, Union

from .errors import InvalidNumberError
from .units import log_name

__all__ = [
    "Number",
    "NUMBER_FORMS",
    "to_rational",
    "parse_rational",
    "positive_rational",
    "nonnegative_rational",
    "positive_int",
    "ceil_log2",
    "floor_log2",
    "ceil_div",
    "format_decimal",
    "format_directed",
    "rounded_text",
    "interval_decimals",
    "decimal_digits",
    "check_listed_digits",
    "number_json",
    "plain_decimal",
    "compare_with_log",
    "LogLinear",
    "Measured",
    "round_up",
    "FLOAT_DIGITS",
    "SCHEMA_VERSION",
]

#: What a number argument may be.
Number = Union[int, Fraction, Decimal, float, str]

#: Human description of the accepted spellings, used in error messages.
NUMBER_FORMS = "an integer, a decimal such as 0.05, scientific notation such as 5e-2, or a fraction such as 1/20"

# Python refuses to convert integers of more than 4300 digits to text (sys.int_info.default_max_str_digits),
# so no number may need more digits than this, counting its exponent: nobody means 1e5000, and refusing
# is better than a traceback when the value is printed.
MAX_DIGITS = 4_000
MAX_EXPONENT = MAX_DIGITS

_DECIMAL = re.compile(
    r"""\s*(?P<sign>[-+])?
        (?:(?P<int>\d+)(?:\.(?P<frac1>\d*))?|\.(?P<frac2>\d+))
        (?:[eE](?P<exp>[-+]?\d+))?\s*\Z""",
    re.VERBOSE | re.ASCII,  # \d is 0-9 only: "٣" or "３" is not silently a number
)
_FRACTION = re.compile(r"\s*(?P<num>[-+]?\d+)\s*/\s*(?P<den>\d+)\s*\Z", re.ASCII)


def _fail(text: object, param: str | None, why: str = "is not a number") -> InvalidNumberError:
    return InvalidNumberError(f"{text!r} {why}", param=param, value=text, allowed=f"expected {NUMBER_FORMS}")


def parse_rational(text: str, param: str | None = None) -> Fraction:
    """Parse ``text`` exactly into a Fraction.

    >>> parse_rational("0.1") + parse_rational("0.2") == parse_rational("3/10")
    True
    >>> parse_rational("5e-2")
    Fraction(1, 20)

    Raises :class:`InvalidNumberError` (naming ``param``) for anything else:
    NaN, infinities, empty strings, ``"1,5"``, absurd exponents.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_rational expects a string, got {type(text).__name__}")
    if len(text) > MAX_DIGITS + 32:
        raise _fail(text[:40] + "...", param, f"has more than {MAX_DIGITS} digits")
    if not text.isascii():
        raise _fail(text, param, "has characters other than ASCII digits, signs, '.', 'e' and '/'")
    m = _DECIMAL.match(text)
    if m:
        exp = int(m["exp"] or 0)
        if abs(exp) > MAX_EXPONENT:
            raise _fail(text, param, f"has an exponent beyond +-{MAX_EXPONENT}")
        int_part = m["int"] or ""
        frac = m["frac1"] if m["frac1"] is not None else (m["frac2"] or "")
        digits = int_part + frac
        if len(digits) > MAX_DIGITS:
            raise _fail(text[:40] + "...", param, f"has more than {MAX_DIGITS} digits")
        if len(digits.lstrip("0")) + abs(exp - len(frac)) > MAX_DIGITS:
            raise _fail(text[:40], param, f"needs more than {MAX_DIGITS} digits written out")
        value = Fraction(int(digits or "0"))
        shift = exp - len(frac)
        value = value * 10**shift if shift >= 0 else value / 10 ** (-shift)
        return -value if m["sign"] == "-" else value
    m = _FRACTION.match(text)
    if m:
        if len(m["num"]) + len(m["den"]) > MAX_DIGITS:
            raise _fail(text[:40] + "...", param, f"has more than {MAX_DIGITS} digits")
        den = int(m["den"])
        if den == 0:
            raise _fail(text, param, "has a zero denominator")
        return Fraction(int(m["num"]), den)
    raise _fail(text, param)


def to_rational(value: Number, param: str | None = None) -> Fraction:
    """Convert any accepted number to an exact Fraction (see the module docstring)."""
    if isinstance(value, bool):
        raise _fail(value, param, "is a boolean, not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        return parse_rational(value, param)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _fail(str(value), param, "is not finite")
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _fail(value, param, "is not finite")
        return Fraction(value)
    if isinstance(value, Rational):
        return Fraction(value.numerator, value.denominator)
    raise _fail(value, param, f"has unsupported type {type(value).__name__}")


def positive_rational(value: Number, param: str | None = None) -> Fraction:
    """``to_rational`` that also requires a value > 0."""
    x = to_rational(value, param)
    if x <= 0:
        raise InvalidNumberError(
            f"{_show(value)} is not allowed", param=param, value=value, allowed="must be greater than 0"
        )
    return x


def nonnegative_rational(value: Number, param: str | None = None) -> Fraction:
    """``to_rational`` that also requires a value >= 0."""
    x = to_rational(value, param)
    if x < 0:
        raise InvalidNumberError(
            f"{_show(value)} is negative", param=param, value=value, allowed="must be 0 or greater"
        )
    return x


def positive_int(value: Number, param: str | None = None) -> int:
    """An exact integer >= 1 (``"1024"``, ``1024``, ``"1e3"``; not ``"2.5"``)."""
    x = to_rational(value, param)
    if x.denominator != 1:
        raise InvalidNumberError(
            f"{_show(value)} is not an integer", param=param, value=value, allowed="must be a positive integer"
        )
    if x < 1:
        raise InvalidNumberError(
            f"{_show(value)} is not allowed", param=param, value=value, allowed="must be a positive integer"
        )
    return int(x)


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def ceil_log2(n: int) -> int:
    """ceil(log2 n) for an integer n >= 1, by bit length (exact for any size).

    >>> [ceil_log2(n) for n in (1, 2, 3, 4, 5, 8, 9)]
    [0, 1, 2, 2, 3, 3, 4]
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"ceil_log2 needs an integer >= 1, got {n!r}")
    return (n - 1).bit_length()


def floor_log2(n: int) -> int:
    """floor(log2 n) for an integer n >= 1.

    >>> [floor_log2(n) for n in (1, 2, 3, 4, 7, 8)]
    [0, 1, 1, 2, 2, 3]
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"floor_log2 needs an integer >= 1, got {n!r}")
    return n.bit_length() - 1


def decimal_digits(n: int) -> int:
    """The number of decimal digits of ``|n|`` (1 for 0), without converting it to text.

    Python refuses ``str()`` of integers over 4300 digits; results of exact
    arithmetic on bounded inputs can be longer, so their size is measured here.

    >>> decimal_digits(0), decimal_digits(999), decimal_digits(-1000), decimal_digits(10**5000)
    (1, 3, 4, 5001)
    """
    n = abs(n)
    if n < 10**18:
        return len(str(n))
    guess = int(n.bit_length() * 0.30102999566398120)  # log10(2): within one of the answer
    return guess + 1 if n >= 10**guess else guess


#: The most decimal digits a listing of exact values may hold (the chain of (19) for s_max = 10^300 has 997 values
#: of up to 301 digits: 3·10^5, printed in seconds); longer listings are refused before they are built.
MAX_LISTED_DIGITS = 1_000_000


def check_listed_digits(count: int, largest: int, what: str, param: str | None = None) -> None:
    """Refuse a listing of ``count`` exact values of up to ``largest``'s digits beyond :data:`MAX_LISTED_DIGITS`."""
    digits = count * decimal_digits(largest)
    if digits > MAX_LISTED_DIGITS:
        raise InvalidNumberError(f"{what} would list {count} values of up to {decimal_digits(largest)} digits",
                                 param=param, allowed=f"at most {MAX_LISTED_DIGITS} digits in all")


def ceil_div(a: int, b: int) -> int:
    """ceil(a / b) for integers, b > 0."""
    return -(-a // b)


def format_decimal(value: Number, digits: int = 6) -> str:
    """The exact value correctly rounded (half to even) to ``digits`` significant digits.

    >>> format_decimal(Fraction(1, 3))
    '0.333333'
    >>> format_decimal(Fraction(2, 3), 3)
    '0.667'
    >>> format_decimal(Fraction(1, 8)), format_decimal(Fraction(1, 10**8))
    ('0.125', '1e-8')
    """
    return _rounded_decimal(value, digits, ROUND_HALF_EVEN)


def format_directed(value: Number, digits: int, upward: bool) -> str:
    """The exact value rounded toward +∞ (``upward``) or -∞ to ``digits`` significant digits: the decimal shown
    is >= (or <=) the value, as an interval's ends must be shown (low down, high up) to contain it.

    >>> format_directed(Fraction(12349, 10**5), 3, upward=False), format_directed(Fraction(12341, 10**5), 3, upward=True)
    ('0.123', '0.124')
    >>> format_directed(Fraction(-1, 3), 2, upward=False), format_directed(Fraction(1, 8), 3, upward=True)
    ('-0.34', '0.125')
    """
    return _rounded_decimal(value, digits, ROUND_CEILING if upward else ROUND_FLOOR)


def _rounded_decimal(value: Number, digits: int, rounding: str) -> str:
    x = to_rational(value)
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits}")
    ctx = Context(prec=digits, rounding=rounding, Emax=10**9, Emin=-(10**9))
    d = ctx.divide(Decimal(x.numerator), Decimal(x.denominator))
    if x.denominator == 1 and decimal_digits(x.numerator) <= max(digits, 18):
        return str(x.numerator)  # integers that fit are shown whole
    return rounded_text(d, ctx)


def rounded_text(d: Decimal, ctx: Context) -> str:
    """A decimal already rounded to ``ctx.prec`` significant digits as text: fixed notation for exponents -5 up to
    the precision, else mantissa and exponent, trailing zeros dropped (also :mod:`boundcalc.decimal_text`'s)."""
    if d.is_zero():
        return "0"
    adjusted = d.adjusted()
    if -5 <= adjusted < ctx.prec:
        return _strip_zeros(format(d, "f"))
    mantissa = _strip_zeros(format(d.scaleb(-adjusted, context=ctx), "f"))
    return f"{mantissa}e{adjusted}"


def _strip_zeros(text: str) -> str:
    # like printf's %g: the digits shown are significant, trailing zeros are not
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain_decimal(x: Fraction) -> str:
    """A rational as a terminating decimal when it is one, else p/q (both read back exactly).

    >>> plain_decimal(Fraction(1, 8)), plain_decimal(Fraction(1, 3))
    ('0.125', '1/3')
    """
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return str(x)
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = max(28, decimal_digits(x.numerator) + decimal_digits(x.denominator) + 5)
        text = format(Decimal(x.numerator) / Decimal(x.denominator), "f")
    return text


def number_json(value: Number, digits: int = 6) -> dict[str, str]:
    """The JSON form of an exact number: ``{"exact": "p/q", "decimal": "..."}``."""
    x = to_rational(value)
    return {"exact": str(x), "decimal": format_decimal(x, digits)}


class LogLinear:
    """The exact number ``coefficient * log(V) + offset`` (log = ln for nats, log2 for bits).

    Bounds that involve the vocabulary size are of this form; they are kept
    symbolic and only rounded for display.

    >>> LogLinear(Fraction(7, 1024), 2, Fraction(1, 1000), "bits").exact
    '7/1024*log2(2) + 1/1000'
    >>> LogLinear(Fraction(1), 50000, Fraction(0), "nats").decimal(8)
    '10.819778'
    """

    def __init__(self, coefficient: Fraction, log_of: int, offset: Fraction = Fraction(0), unit: str = "nats"):
        self.coefficient = Fraction(coefficient)
        self.log_of = int(log_of)
        self.offset = Fraction(offset)
        self.unit = unit

    @property
    def exact(self) -> str:
        log = f"{log_name(self.unit)}({self.log_of})"
        head = log if self.coefficient == 1 else f"{self.coefficient}*{log}"
        return head if self.offset == 0 else f"{head} + {self.offset}"

    def value(self, dps: int = 30):
        """The value as an mpmath number with ``dps`` digits."""
        import mpmath

        with mpmath.workdps(dps):
            log = mpmath.log(self.log_of) if self.unit == "nats" else mpmath.log(self.log_of, 2)
            return mpmath.mpf(self.coefficient.numerator) / self.coefficient.denominator * log + mpmath.mpf(
                self.offset.numerator
            ) / self.offset.denominator

    def decimal(self, digits: int = 6) -> str:
        import mpmath

        with mpmath.workdps(digits + 15):
            v = self.value(digits + 15)
            # round the (irrational) value through an exact rational of ample precision
            return format_decimal(Fraction(mpmath.nstr(v, digits + 10, min_fixed=-1, max_fixed=-1).replace(" ", "")), digits)

    def to_json(self, digits: int = 6) -> dict[str, str]:
        return {"exact": self.exact, "decimal": self.decimal(digits)}

    def __repr__(self) -> str:
        return f"LogLinear({self.exact!r})"


def compare_with_log(x: Number, base_of: int, unit: str = "nats") -> int:
    """Sign of ``x - log(V)`` with ``V = base_of``, decided exactly.

    ``unit`` is ``"nats"`` (natural log) or ``"bits"`` (log2). Rational x and
    log V are compared by integer arithmetic when log V is rational
    (V = 1, or V a power of two in bits); otherwise log V is irrational, so
    the two differ, and interval arithmetic (mpmath.iv) at increasing
    precision separates them with certainty.

    >>> compare_with_log("0.6931", 2), compare_with_log("0.6932", 2)
    (-1, 1)
    >>> compare_with_log(3, 8, "bits")
    0
    """
    q = to_rational(x)
    if base_of < 1:
        raise ValueError(f"the vocabulary size must be a positive integer, got {base_of}")
    if unit not in ("nats", "bits"):
        raise ValueError(f"unit must be 'nats' or 'bits', got {unit!r}")
    exact_log: Fraction | None = None
    if base_of == 1:
        exact_log = Fraction(0)
    elif unit == "bits" and base_of & (base_of - 1) == 0:
        exact_log = Fraction(base_of.bit_length() - 1)
    if exact_log is not None:
        return (q > exact_log) - (q < exact_log)
    from mpmath import iv  # lazy: only the vocabulary check needs it

    saved = iv.prec
    try:
        iv.dps = 30
        while True:
            xi = iv.mpf(q.numerator) / iv.mpf(q.denominator)
            li = iv.log(iv.mpf(base_of))
            if unit == "bits":
                li = li / iv.log(iv.mpf(2))
            if xi.b < li.a:
                return -1
            if xi.a > li.b:
                return 1
            iv.dps *= 2
    finally:
        iv.prec = saved


def round_up(value: float, digits: int = 2) -> str:
    """``value`` >= 0 rounded *up* to ``digits`` significant digits: a stated error bound never shrinks.

    >>> round_up(3.01e-12), round_up(0.0), round_up(1.0)
    ('3.1e-12', '0', '1')
    """
    if value < 0 or value != value:
        raise ValueError(f"an error bound must be >= 0, got {value!r}")
    if value == 0:
        return "0"
    x = Fraction(value)
    exponent = Decimal(value).adjusted() - digits + 1
    step = Fraction(10) ** exponent
    units = -((-x) // step)  # ceil
    return format_decimal(units * step, digits)


#: The most significant digits a float64 holds: a float-derived value is never shown with more.
FLOAT_DIGITS = 17


def interval_decimals(low: float, high: float, error: float = 0.0, digits: int = 3) -> tuple[str, str | None]:
    """An interval's ends as shown decimals that contain it: [low - error, high + error] (``error``: the ends'
    certified float error) with the low end rounded down and the high end up (directed, never to nearest),
    the low end no lower than 0 (every interval shown is of a non-negative quantity: an error, ΣI, Φ, a
    bound). ``digits`` significant digits, more (up to a float's 17) only as far as nearest rounding would
    need to tell the ends apart (a narrow interval is not a point). The high end is None when infinite.

    >>> interval_decimals(0.12349, 0.5), interval_decimals(0.1, 0.12341), interval_decimals(1.0, float("inf"))
    (('0.123', '0.5'), ('0.1', '0.124'), ('1', None))
    >>> interval_decimals(42.0, 50.0, error=1e-14)    # widened by the error first, then rounded outward
    ('41.9', '50.1')
    """
    lo = max(Fraction(low) - Fraction(error), Fraction(0))
    if high == float("inf"):
        return format_directed(lo, digits, upward=False), None
    hi = Fraction(high) + Fraction(error)
    while digits < FLOAT_DIGITS and lo != hi and format_decimal(lo, digits) == format_decimal(hi, digits):
        digits += 1
    return format_directed(lo, digits, upward=False), format_directed(hi, digits, upward=True)

#: The version of the JSON documents boundcalc writes (``"schema_version"``, first key of every document).
#: 2: one shape for every float with an error (:meth:`Measured.to_json`); see CHANGELOG.md.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Measured:
    """A floating-point result with its uncertainty: never shown as exact (the ``uncertainties`` habit).

    ``error`` is a certified bound on the absolute error of the computation
    (float rounding, the inputs' float error). A statistical *estimate* (from a
    measured loss curve) also has ``stderr``, its standard error from the
    measurements (None when the measurements gave none), and
    ``interpolation``, how much it moves with the interpolation between
    measured points (|linear - monotone cubic|); ``interval`` is a certified
    enclosure (low, high) of the true value where one is known (a partial curve; high = inf when
    unbounded: null in JSON, ∞ in tables).

    ``decimal()`` shows only the digits the uncertainty justifies (never more
    than a float64 holds); a quantity that is non-negative in theory (an error,
    a mutual information) within its error of 0 is shown as 0; :meth:`compare`
    decides an inequality only when the error cannot flip it.

    >>> m = Measured(0.63534912345, 3e-12)
    >>> m.decimal(), m.decimal(3), Measured(-2.5e-16, 1e-15, nonnegative=True).decimal()
    ('0.635349', '0.635', '0')
    >>> Measured(1.23456, 0.01).decimal(), Measured(1.23456, 0.01).compare(Fraction(123, 100))
    ('1.23', None)
    >>> Measured(1.0, 0.25).compare(Fraction(2)), Measured(1.0, 1e-9).to_json()["abs_error"]  # 1e-9 is a hair above 10^-9
    (-1, '1.1e-9')
    >>> e = Measured(1.6234, 2.0**-50, stderr=0.03125, interpolation=0.0078125)  # an estimate: value ± stderr
    >>> e.show(), e.to_json()
    ('1.623 ± 0.032 (interp. 0.0079)', {'value': '1.623', 'abs_error': '8.9e-16', 'estimate': True, 'stderr': '0.032', 'interpolation_effect': '0.0079'})
    """

    value: float
    error: float
    nonnegative: bool = False
    stderr: float | None = None
    interpolation: float | None = None
    estimate: bool = False
    interval: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        value, error = float(self.value), float(self.error)
        if not (value == value and abs(value) != float("inf")) or not (0 <= error < float("inf")):
            raise ValueError(f"Measured({self.value!r}, {self.error!r}): a finite value and a finite error >= 0")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "error", error)
        for name in ("stderr", "interpolation"):
            extra = getattr(self, name)
            if extra is not None:
                if not 0 <= float(extra) < float("inf"):
                    raise ValueError(f"Measured: {name} must be finite and >= 0, got {extra!r}")
                object.__setattr__(self, name, float(extra))
        if (self.stderr is not None or self.interpolation is not None) and not self.estimate:
            object.__setattr__(self, "estimate", True)  # a stderr makes it a statistical estimate
        if self.interval is not None:
            low, high = (float(x) for x in self.interval)
            if not low <= high:
                raise ValueError(f"Measured: interval ({low}, {high}) is not ordered")
            object.__setattr__(self, "interval", (low, high))

    @property
    def shown(self) -> float:
        """The value, with float noise around 0 of a non-negative quantity removed."""
        if self.nonnegative and self.value <= self.error:
            return max(self.value, 0.0) if self.value > self.error else 0.0
        return self.value

    @property
    def spread(self) -> float:
        """The largest of the uncertainties: the certified error, the stderr, the interpolation effect."""
        return max(self.error, self.stderr or 0.0, self.interpolation or 0.0)

    def justified_digits(self, digits: int = 6) -> int:
        """How many significant digits the uncertainty allows (at most ``digits`` and a float64's 17, at least 1).

        An estimate keeps one digit past its spread's leading digit (1.623 ± 0.031), as measurements are quoted.
        """
        digits = min(digits, FLOAT_DIGITS)
        v = abs(self.shown)
        spread = self.spread
        if v == 0 or spread == 0:
            return digits
        lead = Decimal(v).adjusted()
        last = Decimal(spread).adjusted() - (1 if self.estimate else 0)
        return max(1, min(digits, lead - last + 1))

    def decimal(self, digits: int = 6) -> str:
        """The value with only its justified significant digits."""
        v = self.shown
        if v == 0:
            return "0"
        return format_decimal(Fraction(v), self.justified_digits(digits))

    def show(self, digits: int = 6, text: str | None = None) -> str:
        """For a table cell: the justified digits, and an estimate's '± stderr (interp. effect)'. ``text``: the value's
        :meth:`decimal` when already formed (:func:`boundcalc.decimal_text.measured_decimal`, the same string)."""
        text = self.decimal(digits) if text is None else text
        if not self.estimate:
            return text
        text += " ± " + ("?" if self.stderr is None else round_up(self.stderr))
        if self.interval is not None:  # beyond the measured range: the interval, not a tiny interpolation effect
            return text + self.interval_text()
        if self.interpolation:
            text += f" (interp. {round_up(self.interpolation)})"
        return text

    def interval_text(self) -> str:
        """' in [low, high]' (3 significant digits, ∞ for an unbounded end; rounded outward after widening by
        the certified error, :func:`interval_decimals`), or '' without an interval."""
        if self.interval is None:
            return ""
        low, high = interval_decimals(self.interval[0], self.interval[1], self.error)
        return f" in [{low}, {'∞' if high is None else high}]"

    def scaled(self, factor: float) -> "Measured":
        """``factor`` times this value (factor > 0, e.g. a unit conversion): every uncertainty scales with it."""
        def times(x: float | None) -> float | None:
            return None if x is None else x * factor

        interval = None if self.interval is None else (self.interval[0] * factor, self.interval[1] * factor)
        return Measured(self.value * factor, self.error * factor * (1 + 4 * 2.0**-53), self.nonnegative,
                        times(self.stderr), times(self.interpolation), self.estimate, interval)

    def compare(self, other: "Fraction | int | float | Measured") -> int | None:
        """-1, 0 or 1 as self is below, equal to (both exact and equal) or above ``other``; None when undecided."""
        other_error = other.error if isinstance(other, Measured) else 0.0
        other_value = Fraction(other.value if isinstance(other, Measured) else other)
        slack = Fraction(self.error) + Fraction(other_error)
        difference = Fraction(self.value) - other_value
        if difference > slack:
            return 1
        if difference < -slack:
            return -1
        return 0 if slack == 0 and difference == 0 else None

    def to_json(self, digits: int = FLOAT_DIGITS, note: str | None = None) -> dict[str, Any]:
        """The one JSON shape of a float with its uncertainty (schema 2)::

            {"value", "abs_error", "estimate", ["stderr", "interpolation_effect"], ["interval"], ["note"]}

        ``value`` has every digit its uncertainty justifies (``digits`` caps it; JSON is for machines, so
        callers leave it at the float's 17), so it is the same on every CPU; ``abs_error`` is the certified
        bound rounded up; ``estimate`` says whether it is a statistical estimate (then ``stderr``, null when
        the measurements had none, and ``interpolation_effect``) or a certified float result.
        """
        out: dict[str, Any] = {"value": self.decimal(digits), "abs_error": round_up(self.error),
                               "estimate": self.estimate}
        if self.estimate:
            out["stderr"] = None if self.stderr is None else round_up(self.stderr)
            out["interpolation_effect"] = round_up(self.interpolation or 0.0)
        if self.interval is not None:
            low, high = self.interval
            out["interval"] = [format_decimal(Fraction(low), FLOAT_DIGITS),
                               None if high == float("inf") else format_decimal(Fraction(high), FLOAT_DIGITS)]
        if note:
            out["note"] = note
        return out
