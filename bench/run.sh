#!/usr/bin/env bash
# make bench: purgeset timed side by side with the peers of ../shared/bench on the same
# generated Alma Analytics exports, then the scale table, CPU profiles and the Go stage
# benchmarks. Writes BENCH.md at the repository root; raw output goes to
# bench/data/results/ (git-ignored).
#
# Usage: bench/run.sh            (make bench builds bin/purgeset first)
# Env:
#   BENCH_ROUNDS        rounds of the ratio-deciding comparisons (default 3): round 1 runs
#                       every peer, later rounds only purgeset beside DuckDB / unzip -p
#   BENCH_SHARED        the shared bench folder (default ../shared/bench from the repo root)
#   BENCH_NODE_DIR      where DuckDB's npm package is installed (default bench/data/node)
#   BENCH_SKIP_INSTALL  1: install nothing (apt-get, npm); missing peers are reported
#   BENCH_TIMEOUT       seconds one peer run may take (run-peers.sh; default 300)
#   BENCH_PANDAS_XLSX   1: time pandas on the 1M XLSX too (about 100 s a run; no target needs it)
#   BENCH_ALL_PEERS     1: sqlite3 and pandas beside DuckDB in round 1 of the 1M CSV
#   BENCH_10M_RUNS      runs of each 10M-row scale point (default 1)
#
# Inputs are generated once into bench/data/ and reused: the shared generator
# (../shared/bench/gen) for the files compared with the peers, our own cmd/purgegen
# for the 100k / 1M / 10M scale points.
#
# run-peers.sh runs a peer by name from its own peers/ folder, and as root duckdb.sh
# would install its npm package into that (shared) folder. So the shared run-peers.sh
# is run through a view, bench/data/peerview: symbolic links to the shared scripts,
# plus peers/purgeset-lean.sh (purgeset --no-archive --no-review, from bench/peers/)
# and peers/duckdb pointing at BENCH_NODE_DIR, where DuckDB is installed beforehand.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
shared=${BENCH_SHARED:-$root/../shared/bench}
[ -x "$shared/run-peers.sh" ] || { echo "bench: no $shared/run-peers.sh (shared/ must sit beside the checkout, or set BENCH_SHARED)" >&2; exit 2; }
shared=$(cd "$shared" && pwd)
data=$root/bench/data
results=$data/results
rounds=${BENCH_ROUNDS:-3}
export BENCH_NODE_DIR=${BENCH_NODE_DIR:-$data/node}
export BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
cutoff=2024-07-01
groups="Undergraduate,Graduates 2021,Alumni,Community Borrower"
bin=$root/bin/purgeset

mkdir -p "$data" "$results"
started=$(date +%s)
runlog=$results/run.log
: > "$runlog"
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$runlog" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(loadavg)
loads=() # "block: load" at the start of each timed block
mark_load() { loads+=("$1: $(loadavg)"); log "$1 (load $(loadavg))"; }

# ---------------------------------------------------------------- peers and tools
debs=(sqlite3 python3-pandas python3-openpyxl hyperfine time miller unzip)
install_debs() {
  local missing=() p
  for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "Debian packages: all present"; return 0; fi
  if [ "${BENCH_SKIP_INSTALL:-}" = 1 ] || [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null; then
    log "not installing ${missing[*]} (BENCH_SKIP_INSTALL, not root, or no apt-get)"
    return 0
  fi
  log "apt-get install ${missing[*]}"
  apt-get update >> "$results/install.log" 2>&1 || log "apt-get update failed (see $results/install.log)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >> "$results/install.log" 2>&1; then
    for p in "${missing[@]}"; do # one at a time, so that one unavailable package costs only its peer
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" >> "$results/install.log" 2>&1 ||
        log "could not install $p (see $results/install.log)"
    done
  fi
}

# DuckDB as the shared peers/duckdb.sh installs it when its folder is read-only.
install_duckdb() {
  local d=$BENCH_NODE_DIR
  mkdir -p "$d"
  install -m 644 "$shared/peers/duckdb/package.json" "$shared/peers/duckdb/package-lock.json" "$shared/peers/duckdb/job.mjs" "$d/"
  [ -d "$d/node_modules/@duckdb/node-api" ] && return 0
  [ "${BENCH_SKIP_INSTALL:-}" = 1 ] && return 0
  command -v npm > /dev/null || { log "no npm: DuckDB is missing"; return 0; }
  log "npm ci @duckdb/node-api into $d"
  (cd "$d" && npm ci --silent --no-audit --no-fund) >> "$results/install.log" 2>&1 || log "npm could not install DuckDB (see $results/install.log)"
}

rm -f "$results/install.log"
install_debs
install_duckdb
for t in hyperfine /usr/bin/time timeout /usr/bin/python3; do
  command -v "$t" > /dev/null || { log "missing $t, which run-peers.sh needs: apt-get install hyperfine time python3"; exit 2; }
done

have_peer() {
  case $1 in
    cat) true ;;
    unzip-p) command -v unzip > /dev/null ;;
    sqlite3) command -v sqlite3 > /dev/null ;;
    pandas) /usr/bin/python3 -c 'import pandas, openpyxl' 2> /dev/null ;;
    duckdb) command -v node > /dev/null && [ -d "$BENCH_NODE_DIR/node_modules/@duckdb/node-api" ] ;;
    purgeset | purgeset-lean) [ -x "$bin" ] ;;
    *) false ;;
  esac
}

view=$data/peerview
rm -rf "$view"
mkdir -p "$view/peers"
ln -s "$shared/run-peers.sh" "$view/run-peers.sh"
for f in "$shared"/peers/*; do
  [ "$(basename "$f")" = duckdb ] || ln -s "$f" "$view/peers/"
done
ln -s "$BENCH_NODE_DIR" "$view/peers/duckdb"
ln -s "$root/bench/peers/purgeset-lean.sh" "$view/peers/purgeset-lean.sh"

[ -x "$bin" ] || { log "building $bin"; go build -o "$bin" ./cmd/purgeset; }
# Time a private copy: in a shared work tree someone may rebuild bin/purgeset mid-run.
mkdir -p "$data/bin"
cp "$bin" "$data/bin/purgeset"
bin=$data/bin/purgeset
export PURGESET_BIN=$bin
built_from="$(git rev-parse --short HEAD 2> /dev/null || echo '?')"
n_changed=$(git status --porcelain --untracked-files=no 2> /dev/null | wc -l)
[ "$n_changed" -eq 0 ] || built_from+=" with uncommitted changes to $n_changed tracked files"

# ---------------------------------------------------------------- inputs
gen_inputs=() # "file|generator|rows|seconds"
gen() { # FILE GENERATOR(shared|purgegen) ROWS FORMAT
  local out=$data/$1 tmp=$data/partial-$1 t0 # the same extension: excelize's SaveAs goes by it
  if [ -s "$out" ]; then gen_inputs+=("$1|$2|$3|reused"); return 0; fi
  log "generating $1 ($2, $3 rows, $4)"
  t0=$(date +%s.%N)
  case $2 in
    shared) (cd "$shared/gen" && go run . -rows "$3" -format "$4" -seed 1 -out "$tmp") ;;
    purgegen) go run ./cmd/purgegen -rows "$3" -format "$4" -seed 1 -out "$tmp" ;;
  esac
  mv "$tmp" "$out"
  gen_inputs+=("$1|$2|$3|$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f s", b-a}')")
}
gen users-100k.csv shared 100000 csv
gen users-100k.xlsx shared 100000 xlsx
gen users-100k.tsv shared 100000 tsv16
gen users-1m.csv shared 1000000 csv
gen users-1m.xlsx shared 1000000 xlsx
gen gen-100k.csv purgegen 100000 csv
gen gen-1m.csv purgegen 1000000 csv
gen gen-10m.csv purgegen 10000000 csv
# The 1M rows ten times over: 10M rows but only the 1M file's distinct IDs, to tell
# memory that grows with rows from memory that grows with distinct IDs.
if [ ! -s "$data/gen-1m-x10.csv" ]; then
  log "making gen-1m-x10.csv (gen-1m.csv's rows ten times)"
  { cat "$data/gen-1m.csv"; for _ in 2 3 4 5 6 7 8 9 10; do tail -n +2 "$data/gen-1m.csv"; done; } > "$data/gen-1m-x10.csv.tmp"
  mv "$data/gen-1m-x10.csv.tmp" "$data/gen-1m-x10.csv"
  gen_inputs+=("gen-1m-x10.csv|gen-1m.csv ×10|10000000|made")
else
  gen_inputs+=("gen-1m-x10.csv|gen-1m.csv ×10|10000000|reused")
fi

# ---------------------------------------------------------------- side by side
# peers INPUT OUTDIR PEER... : run-peers.sh over the available peers; a peer that could
# not be installed gets a "missing" row instead of disappearing.
peers() {
  local in=$1 out=$2 p avail=() missing=()
  shift 2
  for p in "$@"; do
    if have_peer "$p"; then avail+=("$p"); else missing+=("$p"); fi
  done
  mkdir -p "$out"
  if [ ${#avail[@]} -eq 0 ]; then # run-peers.sh would run every peer
    printf '| tool | input | median s | min–max s | runs | peak RSS MB | output |\n|---|---|---:|---:|---:|---:|---|\n' > "$out.md"
  else
    BENCH_OUT=$out "$view/run-peers.sh" "$data/$in" "${avail[@]}" > "$out.md" 2> "$out.log" ||
      log "run-peers.sh failed on $in (see $out.log)"
  fi
  for p in "${missing[@]}"; do
    printf '| %s | %s | missing | – | – | – | could not be installed (see bench/data/results/install.log) |\n' "$p" "$in" >> "$out.md"
  done
}
# col TABLE TOOL N: field N (3 median s, 6 peak RSS MB) of TOOL's row, "" when none.
col() { [ -r "$1" ] && awk -F'|' -v t="$2" -v n="$3" '{x=$2; gsub(/ /,"",x)} x==t {v=$(n+1); gsub(/ /,"",v); print v; exit}' "$1" || true; }
num() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
ratio() { if num "${1:-}" && num "${2:-}"; then awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; fi; }
median() { printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g | awk '{v[NR]=$1} END{if(NR==0)exit; if(NR%2)printf "%.2f\n", v[(NR+1)/2]; else printf "%.2f\n",(v[NR/2]+v[NR/2+1])/2}'; }
maxof() { printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g | tail -1; }

csv_ratio=() lean_ratio=() lean_rss=() pset_csv=() lean_csv=() duck_csv=()
for r in $(seq 1 "$rounds"); do
  mark_load "users-1m.csv round $r"
  # sqlite3 and pandas (about 1 minute a round on a loaded machine) decide no target of
  # issue 13: BENCH_ALL_PEERS=1 adds them to round 1.
  if [ "$r" = 1 ] && [ "${BENCH_ALL_PEERS:-}" = 1 ]; then
    peers users-1m.csv "$results/csv-1m-r$r" cat purgeset purgeset-lean duckdb sqlite3 pandas
  elif [ "$r" = 1 ]; then
    peers users-1m.csv "$results/csv-1m-r$r" cat purgeset purgeset-lean duckdb
  else
    peers users-1m.csv "$results/csv-1m-r$r" purgeset purgeset-lean duckdb
  fi
  t=$results/csv-1m-r$r.md
  pset_csv+=("$(col "$t" purgeset 3)") lean_csv+=("$(col "$t" purgeset-lean 3)") duck_csv+=("$(col "$t" duckdb 3)")
  csv_ratio+=("$(ratio "$(col "$t" purgeset 3)" "$(col "$t" duckdb 3)")")
  lean_ratio+=("$(ratio "$(col "$t" purgeset-lean 3)" "$(col "$t" duckdb 3)")")
  lean_rss+=("$(col "$t" purgeset-lean 6)")
done

xlsx_ratio=() xlsx_lean_ratio=() xlsx_rss=() xlsx_lean_rss=() pset_xlsx=() lean_xlsx=() unzip_xlsx=()
for r in $(seq 1 "$rounds"); do
  mark_load "users-1m.xlsx round $r"
  # pandas takes about 100 s a run on this file and decides no target of issue 13:
  # BENCH_PANDAS_XLSX=1 adds it to round 1.
  if [ "$r" = 1 ] && [ "${BENCH_PANDAS_XLSX:-}" = 1 ]; then
    peers users-1m.xlsx "$results/xlsx-1m-r$r" unzip-p purgeset purgeset-lean pandas
  else
    peers users-1m.xlsx "$results/xlsx-1m-r$r" unzip-p purgeset purgeset-lean
  fi
  t=$results/xlsx-1m-r$r.md
  pset_xlsx+=("$(col "$t" purgeset 3)") lean_xlsx+=("$(col "$t" purgeset-lean 3)") unzip_xlsx+=("$(col "$t" unzip-p 3)")
  xlsx_ratio+=("$(ratio "$(col "$t" purgeset 3)" "$(col "$t" unzip-p 3)")")
  xlsx_lean_ratio+=("$(ratio "$(col "$t" purgeset-lean 3)" "$(col "$t" unzip-p 3)")")
  xlsx_rss+=("$(col "$t" purgeset 6)") xlsx_lean_rss+=("$(col "$t" purgeset-lean 6)")
done

for f in users-100k.csv users-100k.xlsx users-100k.tsv; do
  mark_load "$f"
  peers "$f" "$results/${f/./-}" purgeset
done

# ---------------------------------------------------------------- scale
# purgeset --no-archive --no-review (otherwise the defaults: XLSX set files of at most
# 100,000 IDs) under /usr/bin/time -v; median wall, largest RSS.
scale_rows=()
scale() { # FILE ROWS RUNS
  local f=$1 rows=$2 runs=$3 walls=() rss=() i out w m ids
  mark_load "scale $f"
  out=$results/scale-${f%.csv}
  for i in $(seq 1 "$runs"); do
    rm -rf "$out"
    /usr/bin/time -v -o "$out.time" "$bin" run --quiet --cutoff "$cutoff" --group Undergraduate --group "Graduates 2021" \
      --group Alumni --group "Community Borrower" --no-archive --no-review \
      --out "$out" "$data/$f" 2> "$out.err" || { log "purgeset failed on $f (see $out.err)"; continue; }
    w=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$out.time")
    m=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$out.time")
    walls+=("$w") rss+=("$m")
  done
  ids=–
  if [ -r "$out/decisions.csv" ]; then
    ids=$(tail -n +2 "$out/decisions.csv" | cut -d, -f3 | { grep -v '^$' || true; } | LC_ALL=C sort -u -S 512M | wc -l)
    cp "$out/manifest.json" "$out.manifest.json"
  fi
  rm -rf "$out"
  w=$(median "${walls[@]}") m=$(maxof "${rss[@]}")
  [ -n "$w" ] || w=–
  [ -n "$m" ] || m=–
  scale_rows+=("$f|$rows|$ids|$w|${walls[*]:-–}|$m|${rss[*]:-–}")
}
scale gen-100k.csv 100000 3
scale gen-1m.csv 1000000 3
scale gen-10m.csv 10000000 "${BENCH_10M_RUNS:-1}" # 25 s a run on a quiet machine
scale gen-1m-x10.csv 10000000 "${BENCH_10M_RUNS:-1}"

# ---------------------------------------------------------------- address space
# Batch hosts cap virtual memory: the bundled sample (every output) and the 1M-row lean
# run must work under ulimit -v 1048576 (1 GiB), as TestAddressSpaceLimit checks.
addr_rows=() # "case|exit|seconds|RSS MB"
capped() { # NAME ARGS... : one run under ulimit -v 1048576 and /usr/bin/time -v
  local name=$1 out=$results/ulimit-$1 rc w m
  shift
  rm -rf "$out"
  set +e
  bash -c 'ulimit -v 1048576 && exec /usr/bin/time -v -o "$0" "$@"' "$out.time" "$bin" "$@" --out "$out" > "$out.log" 2>&1
  rc=$?
  set -e
  [ -r "$out/manifest.json" ] || { [ "$rc" -eq 0 ] && rc="0 but no manifest"; }
  w=$(wall_of "$out.time") m=$(rss_of "$out.time")
  rm -rf "$out"
  addr_rows+=("$name|$rc|${w:-–}|${m:-–}")
}
wall_of() { [ -r "$1" ] && awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$1" || true; }
rss_of() { [ -r "$1" ] && awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$1" || true; }
mark_load "address space"
capped sample run --quiet --config "$root/fixtures/purgeset.toml"
capped 1m-lean run --quiet --cutoff "$cutoff" --group Undergraduate --group "Graduates 2021" --group Alumni \
  --group "Community Borrower" --no-archive --no-review "$data/users-1m.csv"

# ---------------------------------------------------------------- read-back (issue 14)
# verify, diff and reconcile on 1M-row runs (every output, the default XLSX sets):
# peak RSS of each; and verify --rerun's wall time beside run's, when main has it.
# Run A is users-1m.csv at the bench cutoff, run B the same export a half-year later
# (so that diff has changes to report); reconcile compares A with the export itself.
rb_rows=() # "name|runs s|median s|largest RSS MB|exit codes"
rb_dir=$results/readback
timed() { # NAME OKCODES RUNS CMD... : /usr/bin/time -v RUNS times; median wall, largest RSS
  local name=$1 ok=$2 runs=$3 i rc walls=() rss=() codes=()
  shift 3
  for i in $(seq 1 "$runs"); do
    set +e
    /usr/bin/time -v -o "$rb_dir/$name.time" "$@" > "$rb_dir/$name.out" 2> "$rb_dir/$name.err"
    rc=$?
    set -e
    codes+=("$rc")
    if [[ " $ok " == *" $rc "* ]]; then
      walls+=("$(wall_of "$rb_dir/$name.time")") rss+=("$(rss_of "$rb_dir/$name.time")")
    else
      log "$name exited $rc (see $rb_dir/$name.err)"
    fi
  done
  rb_rows+=("$name|${walls[*]:-–}|$(median "${walls[@]}")|$(maxof "${rss[@]}")|${codes[*]}")
}
rb_field() { local x; for x in "${rb_rows[@]}"; do [ "${x%%|*}" = "$1" ] && { echo "$x" | cut -d'|' -f"$2"; return 0; }; done; true; }
mark_load "read-back"
rm -rf "$rb_dir"
mkdir -p "$rb_dir"
rb_groups=(--group Undergraduate --group "Graduates 2021" --group Alumni --group "Community Borrower")
"$bin" run --quiet --cutoff "$cutoff" "${rb_groups[@]}" --out "$rb_dir/a" "$data/users-1m.csv" 2> "$rb_dir/a.err" ||
  log "run A failed (see $rb_dir/a.err)"
"$bin" run --quiet --cutoff 2025-01-01 "${rb_groups[@]}" --out "$rb_dir/b" "$data/users-1m.csv" 2> "$rb_dir/b.err" ||
  log "run B failed (see $rb_dir/b.err)"
timed verify 0 3 "$bin" verify --quiet "$rb_dir/a"
timed diff 0 3 "$bin" diff "$rb_dir/a" "$rb_dir/b"
# exit 5 is reconcile's finding "removed outside the set", not a failure
timed reconcile "0 5" 3 "$bin" reconcile --quiet --overwrite --report "$rb_dir/reconcile.csv" "$rb_dir/a" "$data/users-1m.csv"
has_rerun=0
"$bin" verify --help > "$rb_dir/verify-help.txt" 2>&1 || true # not piped into grep -q: pipefail
grep -q -- '--rerun' "$rb_dir/verify-help.txt" && has_rerun=1
if [ "$has_rerun" = 1 ]; then
  for i in 1 2 3; do # interleaved, so that both see the same load
    rm -rf "$rb_dir/timed-run"
    timed "run-$i" 0 1 "$bin" run --quiet --cutoff "$cutoff" "${rb_groups[@]}" --out "$rb_dir/timed-run" "$data/users-1m.csv"
    timed "rerun-$i" 0 1 "$bin" verify --quiet --rerun "$rb_dir/a"
  done
fi
rm -rf "$rb_dir/a" "$rb_dir/b" "$rb_dir/timed-run"

# ---------------------------------------------------------------- profiles
mark_load "profiles"
# Every output, with the set options of peers/purgeset.sh, so that the profile explains
# the timed purgeset rows.
profile() { # NAME INPUT
  local out=$results/prof-$1
  rm -rf "$out"
  "$bin" --cpuprofile "$out.pprof" run --quiet --cutoff "$cutoff" --group Undergraduate --group "Graduates 2021" \
    --group Alumni --group "Community Borrower" --set-format txt --split 100000000 --out "$out" "$data/$2" 2> "$out.err" || log "profile run failed on $2 (see $out.err)"
  rm -rf "$out"
  go tool pprof -top -nodecount=15 "$bin" "$out.pprof" > "$out.top" 2> /dev/null || true
  go tool pprof -top -cum -nodecount=25 "$bin" "$out.pprof" > "$out.cum" 2> /dev/null || true
}
profile csv-1m users-1m.csv
profile xlsx-1m users-1m.xlsx

mark_load "go test -bench"
go test -run '^$' -bench . -benchmem -count 1 ./readers ./pipeline ./writers > "$results/gobench.txt" 2>&1 ||
  log "go test -bench failed (see $results/gobench.txt)"
load_after=$(loadavg)

# ---------------------------------------------------------------- BENCH.md
ver() { "$@" 2> /dev/null | head -1 || true; }
v_go=$(go version)
v_purgeset="$("$bin" version); work tree at $built_from when the run started"
v_sqlite=$(ver sqlite3 --version | cut -d' ' -f1)
v_pandas=$(/usr/bin/python3 -c 'import sys,pandas,numpy,openpyxl; print("pandas %s, numpy %s, openpyxl %s, python %s" % (pandas.__version__, numpy.__version__, openpyxl.__version__, sys.version.split()[0]))' 2> /dev/null || echo missing)
v_duck=$(node -p "'@duckdb/node-api ' + require('$BENCH_NODE_DIR/node_modules/@duckdb/node-api/package.json').version + ', node ' + process.version" 2> /dev/null || echo missing)
v_hf=$(ver hyperfine --version)
v_time=$(dpkg-query -W -f='${Version}' time 2> /dev/null || true)
v_unzip=$(ver unzip -v | cut -d' ' -f1-2)
v_cat=$(ver cat --version)
v_mlr=$(ver mlr --version)

verdicts=() other=() readback=()
verdict_text() { # OK(1/0/"") [what missed]
  case $1 in
    1) echo "**met**" ;;
    0) echo "**missed**${2:+ ($2)}" ;;
    *) echo "not measured" ;;
  esac
}
verdict() { verdicts+=("| $1 | $2 | $3 | $(verdict_text "$4" "${5:-}") |"); } # TARGET GOAL MEASURED OK [MISSED-PART]
le() { num "${1:-}" && awk -v a="$1" -v b="$2" 'BEGIN{exit !(a <= b)}' && echo 1 || { num "${1:-}" && echo 0; } || true; }
ge() { num "${1:-}" && awk -v a="$1" -v b="$2" 'BEGIN{exit !(a >= b)}' && echo 1 || { num "${1:-}" && echo 0; } || true; }
lt() { num "${1:-}" && awk -v a="$1" -v b="$2" 'BEGIN{exit !(a < b)}' && echo 1 || { num "${1:-}" && echo 0; } || true; }
both() { # OK1 OK2: 1 when both are, 0 when either is 0, else ""
  if [ "$1" = 1 ] && [ "$2" = 1 ]; then echo 1; elif [ "$1" = 0 ] || [ "$2" = 0 ]; then echo 0; fi
}
list() { local IFS=,; echo "${*:-–}" | sed 's/,/, /g'; }

# Issue 13's table, row by row.
r=$(median "${csv_ratio[@]}")
verdict "1M CSV, every output" "≤ 1.0 × DuckDB" "**${r:-–} ×** DuckDB (median of rounds: $(list "${csv_ratio[@]}"); purgeset $(median "${pset_csv[@]}") s, DuckDB $(median "${duck_csv[@]}") s)" "$(le "$r" 1)"
r=$(median "${lean_ratio[@]}") m=$(maxof "${lean_rss[@]}")
ok_w=$(le "$r" 0.5) ok_m=$(le "$m" 150)
miss=""
[ "$ok_w" = 0 ] && miss="wall"
[ "$ok_m" = 0 ] && miss="${miss:+$miss and }RSS"
verdict "1M CSV, \`--no-archive --no-review\`" "≤ 0.5 × DuckDB, ≤ 150 MB" "**${r:-–} ×** DuckDB (rounds: $(list "${lean_ratio[@]}"); $(median "${lean_csv[@]}") s), **${m:-–} MB** (largest of rounds: $(list "${lean_rss[@]}"))" "$(both "$ok_w" "$ok_m")" "$miss"
r=$(median "${xlsx_ratio[@]}")
verdict "1M XLSX, every output" "≤ 2.0 × \`unzip -p\`" "**${r:-–} ×** (rounds: $(list "${xlsx_ratio[@]}"); purgeset $(median "${pset_xlsx[@]}") s, unzip -p $(median "${unzip_xlsx[@]}") s; RSS $(maxof "${xlsx_rss[@]}") MB)" "$(le "$r" 2)"
r=$(median "${xlsx_lean_ratio[@]}")
verdict "1M XLSX, lean" "≤ 1.5 × \`unzip -p\`" "**${r:-–} ×** (rounds: $(list "${xlsx_lean_ratio[@]}"); $(median "${lean_xlsx[@]}") s; RSS $(maxof "${xlsx_lean_rss[@]}") MB)" "$(le "$r" 1.5)"
sf() { local x; for x in "${scale_rows[@]}"; do [ "${x%%|*}" = "$1" ] && { echo "$x" | cut -d'|' -f"$2"; return 0; }; done; true; }
m10=$(sf gen-10m.csv 6)
verdict "10M distinct IDs, lean" "≤ 600 MB" "**${m10:-–} MB** peak RSS (\`gen-10m.csv\`, $(sf gen-10m.csv 3) distinct IDs; runs: $(sf gen-10m.csv 7))" "$(le "$m10" 600)"
addr_ok="" addr_txt=""
for x in "${addr_rows[@]}"; do
  IFS='|' read -r n rc w m <<< "$x"
  addr_txt+="${addr_txt:+; }$n: exit $rc, $w s, $m MB"
  if [ "$rc" = 0 ]; then [ "$addr_ok" = 0 ] || addr_ok=1; else addr_ok=0; fi
done
verdict "address space, sample and 1M lean" "work under \`ulimit -v 1048576\`" "${addr_txt:-–}" "$addr_ok"

# Issue 14's read-back side.
rbv() { readback+=("| $1 | $2 | $3 | $(verdict_text "$4") |"); }
for c in verify diff reconcile; do
  m=$(rb_field "$c" 4)
  rbv "\`$c\`, 1M-row run$([ "$c" = diff ] && echo 's (two)')" "≤ 250 MB peak RSS" "**${m:-–} MB** (wall $(rb_field "$c" 3) s; runs $(rb_field "$c" 2) s; exit $(rb_field "$c" 5))" "$(le "$m" 250)"
done
if [ "$has_rerun" = 1 ]; then
  rw=() vw=()
  for i in 1 2 3; do rw+=("$(rb_field "run-$i" 3)") vw+=("$(rb_field "rerun-$i" 3)"); done
  r=$(ratio "$(median "${vw[@]}")" "$(median "${rw[@]}")")
  rbv "\`verify --rerun\`, 1M-row run" "about one run: ≤ 1.5 × \`run\`'s wall" "**${r:-–} ×** (verify --rerun $(list "${vw[@]}") s, run $(list "${rw[@]}") s, interleaved; RSS $(maxof "$(rb_field rerun-1 4)" "$(rb_field rerun-2 4)" "$(rb_field rerun-3 4)") MB)" "$(le "$r" 1.5)"
else
  readback+=("| \`verify --rerun\`, 1M-row run | about one run | – | not on main when this ran |")
fi

# Earlier targets (issue 7), still measured.
ov() { other+=("| $1 | $2 | $(verdict_text "$3") |"); }
for f in users-100k.csv users-100k.xlsx users-100k.tsv; do
  s=$(col "$results/${f/./-}.md" purgeset 3)
  ov "100k ${f##*.}, every output: wall < 0.5 s" "**${s:-–} s**" "$(lt "$s" 0.5)"
done
# Linear cost: time per row at 10M within 25% of 1M's. Memory by distinct IDs: 10M rows
# holding the 1M file's IDs ten times (gen-1m-x10) within 25% of the 1M file's RSS.
w1=$(sf gen-1m.csv 4) w10=$(sf gen-10m.csv 4) m1=$(sf gen-1m.csv 6) mx=$(sf gen-1m-x10.csv 6)
i1=$(sf gen-1m.csv 3) i10=$(sf gen-10m.csv 3)
wx=$(sf gen-1m-x10.csv 4)
per_row() { num "${1:-}" && num "${2:-}" && awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/(10*b)}' || true; }
perrow=$(per_row "$w10" "$w1") perrow_x=$(per_row "$wx" "$w1")
ov "cost linear in rows (µs/row at 10M ≤ 1.25 × at 1M)" "1M: ${w1:-–} s; 10M: ${w10:-–} s → per-row ratio **${perrow:-–}**; 10M rows of 1M IDs: ${wx:-–} s → ${perrow_x:-–}" "$(le "$perrow" 1.25)"
mem_dup=$(ratio "$mx" "$m1")
bytes_per_id=$(num "${m10:-}" && num "${m1:-}" && num "${i10:-}" && num "${i1:-}" && awk -v a="$m10" -v b="$m1" -v c="$i10" -v d="$i1" 'BEGIN{printf "%.0f", (a-b)*1048576/(c-d)}' || true)
ov "memory grows only with distinct IDs (10M rows of 1M IDs ≤ 1.25 × the 1M file's RSS)" "1M: ${m1:-–} MB; 1M IDs ×10 rows: ${mx:-–} MB (**${mem_dup:-–}×**); 10M distinct: ${m10:-–} MB (${bytes_per_id:-–} bytes per added ID)" "$(le "$mem_dup" 1.25)"

took=$(($(date +%s) - started))
analysis=""
if [ -r BENCH.md ]; then
  analysis=$(awk '/^<!-- analysis:begin/{on=1; next} /^<!-- analysis:end/{on=0} on' BENCH.md)
fi
[ -n "$analysis" ] || analysis="_Not written yet: what stands in the way of each missed target, written by hand after a run. Kept across runs of make bench._"

tables() { # heading-level text, one run-peers table per round
  local stem=$1 r
  for r in $(seq 1 "$rounds"); do
    printf '\nRound %s (load at start: %s):\n\n' "$r" "$(printf '%s\n' "${loads[@]}" | grep -F "$2 round $r:" | cut -d: -f2- | sed 's/^ //')"
    cat "$results/$stem-r$r.md"
  done
}

{
  echo "# BENCH: purgeset beside its peers"
  echo
  echo "Written by \`make bench\` (\`bench/run.sh\`) on $(date -u '+%Y-%m-%d %H:%M UTC'); the whole run took $((took / 60)) min $((took % 60)) s."
  echo "The peers, the job they do and the timing method are those of \`../shared/bench\` (README.md, BASELINE.md):"
  echo "\`run-peers.sh\` takes peak RSS from one run under GNU time, then the median of hyperfine's runs."
  echo "These machines are shared and noisy: only ratios measured side by side in one run carry over,"
  echo "so the ratios that decide a target are measured in $rounds rounds and their median is the verdict."
  echo
  echo "## Verdicts: issue 13's targets"
  echo
  echo "Measured side by side in this one run (sections below). 1M files: \`users-1m.*\` of the shared generator, as the peers"
  echo "read them; set as text (\`peers/purgeset.sh\`). Lean = \`--no-archive --no-review\`. 10M: \`gen-10m.csv\` (purgegen)."
  echo
  echo "| target | goal | measured | verdict |"
  echo "|---|---|---|---|"
  printf '%s\n' "${verdicts[@]}"
  echo
  echo "## Verdicts: the read-back side (issue 14)"
  echo
  echo "Run A: \`users-1m.csv\` with every output (default XLSX set files), cutoff $cutoff; run B: the same export with cutoff"
  echo "2025-01-01. \`verify A\`, \`diff A B\`, \`reconcile A users-1m.csv\`, each 3 times under \`/usr/bin/time -v\`: largest RSS, median wall."
  echo
  echo "| target | goal | measured | verdict |"
  echo "|---|---|---|---|"
  printf '%s\n' "${readback[@]}"
  echo
  echo "## Other checks (earlier targets, issue 7)"
  echo
  echo "| target | measured | verdict |"
  echo "|---|---|---|"
  printf '%s\n' "${other[@]}"
  echo
  echo "## Machine"
  echo
  echo "- $(nproc) CPUs (\`nproc\`), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); kernel $(uname -r); Debian $(cat /etc/debian_version 2> /dev/null || echo '?')"
  echo "- load average (1, 5, 15 min): **$load_before** before, **$load_after** after. Other engineers' test runs share this machine."
  echo "- load at the start of each timed block:"
  printf '  - %s\n' "${loads[@]}"
  echo
  echo '```'
  free -h
  echo '```'
  echo
  echo "## Versions"
  echo
  echo "| tool | version |"
  echo "|---|---|"
  echo "| go | $v_go |"
  echo "| purgeset | $v_purgeset |"
  echo "| DuckDB | ${v_duck} |"
  echo "| sqlite3 | ${v_sqlite:-missing} |"
  echo "| pandas | $v_pandas |"
  echo "| unzip | ${v_unzip:-missing} |"
  echo "| cat | ${v_cat:-missing} |"
  echo "| Miller (installed, not timed) | ${v_mlr:-missing} |"
  echo "| hyperfine | ${v_hf:-missing} |"
  echo "| GNU time | ${v_time:-missing} |"
  echo
  echo "## Inputs"
  echo
  echo "Cutoff $cutoff, groups $groups. Seed 1. \`users-*\` come from the shared generator (what the peers use), \`gen-*\` from our \`cmd/purgegen\`."
  echo
  echo "| file | generator | rows | size | generated in |"
  echo "|---|---|---:|---:|---|"
  for x in "${gen_inputs[@]}"; do
    IFS='|' read -r f g n s <<< "$x"
    echo "| \`$f\` | $g | $n | $(du -h "$data/$f" | cut -f1) | $s |"
  done
  echo
  echo "## 1M rows, CSV (\`users-1m.csv\`)"
  echo
  echo "\`purgeset\`: every output (set, decisions.csv, manifest, review page, archive). \`purgeset-lean\`: \`--no-archive --no-review\`."
  echo "Both write the set as text (\`--set-format txt\`, as \`peers/purgeset.sh\` does). Their ID count differs from the peers' by design (SPEC.md is stricter)."
  tables csv-1m users-1m.csv
  echo
  echo "| round | purgeset s | purgeset-lean s | DuckDB s | purgeset / DuckDB | lean / DuckDB | lean RSS MB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for i in "${!csv_ratio[@]}"; do
    echo "| $((i + 1)) | ${pset_csv[$i]:-–} | ${lean_csv[$i]:-–} | ${duck_csv[$i]:-–} | ${csv_ratio[$i]:-–} | ${lean_ratio[$i]:-–} | ${lean_rss[$i]:-–} |"
  done
  echo
  echo "## 1M rows, XLSX (\`users-1m.xlsx\`)"
  echo
  echo "\`unzip -p\` (inflating the workbook to /dev/null) is the floor. pandas (about 100 s a run) only with BENCH_PANDAS_XLSX=1."
  tables xlsx-1m users-1m.xlsx
  echo
  echo "| round | purgeset s | purgeset-lean s | unzip -p s | purgeset / unzip -p | lean / unzip -p | purgeset RSS MB | lean RSS MB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  for i in "${!xlsx_ratio[@]}"; do
    echo "| $((i + 1)) | ${pset_xlsx[$i]:-–} | ${lean_xlsx[$i]:-–} | ${unzip_xlsx[$i]:-–} | ${xlsx_ratio[$i]:-–} | ${xlsx_lean_ratio[$i]:-–} | ${xlsx_rss[$i]:-–} | ${xlsx_lean_rss[$i]:-–} |"
  done
  echo
  echo "## 100k rows, each format (default run)"
  echo
  echo "| tool | input | median s | min–max s | runs | peak RSS MB | output |"
  echo "|---|---|---:|---:|---:|---:|---|"
  for f in users-100k.csv users-100k.xlsx users-100k.tsv; do tail -n +3 "$results/${f/./-}.md"; done
  echo
  echo "## Scale: purgeset --no-archive --no-review on purgegen files"
  echo
  echo "\`purgeset run --no-archive --no-review\`, every other option at its default (XLSX set files of at most 100,000 IDs), under"
  echo "\`/usr/bin/time -v\`; wall is the median of the runs, RSS the largest. Distinct IDs: \`sort -u\` of decisions.csv's id column."
  echo "\`gen-1m-x10.csv\` is \`gen-1m.csv\`'s rows ten times: 10M rows with only 1M distinct IDs."
  echo
  echo "| input | rows | distinct IDs | wall s | runs s | µs / row | peak RSS MB | runs MB | RSS bytes / distinct ID |"
  echo "|---|---:|---:|---:|---|---:|---:|---|---:|"
  for x in "${scale_rows[@]}"; do
    IFS='|' read -r f n ids w ws m ms <<< "$x"
    us=$(num "$w" && awk -v w="$w" -v n="$n" 'BEGIN{printf "%.2f", w*1e6/n}' || echo –)
    bpi=$(num "$m" && num "$ids" && awk -v m="$m" -v i="$ids" 'BEGIN{printf "%.0f", m*1048576/i}' || echo –)
    echo "| \`$f\` | $n | $ids | $w | $ws | $us | $m | $ms | $bpi |"
  done
  echo
  echo "## Address space: \`ulimit -v 1048576\`"
  echo
  echo "One run each under \`bash -c 'ulimit -v 1048576 && exec /usr/bin/time -v purgeset …'\`: the bundled sample"
  echo "(\`--config fixtures/purgeset.toml\`, every output) and \`users-1m.csv\` lean. Met when the exit is 0 and the manifest is written."
  echo
  echo "| case | exit | wall s | peak RSS MB |"
  echo "|---|---:|---:|---:|"
  for x in "${addr_rows[@]}"; do
    IFS='|' read -r n rc w m <<< "$x"
    echo "| $n | $rc | $w | $m |"
  done
  echo
  echo "## Read-back: verify, diff, reconcile"
  echo
  echo "\`/usr/bin/time -v\`, 3 runs each (see the read-back verdicts for the runs compared)."
  echo
  echo "| command | runs s | median s | peak RSS MB | exit codes |"
  echo "|---|---|---:|---:|---|"
  for x in "${rb_rows[@]}"; do
    IFS='|' read -r n ws w m codes <<< "$x"
    echo "| $n | $ws | $w | $m | $codes |"
  done
  echo
  echo "## Stage benchmarks"
  echo
  echo "\`go test -run '^\$' -bench . -benchmem ./readers ./pipeline ./writers\` (run after the timings above, same machine;"
  echo "it compiles the work tree as it is at that moment):"
  echo
  echo '```'
  grep -E '^(Benchmark|ok|FAIL|---)' "$results/gobench.txt" || true
  echo '```'
  echo
  echo "## Where the time goes"
  echo
  echo "CPU profiles of the timed \`purgeset\` run (every output; set as text, as \`peers/purgeset.sh\` runs it) with the hidden"
  echo "\`--cpuprofile\` flag; \`go tool pprof -top -nodecount=15\`. Samples above 100% of the duration: both cores busy."
  echo "The cumulative view (\`-top -cum\`) is in \`bench/data/results/prof-*.cum\`."
  for p in csv-1m:users-1m.csv xlsx-1m:users-1m.xlsx; do
    echo
    echo "### \`${p#*:}\`"
    echo
    echo '```'
    grep -v -E '^(File|Build ID|Type):' "$results/prof-${p%%:*}.top" || echo "(no profile)"
    echo '```'
  done
  echo
  echo "## Analysis"
  echo
  echo "<!-- analysis:begin (written by hand; make bench keeps this block) -->"
  printf '%s\n' "$analysis"
  echo "<!-- analysis:end -->"
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "make bench            # = bench/run.sh after make build; BENCH_ROUNDS=$rounds"
  echo "# inside, per round (run-peers.sh through bench/data/peerview, see bench/run.sh):"
  echo "PURGESET_BIN=bin/purgeset BENCH_OUT=bench/data/results/csv-1m-r1 \\"
  echo "  bench/data/peerview/run-peers.sh bench/data/users-1m.csv cat purgeset purgeset-lean duckdb sqlite3 pandas"
  echo "bench/data/peerview/run-peers.sh bench/data/users-1m.xlsx unzip-p purgeset purgeset-lean"
  echo "bench/data/peerview/run-peers.sh bench/data/users-100k.{csv,xlsx,tsv} purgeset   # one file at a time"
  echo "/usr/bin/time -v bin/purgeset run --quiet --cutoff $cutoff --group … --no-archive --no-review \\"
  echo "  --out DIR bench/data/gen-{100k,1m,10m,1m-x10}.csv"
  echo "bin/purgeset --cpuprofile prof run --quiet --cutoff $cutoff --group … --set-format txt --split 100000000 \\"
  echo "  --out DIR bench/data/users-1m.{csv,xlsx}"
  echo "go tool pprof -top -nodecount=15 bin/purgeset prof"
  echo "bash -c 'ulimit -v 1048576 && exec bin/purgeset run --config fixtures/purgeset.toml --out DIR'"
  echo "bin/purgeset run … --out A bench/data/users-1m.csv; bin/purgeset run --cutoff 2025-01-01 … --out B bench/data/users-1m.csv"
  echo "/usr/bin/time -v bin/purgeset verify A; … diff A B; … reconcile --report R A bench/data/users-1m.csv; … verify --rerun A"
  echo '```'
  echo
  echo "Raw output (run-peers tables, hyperfine JSON, outputs, profiles): \`bench/data/results/\`."
} > BENCH.md.tmp
mv BENCH.md.tmp BENCH.md
log "wrote BENCH.md in $((took / 60)) min $((took % 60)) s (load $load_before before, $load_after after)"
printf '%s\n' "${verdicts[@]}" "${readback[@]}" >&2
