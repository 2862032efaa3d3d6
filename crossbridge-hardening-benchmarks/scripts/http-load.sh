#!/usr/bin/env bash
# HTTP load check: requests per second of the sample app's rate-limited search (GET /api/search,
# a URL rule keyed by X-API-Key) against the same work with no limit (GET /demo/unlimited-search),
# driven by wrk from a second process. The limit is raised to a billion tokens refilled one per
# second, so that nothing is rejected and every bucket stays in use, as buckets of active callers
# do: what is measured is the limiter's cost, not its answer. (A billion per minute would refill
# each bucket 60 ns after its call, so the limiter would drop and recreate buckets all the time.) Each round runs both endpoints, the first one
# alternating from round to round, so drift on a shared machine and run order hit both alike. Not a test: run it by hand, e.g.
#   bash crossbridge-hardening-benchmarks/scripts/http-load.sh
# Needs wrk (Debian: apt-get install -y wrk). Settings: DURATION, ROUNDS, CONNECTIONS, THREADS, PORT.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-6}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-18080}
SCRIPT=crossbridge-hardening-benchmarks/scripts/http-load.lua

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

echo "Building the sample app..."
./mvnw -q -B -ntp -pl sample-app -am -DskipTests package
JAR=sample-app/target/sample-app.jar

java -Xms1g -Xmx1g -jar "$JAR" --server.port="$PORT" --logging.level.root=WARN \
    --crossbridge.hardening.rate-limit.limits.search.capacity=1000000000 \
    --crossbridge.hardening.rate-limit.limits.search.window=1000000000s \
    --crossbridge.hardening.rate-limit.max-keys=100000 &
APP=$!
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    curl -fs "http://localhost:$PORT/actuator/health" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fs "http://localhost:$PORT/actuator/health" >/dev/null || { echo "the sample app did not start" >&2; exit 1; }

run() { # path -> requests per second
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" -s "$SCRIPT" "http://localhost:$PORT" -- "$2" \
        | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx responses: " $4 > "/dev/stderr"}'
}

echo "Warming up both endpoints (10 s each)..."
run 10s "/api/search?q=cats" >/dev/null
run 10s "/demo/unlimited-search?q=cats" >/dev/null

echo "| round | rate-limited req/s | unlimited req/s | limited / unlimited |"
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
