#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in for bpftrace 0.23.2 with canned output, so the MCP tool tests are deterministic and
# can produce what the real one will not on demand (failures, endless output, exact maps).
# It answers the invocations the engine makes: --version, --info, -l, -lv PROBE, -l -e PROG,
# --emit-elf /dev/null - (program on stdin), and -f json [--unsafe] -e PROG.
# A run's behaviour is chosen by markers in the program text:
#   FAKE_FAIL      a compile error on stderr, exit 1 (also fails --emit-elf)
#   FAKE_LONG      a printf line every 50 ms until SIGINT/SIGTERM, then the maps, exit 0
#   FAKE_SLOWSTOP  like FAKE_LONG but takes 1 s to exit after SIGINT
#   FAKE_LINES=N   N printf lines at once, then the maps, exit 0
#   otherwise      3 printf lines, then the maps, exit 0

print_maps() {
    echo '{"type": "map", "data": {"@calls": {"openat": 12, "read": 40, "write": 7}}}'
    echo '{"type": "hist", "data": {"@lat_us": [{"max": -1, "count": 1}, {"min": 0, "max": 0, "count": 2}, {"min": 4, "max": 7, "count": 5}, {"min": 1024, "max": 2047, "count": 3}]}}'
    echo '{"type": "map", "data": {"@total": 59}}'
}

list_probes() {
    cat <<'LIST'
hardware:cpu-cycles:
software:cpu-clock:
software:page-faults:
tracepoint:block:block_rq_complete
tracepoint:block:block_rq_issue
tracepoint:sched:sched_switch
tracepoint:syscalls:sys_enter_open
tracepoint:syscalls:sys_enter_openat
tracepoint:syscalls:sys_enter_openat2
tracepoint:syscalls:sys_enter_read
tracepoint:syscalls:sys_enter_write
tracepoint:syscalls:sys_exit_openat
tracepoint:syscalls:sys_exit_read
LIST
}

program=""
mode=""
while [ $# -gt 0 ]; do
    case "$1" in
    --version | -V) echo "bpftrace v0.23.2"; exit 0 ;;
    --info)
        cat <<'INFO'
System
  OS: Linux 6.18.0-fake #1 SMP
  Arch: x86_64

Build
  version: v0.23.2
  LLVM: 19.1.7

Kernel helpers
  probe_read: yes                  probe_read_str: yes
  override_return: no              send_signal: yes

Kernel features
  Instruction limit: 1000000       btf: yes

Map types
  hash: yes                        array: yes

Probe types
  kprobe: yes                      tracepoint: yes
  fentry: no                       iter: no
INFO
        exit 0 ;;
    -lv)
        case "$2" in
        tracepoint:syscalls:sys_enter_openat)
            printf '%s\n' "$2" "    int __syscall_nr" "    int dfd" "    const char * filename" "    int flags" "    umode_t mode" ;;
        esac
        exit 0 ;;
    -l) mode=list ;;
    -e) program="$2"; shift ;;
    -) program=$(cat); mode=${mode:-stdin} ;;
    --emit-elf) mode=compile; shift ;;
    -f | -B | -o) shift ;;
    *) ;;
    esac
    shift
done

if [ "$mode" = list ]; then
    if [ -z "$program" ]; then
        list_probes
    else
        printf '%s\n' "$program" | grep -oE '^[a-z_]+:[^ {/,]*' | sort -u
    fi
    exit 0
fi

if [[ "$program" == *FAKE_FAIL* ]]; then
    echo "stdin:1:1-6: ERROR: Unknown function: FAKE_FAIL" >&2
    echo "$program" | head -1 >&2
    echo "~~~~~" >&2
    exit 1
fi
[ "$mode" = compile ] && exit 0

stopping=0
on_stop() { stopping=1; }
trap on_stop INT TERM

echo '{"type": "attached_probes", "data": {"probes": 2}}'
if [[ "$program" == *FAKE_LONG* || "$program" == *FAKE_SLOWSTOP* ]]; then
    i=0
    while [ $stopping = 0 ]; do
        echo "{\"type\": \"printf\", \"data\": \"tick $i\\n\"}"
        i=$((i + 1))
        sleep 0.05
    done
    [[ "$program" == *FAKE_SLOWSTOP* ]] && sleep 1
    print_maps
    exit 0
fi
count=3
if [[ "$program" =~ FAKE_LINES=([0-9]+) ]]; then
    count=${BASH_REMATCH[1]}
fi
for ((i = 0; i < count; i++)); do
    echo "{\"type\": \"printf\", \"data\": \"line $i\\n\"}"
done
print_maps
exit 0
