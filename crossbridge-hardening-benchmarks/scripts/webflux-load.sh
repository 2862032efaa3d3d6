#!/usr/bin/env bash
# WebFlux load check: requests per second of one search (GET /api/search) in two WebFlux
# applications on Netty (WebFluxLoadApplication) running side by side: one with the starter's
# WebFilter and a URL rule keyed by X-API-Key on the search, so the rule decides through the
# store's asynchronous path; the other the same application without the filter (its
# auto-configuration excluded). wrk, from a third process, drives one application at a time, so
# the one being measured has the core to itself. As in http-load.sh the limit is a billion tokens
# refilled one per second, so nothing is rejected and every bucket stays in use. Not a test: run it
# by hand, e.g.
#   PIN=1 bash crossbridge-hardening-benchmarks/scripts/webflux-load.sh
# Needs wrk (Debian: apt-get install -y wrk). Settings: DURATION, ROUNDS, WARMUP, CONNECTIONS,
# THREADS, PORT (the filtered application's; the other takes the next port), PIN (1: both
# applications on CPU 0 and wrk on CPU 1), EXTRA_ARGS (more arguments for the filtered
# application), CONTROL (1: both applications without the filter, to show the method's noise).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-3s}
ROUNDS=${ROUNDS:-40}
WARMUP=${WARMUP:-40s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-18081}
BARE_PORT=$((PORT + 1))
SCRIPT=crossbridge-hardening-benchmarks/scripts/http-load.lua
SEARCH="/api/search?q=cats"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ "$ROUNDS" -ge 2 ] || { echo "ROUNDS must be at least 2, for an interval" >&2; exit 1; }
if [ "${CONTROL:-0}" = 1 ] && [ -n "${EXTRA_ARGS:-}" ]; then
    echo "CONTROL=1 runs both applications without the filter: EXTRA_ARGS would not apply" >&2
    exit 1
fi

echo "Building the WebFlux load application..."
./mvnw -q -B -ntp -pl crossbridge-hardening-benchmarks -am -DskipTests install
./mvnw -q -B -ntp -pl crossbridge-hardening-benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CLASSPATH="crossbridge-hardening-benchmarks/target/classes:$(cat crossbridge-hardening-benchmarks/target/classpath.txt)"

# PIN=1 runs the applications on CPU 0 and wrk on CPU 1 (taskset), so that wrk does not take its
# share from the application being measured; the idle application only waits.
APP_PIN=() WRK_PIN=()
if [ "${PIN:-0}" = 1 ]; then
    APP_PIN=(taskset -c 0) WRK_PIN=(taskset -c 1)
fi
WITHOUT_FILTER=--spring.autoconfigure.exclude=io.crossbridge.hardening.autoconfigure.web.ReactiveWebRateLimitAutoConfiguration

start() { # port, more arguments...
    local port=$1
    shift
    "${APP_PIN[@]}" java -Xms1g -Xmx1g -cp "$CLASSPATH" io.crossbridge.hardening.benchmarks.http.WebFluxLoadApplication \
        --server.port="$port" --logging.level.root=WARN \
        --crossbridge.hardening.rate-limit.limits.search.capacity=1000000000 \
        --crossbridge.hardening.rate-limit.limits.search.window=1000000000s \
        --crossbridge.hardening.rate-limit.max-keys=100000 \
        --crossbridge.hardening.rate-limit.http[0].path=/api/search \
        --crossbridge.hardening.rate-limit.http[0].limit=search \
        --crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key "$@" &
}
if [ "${CONTROL:-0}" = 1 ]; then
    start "$PORT" "$WITHOUT_FILTER"
else
    # shellcheck disable=SC2086 # EXTRA_ARGS holds several arguments
    start "$PORT" ${EXTRA_ARGS:-}
fi
FILTERED=$!
start "$BARE_PORT" "$WITHOUT_FILTER"
BARE=$!
ROUND_LOG=$(mktemp)
trap 'kill $FILTERED $BARE 2>/dev/null || true; wait $FILTERED $BARE 2>/dev/null || true; rm -f "$ROUND_LOG"' EXIT

for port in "$PORT" "$BARE_PORT"; do
    for _ in $(seq 1 120); do
        # A port still held by an earlier run would answer for an application that exited.
        kill -0 "$FILTERED" 2>/dev/null && kill -0 "$BARE" 2>/dev/null \
            || { echo "an application exited while starting (is port $PORT or $BARE_PORT in use?)" >&2; exit 1; }
        curl -fs "http://localhost:$port$SEARCH" -H "X-API-Key: probe" >/dev/null 2>&1 && break
        sleep 0.5
    done
    curl -fs "http://localhost:$port$SEARCH" -H "X-API-Key: probe" >/dev/null \
        || { echo "the application on port $port did not start" >&2; exit 1; }
done
if [ "${CONTROL:-0}" != 1 ] && [ -z "${EXTRA_ARGS:-}" ]; then
    curl -fsi "http://localhost:$PORT$SEARCH" -H "X-API-Key: probe" | grep -qi '^RateLimit-Policy' \
        || { echo "the URL rule is not applied" >&2; exit 1; }
fi
if curl -fsi "http://localhost:$BARE_PORT$SEARCH" -H "X-API-Key: probe" | grep -qi '^RateLimit'; then
    echo "the application without the filter has it" >&2
    exit 1
fi

run() { # duration, port -> requests per second
    "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" -s "$SCRIPT" "http://localhost:$2" -- "$SEARCH" \
        | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx responses: " $5 > "/dev/stderr"; failed = 1}
               END {exit failed}'
}

echo "Warming up each application ($WARMUP each)..."
run "$WARMUP" "$PORT" >/dev/null
run "$WARMUP" "$BARE_PORT" >/dev/null

# Many short rounds rather than a few long ones: this host's speed drifts by tens of percent over
# seconds, so only measurements taken side by side compare. Each round measures both
# applications, in alternating order, and gives its own ratio; the summary is the geometric mean
# of the ratios with a 95% interval (the mean of their logarithms +- 1.96 standard errors), which
# says how finely the run can tell a cost at all.
echo "| round | with the filter req/s | without req/s | with / without |"
echo "|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then
        with=$(run "$DURATION" "$PORT")
        without=$(run "$DURATION" "$BARE_PORT")
    else
        without=$(run "$DURATION" "$BARE_PORT")
        with=$(run "$DURATION" "$PORT")
    fi
    echo "$round $with $without" | tee -a "$ROUND_LOG" | awk '{printf "| %d | %.0f | %.0f | %.3f |\n", $1, $2, $3, $2 / $3}'
done
awk '
    {
        with += $2; without += $3
        ratio = log($2 / $3); sum += ratio; squares += ratio * ratio
    }
    END {
        mean = sum / NR
        error = 1.96 * sqrt((squares / NR - mean * mean) / (NR - 1))
        printf "\nmean req/s over %d rounds: with the filter %.0f, without %.0f\n", NR, with / NR, without / NR
        printf "with / without, geometric mean of the rounds: %.3f (95%% interval %.3f to %.3f)\n", exp(mean), exp(mean - error), exp(mean + error)
    }' "$ROUND_LOG"
