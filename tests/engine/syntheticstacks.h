// SPDX-License-Identifier: GPL-2.0-or-later
// Stack maps built from typed parts, as the parser makes them from `-f json`: small ones for the
// tests, a profile that looks like a busy machine's for the screenshots, and 100k stacks for the
// benchmark.
#pragma once

#include "engine/results/mapresult.h"

#include <QJsonValue>
#include <QStringList>

#include <algorithm>

namespace SyntheticStacks {
using namespace Qt::StringLiterals;

/// A kstack or ustack part; `innermostFirst` as bpftrace prints it.
inline MapKeyPart stack(const QStringList &innermostFirst, CallStack::Space space = CallStack::Space::Kernel)
{
    MapKeyPart part;
    part.type = MapKeyPart::Type::Stack;
    part.stack.space = space;
    part.stack.frames.reserve(innermostFirst.size());
    for (const QString &symbol : innermostFirst)
        part.stack.frames.append({ symbol, 17, {}, 0 });
    part.text = part.stack.text();
    return part;
}

inline MapKeyPart text(const QString &value)
{
    MapKeyPart part;
    part.text = value;
    return part;
}

inline MapEntry entry(const QList<MapKeyPart> &parts, qint64 count)
{
    return { MapKey { parts }, MapValue::fromJson(QJsonValue(count)) };
}

inline QStringList reversed(QStringList list)
{
    std::reverse(list.begin(), list.end());
    return list;
}

/// `profile:hz:99 { @samples[comm, kstack] = count(); }` on a machine serving web pages from a
/// database: syscalls, the network stack, page faults, writeback, timer ticks and idle CPUs.
inline MapResult profile()
{
    const QStringList syscall { u"entry_SYSCALL_64_after_hwframe"_s, u"do_syscall_64"_s, u"x64_sys_call"_s };
    const QStringList read = syscall
        + QStringList { u"__x64_sys_read"_s, u"ksys_read"_s, u"vfs_read"_s, u"ext4_file_read_iter"_s,
              u"filemap_read"_s };
    const QStringList write = syscall
        + QStringList { u"__x64_sys_write"_s, u"ksys_write"_s, u"vfs_write"_s, u"ext4_buffered_write_iter"_s,
              u"generic_perform_write"_s };
    const QStringList send = syscall
        + QStringList { u"__x64_sys_sendto"_s, u"__sys_sendto"_s, u"sock_sendmsg"_s, u"tcp_sendmsg"_s,
              u"tcp_sendmsg_locked"_s, u"tcp_push"_s, u"__tcp_push_pending_frames"_s, u"tcp_write_xmit"_s,
              u"__tcp_transmit_skb"_s, u"__ip_queue_xmit"_s, u"ip_finish_output2"_s, u"__dev_queue_xmit"_s };
    const QStringList recv = syscall
        + QStringList { u"__x64_sys_recvfrom"_s, u"__sys_recvfrom"_s, u"sock_recvmsg"_s, u"tcp_recvmsg"_s,
              u"tcp_recvmsg_locked"_s, u"skb_copy_datagram_iter"_s, u"__skb_datagram_iter"_s };
    const QStringList epoll = syscall
        + QStringList { u"__x64_sys_epoll_wait"_s, u"do_epoll_wait"_s, u"ep_poll"_s, u"schedule_hrtimeout_range"_s,
              u"schedule"_s, u"__schedule"_s };
    const QStringList futex = syscall
        + QStringList { u"__x64_sys_futex"_s, u"do_futex"_s, u"futex_wait"_s, u"futex_wait_queue"_s, u"schedule"_s,
              u"__schedule"_s };
    const QStringList fault { u"asm_exc_page_fault"_s, u"exc_page_fault"_s, u"do_user_addr_fault"_s,
        u"handle_mm_fault"_s, u"__handle_mm_fault"_s, u"do_anonymous_page"_s, u"alloc_anon_folio"_s,
        u"vma_alloc_folio_noprof"_s, u"__alloc_pages_noprof"_s, u"get_page_from_freelist"_s };
    const QStringList idle { u"secondary_startup_64_no_verify"_s, u"start_secondary"_s, u"cpu_startup_entry"_s,
        u"do_idle"_s, u"cpuidle_idle_call"_s, u"cpuidle_enter"_s, u"cpuidle_enter_state"_s, u"intel_idle"_s };
    const QStringList tick { u"asm_sysvec_apic_timer_interrupt"_s, u"sysvec_apic_timer_interrupt"_s,
        u"__sysvec_apic_timer_interrupt"_s, u"hrtimer_interrupt"_s, u"__hrtimer_run_queues"_s, u"tick_nohz_handler"_s,
        u"update_process_times"_s, u"sched_tick"_s, u"task_tick_fair"_s };
    const QStringList writeback { u"ret_from_fork_asm"_s, u"ret_from_fork"_s, u"kthread"_s, u"worker_thread"_s,
        u"process_one_work"_s, u"wb_workfn"_s, u"wb_writeback"_s, u"__writeback_inodes_wb"_s, u"writeback_sb_inodes"_s,
        u"__writeback_single_inode"_s, u"do_writepages"_s, u"ext4_writepages"_s, u"ext4_do_writepages"_s };

    struct Sample
    {
        const char16_t *comm;
        QStringList outermostFirst;
        qint64 count;
    };
    const QList<Sample> samples {
        { u"postgres", read + QStringList { u"copy_page_to_iter"_s, u"_copy_to_iter"_s, u"rep_movs_alternative"_s },
            1840 },
        { u"postgres", read + QStringList { u"filemap_get_pages"_s, u"filemap_get_read_batch"_s }, 610 },
        { u"postgres", write + QStringList { u"copy_page_from_iter_atomic"_s, u"rep_movs_alternative"_s }, 720 },
        { u"postgres", write + QStringList { u"ext4_da_write_begin"_s, u"__filemap_get_folio"_s }, 380 },
        { u"postgres", futex, 450 },
        { u"postgres", fault + QStringList { u"clear_page_erms"_s }, 530 },
        { u"postgres", tick, 120 },
        { u"nginx", send, 1310 },
        { u"nginx", send.mid(0, send.size() - 3) + QStringList { u"tcp_rate_skb_sent"_s }, 140 },
        { u"nginx", recv + QStringList { u"_copy_to_iter"_s, u"rep_movs_alternative"_s }, 690 },
        { u"nginx", epoll, 420 },
        { u"nginx", fault + QStringList { u"clear_page_erms"_s }, 160 },
        { u"kworker/u16:2", writeback + QStringList { u"mpage_prepare_extent_to_map"_s }, 390 },
        { u"kworker/u16:2", writeback + QStringList { u"ext4_bio_write_folio"_s }, 210 },
        { u"swapper/0", idle, 2100 },
        { u"swapper/1", idle, 1650 },
        { u"swapper/1", tick.mid(0, 6) + QStringList { u"tick_irq_enter"_s }, 90 },
        { u"bash", read + QStringList { u"tty_read"_s, u"n_tty_read"_s, u"wait_woken"_s }, 40 },
    };
    QList<MapEntry> entries;
    for (const Sample &s : samples)
        entries.append(entry({ text(QString::fromUtf16(s.comm)), stack(reversed(s.outermostFirst)) }, s.count));
    return MapResult::fromEntries(u"@samples"_s, MapResult::Kind::Map, entries);
}

/// `count` distinct kernel stacks of `depth` frames, deterministic: a few hundred symbols that
/// share callers the way real stacks do (few outer frames, many inner ones).
inline MapResult many(int count, int depth)
{
    QList<MapEntry> entries;
    entries.reserve(count);
    QStringList symbols;
    for (int i = 0; i < 400; ++i)
        symbols.append(u"kernel_function_%1"_s.arg(i));
    quint32 state = 12345;
    auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    for (int i = 0; i < count; ++i) {
        MapKeyPart part;
        part.type = MapKeyPart::Type::Stack;
        part.stack.frames.resize(depth);
        // Innermost first: the outer frames come from a narrow choice, the inner from a wide one,
        // and the innermost carries the index so that every stack is distinct.
        for (int d = 0; d < depth; ++d) {
            const int fromRoot = depth - 1 - d;
            const quint32 choices = std::min<quint32>(400, 2 + quint32(fromRoot) * quint32(fromRoot) * 2);
            part.stack.frames[d].symbol = symbols.at(int(next() % choices));
            part.stack.frames[d].offset = 17;
        }
        part.stack.frames[0].symbol = u"leaf_%1"_s.arg(i);
        entries.append({ MapKey { { part } }, MapValue::fromJson(QJsonValue(qint64(1 + next() % 100))) });
    }
    return MapResult::fromEntries(u"@stacks"_s, MapResult::Kind::Map, entries);
}
} // namespace SyntheticStacks
