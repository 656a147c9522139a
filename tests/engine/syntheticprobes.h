// SPDX-License-Identifier: GPL-2.0-or-later
// A large, realistic `bpftrace -l` listing for tests and benchmarks: a desktop kernel lists well
// over 100,000 probes (kprobes, kfuncs per module, tracepoints), this VM only about 4,000.
#pragma once

#include <QByteArray>
#include <QList>
#include <QRandomGenerator>

namespace SyntheticProbes {

/// `count` probe lines in bpftrace's format (unsorted on purpose: the parser must sort), with the
/// real names the tests look for mixed in. Deterministic for a given seed.
inline QByteArray listing(int count, quint32 seed = 42)
{
    static const char *const subsystems[] = { "vfs", "ext4", "btrfs", "xfs", "nfs", "tcp", "udp", "ip", "sock", "sched",
        "mm", "blk", "bio", "kvm", "drm", "i915", "amdgpu", "usb", "pci", "acpi", "netif", "skb", "page", "folio",
        "cgroup", "bpf", "perf", "irq", "timer", "rcu", "futex", "signal" };
    static const char *const verbs[] = { "read", "write", "open", "close", "alloc", "free", "init", "exit", "submit",
        "complete", "queue", "flush", "lookup", "create", "destroy", "update", "map", "unmap", "lock", "unlock",
        "start", "stop", "get", "put" };
    static const char *const objects[] = { "inode", "file", "page", "request", "buffer", "entry", "node", "ctx",
        "state", "work", "range", "extent", "table", "cache", "dev", "queue" };
    static const char *const modules[] = { "vmlinux", "vmlinux", "vmlinux", "ext4", "btrfs", "xfs", "nf_tables", "i915",
        "amdgpu", "kvm", "bluetooth", "snd_hda_codec" };
    static const char *const tpCategories[]
        = { "sched", "block", "irq", "net", "sock", "tcp", "writeback", "ext4", "btrfs", "xfs", "kmem", "power",
              "timer", "workqueue", "signal", "syscalls", "raw_syscalls", "module", "filemap", "oom" };
    QRandomGenerator rng(seed);
    auto pick = [&rng](const auto &array) { return array[rng.bounded(int(std::size(array)))]; };
    QByteArray out;
    out.reserve(qsizetype(count) * 42);
    const QList<QByteArray> fixed { "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_exit_openat",
        "tracepoint:syscalls:sys_enter_open", "tracepoint:syscalls:sys_enter_openat2",
        "tracepoint:syscalls:sys_enter_read", "tracepoint:syscalls:sys_enter_write", "tracepoint:sched:sched_switch",
        "kprobe:do_sys_openat2", "kfunc:vmlinux:do_sys_openat2", "kprobe:vfs_read", "kprobe:vfs_write",
        "software:cpu-clock:", "hardware:cpu-cycles:", "rawtracepoint:sched_switch" };
    int written = 0;
    for (const QByteArray &line : fixed) {
        out += line + '\n';
        ++written;
    }
    // Roughly the mix of a desktop kernel: 45% kprobes, 40% kfuncs, 12% tracepoints, 3% raw.
    while (written < count) {
        const quint32 roll = rng.bounded(100u);
        const QByteArray fn = QByteArray(pick(subsystems)) + '_' + pick(verbs) + '_' + pick(objects) + '_'
            + QByteArray::number(rng.bounded(100000u));
        if (roll < 45)
            out += "kprobe:" + fn;
        else if (roll < 85)
            out += "kfunc:" + QByteArray(pick(modules)) + ':' + fn;
        else if (roll < 97)
            out += "tracepoint:" + QByteArray(pick(tpCategories)) + ':' + fn;
        else
            out += "rawtracepoint:" + fn;
        out += '\n';
        ++written;
    }
    return out;
}

} // namespace SyntheticProbes
