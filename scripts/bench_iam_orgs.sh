#!/usr/bin/env bash
# IAM/STS (issue 4) and Organizations (issue 5) throughput: orgtwin vs moto_server, one run.
#
#   scripts/bench_iam_orgs.sh BUILD_DIR
#
# Environment knobs (defaults in brackets):
#   BENCH_DURATION [5] measured seconds per closed-loop scenario, BENCH_WARMUP [1],
#   BENCH_CONNECTIONS [16], BENCH_THREADS [2] load-generator threads,
#   BENCH_ROLES [1000] roles present for GetRole/ListRoles (AWS's per-account quota),
#   BENCH_CREATE_ROLES [9000] CreateRole calls per principal (each a new role, sent once),
#   spread over accounts of BENCH_ROLES_PER_ACCOUNT [900] new roles each,
#   BENCH_ORG_SIZES ["100 1000 10000"] organization sizes (member accounts besides the
#   management account), BENCH_MOTO_ORG_MAX [10000] largest size moto is populated to,
#   BENCH_SMALL_ORGS [10] organizations grown from 0 to 100 accounts in one CreateAccount run
#   (the CreateAccount.100x<N> row; 0 skips it),
#   BENCH_LIST_REPEATS [3] full ListAccounts walks per size (median reported; 1 for moto above
#   1,000 accounts), BENCH_ROOT [1] also measure orgtwin's IAM calls (not AssumeRole, which AWS
#   refuses to root) as the account root,
#   BENCH_SERVERS ["orgtwin moto"].
#
# Every scenario is measured with orgtwin-load (bench/load/): closed-loop replay of pre-signed
# requests for reads and AssumeRole; `--once` (each request sent exactly once) for CreateRole and
# CreateAccount, whose inputs must be unique. CreateAccount is also how each organization is
# populated, so its throughput is measured at every size step. The time of a full ListAccounts
# walk (NextToken to the end, MaxResults 20) is taken by bench/iam_orgs/bench_client.py with
# boto3, the same client against both servers. One server runs at a time.
# Results: BUILD_DIR/bench-results/iam-orgs-<UTC timestamp>/{orgtwin,moto}/*.json, summary.json.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD=$(cd "$1" && pwd)
ROOT_DIR=$(cd "$(dirname "$0")/.." && pwd)
LOAD=$BUILD/bench/load/orgtwin-load
ORGTWIN=$BUILD/src/cli/orgtwin
CLIENT=$ROOT_DIR/bench/iam_orgs/bench_client.py
DURATION=${BENCH_DURATION:-5}
WARMUP=${BENCH_WARMUP:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
ROLES=${BENCH_ROLES:-1000}
CREATE_ROLES=${BENCH_CREATE_ROLES:-9000}
ROLES_PER_ACCOUNT=${BENCH_ROLES_PER_ACCOUNT:-900}
ORG_SIZES=${BENCH_ORG_SIZES:-"100 1000 10000"}
MOTO_ORG_MAX=${BENCH_MOTO_ORG_MAX:-10000}
SMALL_ORGS=${BENCH_SMALL_ORGS:-10}
LIST_REPEATS=${BENCH_LIST_REPEATS:-3}
MEASURE_ROOT=${BENCH_ROOT:-1}
SERVERS=${BENCH_SERVERS:-"orgtwin moto"}
PY=/usr/bin/python3

OUT=$BUILD/bench-results/iam-orgs-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=$(mktemp -d)
PORT=""
ROOT_KEY=""
ROOT_SECRET=""
# shellcheck source=scripts/bench_common.sh
source "$(dirname "$0")/bench_common.sh"
require_tools "$LOAD" "$ORGTWIN"

# start_server NAME: starts a fresh orgtwin or moto_server; sets PORT, ROOT_KEY, ROOT_SECRET.
start_server() {
  local name=$1
  PORT=$(free_port)
  if [[ $name == orgtwin ]]; then
    local data
    data=$(mktemp -d -p "$WORK")
    "$ORGTWIN" serve --listen "127.0.0.1:$PORT" --data "$data" --org-account-quota 20000 \
      >>"$WORK/orgtwin.log" 2>&1 &
    SERVER_PID=$!
    wait_for_port "$PORT" 20 && [[ -f $data/credentials ]] || {
      echo "orgtwin did not start" >&2
      cat "$WORK/orgtwin.log" >&2
      exit 1
    }
    read -r ROOT_KEY ROOT_SECRET < <(awk -F' *= *' '
      /^\[/ { in_profile = ($0 == "[orgtwin]") }
      in_profile && $1 == "aws_access_key_id" { k = $2 }
      in_profile && $1 == "aws_secret_access_key" { s = $2 }
      END { print k, s }' "$data/credentials")
  else
    moto_server -p "$PORT" >>"$WORK/moto.log" 2>&1 &
    SERVER_PID=$!
    wait_for_port "$PORT" 60 || {
      echo "moto_server did not start" >&2
      cat "$WORK/moto.log" >&2
      exit 1
    }
    ROOT_KEY=$MOTO_KEY
    ROOT_SECRET=$MOTO_SECRET
  fi
}

json_field() { "$PY" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
urlencode() { "$PY" -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# sign_args SERVICE: the orgtwin-load sign options for a Query (iam/sts) or JSON (organizations)
# call; the caller appends --body/--count.
query_sign() {  # query_sign KEY SECRET SERVICE BODY OUTFILE [COUNT FIRST]
  "$LOAD" sign --access-key "$1" --secret "$2" --region us-east-1 --service "$3" --body "$4" \
    --host "127.0.0.1:$PORT" --out "$5" --count "${6:-1}" --first "${7:-0}"
}
orgs_sign() {  # orgs_sign KEY SECRET OPERATION BODY OUTFILE [COUNT FIRST]
  "$LOAD" sign --access-key "$1" --secret "$2" --region us-east-1 --service organizations \
    --content-type 'application/x-amz-json-1.1' \
    --header "X-Amz-Target: AWSOrganizationsV20161128.$3" --body "$4" \
    --host "127.0.0.1:$PORT" --out "$5" --count "${6:-1}" --first "${7:-0}"
}

# The server's CPU time (user + system clock ticks, all its threads). Throughput on a shared
# two-core machine moves with whatever else runs; the server's CPU per request does much less,
# so each run also reports it (server_cpu_us_per_request: warm-up included in both terms).
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
add_cpu() {  # add_cpu RESULT_JSON TICKS_BEFORE
  "$PY" - "$1" "$2" "$(server_cpu_ticks)" "$(getconf CLK_TCK)" <<'PYEOF'
import json, sys
path, before, after, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path) as f:
    r = json.load(f)
total = r["requests"] + r.get("warmup_requests", 0)
if r["mode"] == "closed-loop" and r["duration_seconds"] > 0:
    total = r["requests"] * (r["duration_seconds"] + r.get("warmup_seconds", 0)) / r["duration_seconds"]
r["server_cpu_us_per_request"] = (after - before) * 1e6 / hz / total if total else None
with open(path, "w") as f:
    json.dump(r, f)
PYEOF
}

# closed_loop RESULT_JSON REQUEST_FILE
closed_loop() {
  echo "-- $(basename "$1" .json): $CONNECTIONS connections, ${DURATION}s (+${WARMUP}s warm-up)"
  local ticks
  ticks=$(server_cpu_ticks)
  "$LOAD" --url "http://127.0.0.1:$PORT" --connections "$CONNECTIONS" --threads "$THREADS" \
    --duration-seconds "$DURATION" --warmup-seconds "$WARMUP" --request-file "$2" --json |
    tee "$1"
  add_cpu "$1" "$ticks"
}
# once RESULT_JSON REQUEST_FILE WARMUP_REQUESTS: every request exactly once (safety cap 600 s).
once() {
  echo "-- $(basename "$1" .json): each request once, first $3 are warm-up"
  local ticks
  ticks=$(server_cpu_ticks)
  "$LOAD" --url "http://127.0.0.1:$PORT" --connections "$CONNECTIONS" --threads "$THREADS" \
    --duration-seconds 600 --once --warmup-requests "$3" --request-file "$2" --json | tee "$1"
  add_cpu "$1" "$ticks"
}

bench_iam() {
  local server=$1 dir=$OUT/$1
  echo "== $server: IAM/STS ($ROLES roles)"
  start_server "$server"
  local setup
  setup=$("$PY" "$CLIENT" iam-setup "http://127.0.0.1:$PORT" "$ROOT_KEY" "$ROOT_SECRET" "$ROLES")
  echo "$setup" >"$dir/iam_setup.json"
  local account admin_key admin_secret
  account=$(json_field "$setup" account_id)
  admin_key=$(json_field "$setup" admin_key)
  admin_secret=$(json_field "$setup" admin_secret)
  local principals=("admin:$admin_key:$admin_secret")
  if [[ $server == orgtwin && $MEASURE_ROOT == 1 ]]; then
    principals+=("root:$ROOT_KEY:$ROOT_SECRET")
  fi
  local entry who key secret
  # Reads first, for every principal; the default account holds exactly ROLES roles.
  for entry in "${principals[@]}"; do
    IFS=: read -r who key secret <<<"$entry"
    # AWS refuses AssumeRole to a root user (AccessDenied before any policy): admin only.
    if [[ $who != root ]]; then
      query_sign "$key" "$secret" sts "Action=AssumeRole&Version=2011-06-15&RoleArn=$(urlencode "arn:aws:iam::$account:role/bench-target")&RoleSessionName=bench" "$WORK/req.http"
      closed_loop "$dir/AssumeRole.$who.json" "$WORK/req.http"
    fi
    query_sign "$key" "$secret" iam 'Action=GetRole&Version=2010-05-08&RoleName=bench-role-{n}' \
      "$WORK/req.http" $((ROLES - 1))
    closed_loop "$dir/GetRole.$who.json" "$WORK/req.http"
    # Default MaxItems (100): the first page of the ROLES roles, as an unparameterised call.
    query_sign "$key" "$secret" iam 'Action=ListRoles&Version=2010-05-08' "$WORK/req.http"
    closed_loop "$dir/ListRoles.$who.json" "$WORK/req.http"
  done
  # CreateRole: AWS caps an account at 1,000 roles, so the new roles are spread over fresh
  # accounts, ROLES_PER_ACCOUNT each (orgtwin: signed-up standalone accounts with their own
  # bench-admin; moto: its x-moto-account-id header, so moto's per-account role scans see the
  # same account sizes).
  local per_account=$ROLES_PER_ACCOUNT
  local per_principal=$(((CREATE_ROLES + per_account - 1) / per_account))
  "$PY" "$CLIENT" accounts-setup "http://127.0.0.1:$PORT" "$ROOT_KEY" "$ROOT_SECRET" "$server" \
    $((per_principal * ${#principals[@]})) >"$WORK/accounts.json"
  local p=0 j account_id
  for entry in "${principals[@]}"; do
    IFS=: read -r who key secret <<<"$entry"
    : >"$WORK/create.http"
    "$PY" -c 'import json,sys
accounts = json.load(open(sys.argv[1]))[int(sys.argv[2]):int(sys.argv[3])]
json.dump(accounts, open(sys.argv[4], "w"))
for a in accounts:
    k, s = (a["root_key"], a["root_secret"]) if sys.argv[5] == "root" else (a["key"], a["secret"])
    print(a["account_id"], k, s)' "$WORK/accounts.json" $((p * per_principal)) \
      $(((p + 1) * per_principal)) "$WORK/accounts.$who.json" "$who" >"$WORK/accounts.$who.txt"
    while read -r account_id key secret; do
      local trust_acct extra=()
      trust_acct=$(urlencode "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$account_id:root\"},\"Action\":\"sts:AssumeRole\"}]}")
      [[ $server == orgtwin ]] || extra=(--header "x-moto-account-id: $account_id")
      "$LOAD" sign --access-key "$key" --secret "$secret" --region us-east-1 --service iam \
        --body "Action=CreateRole&Version=2010-05-08&RoleName=bench-new-$who-{n}&AssumeRolePolicyDocument=$trust_acct" \
        --host "127.0.0.1:$PORT" --out "$WORK/one.http" --count "$per_account" "${extra[@]}"
      cat "$WORK/one.http" >>"$WORK/create.http"
    done <"$WORK/accounts.$who.txt"
    once "$dir/CreateRole.$who.json" "$WORK/create.http" $((per_account * per_principal / 10))
    "$PY" "$CLIENT" count-roles "http://127.0.0.1:$PORT" "$WORK/accounts.$who.json" \
      "bench-new-$who-" "$server" >"$dir/CreateRole.$who.check.json"
    echo "   roles created: $(cat "$dir/CreateRole.$who.check.json") (expected $((per_account * per_principal)))"
    p=$((p + 1))
  done
  stop_server
}

# bench_small_orgs SERVER DIR: CreateAccount while organizations are small. The 0 -> 100 phase
# of the main organization measures only 90 calls: ~6 ms for orgtwin, so its first and last
# batches (16 connections filling and draining) and a single scheduling stall weigh on it as
# much as the calls do. Here SMALL_ORGS fresh organizations each grow from 0 to 100 accounts in
# one run (their calls back to back, the first 10% warm-up), so every call still lands in an
# organization of at most 100 accounts, over ten times the calls. Same for both servers.
bench_small_orgs() {
  local server=$1 dir=$2 account_id key secret
  "$PY" "$CLIENT" orgs-setup "http://127.0.0.1:$PORT" "$ROOT_KEY" "$ROOT_SECRET" "$server" \
    "$SMALL_ORGS" >"$WORK/small_orgs.json"
  : >"$WORK/small.http"
  while read -r account_id key secret; do
    local extra=()
    [[ $server == orgtwin ]] || extra=(--header "x-moto-account-id: $account_id")
    "$LOAD" sign --access-key "$key" --secret "$secret" --region us-east-1 \
      --service organizations --content-type 'application/x-amz-json-1.1' \
      --header "X-Amz-Target: AWSOrganizationsV20161128.CreateAccount" "${extra[@]}" \
      --body "{\"Email\":\"bench-$account_id-{n}@example.com\",\"AccountName\":\"bench-{n}\"}" \
      --host "127.0.0.1:$PORT" --out "$WORK/one.http" --count 100
    cat "$WORK/one.http" >>"$WORK/small.http"
  done < <("$PY" -c 'import json,sys
for a in json.load(open(sys.argv[1])):
    print(a["account_id"], a["key"], a["secret"])' "$WORK/small_orgs.json")
  once "$dir/CreateAccount.100x$SMALL_ORGS.json" "$WORK/small.http" $((SMALL_ORGS * 10))
  "$PY" "$CLIENT" orgs-count "http://127.0.0.1:$PORT" "$WORK/small_orgs.json" "$server" |
    tee "$dir/CreateAccount.100x$SMALL_ORGS.check.json"
}

bench_orgs() {
  local server=$1 dir=$OUT/$1
  echo "== $server: Organizations (sizes $ORG_SIZES)"
  start_server "$server"
  # The calls are made by an IAM user with AdministratorAccess in the management account.
  local setup key secret
  setup=$("$PY" "$CLIENT" iam-setup "http://127.0.0.1:$PORT" "$ROOT_KEY" "$ROOT_SECRET" 0)
  key=$(json_field "$setup" admin_key)
  secret=$(json_field "$setup" admin_secret)
  "$PY" "$CLIENT" org-setup "http://127.0.0.1:$PORT" "$key" "$secret" >"$dir/org_setup.json"
  local current=0 size repeats
  for size in $ORG_SIZES; do
    if [[ $server == moto ]] && ((size > MOTO_ORG_MAX)); then
      echo "   moto: skipping $size accounts (BENCH_MOTO_ORG_MAX=$MOTO_ORG_MAX)"
      break
    fi
    local add=$((size - current))
    orgs_sign "$key" "$secret" CreateAccount \
      '{"Email":"bench-{n}@example.com","AccountName":"bench-{n}"}' "$WORK/req.http" "$add" "$current"
    once "$dir/CreateAccount.$size.json" "$WORK/req.http" $((add / 10))
    current=$size
    repeats=$LIST_REPEATS
    local walk_mode=both
    # moto rebuilds and sorts the whole account list for every page, so one walk over 10,000
    # accounts takes minutes: time it once, with the thin client only.
    if [[ $server == moto ]] && ((size > 1000)); then repeats=1 walk_mode=thin-only; fi
    # +1: the management account is a member too. This also checks every CreateAccount worked.
    "$PY" "$CLIENT" org-list "http://127.0.0.1:$PORT" "$key" "$secret" $((size + 1)) "$repeats" \
      "$walk_mode" | tee "$dir/ListAccountsWalk.$size.json"
    orgs_sign "$key" "$secret" DescribeOrganization '{}' "$WORK/req.http"
    closed_loop "$dir/DescribeOrganization.$size.json" "$WORK/req.http"
    orgs_sign "$key" "$secret" ListAccounts '{"MaxResults":20}' "$WORK/req.http"
    closed_loop "$dir/ListAccounts.$size.json" "$WORK/req.http"
    if ((size == 100 && SMALL_ORGS > 0)); then bench_small_orgs "$server" "$dir"; fi
  done
  stop_server
}

START=$SECONDS
for server in $SERVERS; do
  if [[ $server == moto ]] && ! command -v moto_server >/dev/null 2>&1; then
    echo "SKIP moto: moto_server is not on PATH (pip install 'moto[server]' to compare)" >&2
    continue
  fi
  mkdir -p "$OUT/$server"
  bench_iam "$server"
  bench_orgs "$server"
done
echo "total time: $((SECONDS - START)) s"

"$PY" - "$OUT" "$(cat /proc/loadavg)" <<'PYEOF'
import glob, json, os, sys
out, loadavg = sys.argv[1], sys.argv[2]
res = {}
for path in sorted(glob.glob(os.path.join(out, "*", "*.json"))):
    server = os.path.basename(os.path.dirname(path))
    with open(path) as f:
        res.setdefault(server, {})[os.path.basename(path)[:-5]] = json.load(f)
summary = {"load_average_at_end": loadavg, "results": res, "rows": []}
o, m = res.get("orgtwin", {}), res.get("moto", {})

def us(v):
    return f"{v / 1000:.1f} ms" if v >= 1000 else f"{v} us"

print("\n| scenario | orgtwin req/s | p50 | p99 | CPU/req | moto req/s | p50 | p99 | CPU/req "
      "| ratio |")
print("|---|---|---|---|---|---|---|---|---|---|")
keys = [k for k in o if "requests_per_second" in o[k]]
keys += [k for k in m if "requests_per_second" in m[k] and k not in o]
for key in keys:
    a, b = o.get(key), m.get(key)
    if key.endswith(".root"):
        b = m.get(key[:-5] + ".admin")  # moto does not authorize: one moto row serves both
    row = {"scenario": key}
    cells = []
    for r, name in ((a, "orgtwin"), (b, "moto")):
        if r:
            row[name] = {"rps": r["requests_per_second"], "p50_us": r["latency_us"]["p50"],
                         "p99_us": r["latency_us"]["p99"], "non_2xx": r["non_2xx"],
                         "errors": r["errors"]}
            cpu = r.get("server_cpu_us_per_request")
            row[name]["cpu_us"] = cpu
            cells += [f"{r['requests_per_second']:,.0f}", us(r["latency_us"]["p50"]),
                      us(r["latency_us"]["p99"]), f"{cpu:,.0f} us" if cpu else "-"]
            if r["non_2xx"] or r["errors"]:
                print(f"WARNING: {name} {key}: {r['non_2xx']} non-2xx, {r['errors']} errors")
        else:
            cells += ["-", "-", "-", "-"]
    ratio = (a["requests_per_second"] / b["requests_per_second"]
             if a and b and b["requests_per_second"] > 0 else None)
    row["ratio"] = ratio
    summary["rows"].append(row)
    print(f"| {key} | " + " | ".join(cells) + " | " +
          (f"{ratio:,.0f}x" if ratio else "n/a") + " |")

def walk_cells(r):
    if not r:
        return ["-", "-"]
    return [f"{r['seconds_median'] * 1e3:,.1f} ms", f"{r['us_per_account']:.1f} us"]

for client in ("thin", "boto3"):
    print(f"\n| full ListAccounts walk ({client} client) | pages | orgtwin | per account "
          "| moto | per account | ratio |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted((k for k in set(o) | set(m) if k.startswith("ListAccountsWalk.")),
                      key=lambda k: int(k.split(".")[1])):
        a, b = o.get(key), m.get(key)
        if client == "boto3":
            a, b = a and a.get("boto3"), b and b.get("boto3")
        ratio = b["seconds_median"] / a["seconds_median"] if a and b else None
        summary["rows"].append({"scenario": f"{key}.{client}", "orgtwin": a, "moto": b,
                                "ratio": ratio})
        pages = (a or b or {}).get("pages", "-")
        print(f"| {key.split('.')[1]} accounts | {pages} | " +
              " | ".join(walk_cells(a) + walk_cells(b)) + " | " +
              (f"{ratio:,.0f}x" if ratio else "n/a") + " |")
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
print(f"\nload average at end: {loadavg}\nresults: {out}")
PYEOF
