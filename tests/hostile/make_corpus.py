"""The corpus of hostile input files (tests/hostile/files/), rebuilt by running this script.

Each file is something a user could hand boundcalc by mistake or malice; every
command must answer it with a result or one line of error (exit 1 or 2),
never a traceback or a hang. tests/hostile/test_hostile.py feeds them to every file flag.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent / "files"

FILES: dict[str, bytes] = {
    "empty.txt": b"",
    "blank.csv": b"\n \n\t\n",
    "binary.bin": bytes(range(256)) * 4,
    "nul.txt": b"0.1\n\x00\n0.2\n",
    "latin1.txt": "0.1\n0,5\xe9\n".encode("latin-1"),
    "bom.csv": "\ufeffindex,mi_nats\n1,0.1\n2,0.2\n".encode(),
    "typo-first.csv": b"O.5\n0.2\n0.3\n",
    "header-only.csv": b"index,mi_nats\n",
    "negative.txt": b"0.1\n-0.2\n",
    "nan.txt": b"0.1\nnan\ninf\n",
    "unicode-digits.txt": "0.1\n\u0663\n\uff13\n".encode(),
    "huge-exponent.txt": b"1e999999999\n",
    "long-number.txt": b"0." + b"1" * 5000 + b"\n",
    "three-columns.csv": b"1,2,3\n4,5,6\n",
    "gappy-index.csv": b"index,mi\n1,0.1\n3,0.2\n",
    "fraction-zero.txt": b"1/0\n",
    "deep.json": b"[" * 20_000 + b"]" * 20_000,
    "huge-int.json": b"[" + b"9" * 5000 + b"]",
    "object.json": json.dumps({"a": 1}).encode(),
    "strings.json": json.dumps(["x", None, True, [1]]).encode(),
    "bad.json": b"{not json",
    "joint-bad-sum.json": json.dumps({"outcomes": [["a"], ["b"]], "probabilities": ["0.5", "0.6"]}).encode(),
    "joint-ragged.json": json.dumps({"outcomes": [["a", "b"], ["b"]], "probabilities": ["0.5", "0.5"]}).encode(),
    "markov-not-square.json": json.dumps({"states": ["a", "b"], "transition": [["1"]]}).encode(),
    "markov-reducible.json": json.dumps({"states": ["a", "b"], "transition": [["1", "0"], ["0", "1"]]}).encode(),
    "markov-big-numbers.json": json.dumps({"states": ["a", "b"], "transition": [["1e400", "0"], ["0", "1"]]}).encode(),
    "ms-bad.csv": b"token,level,value\n1,0,0.5\n1,1,0.1\n",
    "ms-missing.csv": b"token,level,value\n1,0,0\n2,1,0.1\n",
    "schedule-zero.txt": b"5\n0\n5\n",
    "text-one-char.txt": b"a",
    "text-control.txt": b"\x01\x02\x03 \x04",
    "huge-line.txt": b"0.1" * 20_000 + b"\n",
    # issue 21: numbers beyond the arithmetic, degenerate and astronomically indexed files
    "exp-5000.txt": b"1e5000\n",
    "curve-1e400.csv": b"masked,loss_nats\n1,0.3\n2,1e400\n4,0.5\n",
    "curve-2e308.csv": b"masked,loss_nats\n1,0.3\n2,0.4\n4,2e308\n",
    "curve-stderr-huge.csv": b"masked,loss_nats,stderr_nats\n1,0.3,1e400\n2,0.4,0\n",
    "curve-one-point.csv": b"masked,loss_nats\n1,0.3\n",
    "curve-fraction.csv": b"masked_fraction,loss_nats\n0.5,0.3\n1,0.4\n",
    "curve-huge-masked.csv": b"masked,loss_nats\n1,0.3\n1000000000000000000,0.4\n",
    "ms-huge-level.csv": b"token,level,value\n1,0,0.1\n1,1000000000000,0.2\n",
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, content in FILES.items():
        (HERE / name).write_bytes(content)


if __name__ == "__main__":
    main()
