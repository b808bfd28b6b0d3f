"""The terminal-table printer: a value's table (title, columns, rows, caption) as plain text cells.

:func:`to_table` dispatches along the value's MRO (:mod:`boundcalc.dispatch`, the rule the JSON and
LaTeX printers follow too) to the printer registered for its class; the command line draws the
:class:`Table` with rich (``boundcalc.cli.render.emit_table``), and any other front end may draw
it as it likes (:meth:`Table.plain` is a plain-text form). A new value class gets its table by one
:func:`register` call.

>>> from boundcalc.bounds import recursion_report
>>> table = to_table(recursion_report(4, 8), digits=4)
>>> table.title, [row[:3] for row in table.rows]
('Recursion (19) for s_max = 4: chain 4, 2, 1', [('0', '4', '0.25'), ('1', '2', '0.125'), ('sum', '', '0.375')])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from .dispatch import Printers
from .exact import ceil_log2, format_decimal

__all__ = ["Table", "table", "to_table", "register", "PRINTERS", "cell"]


@dataclass(frozen=True)
class Table:
    """A table as text: ``columns`` are (heading, justify) pairs ("left" or "right"), ``rows`` lists of cells,
    ``header_lines`` printed between the title and the table, ``caption`` after it."""

    title: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None
    header_lines: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} cells in a table of {width} columns: {row!r}")

    def plain(self) -> str:
        """The table as plain text: title, header lines, a tab-separated header and rows, the caption."""
        lines = [self.title, *self.header_lines, "\t".join(h for h, _ in self.columns)]
        lines += ["\t".join(row) for row in self.rows]
        return "\n".join(lines + ([self.caption] if self.caption else [])) + "\n"


def table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]], caption: str | None = None,
          header_lines: Sequence[str] = ()) -> Table:
    """A :class:`Table` from lists (what printers build)."""
    return Table(title, tuple((heading, justify) for heading, justify in columns), tuple(tuple(r) for r in rows),
                 caption, tuple(header_lines))


def cell(x: Fraction | int | None, digits: int, exact: bool = False, none: str = "-") -> str:
    """A number for a table cell: the correctly rounded decimal, and the exact value if asked."""
    if x is None:
        return none
    text = format_decimal(x, digits)
    if exact and Fraction(x).denominator != 1:
        text = f"{text}  [{Fraction(x)}]"
    return text


def to_table(obj: Any, digits: int = 6, **options: Any) -> Table:
    """The :class:`Table` of ``obj``: the printer of the first class of its MRO that has one.

    ``digits`` for the decimals; ``options`` go to the printer (``exact``: exact values beside the
    decimals; ``header_lines``: lines about the inputs that only the caller knows).
    """
    return PRINTERS(obj, digits, **options)


def register(cls: type | str, printer: Callable[..., Table] | None = None) -> Any:
    """Print instances of ``cls`` (or its subclasses) as a table with ``printer(value, digits, **options)``
    (a decorator without ``printer``)."""
    return PRINTERS.register(cls, printer)


def _table_RecursionReport(report: Any, digits: int, exact: bool = False) -> Table:
    """The recursion (19) unrolled, next to the closed form (20) and the sharp floor(c/2) terms."""
    scale = Fraction(1, report.length) if report.length else Fraction(1)
    levels = ceil_log2(report.max_size)
    rows = [[str(k), str(c), cell(term, digits, exact), cell(Fraction(1 << (levels - k), 2) * scale, digits, exact),
             cell((c // 2) * scale, digits, exact)] for k, (c, term) in enumerate(zip(report.chain, report.terms))]
    rows.append(["sum", "", cell(report.unrolled, digits, exact), cell(report.closed_form, digits, exact),
                 cell(report.sharp, digits, exact)])
    unit = "ΣI" if report.length else "ΣI/L"
    ratio = report.ratio
    sharp = "-" if report.closed_form == 0 else cell(report.sharp / report.closed_form, digits)
    return table(
        f"Recursion (19) for s_max = {report.max_size}: chain {', '.join(map(str, report.chain))}",
        [("level k", "right"), ("c_k", "right"), (f"c_k/2 [{unit}]", "right"),
         (f"(20): 2^(K-k)/2 [{unit}]", "right"), (f"floor(c_k/2) [{unit}]", "right")],
        rows,
        caption=f"K = ceil(log2 s_max) = {levels}; exact/closed form = "
        + ("- (both 0)" if ratio is None else f"{cell(ratio, digits)} [{ratio}]")
        + f"; sharp/closed form = {sharp}",
    )


def _table_ConfidenceBound(result: Any, digits: int, exact: bool = False) -> Table:
    """Fast-dLLM's per-step bound with its formula and assumptions."""
    log = "ln" if result.unit == "nats" else "log2"
    return table(
        f"Confidence decoding: KL of one step ({result.unit})",
        [("bound", "left"), ("value", "right"), ("formula", "left")],
        [["confidence (Fast-dLLM Thm 1)", cell(Fraction(result.value), digits),
          f"(n-1)(H_b(ε) + ε {log}(V-1)), n = {result.reveal}, ε = {cell(result.eps, digits)}, "
          f"V = {result.vocab_size}"]],
        caption="assumes each of the n tokens revealed together has a value of (true conditional) probability "
        ">= 1 - ε given the revealed context, ε <= (V-1)/V; bounds that step's KL between the joint and the "
        "product of its marginals (value rounded up); not a bound on an adaptive sampler's KL, whose positions depend "
        "on the values: its exact error is that of the sampler confidence:TAU in verify (docs/samplers.md).",
    )


def _table_CountBoundReport(report: Any, digits: int, exact: bool = False, header_lines: Sequence[str] = (),
                            estimated: Mapping[str, Any] | None = None) -> Table:
    """A random-count sampler's expected per-realisation bounds (``header_lines``: the profile, said first;
    ``estimated``: name -> Measured estimate with its stderr, at a measured loss curve's ΣI)."""
    errors, sampler, estimated = report.errors, report.sampler, estimated or {}
    rows = [[f"E {entry.name} (per realisation)", entry.equation,
             estimated[entry.name].show(digits) if entry.name in estimated else cell(Fraction(value), digits),
             f"E c(S_max) / L · ΣI + ε_train, ± {errors[entry.name]:.1g}"] for entry, value in report.items()]
    return table(
        f"Expected upper bounds on E KL(p_X0 || p_Y0) ({report.unit}), random reveal counts",
        [("bound", "left"), ("eq.", "left"), ("value", "right"), ("formula", "left")],
        rows,
        header_lines=[
            *header_lines,
            f"sampler {sampler}: {len(sampler.reveal)} steps (the last reveals the rest); "
            f"E s_max = {report.expected_max[0]:.6g}; E steps revealing >= 1 token = {report.nonempty_steps[0]:.6g}; "
            f"ε_train = {cell(report.eps_train, digits)}",
        ],
        caption="each still-masked token is revealed at step k with probability p_k; the bounds hold for every "
        "realisation of the counts, so their expectation bounds the expected error (docs/theory.md, section 12). "
        + ("float64 with the stated error" if not estimated else
           "estimates at the loss curve's ΣI: value ± stderr (interp. |linear - monotone cubic|)")
        + "; corollary1 and theorem2 are not listed",
    )


#: The table printers, by class name (this module's ``_table_<Class>`` functions, and those :func:`register` adds).
PRINTERS = Printers("table")
PRINTERS.collect(globals(), "_table_")
