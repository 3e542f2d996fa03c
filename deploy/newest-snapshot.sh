#!/usr/bin/env bash
# Prints the newest complete Flink snapshot below the given directories, or nothing when there is none:
#   DIR/chk-<n>/_metadata     a retained checkpoint (DIR = the checkpoint directory of one job id)
#   DIR/savepoint-*/_metadata a savepoint (DIR = the savepoint directory)
# Flink writes a snapshot's _metadata file last, so a directory without one (or with an empty one) is a snapshot
# still being taken, or one that was cut short: it is skipped. Newest = the _metadata file written last.
# Usage: newest-snapshot.sh DIR...   (directories that do not exist are skipped)
set -euo pipefail

for dir in "$@"; do
  [[ -d "$dir" ]] || continue
  find "$dir" -mindepth 2 -maxdepth 2 -type f -name _metadata -size +0 \
    \( -path "$dir/chk-[0-9]*/_metadata" -o -path "$dir/savepoint-*/_metadata" \) -printf '%T@ %h\n'
done | LC_ALL=C sort -rn | sed -n '1s/^[^ ]* //p'
