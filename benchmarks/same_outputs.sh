#!/bin/bash
# Byte-identity of sweep/plot outputs between this tree and another (issue 22: faster, never different).
#
#   bash benchmarks/same_outputs.sh OLD_TREE [big]
#
# Runs every case below with PYTHONPATH=. and with PYTHONPATH=OLD_TREE (e.g. an unpacked `git archive` of main
# before a change), from a neutral directory, and compares stdout, stderr and the exit code of each (and the
# PNG of `plot --kind schedule`). Cases: sweeps as a table, --csv, --json, --unit bits, --vocab-size,
# --eps-train, --digits, on a 16-point partial curve, a curve measured at every k, a curve with a stderr
# column, an odd partial curve, --mi-profile and --mi-total, bad input; `big` adds the L = 16384 sweeps of
# bench_answers.py (about a minute per tree). Prints the differing files and exits 1 when any differs.
set -u
OLD=$(cd "$1" && pwd); NEW=$(pwd); BIG=${2:-}
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in" "$WORK/new" "$WORK/old"
python - "$WORK/in" <<'PY'
import random, sys
from pathlib import Path
out = Path(sys.argv[1])
for L in (1024, 16384):  # bench_answers.py's curves: 16 points, and every k
    (out / f"curve{L}.csv").write_text("masked,loss_nats\n" + "".join(f"{j * L // 16},{0.5 + 6 * j / 16:.6f}\n" for j in range(1, 17)))
    (out / f"full{L}.csv").write_text("masked,loss_nats\n" + "".join(f"{k},{0.5 + 6 * k / L:.6f}\n" for k in range(1, L + 1)))
random.seed(3)
(out / "se1024.csv").write_text("masked,loss_nats,se\n" + "".join(
    f"{j * 64},{0.5 + 6 * j / 16:.6f},{0.001 + 0.01 * random.random():.6f}\n" for j in range(1, 17)))
(out / "odd1024.csv").write_text("masked,loss_nats\n" + "".join(
    f"{k},{0.3 + 5 * (k / 1024) ** 0.7:.6f}\n" for k in (5, 40, 100, 333, 512, 700, 1000, 1024)))
(out / "mi64.txt").write_text("".join(f"{0.01 * (i % 7 + 1)}\n" for i in range(64)))
PY
cases() {  # name, then the arguments of `boundcalc`
  local C=curve1024.csv
  for fam in "uniform" "uniform cosine" "linear cosine-mdlm" "power:2 power:1/2 dream" "blocks:4:cosine:T" "info-optimal"; do
    local F=""; for f in $fam; do F="$F -f $f"; done; local tag; tag=$(echo $fam | tr ' :/' '_-_')
    echo "tab_$tag sweep --loss-curve $C --steps 1:1024 $F"
    echo "csv_$tag sweep --loss-curve $C --steps 1:1024 $F --csv"
    echo "bits_$tag sweep --loss-curve $C --steps 1:1024:7 $F --csv --unit bits"
    echo "vocab_$tag sweep --loss-curve $C --steps 1:1024:3 $F --csv -V 50000"
    echo "full_$tag sweep --loss-curve full1024.csv --steps 1:1024 $F --csv"
    echo "fulltab_$tag sweep --loss-curve full1024.csv --steps log:1:1024:40 $F"
    echo "se_$tag sweep --loss-curve se1024.csv --stderr-column se --steps 1:1024 $F --csv"
    echo "setab_$tag sweep --loss-curve se1024.csv --stderr-column se --steps log:1:1024:30 $F"
    echo "odd_$tag sweep --loss-curve odd1024.csv --steps 1:1024:5 $F --csv -V 100"
    echo "json_$tag sweep --loss-curve $C --steps log:1:1024:25 $F --json"
    echo "mi_$tag sweep --mi-profile mi64.txt --steps 1:64 $F --csv"
    echo "mitab_$tag sweep --mi-profile mi64.txt --steps 1:64 $F"
    echo "mijson_$tag sweep --mi-profile mi64.txt --steps 1:64:3 $F --json"
    echo "eps_$tag sweep --loss-curve $C --steps 1:1024:11 $F --csv --eps-train 0.01"
  done
  echo "mdlm_mix sweep --loss-curve $C --steps 1:64 -f uniform -f mdlm -f cosine --csv"
  echo "mitotal sweep --mi-total 12.5 --length 1024 --steps 1:1024 -f uniform -f cosine --csv"
  echo "mitotaltab sweep --mi-total 12.5 --length 1024 --steps 1:1024 -f linear -f cosine"
  echo "bad_family sweep --loss-curve $C --steps 1:10 -f nosuch"
  echo "bad_steps sweep --loss-curve $C --steps 0:10 -f uniform"
  echo "digits sweep --loss-curve $C --steps 1:1024 -f uniform -f cosine --csv --digits 3"
  echo "plot plot --loss-curve $C --kind schedule -f uniform -f cosine -f linear --steps 1:1024 --output plot.png"
  if [ "$BIG" = big ]; then
    echo "big_uc sweep --loss-curve curve16384.csv --steps 1:16384 -f uniform -f cosine --csv"
    echo "big_lm sweep --loss-curve curve16384.csv --steps 1:16384 -f linear -f cosine-mdlm --csv"
    echo "big_full sweep --loss-curve full16384.csv --steps 1:16384 -f uniform -f cosine --csv"
    echo "big_tab sweep --loss-curve curve16384.csv --steps 1:16384:3 -f uniform -f cosine"
  fi
}
run() {  # tree, output folder
  cases | while read -r name args; do
    (cd "$WORK/in" && rm -f plot.png && OPENBLAS_NUM_THREADS=1 COLUMNS=200 PYTHONPATH="$1" python -m boundcalc $args \
      >"$2/$name.out" 2>"$2/$name.err"; echo $? >"$2/$name.rc"; [ -f plot.png ] && mv plot.png "$2/$name.png")
  done
}
run "$NEW" "$WORK/new"; run "$OLD" "$WORK/old"
bad=0
for f in "$WORK"/old/*; do
  cmp -s "$f" "$WORK/new/$(basename "$f")" || { echo "differs: $(basename "$f")"; bad=1; }
done
echo "$(ls "$WORK"/old/*.rc | wc -l) cases: $([ $bad = 0 ] && echo 'stdout, stderr, exit codes (and the PNG) identical' || echo DIFFERENT)"
exit $bad
