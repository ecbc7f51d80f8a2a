#!/usr/bin/env bash
# Several orgtwin nodes on one PostgreSQL database (issue 17): reads and writes with 1, 2 and 4
# nodes, beside orgtwin on its SQLite default and moto_server, all in one run.
#
#   scripts/with-postgres.sh scripts/bench_nodes.sh BUILD_DIR
#
# with-postgres.sh provides the PostgreSQL server (OT_TEST_PG_PORT; fsync off, see that script);
# each configuration gets a fresh database. The nodes of a configuration run with the same flags
# and their own data directories; orgtwin-load spreads its connections over them (several --url).
#
# Scenarios, in this order on every configuration (one configuration runs at a time):
#   CreateUser   BENCH_USERS [3000] users of the default account, each request sent once (the
#                first 200 are warm-up): the write path, one group commit per node and batch;
#   GetUser      closed loop over 1,000 of those users (all, if fewer): a read of the store per
#                request;
#   GetCallerIdentity  closed loop: no store read on a node that has the caller cached, so on
#                PostgreSQL it shows what the per-request check of other nodes' commits costs.
# Knobs: BENCH_DURATION [5] measured seconds, BENCH_WARMUP [1], BENCH_CONNECTIONS [16],
# BENCH_THREADS [2], BENCH_CONFIGS ["sqlite:1 postgres:1 postgres:2 postgres:4 moto:1"],
# BENCH_NODE_FLAGS [""] more `orgtwin serve` flags for every node (e.g. "--threads 8").
# Results: BUILD_DIR/bench-results/nodes-<UTC timestamp>/<config>/<scenario>.json, summary.txt.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: scripts/with-postgres.sh $0 BUILD_DIR" >&2
  exit 2
fi
if [[ -z ${OT_TEST_PG_PORT:-} ]]; then
  echo "$0: run it under scripts/with-postgres.sh (no PostgreSQL server)" >&2
  exit 2
fi
BUILD=$(cd "$1" && pwd)
LOAD=$BUILD/bench/load/orgtwin-load
ORGTWIN=$BUILD/src/cli/orgtwin
DURATION=${BENCH_DURATION:-5}
WARMUP=${BENCH_WARMUP:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
USERS=${BENCH_USERS:-3000}
CONFIGS=${BENCH_CONFIGS:-"sqlite:1 postgres:1 postgres:2 postgres:4 moto:1"}
PY=/usr/bin/python3

OUT=$BUILD/bench-results/nodes-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=$(mktemp -d)
# shellcheck source=scripts/bench_common.sh
source "$(dirname "$0")/bench_common.sh"
require_tools "$LOAD" "$ORGTWIN"

NODE_PIDS=()
URLS=()
stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  NODE_PIDS=()
  URLS=()
}
trap 'stop_nodes; cleanup' EXIT

# start_node STORE_ARGS...: one orgtwin node; appends its URL and PID. The first node of a
# database makes the default account, so nodes start one after another.
start_node() {
  local port data
  port=$(free_port)
  data=$(mktemp -d -p "$WORK")
  # shellcheck disable=SC2086 # BENCH_NODE_FLAGS is a list of flags
  "$ORGTWIN" serve --listen "127.0.0.1:$port" --data "$data" --log-level warn ${BENCH_NODE_FLAGS:-} "$@" \
    >>"$WORK/orgtwin.log" 2>&1 &
  SERVER_PID=$!
  wait_for_port "$port" 30 && [[ -f $data/credentials ]] || {
    echo "orgtwin did not start" >&2
    cat "$WORK/orgtwin.log" >&2
    exit 1
  }
  NODE_PIDS+=("$SERVER_PID")
  URLS+=("http://127.0.0.1:$port")
  read -r ROOT_KEY ROOT_SECRET < <(awk -F' *= *' '
    /^\[/ { in_profile = ($0 == "[orgtwin]") }
    in_profile && $1 == "aws_access_key_id" { k = $2 }
    in_profile && $1 == "aws_secret_access_key" { s = $2 }
    END { print k, s }' "$data/credentials")
}

start_config() {  # start_config KIND NODES
  local kind=$1 nodes=$2 i
  case $kind in
    sqlite) start_node ;;
    postgres)
      local db
      db=bench_nodes_$(date +%s%N)
      createdb "$db"
      for ((i = 0; i < nodes; i++)); do
        start_node --store "postgres://postgres@127.0.0.1:$OT_TEST_PG_PORT/$db"
      done
      ;;
    moto)
      local port
      port=$(free_port)
      moto_server -p "$port" >>"$WORK/moto.log" 2>&1 &
      SERVER_PID=$!
      wait_for_port "$port" 60 || { echo "moto_server did not start" >&2; exit 1; }
      NODE_PIDS+=("$SERVER_PID")
      URLS+=("http://127.0.0.1:$port")
      ROOT_KEY=$MOTO_KEY
      ROOT_SECRET=$MOTO_SECRET
      ;;
  esac
}

sign() {  # sign OUTFILE COUNT BODY (iam or sts by the body's Version)
  local service=iam
  [[ $3 == *Version=2011-06-15* ]] && service=sts
  "$LOAD" sign --access-key "$ROOT_KEY" --secret "$ROOT_SECRET" --region us-east-1 \
    --service "$service" --body "$3" --host "${URLS[0]#http://}" --out "$1" --count "$2"
}

load() {  # load RESULT_JSON REQUEST_FILE [--once WARMUP_REQUESTS]
  local args=() url
  for url in "${URLS[@]}"; do args+=(--url "$url"); done
  if [[ ${3:-} == --once ]]; then
    args+=(--duration-seconds 600 --once --warmup-requests "$4")
  else
    args+=(--duration-seconds "$DURATION" --warmup-seconds "$WARMUP")
  fi
  "$LOAD" "${args[@]}" --connections "$CONNECTIONS" --threads "$THREADS" --request-file "$2" \
    --json >"$1"
}

for config in $CONFIGS; do
  kind=${config%%:*}
  nodes=${config#*:}
  dir=$OUT/$kind-$nodes
  mkdir -p "$dir"
  echo "== $kind, $nodes node(s)"
  start_config "$kind" "$nodes"
  sign "$WORK/create.http" "$USERS" 'Action=CreateUser&Version=2010-05-08&UserName=bench-{n}'
  load "$dir/CreateUser.json" "$WORK/create.http" --once 200
  sign "$WORK/get.http" $((USERS < 1000 ? USERS : 1000)) 'Action=GetUser&Version=2010-05-08&UserName=bench-{n}'
  load "$dir/GetUser.json" "$WORK/get.http"
  sign "$WORK/whoami.http" 1 'Action=GetCallerIdentity&Version=2011-06-15'
  load "$dir/GetCallerIdentity.json" "$WORK/whoami.http"
  stop_nodes
done

"$PY" - "$OUT" <<'PYEOF' | tee "$OUT/summary.txt"
import json, os, sys
out = sys.argv[1]
configs = sorted(os.listdir(out))
scenarios = ["CreateUser", "GetUser", "GetCallerIdentity"]
def result(config, scenario):
    path = os.path.join(out, config, scenario + ".json")
    return json.load(open(path)) if os.path.exists(path) else None
moto = "moto-1" if "moto-1" in configs else None
print("%-12s %-18s %10s %8s %8s %7s %7s" % ("config", "scenario", "req/s", "p50 us", "p99 us",
                                            "errors", "x moto"))
for scenario in scenarios:
    base = result(moto, scenario) if moto else None
    for config in configs:
        r = result(config, scenario)
        if r is None:
            continue
        ratio = r["requests_per_second"] / base["requests_per_second"] if base else float("nan")
        print("%-12s %-18s %10.0f %8d %8d %7d %7.1f" % (
            config, scenario, r["requests_per_second"], r["latency_us"]["p50"],
            r["latency_us"]["p99"], r["errors"] + r["non_2xx"], ratio))
PYEOF
echo "results: $OUT"
