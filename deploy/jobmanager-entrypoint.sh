#!/usr/bin/env bash
# The job manager's entry point in docker-compose.yml: Flink's own (/docker-entrypoint.sh standalone-job ...), started
# from the newest retained snapshot of the job, so that a job manager that restarts (a crash, a host reboot, docker
# compose restart or up after a new build) resumes the job with its histories and onboarded items instead of
# starting it over. Flink does not look for one itself without high availability.
#
# The command must name the job id (--job-id): the checkpoints of that job are in <checkpoint dir>/<job id>/chk-<n>.
# The directories are the ones of FLINK_PROPERTIES: execution.checkpointing.dir and execution.checkpointing.savepoint-dir
# (file:// URIs). SETREC_RESTORE says what to start from:
#   latest (default)  the newest complete checkpoint of the job or savepoint (newest-snapshot.sh); where there is
#                     none, a fresh start
#   none              a fresh start (empty state; the Kafka sources start from the group's committed offsets)
#   <path>            that checkpoint or savepoint directory
# A snapshot it names in the log ("resumes from ...") is restored in Flink's NO_CLAIM mode (standalone-job has no
# other): Flink never deletes it, and the job's first checkpoint after it is a full one.
set -euo pipefail

flink_entrypoint="${SETREC_FLINK_ENTRYPOINT:-/docker-entrypoint.sh}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
  echo "jobmanager-entrypoint: $*" >&2
  exit 2
}

# The value of KEY in FLINK_PROPERTIES ("key: value" lines), less a file:// scheme and trailing slashes; empty when it
# is not set.
flink_path() {
  printf '%s\n' "${FLINK_PROPERTIES:-}" | awk -v key="$1" '
    { line = $0; sub(/^[ \t]+/, "", line); colon = index(line, ":") }
    colon > 0 && substr(line, 1, colon - 1) == key {
      value = substr(line, colon + 1); gsub(/^[ \t]+|[ \t]+$/, "", value)
      sub(/^file:\/\//, "", value); sub(/\/+$/, "", value)
      print value; exit
    }'
}

[[ "${1:-}" == standalone-job ]] || fail "expects the command 'standalone-job ...', not '${1:-}'"
job_id=""
args=("$@")
for ((i = 1; i < ${#args[@]}; i++)); do
  if [[ "${args[i]}" == --job-id && $((i + 1)) -lt ${#args[@]} ]]; then
    job_id="${args[i + 1]}"
  elif [[ "${args[i]}" == --fromSavepoint || "${args[i]}" == -s ]]; then
    fail "the command names a snapshot itself (${args[i]}); set SETREC_RESTORE=<path> instead"
  fi
done
[[ "$job_id" =~ ^[0-9a-f]{32}$ ]] || fail "the command needs --job-id <32 hex digits>, so that checkpoints land in one directory (got '$job_id')"

restore="${SETREC_RESTORE:-latest}"
case "$restore" in
  none)
    snapshot="" ;;
  latest)
    checkpoints="$(flink_path execution.checkpointing.dir)"
    savepoints="$(flink_path execution.checkpointing.savepoint-dir)"
    [[ -n "$checkpoints" ]] || fail "FLINK_PROPERTIES sets no execution.checkpointing.dir"
    snapshot="$("$here/newest-snapshot.sh" "$checkpoints/$job_id" ${savepoints:+"$savepoints"})" ;;
  *)
    [[ -s "${restore#file://}/_metadata" ]] || fail "SETREC_RESTORE=$restore: no complete snapshot there (no _metadata)"
    snapshot="$restore" ;;
esac

if [[ -n "$snapshot" ]]; then
  echo "jobmanager-entrypoint: job $job_id resumes from $snapshot"
  exec "$flink_entrypoint" standalone-job --fromSavepoint "$snapshot" "${@:2}"
fi
echo "jobmanager-entrypoint: job $job_id starts fresh (SETREC_RESTORE=$restore)"
exec "$flink_entrypoint" "$@"
