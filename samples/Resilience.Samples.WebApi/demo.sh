#!/usr/bin/env bash
# Every strategy of the Web API sample, over real HTTP on loopback, with curl.
#
# Start both apps first (two terminals, from the repository root):
#   dotnet run --project samples/Resilience.Samples.Downstream    # http://127.0.0.1:5080
#   dotnet run --project samples/Resilience.Samples.WebApi        # http://127.0.0.1:5090
# then:
#   bash samples/Resilience.Samples.WebApi/demo.sh
#
# Each request prints the status, the headers that matter and the body; the script checks each status and exits
# non-zero at the first answer that is not the one described. The Web API's console shows the library's own log
# lines (retries, the circuit opening, fallbacks, the stale answer) and, with OpenTelemetry, its spans and metrics.
# It can run again at once: the rate limits' buckets are full again 10 s after they were drained, and the run is longer.
set -euo pipefail

API=${API:-http://127.0.0.1:5090}
DOWNSTREAM=${DOWNSTREAM:-http://127.0.0.1:5080}
CURL=(curl --silent --show-error --max-time 15)
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# call EXPECTED_STATUS PATH [curl options...]: one GET on the Web API.
call() {
  local expected=$1 path=$2
  shift 2
  local status
  body=$("${CURL[@]}" --dump-header "$headers" "$@" "$API$path")
  status=$(awk 'NR == 1 { print $2 }' "$headers")
  local shown
  shown=$(grep -iE '^(x-fallback|x-fallback-reason|retry-after|content-type: application/problem)' "$headers" | tr -d '\r' | paste -sd ' ' - || true)
  printf 'GET %-28s -> %s  %s\n    %s\n' "$path" "$status" "$shown" "$body"
  if [[ "$status" != "$expected" ]]; then
    echo "expected $expected, got $status" >&2
    exit 1
  fi
}

# mode QUERY: scripts the downstream, e.g. "transient&failures=2", "dead", "slow&delayMs=10000", "healthy".
mode() {
  "${CURL[@]}" --fail --output /dev/null -X POST "$DOWNSTREAM/control/mode?value=$1"
  echo "downstream: $1"
}

# has TEXT: the last answer's headers or body contain TEXT (case-insensitive), else the script stops.
has() {
  if ! grep -qiF -- "$1" <<< "$(cat "$headers"; echo "$body")"; then
    echo "expected the answer to contain: $1" >&2
    exit 1
  fi
}

hit_count() { "${CURL[@]}" --fail "$DOWNSTREAM/control/hits" | sed 's/.*"hits":\([0-9]*\).*/\1/'; }
hits() { echo "downstream requests so far: $(hit_count)"; }

"${CURL[@]}" --fail --output /dev/null -X POST "$DOWNSTREAM/control/reset"

step "Retry: two 503s, then 200 (4 attempts at most; the log shows 2 retries)"
mode "transient&failures=2"
call 200 /weather/paris
has "X-Fallback: false"
hits

step "Cache fallback: a good answer is remembered (used later, when the downstream is dead)"
call 200 /weather/paris/cached
has '"summary":"Mild"'

step "Timeout: the downstream takes 10 s, the call gives up after 5 s and the fallback answers"
mode "slow&delayMs=10000"
call 200 /weather/paris
has "X-Fallback-Reason: ResilienceTimeoutException"

step "Bulkhead: one report at a time; a second concurrent one is turned away (503, no Retry-After)"
first_body=$(mktemp)
trap 'rm -f "$headers" "$first_body"' EXIT
before=$(hit_count)
"${CURL[@]}" --output "$first_body" --write-out '%{http_code}' "$API/weather/paris/report" > "$first_body.status" &
first=$!
"${CURL[@]}" --fail --output /dev/null "$DOWNSTREAM/control/hits/wait?count=$((before + 1))"   # the first is in flight
call 503 /weather/paris/report
has '"strategy":"bulkhead"'

step "Timeout without a fallback: the first report ends after 2 s with 504 problem details"
wait "$first"
printf 'GET %-28s -> %s  (the first report, from the background)\n    %s\n' /weather/paris/report "$(cat "$first_body.status")" "$(cat "$first_body")"
rm -f "$first_body.status"
[[ "$(cat "$first_body")" == *'"status":504'*'"strategy":"timeout"'* ]] || { echo "expected a 504 timeout" >&2; exit 1; }

step "Rate limit: 3 calls per 10 s for the whole app (a token bucket), the 4th at once is 429 with Retry-After"
mode healthy
for _ in 1 2 3; do call 200 /weather/paris/limited; done
call 429 /weather/paris/limited
has "Retry-After:"

step "Per-user limit (X-User-ID): 3 requests per 10 s per user; alice's 4th at once is 429, bob still gets through"
for _ in 1 2 3; do call 200 /me/weather/paris -H 'X-User-ID: alice'; done
call 429 /me/weather/paris -H 'X-User-ID: alice'
has "Retry-After:"
call 200 /me/weather/paris -H 'X-User-ID: bob'

step "Circuit breaker: a dead downstream; after 3 failed calls (4 attempts each) the circuit opens"
mode dead
for _ in 1 2 3; do call 503 /weather/paris; done
hits
call 200 /weather/paris
has "X-Fallback-Reason: BrokenCircuitException"
echo "    (the fallback answered: the circuit is open, the downstream was not called)"
hits

step "Open circuit without a fallback: 503 problem details with Retry-After"
call 503 /weather/paris/report
has '"strategy":"circuit_breaker"'
has "Retry-After:"

step "Cache fallback: the stale answer instead of the failure"
call 200 /weather/paris/cached
has '"summary":"Mild"'

step "Health and state"
call 200 /health
has Degraded
call 200 /resilience
has '"state":"open"'

step "Recovery: the downstream is healthy again; after the 5 s break one probe closes the circuit"
mode healthy
for _ in $(seq 1 40); do
  "${CURL[@]}" "$API/resilience" | grep -q '"state":"half_open"' && break
  sleep 0.25
done
call 200 /status
has "X-Fallback: false"
call 200 /health
has Healthy

printf '\n\033[1mAll answers were as described.\033[0m\n'
