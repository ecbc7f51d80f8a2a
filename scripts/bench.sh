#!/usr/bin/env bash
# End-to-end throughput: orgtwin vs moto_server vs the fixed-response ceiling, one run, same load.
#
#   scripts/bench.sh BUILD_DIR
#
# Environment knobs (defaults in brackets): BENCH_DURATION [10] measured seconds,
# BENCH_WARMUP [2], BENCH_CONNECTIONS [16], BENCH_THREADS [2] load-generator threads.
#
# Each server runs alone while it is measured (start, wait for its port, sign a GetCallerIdentity
# for its Host, load it, stop it). The load generator shares the machine with the server under
# test; see docs/performance.md for what that means for the numbers.
# Results: BUILD_DIR/bench-results/<UTC timestamp>/{orgtwin,moto,ceiling,summary}.json.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD=$(cd "$1" && pwd)
LOAD=$BUILD/bench/load/orgtwin-load
FIXED=$BUILD/bench/load/orgtwin-fixed-server
ORGTWIN=$BUILD/src/cli/orgtwin
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
PY=/usr/bin/python3

for tool in "$LOAD" "$FIXED"; do
  [[ -x $tool ]] || { echo "missing $tool (build targets orgtwin-load orgtwin-fixed-server)" >&2; exit 2; }
done

OUT=$BUILD/bench-results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=$(mktemp -d)
# shellcheck source=scripts/bench_common.sh
source "$(dirname "$0")/bench_common.sh"

# run_load NAME PORT ACCESS_KEY SECRET: signs GetCallerIdentity for the server and loads it.
run_load() {
  local name=$1 port=$2 key=$3 secret=$4
  "$LOAD" sign --access-key "$key" --secret "$secret" --region us-east-1 --service sts \
    --body 'Action=GetCallerIdentity&Version=2011-06-15' --host "127.0.0.1:$port" \
    --out "$WORK/$name.http"
  echo "== $name: $CONNECTIONS connections, $THREADS load threads, ${DURATION}s (+${WARMUP}s warm-up)"
  "$LOAD" --url "http://127.0.0.1:$port" --connections "$CONNECTIONS" --threads "$THREADS" \
    --duration-seconds "$DURATION" --warmup-seconds "$WARMUP" \
    --request-file "$WORK/$name.http" --json | tee "$OUT/$name.json"
}

# 1. orgtwin
if [[ -x $ORGTWIN ]]; then
  port=$(free_port)
  mkdir -p "$WORK/data"
  "$ORGTWIN" serve --listen "127.0.0.1:$port" --data "$WORK/data" >"$WORK/orgtwin.log" 2>&1 &
  SERVER_PID=$!
  if wait_for_port "$port" 20 && [[ -f $WORK/data/credentials ]]; then
    read -r key secret < <(awk -F' *= *' '
      /^\[/ { in_profile = ($0 == "[orgtwin]") }
      in_profile && $1 == "aws_access_key_id" { k = $2 }
      in_profile && $1 == "aws_secret_access_key" { s = $2 }
      END { print k, s }' "$WORK/data/credentials")
    run_load orgtwin "$port" "$key" "$secret"
  else
    echo "orgtwin did not start (log: below); skipping" >&2
    cat "$WORK/orgtwin.log" >&2 || true
  fi
  stop_server
else
  echo "SKIP orgtwin: $ORGTWIN not built" >&2
fi

# 2. moto_server (accepts any credentials)
if command -v moto_server >/dev/null 2>&1; then
  port=$(free_port)
  moto_server -p "$port" >"$WORK/moto.log" 2>&1 &
  SERVER_PID=$!
  if wait_for_port "$port" 60; then
    run_load moto "$port" AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  else
    echo "moto_server did not start; skipping" >&2
    cat "$WORK/moto.log" >&2 || true
  fi
  stop_server
else
  echo "SKIP moto: moto_server is not on PATH (pip install 'moto[server]' to compare)" >&2
fi

# 3. the ceiling: same HTTP stack, fixed response
port=$(free_port)
"$FIXED" --port "$port" --threads 0 >"$WORK/fixed.log" 2>&1 &
SERVER_PID=$!
if wait_for_port "$port" 10; then
  run_load ceiling "$port" AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
fi
stop_server

# 4. table + summary.json
"$PY" - "$OUT" <<'PYEOF'
import json, os, sys
out = sys.argv[1]
rows = {}
for name in ("orgtwin", "moto", "ceiling"):
    path = os.path.join(out, name + ".json")
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path) as f:
            rows[name] = json.load(f)
print()
print(f"{'server':<10} {'req/s':>12} {'p50 us':>9} {'p99 us':>9} {'non-2xx':>8} {'errors':>7}")
for name, r in rows.items():
    lat = r["latency_us"]
    print(f"{name:<10} {r['requests_per_second']:>12.1f} {lat['p50']:>9} {lat['p99']:>9} "
          f"{r['non_2xx']:>8} {r['errors']:>7}")
summary = {"results": rows}
def ratio(a, b):
    if a in rows and b in rows and rows[b]["requests_per_second"] > 0:
        return rows[a]["requests_per_second"] / rows[b]["requests_per_second"]
    return None
for a, b in (("orgtwin", "moto"), ("orgtwin", "ceiling")):
    value = ratio(a, b)
    summary[f"{a}_over_{b}"] = value
    print(f"{a}/{b}: " + (f"{value:.2f}x" if value is not None else "n/a"))
for name, r in rows.items():
    if r["non_2xx"] or r["errors"]:
        print(f"WARNING: {name} had {r['non_2xx']} non-2xx responses and {r['errors']} errors; "
              "its req/s counts 2xx only")
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
print(f"results: {out}")
PYEOF
