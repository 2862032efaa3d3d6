#!/usr/bin/env bash
# WebFlux load check: requests per second of a search behind a URL rule (GET /api/search, keyed by
# X-API-Key, so the rule runs in the starter's WebFilter and decides through the store's
# asynchronous path) against the same work with no rule (GET /demo/unlimited-search), in a
# WebFlux application on Netty (WebFluxLoadApplication), driven by wrk from a second process. As
# in http-load.sh the limit is a billion tokens refilled one per second, so nothing is rejected and
# every bucket stays in use, and each round runs both endpoints, the first one alternating. Not a
# test: run it by hand, e.g.
#   bash crossbridge-hardening-benchmarks/scripts/webflux-load.sh
# Needs wrk (Debian: apt-get install -y wrk). Settings: DURATION, ROUNDS, CONNECTIONS, THREADS, PORT.
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

java -Xms1g -Xmx1g -cp "$CLASSPATH" io.crossbridge.hardening.benchmarks.http.WebFluxLoadApplication \
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
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" -s "$SCRIPT" "http://localhost:$PORT" -- "$2" \
        | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx responses: " $4 > "/dev/stderr"}'
}

echo "Warming up both endpoints (10 s each)..."
run 10s "/api/search?q=cats" >/dev/null
run 10s "/demo/unlimited-search?q=cats" >/dev/null

echo "| round | rule req/s | no rule req/s | rule / no rule |"
echo "|---:|---:|---:|---:|"
limited_sum=0
unlimited_sum=0
for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 == 1 )); then
        limited=$(run "$DURATION" "/api/search?q=cats")
        unlimited=$(run "$DURATION" "/demo/unlimited-search?q=cats")
    else
        unlimited=$(run "$DURATION" "/demo/unlimited-search?q=cats")
        limited=$(run "$DURATION" "/api/search?q=cats")
    fi
    limited_sum=$(echo "$limited_sum + $limited" | bc -l)
    unlimited_sum=$(echo "$unlimited_sum + $unlimited" | bc -l)
    printf "| %d | %.0f | %.0f | %.3f |\n" "$round" "$limited" "$unlimited" "$(echo "$limited / $unlimited" | bc -l)"
done
printf "| all | %.0f | %.0f | %.3f |\n" "$(echo "$limited_sum / $ROUNDS" | bc -l)" \
    "$(echo "$unlimited_sum / $ROUNDS" | bc -l)" "$(echo "$limited_sum / $unlimited_sum" | bc -l)"
