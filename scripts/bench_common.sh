# Shared by scripts/bench.sh, bench_iam_orgs.sh and bench_nodes.sh (sourced, not run): one server
# under test at a time in $SERVER_PID, a scratch dir in $WORK, and the helpers to start, wait for
# and stop servers. The caller sets PY (a python3) and WORK before sourcing.
SERVER_PID=""
# moto_server takes any key; these are AWS's documented example credentials.
MOTO_KEY=AKIAIOSFODNN7EXAMPLE
MOTO_SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# require_tools BINARY...: stops the run when one of the built binaries is missing.
require_tools() {
  local tool
  for tool in "$@"; do
    [[ -x $tool ]] || { echo "missing $tool (build targets orgtwin orgtwin-load)" >&2; exit 2; }
  done
}

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    # Give it a moment to shut down gracefully, then insist.
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_port PORT SECONDS: true once something accepts on 127.0.0.1:PORT.
wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
