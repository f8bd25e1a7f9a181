#!/usr/bin/env bash
# Runs the whole test suite: restores and builds everything, runs every test project, and ends with
# "N passed, N failed, N skipped". Services the tests need are started by the test fixtures themselves.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
configuration=${CONFIGURATION:-Release}
log=$(mktemp -t align-tests.XXXXXX)

echo "== build ($configuration)"
dotnet build AlignmentPipeline.sln -c "$configuration" -nologo -v quiet > "$log" 2>&1
build_status=$?
grep -E "error|warning" "$log" | sort -u
if [ "$build_status" -ne 0 ]; then
  echo "build failed (exit $build_status)"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== test"
dotnet test --solution AlignmentPipeline.sln -c "$configuration" --no-build 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform ends with one "Test run summary" block holding total/failed/succeeded/skipped counts.
read -r passed failed skipped < <(awk '
  /Test run summary/ { p = 0; f = 0; s = 0 }
  /^[[:space:]]*failed:[[:space:]]*[0-9]+/    { f = $2 }
  /^[[:space:]]*succeeded:[[:space:]]*[0-9]+/ { p = $2 }
  /^[[:space:]]*skipped:[[:space:]]*[0-9]+/   { s = $2 }
  END { printf "%d %d %d\n", p, f, s }' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
