#!/bin/sh
# `passerelle batch` end to end, two builds side by side: each run of RUNS alternates
# the builds (the machine's load falls on both alike); prints wall clock, CPU
# (user + system) and peak RSS of every run, from /usr/bin/time -v.
#
#   benches/scripts/batch-ab.sh OLD_BINARY NEW_BINARY DATA_DIR [RUNS] -- BATCH ARGS...
#   benches/scripts/batch-ab.sh /tmp/old target/release/passerelle /tmp/data 3 -- \
#       --fr departement:69 --foreign all -k 10 --assign 2 --date 2026-09-01
#
# Runs are recorded in DATA_DIR's store: use a copy of a demo data directory. When
# the two builds have different store schemas (the newer migrates a store, which the
# older then refuses), give each its own copy: DATA_DIR is then OLD_DIR,NEW_DIR.
set -eu
old=$1 new=$2 data=$3 runs=${4:-3}
case "$data" in
    *,*) old_data=${data%%,*} new_data=${data#*,} ;;
    *) old_data=$data new_data=$data ;;
esac
shift 4
[ "${1:-}" = "--" ] && shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
i=1
while [ "$i" -le "$runs" ]; do
    for build in old new; do
        eval binary=\$$build
        eval dir=\$${build}_data
        rm -rf "$out/results"
        /usr/bin/time -v -o "$out/time" "$binary" --data-dir "$dir" batch "$@" --out "$out/results" >/dev/null
        awk -v build="$build" -v run="$i" '
            /User time/ {user = $NF}
            /System time/ {sys = $NF}
            /Elapsed/ {split($NF, t, ":"); wall = (length(t) == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2]}
            /Maximum resident/ {rss = $NF}
            END {printf "%s run %d: wall %.2f s, cpu %.2f s (user %.2f + sys %.2f), peak %d KiB\n", build, run, wall, user + sys, user, sys, rss}
        ' "$out/time"
    done
    i=$((i + 1))
done
