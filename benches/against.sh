#!/usr/bin/env bash
# The latency benches of an older commit and of the working tree, run alternately on
# the same machine: whether something got slower, without trusting figures taken on
# another day (the machine's own speed varies from day to day).
#
# Usage: benches/against.sh COMMIT [RUNS]      (RUNS: 3 by default)
#
# Builds COMMIT's `bench-suggest`, `bench-search`, `bench-start` and `bench-import` in a worktree
# under target/against/, builds the working tree's, then runs each pair RUNS times,
# the older first, and prints each bench's summary lines. Run it on a quiet machine.
set -euo pipefail
commit=$(git rev-parse --short "$1")
runs=${2:-3}
root=$(git rev-parse --show-toplevel)
old="$root/target/against/$commit"
benches=(bench-suggest bench-search bench-start bench-import)
build() {
    local bins=()
    for bench in "${benches[@]}"; do bins+=(--bin "$bench"); done
    cargo build --quiet --release -p passerelle-benches "${bins[@]}"
}
if [ ! -e "$old/src/Cargo.toml" ]; then
    git -C "$root" worktree add --detach "$old/src" "$commit" >/dev/null
fi
(cd "$old/src" && CARGO_TARGET_DIR="$old/target" build)
(cd "$root" && build)
# The lines each bench ends with: latencies, build and load times, searches per
# second from several callers (a commit older than that measure prints none).
summary='p50|build:|start: total|name table|^import|callers at once'
for run in $(seq "$runs"); do
    for bench in "${benches[@]}"; do
        echo "== $bench, $commit, run $run"
        "$old/target/release/$bench" | grep -E "$summary" || true
        echo "== $bench, working tree, run $run"
        "$root/target/release/$bench" | grep -E "$summary" || true
    done
done
