# Shared by scripts/readme-flow and scripts/demo: background processes in process groups of their own,
# stopped together on exit, and polling with a deadline. Source it after setting $work (a scratch
# folder for logs); set keep_work_on_failure=1 to keep $work when the script fails.

started=()

step() { printf '\n== %s\n' "$*"; }
fail() { printf '%s: FAILED: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# Stops every process group started with 'background' (TERM, then KILL after 10 s); on failure prints
# the last lines of each log.
stop_started() {
    local status=$?
    for group in "${started[@]}"; do
        kill -TERM -- "-$group" 2>/dev/null || true
    done
    for group in "${started[@]}"; do
        for _ in $(seq 1 50); do
            kill -0 -- "-$group" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$group" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        for log in "$work"/*.log; do
            [ -f "$log" ] || continue
            printf '\n-- last lines of %s\n' "$log" >&2
            tail -n 25 "$log" >&2
        done
        printf '\n%s: kept %s for a look\n' "$(basename "$0")" "$work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}

# Starts a command in the background in a process group of its own, so that cleanup stops
# 'dotnet run' and the program it started together. $1: log file name under $work.
background() {
    local log="$1"
    shift
    setsid bash -c "$*" >"$work/$log" 2>&1 &
    started+=("$!")
}

# Polls a condition until it holds or the deadline passes; no fixed waits decide an outcome.
eventually() {
    local seconds="$1" what="$2"
    shift 2
    local until=$((SECONDS + seconds))
    until "$@"; do
        [ "$SECONDS" -lt "$until" ] || fail "$what (waited ${seconds} s)"
        sleep 2
    done
}
