// SPDX-License-Identifier: GPL-2.0-or-later
// MCP prompts: guided investigations, each a plan through the tools plus a bpftrace program.
#include "mcp/mcpprompts.h"

#include "engine/engine.h"
#include "engine/runmanager.h"
#include "mcp/mcpcompletion.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

// Each prompt hands the model a plan through the tools and a program that is known to compile
// with bpftrace 0.23 (tst_mcpprompts compiles them).

namespace {
struct PromptArgument
{
    QString name;
    QString description;
    bool required;
};

struct PromptInfo
{
    QString name;
    QString title;
    QString description;
    QList<PromptArgument> arguments;
};

QList<PromptInfo> promptInfos()
{
    const PromptArgument seconds { u"seconds"_s, u"How long to trace, in seconds (default 10, at most 600)"_s, false };
    return {
        { u"slow_process"_s, u"Why is this process slow?"_s,
            u"Finds where a process spends its time: in which system calls, blocked off-CPU, or on-CPU in the kernel."_s,
            { { u"process"_s, u"PID (digits) or process name (comm, as ps shows it) of the slow process"_s, true },
                seconds } },
        { u"file_access"_s, u"Who touches this file?"_s,
            u"Shows which processes open, delete or rename a given file, and how often."_s,
            { { u"path"_s, u"Absolute path of the file, e.g. /etc/hosts"_s, true }, seconds } },
        { u"disk_activity"_s, u"What is the disk doing?"_s,
            u"Shows block I/O latency, which processes issue I/O, and how much is read and written."_s,
            { { u"device"_s, u"Only this block device, e.g. sda or nvme0n1 (default: all disks)"_s, false },
                seconds } },
        { u"network_activity"_s, u"What is this process doing on the network?"_s,
            u"Shows TCP connections being made and closed, remote addresses and retransmits."_s,
            { { u"process"_s, u"PID or process name to follow (default: every process)"_s, false }, seconds } },
    };
}

const PromptInfo *findPrompt(const QList<PromptInfo> &infos, const QString &name)
{
    for (const PromptInfo &info : infos) {
        if (info.name == name)
            return &info;
    }
    return nullptr;
}

// A value that goes into a bpftrace string literal must not be able to end it.
bool safeLiteral(const QString &value)
{
    for (const QChar c : value) {
        if (c == u'"' || c == u'\\' || c.unicode() < 0x20 || c.unicode() == 0x7f)
            return false;
    }
    return true;
}

struct ProcessFilter
{
    QString predicate; ///< "pid == 42" or "comm == \"nginx\""
    QString label; ///< "PID 42" or "processes named nginx"
    QString note;
};

std::optional<ProcessFilter> processFilter(const QString &raw, QString *error)
{
    const QString value = raw.trimmed();
    static const QRegularExpression digits(u"^[0-9]{1,7}$"_s);
    if (digits.match(value).hasMatch()) {
        const int pid = value.toInt();
        if (pid <= 0 || pid > 4194304) {
            *error = u"'process' %1 is not a valid PID (1 to 4194304)"_s.arg(value);
            return std::nullopt;
        }
        ProcessFilter f { u"pid == %1"_s.arg(pid), u"PID %1"_s.arg(pid), {} };
        if (!QFileInfo::exists(u"/proc/%1"_s.arg(pid)))
            f.note = u"Note: no process with PID %1 is visible right now; check with the person that it is still "
                     "running."_s.arg(pid);
        return f;
    }
    if (value.isEmpty() || value.size() > 64 || !safeLiteral(value)) {
        *error = u"'process' must be a PID or a process name without quotes, backslashes or control characters"_s;
        return std::nullopt;
    }
    ProcessFilter f;
    QString comm = value;
    // The kernel keeps only the first 15 bytes of a task's name in comm.
    if (comm.toUtf8().size() > 15) {
        comm = QString::fromUtf8(comm.toUtf8().left(15));
        f.note = u"Note: the kernel truncates process names to 15 bytes, so the filter uses \"%1\"."_s.arg(comm);
    }
    f.predicate = u"comm == \"%1\""_s.arg(comm);
    f.label = u"processes named %1"_s.arg(comm);
    return f;
}

QString stepsCommon(int seconds, const QString &reason)
{
    return u"Every program you run through TraceDesk needs a person's approval, so keep it narrow and explain it.\n"
           "\n"
           "Plan:\n"
           "1. Call bpf_info to see the bpftrace version and which probe types this kernel supports.\n"
           "2. Call list_probes (and describe_probe for the probes whose fields you read) to confirm the probes in "
           "the program below exist here; adjust the program if one is missing.\n"
           "3. Call validate_program with the program; fix anything in 'diagnostics'.\n"
           "4. Call exec_program with the program, timeout_seconds=%1 and reason=\"%2\". It returns at once with an "
           "execution_id while the person decides.\n"
           "5. Call get_result with that execution_id and wait_seconds=30, again and again, until 'terminal' is "
           "true. Maps and histograms arrive in 'maps' when the run ends (its timeout stops it with SIGINT, so "
           "they are printed).\n"
           "6. If the result says it was denied or expired, do not resubmit the same program: tell the person, and "
           "ask what they would accept. If the person edited the program, 'decision.script' is what ran.\n"
           "7. Explain what the numbers mean for the person, name the likely cause, and suggest one focused "
           "follow-up trace if it is needed.\n"_s.arg(QString::number(seconds), reason);
}

// Every prompt reads: what to find out, the common plan, the program, how to read its result.
QString promptText(
    const QString &intro, int seconds, const QString &reason, const QString &program, const QString &reading)
{
    return intro + stepsCommon(seconds, reason) + u"\nProgram:\n```bpftrace\n"_s + program
        + u"```\n\nReading the result: "_s + reading;
}

QJsonObject promptResult(const QString &description, const QString &text)
{
    return QJsonObject {
        { u"description"_s, description },
        { u"messages"_s,
            QJsonArray { QJsonObject { { u"role"_s, u"user"_s },
                { u"content"_s, QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } } } },
    };
}

QStringList processCompletions(const QString &prefix)
{
    QStringList names;
    QStringList pids;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        entry.toInt(&ok);
        if (!ok)
            continue;
        QFile comm(u"/proc/"_s + entry + u"/comm"_s);
        if (comm.open(QIODevice::ReadOnly))
            names.append(QString::fromUtf8(comm.readAll()).trimmed());
        pids.append(entry);
    }
    names.removeDuplicates();
    names.sort();
    const bool numeric
        = !prefix.isEmpty() && std::all_of(prefix.begin(), prefix.end(), [](QChar c) { return c.isDigit(); });
    if (numeric) {
        QStringList matching;
        for (const QString &pid : std::as_const(pids)) {
            if (pid.startsWith(prefix))
                matching.append(pid);
        }
        return matching.mid(0, McpCompletion::kMaxValues);
    }
    return McpCompletion::rank(names, prefix);
}

QStringList pathCompletions(const QString &prefix)
{
    if (!prefix.startsWith(u'/'))
        return { u"/"_s };
    const qsizetype slash = prefix.lastIndexOf(u'/');
    const QString dirPath = prefix.left(slash + 1);
    const QString start = prefix.mid(slash + 1);
    QStringList out;
    const QFileInfoList entries
        = QDir(dirPath).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
    for (const QFileInfo &info : entries) {
        if (!info.fileName().startsWith(start))
            continue;
        out.append(dirPath + info.fileName() + (info.isDir() ? u"/"_s : QString()));
        if (out.size() >= McpCompletion::kMaxValues)
            break;
    }
    return out;
}

QStringList diskNames()
{
    QStringList names = QDir(u"/sys/block"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::System);
    names.removeIf([](const QString &n) { return n.startsWith("loop"_L1) || n.startsWith("ram"_L1); });
    return names;
}
} // namespace

McpPrompts::McpPrompts(Engine *engine)
    : m_engine(engine)
{ }

QJsonArray McpPrompts::list() const
{
    QJsonArray prompts;
    for (const PromptInfo &info : promptInfos()) {
        QJsonArray arguments;
        for (const PromptArgument &a : info.arguments)
            arguments.append(QJsonObject {
                { u"name"_s, a.name }, { u"description"_s, a.description }, { u"required"_s, a.required } });
        prompts.append(QJsonObject { { u"name"_s, info.name }, { u"title"_s, info.title },
            { u"description"_s, info.description }, { u"arguments"_s, arguments } });
    }
    return prompts;
}

std::optional<QJsonObject> McpPrompts::get(const QString &name, const QJsonObject &arguments, QString *error) const
{
    QString dummy;
    if (!error)
        error = &dummy;
    const QList<PromptInfo> infos = promptInfos();
    const PromptInfo *info = findPrompt(infos, name);
    if (!info) {
        QStringList names;
        for (const PromptInfo &i : infos)
            names.append(i.name);
        *error = u"unknown prompt '%1'; this server has: %2"_s.arg(name, names.join(u", "_s));
        return std::nullopt;
    }
    // Prompt arguments are strings; anything else, and anything unknown, is refused with a reason.
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        const bool known = std::any_of(info->arguments.begin(), info->arguments.end(),
            [&it](const PromptArgument &a) { return a.name == it.key(); });
        if (!known) {
            *error = u"prompt '%1' has no argument '%2'"_s.arg(name, it.key());
            return std::nullopt;
        }
        if (!it.value().isString()) {
            *error = u"argument '%1' must be a string"_s.arg(it.key());
            return std::nullopt;
        }
    }
    for (const PromptArgument &a : info->arguments) {
        if (a.required && arguments.value(a.name).toString().trimmed().isEmpty()) {
            *error = u"prompt '%1' needs the argument '%2' (%3)"_s.arg(name, a.name, a.description);
            return std::nullopt;
        }
    }
    int seconds = 10;
    if (arguments.contains(u"seconds"_s) && !arguments.value(u"seconds"_s).toString().trimmed().isEmpty()) {
        bool ok = false;
        seconds = arguments.value(u"seconds"_s).toString().trimmed().toInt(&ok);
        const int maxSeconds = std::min(600, m_engine->runs()->limits().maxTimeoutSeconds);
        if (!ok || seconds < 1 || seconds > maxSeconds) {
            *error = u"argument 'seconds' must be a whole number from 1 to %1"_s.arg(maxSeconds);
            return std::nullopt;
        }
    }

    if (name == "slow_process"_L1) {
        const auto f = processFilter(arguments.value(u"process"_s).toString(), error);
        if (!f)
            return std::nullopt;
        const QString program = uR"(// Where does the target spend its time?
// System call time and count by syscall number (x86_64 numbers: see ausyscall --dump or the kernel's syscall table).
tracepoint:raw_syscalls:sys_enter /%1/ { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /%1 && @start[tid]/ {
    @syscall_total_us[args.id] = sum((nsecs - @start[tid]) / 1000);
    @syscall_calls[args.id] = count();
    delete(@start[tid]);
}
// Time spent blocked (off-CPU) each time a thread of the target is switched out.
tracepoint:sched:sched_switch /%1/ { @off_start[tid] = nsecs; }
tracepoint:sched:sched_switch /@off_start[args.next_pid]/ {
    @offcpu_us = hist((nsecs - @off_start[args.next_pid]) / 1000);
    delete(@off_start[args.next_pid]);
}
// On-CPU samples at 49 Hz, with the kernel stack when it was in the kernel.
profile:hz:49 /%1/ { @oncpu_samples = count(); @oncpu_kernel_stacks[kstack(5)] = count(); }
END { clear(@start); clear(@off_start); }
)"_s.arg(f->predicate);
        const QString text = promptText(
            u"Find out why %1 is slow, using TraceDesk's bpftrace tools on this Linux machine.\n"_s.arg(f->label)
                + (f->note.isEmpty() ? QString() : f->note + u"\n"_s) + u"\n"_s,
            seconds,
            u"Find where %1 spends its time (syscalls, blocked, on-CPU) for %2 s"_s.arg(
                f->label, QString::number(seconds)),
            program,
            u"@syscall_total_us and @syscall_calls are keyed by syscall number (the "
            "biggest total is where time goes; high totals in read/poll/futex-like calls mean waiting). "
            "@offcpu_us is a histogram of how long threads stayed blocked each time; many long buckets mean it "
            "waits on I/O, locks or sleeps. @oncpu_samples counts 49 Hz samples (about 49 per second per busy "
            "CPU); near %1 x 49 means it is CPU bound. If a map is missing, nothing matched the filter.\n"_s.arg(
                seconds));
        return promptResult(info->description, text);
    }

    if (name == "file_access"_L1) {
        const QString path = arguments.value(u"path"_s).toString().trimmed();
        if (!path.startsWith(u'/') || path.size() > 255 || !safeLiteral(path)) {
            *error = u"argument 'path' must be an absolute path (starting with /) of at most 255 characters, "
                     "without quotes, backslashes or control characters"_s;
            return std::nullopt;
        }
        const QString base = QFileInfo(path).fileName().isEmpty() ? path : QFileInfo(path).fileName();
        const QString program = uR"(// Who opens, deletes or renames %1?
tracepoint:syscalls:sys_enter_openat /str(args.filename) == "%1"/ {
    printf("%s pid=%d opened %s flags=0x%x\n", comm, pid, str(args.filename), args.flags);
    @opens[comm, pid] = count();
}
tracepoint:syscalls:sys_enter_unlinkat /str(args.pathname) == "%1"/ { @unlinks[comm, pid] = count(); }
tracepoint:syscalls:sys_enter_renameat2 /str(args.oldname) == "%1" || str(args.newname) == "%1"/ {
    @renames[comm, pid] = count();
}
// Relative opens ("%2" from inside its directory) do not match the full path; this catches them by name.
tracepoint:syscalls:sys_enter_openat /strcontains(str(args.filename, 128), "%2")/ {
    @opens_by_name[comm, str(args.filename)] = count();
}
)"_s.arg(path, base);
        const QString text = promptText(
            u"Find out which processes touch the file %1, using TraceDesk's bpftrace tools.\n\n"_s.arg(path), seconds,
            u"See which processes open, delete or rename %1 during %2 s"_s.arg(path, QString::number(seconds)), program,
            u"each printf line is one open of the exact path; @opens, @unlinks and "
            "@renames count them by process name and PID; @opens_by_name also catches relative paths and other "
            "files with the same name. Writes through an already open descriptor are not seen by this program; "
            "if they matter, propose a follow-up on tracepoint:syscalls:sys_enter_write filtered by the PIDs "
            "found here.\n"_s);
        return promptResult(info->description, text);
    }

    if (name == "disk_activity"_L1) {
        QString filter;
        QString label = u"all disks"_s;
        const QString device = arguments.value(u"device"_s).toString().trimmed();
        if (!device.isEmpty()) {
            static const QRegularExpression valid(u"^[A-Za-z0-9_.-]{1,32}$"_s);
            QFile dev(u"/sys/block/"_s + device + u"/dev"_s);
            if (!valid.match(device).hasMatch() || !dev.open(QIODevice::ReadOnly)) {
                *error = u"unknown block device '%1'; this machine has: %2"_s.arg(device, diskNames().join(u", "_s));
                return std::nullopt;
            }
            const QStringList majorMinor = QString::fromLatin1(dev.readAll()).trimmed().split(u':');
            // The block tracepoints give dev as the kernel's dev_t: major << 20 | minor.
            const qint64 devt = (majorMinor.value(0).toLongLong() << 20) | majorMinor.value(1).toLongLong();
            filter = u"/args.dev == %1/ "_s.arg(devt);
            label = device;
        }
        const QString program
            = uR"(// Block I/O on %1: latency, who issues it, bytes by type (R read, W write, S sync, F flush, D discard).
tracepoint:block:block_rq_issue %2{
    @start[args.dev, args.sector] = nsecs;
    @io_by_process[comm] = count();
    @bytes_by_type[args.rwbs] = sum(args.bytes);
}
tracepoint:block:block_rq_complete /@start[args.dev, args.sector]/ {
    @latency_us = hist((nsecs - @start[args.dev, args.sector]) / 1000);
    @latency_by_type_us[args.rwbs] = hist((nsecs - @start[args.dev, args.sector]) / 1000);
    delete(@start[args.dev, args.sector]);
}
END { clear(@start); }
)"_s.arg(label, filter);
        const QString text = promptText(
            u"Find out what the disk (%1) is doing, using TraceDesk's bpftrace tools.\n\n"_s.arg(label), seconds,
            u"Measure block I/O latency and who issues I/O on %1 for %2 s"_s.arg(label, QString::number(seconds)),
            program,
            u"@latency_us is a histogram of request latency in microseconds (most "
            "requests under 1 ms is healthy for SSDs; tens of ms means a slow or saturated device); "
            "@latency_by_type_us splits it by R/W/S/F; @io_by_process shows who issues requests (kworker threads "
            "often write back on behalf of others); @bytes_by_type gives the volume.\n"_s);
        return promptResult(info->description, text);
    }

    if (name == "network_activity"_L1) {
        QString predicate;
        QString andPredicate;
        QString label = u"every process"_s;
        const QString process = arguments.value(u"process"_s).toString().trimmed();
        if (!process.isEmpty()) {
            const auto f = processFilter(process, error);
            if (!f)
                return std::nullopt;
            predicate = u"/"_s + f->predicate + u"/ "_s;
            andPredicate = u" && "_s + f->predicate;
            label = f->label;
        }
        const QString program
            = uR"(// TCP activity of %1: connect calls, connections established and closed, retransmits.
tracepoint:syscalls:sys_enter_connect %2{ @connect_calls[comm, pid] = count(); }
tracepoint:sock:inet_sock_set_state /args.newstate == 1 && args.family == 2%3/ {
    @established[comm, ntop(args.daddr), args.dport] = count();
}
tracepoint:sock:inet_sock_set_state /args.newstate == 7 && args.oldstate == 1%3/ { @closed[comm] = count(); }
tracepoint:tcp:tcp_retransmit_skb { @retransmits[ntop(args.daddr), args.dport] = count(); }
)"_s.arg(label, predicate, andPredicate);
        const QString text = promptText(
            u"Find out what %1 is doing on the network, using TraceDesk's bpftrace tools.\n\n"_s.arg(label), seconds,
            u"See the TCP connections of %1 for %2 s"_s.arg(label, QString::number(seconds)), program,
            u"@connect_calls counts connect() calls; @established lists new IPv4 TCP "
            "connections by process, remote address and port (the process name can be a kernel thread when the "
            "state changes in softirq context); @closed counts connections closed; @retransmits (for every "
            "process) by remote address shows packet loss or a slow peer.\n"_s);
        return promptResult(info->description, text);
    }
    *error = u"prompt '%1' is listed but not implemented"_s.arg(name);
    return std::nullopt;
}

QStringList McpPrompts::complete(const QString &promptName, const QString &argument, const QString &prefix) const
{
    if (argument == "process"_L1 && (promptName == "slow_process"_L1 || promptName == "network_activity"_L1))
        return processCompletions(prefix);
    if (promptName == "file_access"_L1 && argument == "path"_L1)
        return pathCompletions(prefix);
    if (promptName == "disk_activity"_L1 && argument == "device"_L1)
        return McpCompletion::rank(diskNames(), prefix);
    if (argument == "seconds"_L1)
        return McpCompletion::rank({ u"5"_s, u"10"_s, u"30"_s, u"60"_s }, prefix);
    return {};
}
