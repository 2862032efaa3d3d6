#!/usr/bin/env bash
# WebFlux load check: requests per second of a search behind a URL rule (GET /api/search, keyed by
# X-API-Key, so the rule runs in the starter's WebFilter and decides through the store's
# asynchronous path) against the same work with no rule (GET /demo/unlimited-search), and with no
# rule but the rule's two header fields (GET /demo/unlimited-search-with-headers), in a WebFlux
# application on Netty (WebFluxLoadApplication), driven by wrk from a second process. As in
# http-load.sh the limit is a billion tokens refilled one per second, so nothing is rejected and
# every bucket stays in use, and each round runs the three endpoints in a rotating order. Not a
# test: run it by hand, e.g.
#   bash crossbridge-hardening-benchmarks/scripts/webflux-load.sh
# Needs wrk (Debian: apt-get install -y wrk). Settings: DURATION, ROUNDS, WARMUP, CONNECTIONS, THREADS,
# PORT, PIN (1: the application and wrk on a core each), EXTRA_ARGS (more arguments for the application).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-6}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-18081}
SCRIPT=crossbridge-hardening-benchmarks/scripts/http-load.lua

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

echo "Building the WebFlux load application..."
./mvnw -q -B -ntp -pl crossbridge-hardening-benchmarks -am -DskipTests install
./mvnw -q -B -ntp -pl crossbridge-hardening-benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CLASSPATH="crossbridge-hardening-benchmarks/target/classes:$(cat crossbridge-hardening-benchmarks/target/classpath.txt)"

# PIN=1 runs the application on CPU 0 and wrk on CPU 1 (taskset), so that they do not compete for
# the same core: on a two-core machine wrk otherwise takes its share from the application's.
APP_PIN=() WRK_PIN=()
if [ "${PIN:-0}" = 1 ]; then
    APP_PIN=(taskset -c 0) WRK_PIN=(taskset -c 1)
fi

"${APP_PIN[@]}" java -Xms1g -Xmx1g -cp "$CLASSPATH" io.crossbridge.hardening.benchmarks.http.WebFluxLoadApplication \
    --server.port="$PORT" --logging.level.root=WARN \
    --crossbridge.hardening.rate-limit.limits.search.capacity=1000000000 \
    --crossbridge.hardening.rate-limit.limits.search.window=1000000000s \
    --crossbridge.hardening.rate-limit.max-keys=100000 \
    --crossbridge.hardening.rate-limit.http[0].path=/api/search \
    --crossbridge.hardening.rate-limit.http[0].limit=search \
    --crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key ${EXTRA_ARGS:-} &
APP=$!
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    curl -fs "http://localhost:$PORT/demo/unlimited-search?q=up" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fs "http://localhost:$PORT/demo/unlimited-search?q=up" >/dev/null || { echo "the application did not start" >&2; exit 1; }
curl -fsi "http://localhost:$PORT/api/search?q=up" -H "X-API-Key: probe" | grep -qi '^RateLimit-Policy' \
    || [ -n "${EXTRA_ARGS:-}" ] || { echo "the URL rule is not applied" >&2; exit 1; }

run() { # path -> requests per second
    "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" -s "$SCRIPT" "http://localhost:$PORT" -- "$2" \
        | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx responses: " $4 > "/dev/stderr"}'
}

WARMUP=${WARMUP:-30s}
echo "Warming up each endpoint ($WARMUP each)..."
run "$WARMUP" "/api/search?q=cats" >/dev/null
run "$WARMUP" "/demo/unlimited-search?q=cats" >/dev/null
run "$WARMUP" "/demo/unlimited-search-with-headers?q=cats" >/dev/null

# Three endpoints a round, in a rotating order: the rule; no rule; no rule but the rule's two
# header fields written by the handler, so that what the headers cost shows apart from the rule.
echo "| round | rule req/s | no rule req/s | no rule, same headers req/s | rule / no rule | rule / same headers |"
echo "|---:|---:|---:|---:|---:|---:|"
paths=("/api/search?q=cats" "/demo/unlimited-search?q=cats" "/demo/unlimited-search-with-headers?q=cats")
sums=(0 0 0)
for round in $(seq 1 "$ROUNDS"); do
    results=(0 0 0)
    for step in 0 1 2; do
        which=$(( (round + step) % 3 ))
        results[$which]=$(run "$DURATION" "${paths[$which]}")
        sums[$which]=$(echo "${sums[$which]} + ${results[$which]}" | bc -l)
    done
    printf "| %d | %.0f | %.0f | %.0f | %.3f | %.3f |\n" "$round" "${results[0]}" "${results[1]}" "${results[2]}" \
        "$(echo "${results[0]} / ${results[1]}" | bc -l)" "$(echo "${results[0]} / ${results[2]}" | bc -l)"
done
printf "| all | %.0f | %.0f | %.0f | %.3f | %.3f |\n" "$(echo "${sums[0]} / $ROUNDS" | bc -l)" \
    "$(echo "${sums[1]} / $ROUNDS" | bc -l)" "$(echo "${sums[2]} / $ROUNDS" | bc -l)" \
    "$(echo "${sums[0]} / ${sums[1]}" | bc -l)" "$(echo "${sums[0]} / ${sums[2]}" | bc -l)"
