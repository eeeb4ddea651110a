#!/bin/sh
# FRCT goodput on one host: qos_data (FRCT with retransmission) against
# qos_raw (no FRCT) for the same transfer, directly and through ipcpd-local,
# in a private instance. No loss on one host (the lossy comparison with TCP
# needs the two-node udp4 harness). Prints MB/s and the ratios.
#
#   benchmarks/frct-goodput.sh [BYTES] [MESSAGE_SIZE]    (uses .build/release)
set -eu
BYTES=${1:-50000000}
SIZE=${2:-1000}
BIN=$(cd "$(dirname "$0")/.." && pwd)/.build/release
export OUROBOROS_RUNDIR=$(mktemp -d /tmp/frct-bench.XXXXXX)
cleanup() {
    [ -n "${IRMD:-}" ] && kill "$IRMD" 2>/dev/null && wait "$IRMD" 2>/dev/null
    rm -rf "$OUROBOROS_RUNDIR"
}
trap cleanup EXIT INT TERM

start_irmd() {
    "$BIN/irmd" --stdout > "$OUROBOROS_RUNDIR/irmd.log" 2>&1 &
    IRMD=$!
    sleep 1
}

stop_irmd() {
    kill "$IRMD"; wait "$IRMD" 2>/dev/null || true; IRMD=
}

# run NAME QOS: one transfer, prints MB/s
run() {
    "$BIN/FlowProbe" sink > "$OUROBOROS_RUNDIR/sink.log" 2>&1 &
    SINK=$!
    while ! grep -q ready "$OUROBOROS_RUNDIR/sink.log" 2>/dev/null; do sleep 0.05; done
    "$BIN/irm" bind process "$SINK" name "$1" > /dev/null
    OUT=$("$BIN/FlowProbe" source "$1" "$2" "$BYTES" "$SIZE")
    wait "$SINK" || true
    grep -q "checksum $(echo "$OUT" | awk '/^sent/ {print $7}')" "$OUROBOROS_RUNDIR/sink.log" || { echo "checksum mismatch"; exit 1; }
    echo "$OUT" | awk -v b="$BYTES" '/^sent/ {printf "%.1f\n", b / $9 / 1e6}'
}

printf "%-22s %10s %10s %8s\n" path qos_raw qos_data ratio
start_irmd
RAW=$(run bench raw); DATA=$(run bench data)
printf "%-22s %10s %10s %8.2f\n" "direct (MB/s)" "$RAW" "$DATA" "$(echo "$DATA / $RAW" | bc -l)"
stop_irmd
export OUROBOROS_DISABLE_DIRECT_IPC=1
start_irmd
"$BIN/irm" ipcp bootstrap type local name lo layer lo > /dev/null
"$BIN/irm" reg name bench.lo layer lo > /dev/null
RAW=$(run bench.lo raw); DATA=$(run bench.lo data)
printf "%-22s %10s %10s %8.2f\n" "ipcpd-local (MB/s)" "$RAW" "$DATA" "$(echo "$DATA / $RAW" | bc -l)"
