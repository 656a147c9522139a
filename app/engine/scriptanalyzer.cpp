// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/scriptanalyzer.h"

#include "engine/bpftraceast.h"
#include "engine/bpftraceoutput.h"
#include "engine/probecatalog.h"
#include "engine/queryprocess.h"
#include "helper/preprocessorcheck.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <memory>

Q_LOGGING_CATEGORY(lcAnalyzer, "tracedesk.engine.analyzer", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace {

// Thresholds behind "high-frequency": a profile probe fires on every CPU, an interval probe on one.
constexpr double ProfileMediumHz = 100;
constexpr double ProfileHighHz = 1000;
constexpr double IntervalMediumHz = 100;
constexpr double IntervalHighHz = 1000;
constexpr qint64 EventCountMedium = 100'000; // hardware/software: one sample per N events
constexpr int ExpansionMedium = 100;
constexpr int ExpansionHigh = 1000;
constexpr qsizetype MaxScriptOnCommandLine = 100'000; // under the kernel's 128 KiB per argument

RiskLevel maxRisk(RiskLevel a, RiskLevel b)
{
    return int(a) >= int(b) ? a : b;
}

RiskLevel riskFromName(const QString &name)
{
    if (name == u"high")
        return RiskLevel::High;
    if (name == u"medium")
        return RiskLevel::Medium;
    return RiskLevel::Low;
}

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

// The script with comments blanked out and string contents replaced by 'x' (quotes kept), so
// that a probe name or "system(" inside a comment or a string is never taken for code. Offsets
// and line numbers stay those of the original.
struct Masked
{
    QString code;
    QList<Diagnostic> problems;
};

Masked maskScript(const QString &script)
{
    Masked out;
    out.code = script;
    QString &code = out.code;
    enum class State
    {
        Code,
        String,
        LineComment,
        BlockComment
    } state
        = State::Code;
    int line = 1;
    int stringLine = 0;
    int commentLine = 0;
    for (qsizetype i = 0; i < code.size(); ++i) {
        const QChar c = script.at(i);
        const QChar next = i + 1 < script.size() ? script.at(i + 1) : QChar();
        if (c == u'\n')
            ++line;
        switch (state) {
        case State::Code:
            if (c == u'"') {
                state = State::String;
                stringLine = line;
            } else if (c == u'/' && next == u'/') {
                state = State::LineComment;
                code[i] = u' ';
            } else if (c == u'/' && next == u'*') {
                state = State::BlockComment;
                commentLine = line;
                code[i] = u' ';
                code[++i] = u' ';
            }
            break;
        case State::String:
            if (c == u'\\' && i + 1 < code.size()) {
                code[i] = u'x';
                if (next != u'\n')
                    code[++i] = u'x';
            } else if (c == u'"') {
                state = State::Code;
            } else if (c == u'\n') {
                // bpftrace strings do not span lines; report once and resynchronise.
                out.problems.append({ Diagnostic::Severity::Error, stringLine, 0, 0, u"unterminated string"_s });
                state = State::Code;
            } else {
                code[i] = u'x';
            }
            break;
        case State::LineComment:
            if (c == u'\n')
                state = State::Code;
            else
                code[i] = u' ';
            break;
        case State::BlockComment:
            if (c == u'*' && next == u'/') {
                code[i] = u' ';
                code[++i] = u' ';
                state = State::Code;
            } else if (c != u'\n') {
                code[i] = u' ';
            }
            break;
        }
    }
    if (state == State::String)
        out.problems.append({ Diagnostic::Severity::Error, stringLine, 0, 0, u"unterminated string"_s });
    if (state == State::BlockComment)
        out.problems.append({ Diagnostic::Severity::Error, commentLine, 0, 0, u"unterminated /* comment"_s });
    return out;
}

struct LineIndex
{
    QList<qsizetype> starts;
    explicit LineIndex(const QString &text)
    {
        starts.append(0);
        for (qsizetype i = 0; i < text.size(); ++i) {
            if (text.at(i) == u'\n')
                starts.append(i + 1);
        }
    }
    int lineOf(qsizetype pos) const
    {
        return int(std::upper_bound(starts.cbegin(), starts.cend(), pos) - starts.cbegin());
    }
};

struct ProbeSpec
{
    QString text; ///< as written (from the original, so quoted paths survive)
    int line = 0;
};

struct Block
{
    QList<ProbeSpec> specs;
    qsizetype bodyStart = 0; ///< after '{'
    qsizetype bodyEnd = 0; ///< at the matching '}'
    bool filtered = false; ///< has a predicate (/.../)
    bool function = false; ///< `fn name(...) { ... }`: no attach points
};

// Top-level items that are not probes: C definitions, config, functions and macros.
bool isNonProbeHeader(const QString &header)
{
    static const QRegularExpression re(u"^\\s*(struct|union|enum|typedef|config|fn|macro|import|let)\\b"_s);
    return re.match(header).hasMatch();
}

QList<Block> findBlocks(
    const QString &script, const Masked &masked, const LineIndex &lines, QList<Diagnostic> *problems)
{
    QList<Block> blocks;
    const QString &code = masked.code;
    int depth = 0;
    qsizetype headerStart = 0;
    qsizetype openPos = -1;
    QList<qsizetype> openStack;
    for (qsizetype i = 0; i < code.size(); ++i) {
        const QChar c = code.at(i);
        if (depth == 0 && c == u'#') {
            // Preprocessor line (#include, #define): not part of any header.
            const qsizetype eol = code.indexOf(u'\n', i);
            i = eol < 0 ? code.size() : eol;
            headerStart = i + 1;
            continue;
        }
        if (c == u'{') {
            if (depth == 0)
                openPos = i;
            openStack.append(i);
            ++depth;
        } else if (c == u'}') {
            if (depth == 0) {
                problems->append({ Diagnostic::Severity::Error, lines.lineOf(i), 0, 0, u"unmatched '}'"_s });
                headerStart = i + 1;
                continue;
            }
            openStack.removeLast();
            if (--depth == 0) {
                const QString header = code.mid(headerStart, openPos - headerStart);
                static const QRegularExpression function(u"^\\s*fn\\b"_s);
                if (function.match(header).hasMatch()) {
                    // A function's body runs in whichever probe calls it: its calls count too.
                    Block block;
                    block.bodyStart = openPos + 1;
                    block.bodyEnd = i;
                    block.function = true;
                    blocks.append(block);
                } else if (!isNonProbeHeader(header)) {
                    Block block;
                    block.bodyStart = openPos + 1;
                    block.bodyEnd = i;
                    // The attach list ends where a predicate (/.../) starts: a '/' at the start of
                    // a word, which a path inside a uprobe spec never is (it follows ':').
                    qsizetype pos = headerStart;
                    const qsizetype end = openPos;
                    while (pos < end) {
                        while (pos < end && (code.at(pos).isSpace() || code.at(pos) == u',' || code.at(pos) == u';'))
                            ++pos;
                        if (pos >= end)
                            break;
                        if (code.at(pos) == u'/') {
                            block.filtered = true;
                            break;
                        }
                        qsizetype stop = pos;
                        while (stop < end && !code.at(stop).isSpace() && code.at(stop) != u',')
                            ++stop;
                        QString spec = script.mid(pos, stop - pos);
                        block.specs.append({ spec, lines.lineOf(pos) });
                        pos = stop;
                    }
                    if (!block.specs.isEmpty())
                        blocks.append(block);
                }
                headerStart = i + 1;
            }
        } else if (depth == 0 && c == u';') {
            headerStart = i + 1; // after "struct x { ... };" or a stray ';'
        }
    }
    for (qsizetype open : std::as_const(openStack))
        problems->append({ Diagnostic::Severity::Error, lines.lineOf(open), 0, 0, u"unmatched '{'"_s });
    return blocks;
}

// Rate in Hz of "profile:hz:99", "interval:ms:10", "interval:s:1", "profile:us:100"; -1 if unknown.
double rateHz(const QString &unit, const QString &value)
{
    bool ok = false;
    const double n = value.toDouble(&ok);
    if (!ok || n <= 0)
        return -1;
    if (unit == u"hz")
        return n;
    if (unit == u"s")
        return 1.0 / n;
    if (unit == u"ms")
        return 1000.0 / n;
    if (unit == u"us")
        return 1e6 / n;
    if (unit == u"ns")
        return 1e9 / n;
    return -1;
}

bool isTlsLibrary(const QString &target)
{
    static const QRegularExpression re(
        u"(libssl|libcrypto|libgnutls|libnss3?|libnspr|libssl3|libboringssl|libwolfssl|libmbedtls|libsecret|libgcrypt)"_s,
        QRegularExpression::CaseInsensitiveOption);
    return re.match(target).hasMatch();
}

bool isSensitivePath(const QString &path)
{
    static const QRegularExpression re(
        u"(shadow|sudoers|\\.ssh|id_rsa|id_ed25519|\\.pem|\\.key|/root/|/home/|token|secret|passw|credential|\\.gnupg|keyring|/proc/\\d+/|/proc/self/)"_s,
        QRegularExpression::CaseInsensitiveOption);
    return re.match(path).hasMatch();
}

struct Call
{
    QString name;
    qsizetype pos = 0;
    QString argument; ///< first argument, from the original text
    QString arguments; ///< all of them, whitespace simplified
};

// Every identifier followed by '(' in a block body, not preceded by '.', '@', '$' or a letter.
QList<Call> findCalls(const QString &script, const QString &code, qsizetype from, qsizetype to)
{
    QList<Call> calls;
    for (qsizetype i = from; i < to; ++i) {
        const QChar c = code.at(i);
        if (!(c.isLetter() || c == u'_'))
            continue;
        if (i > 0) {
            const QChar prev = code.at(i - 1);
            if (isIdentChar(prev) || prev == u'.' || prev == u'@' || prev == u'$' || prev == u'>')
                continue;
        }
        qsizetype j = i;
        while (j < to && isIdentChar(code.at(j)))
            ++j;
        qsizetype k = j;
        // Comments are blanked already, so `cat /* x */ (` and `cat\n(` are calls like `cat(`.
        while (k < to && code.at(k).isSpace())
            ++k;
        if (k < to && code.at(k) == u'(') {
            // First argument: up to the first ',' at depth 0; all of them: up to the matching ')'.
            int depth = 0;
            const qsizetype a = k + 1;
            qsizetype firstEnd = -1;
            qsizetype e = a;
            for (; e < to; ++e) {
                const QChar ch = code.at(e);
                if (ch == u'(' || ch == u'[')
                    ++depth;
                else if (ch == u')' || ch == u']') {
                    if (depth == 0)
                        break;
                    --depth;
                } else if (ch == u',' && depth == 0 && firstEnd < 0)
                    firstEnd = e;
            }
            const QString first = script.mid(a, (firstEnd < 0 ? e : firstEnd) - a).trimmed();
            const QString all = script.mid(a, e - a).simplified();
            calls.append({ code.mid(i, j - i), i, first, all });
        }
        i = j - 1;
    }
    return calls;
}

void addFinding(ScriptAnalysis &a, RiskLevel level, const QString &code, const QString &message, int line)
{
    const Finding f { level, code, message, line };
    if (!a.findings.contains(f))
        a.findings.append(f);
}

/// What nobody checked is rated at least medium, whatever the text looks like.
void addNotCheckedFinding(ScriptAnalysis &a)
{
    addFinding(a, RiskLevel::Medium, u"not-checked"_s,
        u"bpftrace did not check this program (%1): rated at least medium"_s.arg(a.uncheckedReason), 0);
}

void recomputeRisk(ScriptAnalysis &a)
{
    a.risk = RiskLevel::Low;
    for (const Finding &f : std::as_const(a.findings))
        a.risk = maxRisk(a.risk, f.level);
    // Highest risk first, then by line, so reasons() reads from the worst.
    std::stable_sort(a.findings.begin(), a.findings.end(), [](const Finding &x, const Finding &y) {
        if (x.level != y.level)
            return int(x.level) > int(y.level);
        return x.line < y.line;
    });
}

// --- Probe paths: which probes see other programs' data, or bpftrace's own output ---------------

QStringList specParts(const QString &spec)
{
    QStringList parts = spec.split(u':');
    if (!parts.isEmpty())
        parts[0] = ProbeCatalog::canonicalProvider(parts.first());
    return parts;
}

bool globMatches(const QString &pattern, const QString &name)
{
    if (!ProbeCatalog::isGlob(pattern))
        return pattern == name;
    const QRegularExpression re(
        QRegularExpression::wildcardToRegularExpression(pattern, QRegularExpression::NonPathWildcardConversion));
    return re.match(name).hasMatch();
}

// The first of `names` the pattern covers, or an empty string.
QString firstMatch(const QString &pattern, const QStringList &names)
{
    for (const QString &name : names) {
        if (globMatches(pattern, name))
            return name;
    }
    return {};
}

bool isKernelFunctionProvider(const QString &provider)
{
    return provider == u"kprobe" || provider == u"kretprobe" || provider == u"fentry" || provider == u"fexit";
}

bool isUserProvider(const QString &provider)
{
    return provider == u"uprobe" || provider == u"uretprobe" || provider == u"usdt";
}

// Syscalls whose buffers carry what programs read, write, send and receive.
const QStringList &dataSyscalls()
{
    static const QStringList names { u"read"_s, u"write"_s, u"readv"_s, u"writev"_s, u"pread64"_s, u"pwrite64"_s,
        u"preadv"_s, u"pwritev"_s, u"preadv2"_s, u"pwritev2"_s, u"send"_s, u"recv"_s, u"sendto"_s, u"recvfrom"_s,
        u"sendmsg"_s, u"recvmsg"_s, u"sendmmsg"_s, u"recvmmsg"_s, u"vmsplice"_s, u"process_vm_readv"_s,
        u"process_vm_writev"_s };
    return names;
}

// Kernel functions on the same paths, for kprobes and fentry.
const QStringList &dataKernelFunctions()
{
    static const QStringList names { u"vfs_read"_s, u"vfs_write"_s, u"vfs_readv"_s, u"vfs_writev"_s, u"ksys_read"_s,
        u"ksys_write"_s, u"__x64_sys_read"_s, u"__x64_sys_write"_s, u"new_sync_read"_s, u"new_sync_write"_s,
        u"tcp_sendmsg"_s, u"tcp_recvmsg"_s, u"udp_sendmsg"_s, u"udp_recvmsg"_s, u"sock_sendmsg"_s, u"sock_recvmsg"_s,
        u"unix_stream_sendmsg"_s, u"unix_stream_recvmsg"_s, u"pipe_read"_s, u"pipe_write"_s, u"tty_write"_s,
        u"n_tty_read"_s, u"n_tty_write"_s, u"copy_from_user"_s, u"_copy_from_user"_s, u"copy_to_user"_s,
        u"_copy_to_user"_s, u"unix_stream_read_actor"_s, u"unix_dgram_sendmsg"_s, u"unix_dgram_recvmsg"_s,
        u"skb_copy_datagram_iter"_s, u"tcp_sendmsg_locked"_s };
    return names;
}

// A uprobe target that is the C library or the dynamic loader, by path or library name ("libc",
// "/lib/x86_64-linux-gnu/libc.so.6", a wildcard path that could name one).
bool isLibcTarget(const QString &target)
{
    const QString base = target.section(u'/', -1);
    static const QStringList libraries { u"libc.so.6"_s, u"libc.so"_s, u"ld-linux-x86-64.so.2"_s,
        u"ld-linux-aarch64.so.1"_s, u"ld-linux.so.2"_s, u"ld.so"_s, u"libc"_s };
    if (ProbeCatalog::isGlob(base))
        return !firstMatch(base, libraries).isEmpty();
    return base == u"libc" || base.startsWith(u"libc.so"_s) || base.startsWith(u"libc-"_s)
        || base.startsWith(u"ld-linux"_s) || base == u"ld.so";
}

// The C library's wrappers of the data syscalls.
const QStringList &libcDataFunctions()
{
    static const QStringList names { u"write"_s, u"read"_s, u"__write"_s, u"__read"_s, u"__libc_write"_s,
        u"__libc_read"_s, u"pwrite"_s, u"pread"_s, u"pwrite64"_s, u"pread64"_s, u"readv"_s, u"writev"_s, u"preadv"_s,
        u"pwritev"_s, u"preadv2"_s, u"pwritev2"_s, u"send"_s, u"recv"_s, u"sendto"_s, u"recvfrom"_s, u"sendmsg"_s,
        u"recvmsg"_s, u"sendmmsg"_s, u"recvmmsg"_s, u"__send"_s, u"__recv"_s, u"fwrite"_s, u"fread"_s,
        u"fwrite_unlocked"_s, u"fread_unlocked"_s };
    return names;
}

// "sys_enter" / "sys_exit" of raw_syscalls (tracepoint) or a raw tracepoint: every syscall.
bool isRawSyscall(const QStringList &parts)
{
    const QString &provider = parts.first();
    if (provider == u"tracepoint" && parts.size() >= 3)
        return globMatches(parts.at(1), u"raw_syscalls"_s)
            && !firstMatch(parts.at(2), { u"sys_enter"_s, u"sys_exit"_s }).isEmpty();
    if (provider == u"rawtracepoint" && parts.size() >= 2)
        return !firstMatch(parts.last(), { u"sys_enter"_s, u"sys_exit"_s }).isEmpty();
    return false;
}

// The syscall (or kernel or libc function) a data-carrying probe spec covers: "write()" for
// tracepoint:syscalls:sys_enter_write, "syscall" for raw_syscalls; empty when it covers none.
QString dataPath(const QString &spec)
{
    const QStringList parts = specParts(spec);
    if (parts.size() < 2)
        return {};
    const QString &provider = parts.first();
    if (isRawSyscall(parts))
        return u"syscall"_s;
    if (provider == u"tracepoint" && parts.size() >= 3 && globMatches(parts.at(1), u"syscalls"_s)) {
        for (const QString &name : dataSyscalls()) {
            if (globMatches(parts.at(2), u"sys_enter_"_s + name) || globMatches(parts.at(2), u"sys_exit_"_s + name))
                return name + u"()"_s;
        }
    } else if (isKernelFunctionProvider(provider)) {
        const QString name = firstMatch(parts.last(), dataKernelFunctions());
        return name.isEmpty() ? QString() : name + u"()"_s;
    } else if ((provider == u"uprobe" || provider == u"uretprobe") && parts.size() >= 3 && isLibcTarget(parts.at(1))) {
        const QString name = firstMatch(parts.last(), libcDataFunctions());
        return name.isEmpty() ? QString() : u"libc "_s + name + u"()"_s;
    }
    return {};
}

// uprobes on functions that return what a person types (every line entered into bash).
QString inputFunction(const QString &spec)
{
    const QStringList parts = specParts(spec);
    if (parts.size() < 3 || !isUserProvider(parts.first()))
        return {};
    return firstMatch(parts.last(), { u"readline"_s });
}

bool isExecPath(const QString &spec)
{
    const QStringList parts = specParts(spec);
    if (parts.size() >= 3 && parts.first() == u"tracepoint" && globMatches(parts.at(1), u"syscalls"_s))
        return !firstMatch(parts.at(2), { u"sys_enter_execve"_s, u"sys_enter_execveat"_s }).isEmpty();
    if (parts.size() >= 2 && isKernelFunctionProvider(parts.first()))
        return !firstMatch(parts.last(), { u"__x64_sys_execve"_s, u"__x64_sys_execveat"_s, u"do_execveat_common"_s })
                    .isEmpty();
    return false;
}

// Where bpftrace's own output goes by: it writes every line it prints to TraceDesk's pipe and
// TraceDesk reads it, so a probe here that prints fires again on its own output.
QString writePath(const QString &spec)
{
    const QStringList parts = specParts(spec);
    if (parts.size() < 2)
        return {};
    const QString &provider = parts.first();
    if (isRawSyscall(parts))
        return u"every syscall"_s;
    if (provider == u"tracepoint" && parts.size() >= 3) {
        if (globMatches(parts.at(1), u"syscalls"_s)) {
            for (const QString &name : { u"write"_s, u"writev"_s, u"pwrite64"_s, u"pwritev"_s, u"pwritev2"_s, u"read"_s,
                     u"readv"_s, u"pread64"_s, u"preadv"_s, u"preadv2"_s }) {
                if (globMatches(parts.at(2), u"sys_enter_"_s + name) || globMatches(parts.at(2), u"sys_exit_"_s + name))
                    return name + u"()"_s;
            }
        }
    } else if (isKernelFunctionProvider(provider)) {
        const QString name = firstMatch(parts.last(),
            { u"vfs_write"_s, u"vfs_writev"_s, u"ksys_write"_s, u"__x64_sys_write"_s, u"new_sync_write"_s,
                u"pipe_write"_s, u"tty_write"_s, u"n_tty_write"_s, u"anon_pipe_write"_s, u"vfs_read"_s, u"vfs_readv"_s,
                u"ksys_read"_s, u"__x64_sys_read"_s, u"new_sync_read"_s, u"pipe_read"_s, u"anon_pipe_read"_s });
        return name.isEmpty() ? QString() : name + u"()"_s;
    } else if ((provider == u"uprobe" || provider == u"uretprobe") && parts.size() >= 3 && isLibcTarget(parts.at(1))) {
        const QString name = firstMatch(parts.last(),
            { u"write"_s, u"__write"_s, u"__libc_write"_s, u"writev"_s, u"fwrite"_s, u"fwrite_unlocked"_s, u"read"_s,
                u"__read"_s, u"__libc_read"_s, u"readv"_s });
        return name.isEmpty() ? QString() : u"libc "_s + name + u"()"_s;
    }
    return {};
}

// Scheduler events: bpftrace's own threads wake up and switch to print what a probe sends.
QString schedulerEvent(const QString &spec)
{
    const QStringList parts = specParts(spec);
    if (parts.size() < 2)
        return {};
    static const QStringList events { u"sched_wakeup"_s, u"sched_wakeup_new"_s, u"sched_waking"_s, u"sched_switch"_s,
        u"sched_stat_runtime"_s, u"sched_stat_wait"_s, u"sched_stat_sleep"_s, u"sched_stat_blocked"_s,
        u"sched_stat_iowait"_s, u"sched_migrate_task"_s };
    const QString &provider = parts.first();
    if (provider == u"tracepoint" && parts.size() >= 3 && globMatches(parts.at(1), u"sched"_s))
        return firstMatch(parts.at(2), events);
    if (provider == u"rawtracepoint")
        return firstMatch(parts.last(), events);
    if (isKernelFunctionProvider(provider))
        return firstMatch(parts.last(),
            { u"try_to_wake_up"_s, u"wake_up_process"_s, u"wake_up_new_task"_s, u"ttwu_do_activate"_s,
                u"finish_task_switch"_s, u"finish_task_switch.isra.0"_s, u"__schedule"_s, u"schedule"_s });
    return {};
}

// A uprobe on a TLS/crypto library, by its path (a wildcard path counts when it could name one) or
// by a TLS function name. Returns the library or function it matched.
QString tlsTarget(const QString &spec)
{
    const QStringList parts = specParts(spec);
    if (parts.size() < 2 || !isUserProvider(parts.first()))
        return {};
    const QString target = parts.at(1);
    if (isTlsLibrary(target))
        return target.section(u'/', -1);
    static const QStringList libraries { u"libssl.so.3"_s, u"libssl.so.1.1"_s, u"libssl.so"_s, u"libcrypto.so.3"_s,
        u"libcrypto.so.1.1"_s, u"libgnutls.so.30"_s, u"libnss3.so"_s, u"libssl3.so"_s, u"libnspr4.so"_s,
        u"libwolfssl.so"_s, u"libmbedtls.so"_s, u"libboringssl.so"_s, u"libgcrypt.so.20"_s };
    if (ProbeCatalog::isGlob(target)) {
        const QString base = target.section(u'/', -1);
        if (const QString lib = firstMatch(base, libraries); !lib.isEmpty())
            return lib;
    }
    static const QRegularExpression functions(
        u"^(SSL_|ssl_|gnutls_|PR_(Read|Write|Send|Recv)|mbedtls_ssl_|wolfSSL_|BIO_(read|write))"_s);
    const QString function = parts.size() >= 3 ? parts.last() : QString();
    if (!function.isEmpty() && !ProbeCatalog::isGlob(function) && functions.match(function).hasMatch())
        return function;
    return {};
}

// --- Call rules, shared by the text analysis and bpftrace's AST ----------------------------------

enum class Memory
{
    Unknown, ///< the text analysis cannot tell
    User,
    Kernel
};

struct BlockView
{
    QStringList specs;
    QString predicate; ///< empty when none
    bool filtered = false;
    int line = 0; ///< of the first attach point
};

struct CallView
{
    QString name;
    QString source; ///< "str(args.buf, args.count)"
    QString firstArgument;
    QList<QString> stringArguments; ///< literal strings among the arguments, unescaped
    int argumentCount = 0;
    Memory memory = Memory::Unknown; ///< of the first argument
    int line = 0;
    bool read = false; ///< a read through a pointer (*p, p[i]) rather than a call
    bool fileName = false; ///< bpftrace's AST: what is read is only the exec'd program's path
    bool commandLine = false; ///< what is read comes from mm->arg_start, arg_end, env_start or env_end
};

const QStringList &outputCalls()
{
    static const QStringList names { u"printf"_s, u"print"_s, u"printv"_s, u"cat"_s, u"time"_s, u"system"_s,
        u"errorf"_s, u"warnf"_s, u"debugf"_s };
    return names;
}

const QStringList &captureCalls()
{
    static const QStringList names { u"str"_s, u"buf"_s, u"join"_s, u"uptr"_s };
    return names;
}

void addUnsafe(ScriptAnalysis &a, const QString &name)
{
    if (!a.unsafeBuiltins.contains(name))
        a.unsafeBuiltins.append(name);
}

QString specList(const BlockView &block)
{
    return block.specs.join(u", "_s);
}

// What a capture call (str, buf, join, uptr) or a read through a user pointer (*p, p[i]) takes out
// of memory, judged by the probe it runs in.
void applyCaptureRules(ScriptAnalysis &a, const BlockView &block, const CallView &call)
{
    const int line = call.line;
    QString data;
    bool exec = false;
    QString tls;
    QString input;
    bool user = false;
    for (const QString &spec : block.specs) {
        if (data.isEmpty())
            data = dataPath(spec);
        if (input.isEmpty())
            input = inputFunction(spec);
        exec = exec || isExecPath(spec);
        if (tls.isEmpty())
            tls = tlsTarget(spec);
        const QString provider = specParts(spec).first();
        user = user || isUserProvider(provider);
    }
    const QStringList parts = block.specs.isEmpty() ? QStringList() : specParts(block.specs.first());
    const bool syscallTracepoint
        = parts.size() >= 3 && parts.first() == u"tracepoint" && parts.at(1).contains(u"syscalls"_s);
    const bool kernelFunction = !parts.isEmpty() && isKernelFunctionProvider(parts.first());
    // The text analysis guesses the address space from the probe: syscall arguments and
    // uprobe arguments point into processes; bpftrace's AST says it (AS(user)).
    bool userMemory = call.memory == Memory::User;
    if (call.memory == Memory::Unknown)
        userMemory = user || (syscallTracepoint && !call.firstArgument.isEmpty());
    const bool commandLine = call.commandLine
        || (call.memory == Memory::Unknown
            && (call.firstArgument.contains(u"arg_start"_s) || call.firstArgument.contains(u"env_start"_s)));
    // The text cannot follow variables, so it looks for the words; bpftrace's AST knows when what is
    // read is only the program's path, and anything else read in an exec probe is argv or envp.
    const bool argv = call.memory == Memory::Unknown
        ? call.name == u"join" || call.firstArgument.contains(u"argv"_s) || call.firstArgument.contains(u"envp"_s)
        : call.name == u"join" || !call.fileName;
    const QString verb = call.read ? u"reads"_s : u"copies"_s;
    const QString where = block.specs.isEmpty() ? QString() : u" ("_s + specList(block) + u')';
    const QString filter = block.predicate.isEmpty() ? QString() : u" that pass /%1/"_s.arg(block.predicate);
    const QString calls = data.endsWith(u')') ? QString(data + u" calls"_s) : QString(data + u's');
    const QString every
        = block.filtered ? u"of the %1%2"_s.arg(calls, filter) : u"of every %1 on the system%2"_s.arg(data, filter);

    if (!data.isEmpty() && (userMemory || kernelFunction)) {
        addFinding(a, RiskLevel::High, u"user-memory"_s,
            u"%1 %2 the buffer %3: what programs read, write, send and receive%4"_s.arg(
                call.source, verb, every, where),
            line);
    } else if (exec && userMemory && argv) {
        addFinding(a, RiskLevel::High, u"exec-args"_s,
            u"%1 %2 the command line of every program started%3, passwords and tokens in arguments included%4"_s.arg(
                call.source, verb, filter.isEmpty() && !block.filtered ? QString() : u" (filtered)"_s, where),
            line);
    } else if (commandLine && userMemory) {
        addFinding(a, RiskLevel::High, u"exec-args"_s,
            u"%1 %2 a process's command line or environment, passwords and tokens in arguments included%3"_s.arg(
                call.source, verb, where),
            line);
    } else if (!input.isEmpty() && userMemory) {
        addFinding(a, RiskLevel::High, u"user-memory"_s,
            u"%1 %2 every line typed into programs that read input with %3(), passwords included%4"_s.arg(
                call.source, verb, input, where),
            line);
    } else if (!tls.isEmpty() && (userMemory || !call.read)) {
        addFinding(a, RiskLevel::High, u"tls"_s,
            u"%1 %2 what %3 handles before encryption or after decryption: passwords, tokens, private traffic%4"_s.arg(
                call.source, verb, tls, where),
            line);
    } else if (userMemory && user) {
        addFinding(a, RiskLevel::Medium, u"user-memory"_s,
            call.read ? u"%1 reads the traced program's memory%2"_s.arg(call.source, where)
                      : u"%1 reads a string out of the traced program's memory%2"_s.arg(call.source, where),
            line);
    } else if (userMemory) {
        const QString syscall = syscallTracepoint ? parts.at(2).section(u'_', 2) : QString();
        addFinding(a, RiskLevel::Medium, u"user-memory"_s,
            syscall.isEmpty() || ProbeCatalog::isGlob(syscall)
                ? u"%1 reads a path or name out of the calling process's memory%2"_s.arg(call.source, where)
                : u"%1 reads a path or name out of the memory of every process calling %2()%3"_s.arg(
                      call.source, syscall, where),
            line);
    } else if (call.name == u"buf") {
        addFinding(a, RiskLevel::Medium, u"raw-memory"_s,
            u"%1 copies raw memory into the output%2"_s.arg(call.source, where), line);
    }
}

void applyCallRules(ScriptAnalysis &a, const BlockView &block, const CallView &call)
{
    const int line = call.line;
    if (call.name == u"system") {
        addFinding(a, RiskLevel::High, u"unsafe-builtin"_s,
            u"system() runs a shell command as root every time the probe fires"_s, line);
        addUnsafe(a, call.name);
    } else if (call.name == u"signal") {
        addFinding(a, RiskLevel::High, u"unsafe-builtin"_s,
            u"signal(%1) sends a signal to the traced process and can kill it"_s.arg(call.firstArgument), line);
        addUnsafe(a, call.name);
    } else if (call.name == u"override") {
        addFinding(a, RiskLevel::High, u"kernel-write"_s,
            u"override() changes what a kernel function returns: it alters the system's behaviour"_s, line);
        addUnsafe(a, call.name);
    } else if (call.name == u"cat") {
        const QString path = call.stringArguments.value(0);
        const bool literal = !path.isEmpty() && call.argumentCount == 1 && !path.contains(u'%');
        addFinding(a, RiskLevel::High, u"file-read"_s,
            !literal                    ? u"%1 reads files chosen at run time, as root"_s.arg(call.source)
                : isSensitivePath(path) ? u"cat(\"%1\") reads a private file as root and hands its contents to "
                                          u"whoever gets the output"_s.arg(path)
                                        : u"cat(\"%1\") reads a file as root and hands its contents to whoever "
                                          u"gets the output"_s.arg(path),
            line);
    }

    if (captureCalls().contains(call.name))
        applyCaptureRules(a, block, call);

    if (outputCalls().contains(call.name)) {
        QString path;
        for (const QString &spec : block.specs) {
            if (path.isEmpty())
                path = writePath(spec);
        }
        QString sched;
        for (const QString &spec : block.specs) {
            if (sched.isEmpty())
                sched = schedulerEvent(spec);
        }
        if (path.isEmpty() && !sched.isEmpty() && !block.filtered)
            addFinding(a, RiskLevel::Medium, u"feedback-loop"_s,
                u"%1 in a probe on %2 with no filter fires on bpftrace's own wake-ups when it prints: "
                u"it can feed itself (%3)"_s.arg(call.name + u"()"_s, sched, specList(block)),
                line);
        if (!path.isEmpty()) {
            if (block.filtered)
                addFinding(a, RiskLevel::Medium, u"feedback-loop"_s,
                    u"%1 in a probe on %2 fires on bpftrace's own output unless %3 leaves bpftrace out: "
                    u"a feedback loop that floods%4"_s.arg(call.name + u"()"_s, path,
                        block.predicate.isEmpty() ? u"the filter"_s : u'/' + block.predicate + u'/',
                        u" ("_s + specList(block) + u')'),
                    line);
            else
                addFinding(a, RiskLevel::High, u"feedback-loop"_s,
                    u"%1 in a probe on %2 fires on bpftrace's own output: each line it prints makes another "
                    u"event, a feedback loop that floods%3"_s.arg(
                        call.name + u"()"_s, path, u" ("_s + specList(block) + u')'),
                    line);
        }
    }
}

// What the text analysis sees of a script: blocks with their calls, reused by the AST analysis to
// give its findings a line.
struct TextCall
{
    Call call;
    int line = 0;
};

struct TextBlock
{
    QList<ProbeSpec> specs;
    bool filtered = false;
    bool function = false;
    QList<TextCall> calls;
};

struct TextModel
{
    Masked masked;
    QList<TextBlock> blocks;
    QList<Diagnostic> problems;
};

TextModel textModel(const QString &script)
{
    TextModel model;
    model.masked = maskScript(script);
    const LineIndex lines(script);
    model.problems = model.masked.problems;
    const QList<Block> blocks = findBlocks(script, model.masked, lines, &model.problems);
    for (const Block &block : blocks) {
        TextBlock tb;
        tb.specs = block.specs;
        tb.filtered = block.filtered;
        tb.function = block.function;
        const QList<Call> calls = findCalls(script, model.masked.code, block.bodyStart, block.bodyEnd);
        for (const Call &call : calls)
            tb.calls.append({ call, lines.lineOf(call.pos) });
        model.blocks.append(tb);
    }
    return model;
}

// --- Memory reads in bpftrace's AST: through user pointers, and pointers carried between probes ---

/// Per probe: what each variable ($x) or map (@x) is assigned, in program order.
using Assignments = QHash<QString, std::vector<const AstNode *>>;

constexpr int MaxFollow = 8; // variables assigned from variables: deep enough, and no cycle runs away

void collectAssignments(const AstNode &node, Assignments &out)
{
    if (node.kind == u"=" && node.children.size() == 2
        && (node.children[0].kind == u"variable" || node.children[0].kind == u"map"))
        out[node.children[0].text].push_back(&node.children[1]);
    for (const AstNode &child : node.children)
        collectAssignments(child, out);
}

Assignments probeAssignments(const AstProbe &probe)
{
    Assignments out;
    if (probe.predicate)
        collectAssignments(*probe.predicate, out);
    for (const AstNode &statement : probe.statements)
        collectAssignments(statement, out);
    return out;
}

// Whether `test` holds for the node or anything under it, looking through variables at what they
// were assigned in the same probe.
bool anyInside(
    const AstNode &node, const Assignments &vars, const std::function<bool(const AstNode &)> &test, int depth = 0)
{
    if (test(node))
        return true;
    if (depth > MaxFollow)
        return false;
    if (node.kind == u"variable") {
        for (const AstNode *value : vars.value(node.text)) {
            if (anyInside(*value, vars, test, depth + 1))
                return true;
        }
    }
    return std::any_of(node.children.cbegin(), node.children.cend(),
        [&](const AstNode &child) { return anyInside(child, vars, test, depth + 1); });
}

// args.filename (or args->filename): the path an exec probe is given.
bool isArgsField(const AstNode &node, const QString &field)
{
    if (node.kind != u"." || node.children.size() != 2)
        return false;
    const AstNode *base = &node.children[0];
    if (base->kind == u"dereference" && base->children.size() == 1)
        base = &base->children[0];
    return base->kind == u"builtin" && base->text == u"args" && node.children[1].kind == field;
}

// What is read is only the exec'd program's path: every user-memory value it is made of is
// args.filename, directly or through variables.
bool onlyFileName(const AstNode &node, const Assignments &vars, int depth = 0)
{
    if (depth > MaxFollow)
        return false;
    if (node.kind == u"." && node.children.size() == 2 && !node.children[0].children.empty()
        && (node.children[0].kind == u"builtin" || node.children[0].context))
        return isArgsField(node, u"filename"_s);
    if (node.kind == u"builtin" && node.text == u"args")
        return false;
    if (node.kind == u"variable") {
        const std::vector<const AstNode *> values = vars.value(node.text);
        return !values.empty() && std::all_of(values.cbegin(), values.cend(), [&](const AstNode *value) {
            return onlyFileName(*value, vars, depth + 1);
        });
    }
    bool any = false;
    for (const AstNode &child : node.children) {
        if (!child.userMemory && !child.kind.startsWith(u'('))
            continue;
        if (!onlyFileName(child, vars, depth + 1))
            return false;
        any = true;
    }
    return any;
}

// mm->arg_start and friends: where a process keeps its command line and environment.
bool readsCommandLine(const AstNode &node, const Assignments &vars)
{
    return anyInside(node, vars, [](const AstNode &n) {
        if (n.kind != u"." || n.children.size() != 2)
            return false;
        const QString &field = n.children[1].kind;
        return field == u"arg_start" || field == u"arg_end" || field == u"env_start" || field == u"env_end";
    });
}

bool isCaptureCall(const AstNode &node)
{
    return node.kind == u"call" && captureCalls().contains(node.text);
}

// Reads through a pointer into a process's memory: *(uint64 *)args.buf, args.buf[0], arg0->field.
// The probe's own arguments (args.x, args->x) are not such a read, and a capture call's first
// argument is judged with the call.
void collectUserReads(const AstNode &node, std::vector<const AstNode *> &out)
{
    auto isRead = [](const AstNode &n) {
        if (!n.userMemory || n.context)
            return false;
        if (n.kind == u"dereference")
            return true;
        return n.kind == u"[]" && !n.children.empty() && !n.children.front().context;
    };
    if (node.kind == u"." && node.children.size() == 2 && isRead(node.children[0])) {
        out.push_back(&node);
        return;
    }
    if (isRead(node)) {
        out.push_back(&node);
        return;
    }
    for (size_t i = isCaptureCall(node) ? 1 : 0; i < node.children.size(); ++i)
        collectUserReads(node.children[i], out);
}

// A probe whose reads of user memory are judged high: data paths, exec, TLS, typed input.
bool isSensitiveProbe(const AstProbe &probe)
{
    return std::any_of(probe.attachPoints.cbegin(), probe.attachPoints.cend(), [](const QString &spec) {
        return !dataPath(spec).isEmpty() || isExecPath(spec) || !tlsTarget(spec).isEmpty()
            || !inputFunction(spec).isEmpty();
    });
}

// Maps that hold a pointer into a process's memory stored by a sensitive probe (@b[tid] = args.buf
// on read()), with the attach points of the probes that stored it: whoever reads memory through
// such a map reads what those probes see. A map assigned from such a map carries it on.
QHash<QString, QStringList> carriedPointers(const BpftraceAst &ast, const std::vector<Assignments> &assignments)
{
    QHash<QString, QStringList> carried;
    auto add = [&carried](const QString &map, const QStringList &specs) {
        bool changed = false;
        QStringList &into = carried[map];
        for (const QString &spec : specs) {
            if (!into.contains(spec)) {
                into.append(spec);
                changed = true;
            }
        }
        return changed;
    };
    for (size_t p = 0; p < ast.probes.size(); ++p) {
        const AstProbe &probe = ast.probes[p];
        if (!isSensitiveProbe(probe))
            continue;
        for (auto it = assignments[p].cbegin(); it != assignments[p].cend(); ++it) {
            if (!it.key().startsWith(u'@'))
                continue;
            for (const AstNode *value : it.value()) {
                if (value->userMemory)
                    add(it.key(), probe.attachPoints);
            }
        }
    }
    for (int round = 0; round < MaxFollow; ++round) {
        bool changed = false;
        for (size_t p = 0; p < ast.probes.size(); ++p) {
            for (auto it = assignments[p].cbegin(); it != assignments[p].cend(); ++it) {
                if (!it.key().startsWith(u'@'))
                    continue;
                for (const AstNode *value : it.value()) {
                    if (!value->userMemory)
                        continue;
                    anyInside(*value, assignments[p], [&](const AstNode &n) {
                        if (n.kind == u"map" && n.userMemory && n.text != it.key() && carried.contains(n.text))
                            changed = add(it.key(), carried.value(n.text)) || changed;
                        return false;
                    });
                }
            }
        }
        if (!changed)
            break;
    }
    return carried;
}

// The attach points of the probes that stored the pointers `node` reads through.
QStringList carriedFrom(const AstNode &node, const Assignments &vars, const QHash<QString, QStringList> &carried)
{
    QStringList out;
    anyInside(node, vars, [&](const AstNode &n) {
        if (n.kind == u"map" && n.userMemory) {
            for (const QString &spec : carried.value(n.text)) {
                if (!out.contains(spec))
                    out.append(spec);
            }
        }
        return false;
    });
    return out;
}

BlockView withCarried(BlockView view, const QStringList &from)
{
    for (const QString &spec : from) {
        if (!view.specs.contains(spec))
            view.specs.append(spec);
    }
    return view;
}

QList<QString> literalStrings(const QString &arguments)
{
    QList<QString> out;
    static const QRegularExpression re(u"\"((?:[^\"\\\\]|\\\\.)*)\""_s);
    for (auto it = re.globalMatch(arguments); it.hasNext();)
        out.append(it.next().captured(1));
    return out;
}

int countArguments(const QString &arguments)
{
    if (arguments.trimmed().isEmpty())
        return 0;
    int depth = 0;
    int count = 1;
    bool inString = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QChar c = arguments.at(i);
        if (inString) {
            if (c == u'\\')
                ++i;
            else if (c == u'"')
                inString = false;
        } else if (c == u'"') {
            inString = true;
        } else if (c == u'(' || c == u'[') {
            ++depth;
        } else if (c == u')' || c == u']') {
            --depth;
        } else if (c == u',' && depth == 0) {
            ++count;
        }
    }
    return count;
}

void analyzeSpec(ScriptAnalysis &a, const ProbeSpec &spec, bool *userContext)
{
    const QString text = spec.text;
    if (text == u"BEGIN" || text == u"END" || text == u"begin" || text == u"end")
        return;
    const qsizetype colon = text.indexOf(u':');
    const QString provider = ProbeCatalog::canonicalProvider(colon < 0 ? text : text.left(colon));
    QStringList parts = text.split(u':');
    const bool wildcard = text.contains(u'*') || text.contains(u'?') || text.contains(u'[');

    if (provider == u"profile" || provider == u"interval") {
        if (parts.size() >= 3) {
            const double hz = rateHz(parts.at(1), parts.at(2));
            const bool profile = provider == u"profile";
            const double high = profile ? ProfileHighHz : IntervalHighHz;
            const double medium = profile ? ProfileMediumHz : IntervalMediumHz;
            const QString where = profile ? u" on every CPU"_s : QString();
            if (hz > high)
                addFinding(a, RiskLevel::High, u"high-frequency"_s,
                    u"%1 fires %2 times a second%3"_s.arg(text).arg(qRound64(hz)).arg(where), spec.line);
            else if (hz > medium)
                addFinding(a, RiskLevel::Medium, u"high-frequency"_s,
                    u"%1 fires %2 times a second%3"_s.arg(text).arg(qRound64(hz)).arg(where), spec.line);
        }
        return;
    }
    if (provider == u"hardware" || provider == u"software") {
        if (parts.size() >= 3) {
            bool ok = false;
            const qint64 count = parts.at(2).toLongLong(&ok);
            if (ok && count > 0 && count < EventCountMedium)
                addFinding(a, RiskLevel::Medium, u"high-frequency"_s,
                    u"%1 samples every %2 events, which can be very often"_s.arg(text).arg(count), spec.line);
        }
        return;
    }
    if (provider == u"watchpoint" || provider == u"asyncwatchpoint") {
        addFinding(a, RiskLevel::Medium, u"watchpoint"_s, u"%1 sets a hardware watchpoint inside a process"_s.arg(text),
            spec.line);
        return;
    }
    const bool kernelFunctions
        = provider == u"kprobe" || provider == u"kretprobe" || provider == u"fentry" || provider == u"fexit";
    const bool user = provider == u"uprobe" || provider == u"uretprobe" || provider == u"usdt";
    if (user)
        *userContext = true;
    if (user && !tlsTarget(text).isEmpty()) {
        // Timing or counting TLS calls is a normal measurement; reading their data is what is high
        // risk, and the call rules rate that.
        addFinding(a, RiskLevel::Medium, u"tls"_s,
            u"%1 hooks a TLS/crypto library: it sees each encryption and decryption call of the programs using it"_s
                .arg(text),
            spec.line);
    }
    if (wildcard) {
        if (kernelFunctions || user) {
            addFinding(a, RiskLevel::Medium, u"wide-wildcard"_s,
                u"%1 is a wildcard over functions and may attach to thousands of probes"_s.arg(text), spec.line);
        } else if (provider == u"tracepoint" || provider == u"rawtracepoint") {
            // "tracepoint:*:*" or a wildcard category covers thousands of tracepoints.
            const bool broad = parts.size() >= 2 && (parts.at(1).contains(u'*') || parts.at(1).isEmpty());
            if (broad)
                addFinding(a, RiskLevel::Medium, u"wide-wildcard"_s,
                    u"%1 matches tracepoints of every category (thousands of probes)"_s.arg(text), spec.line);
        }
    }
}

// Exit codes that come from the elevation path, not from bpftrace: the helper's usage refusal
// (64, with its own prefix), pkexec's "dismissed" / "not authorised" (126, 127), ssh's own
// failure on a remote target (255: unreachable host, refused key; ssh also says 255 when the
// remote command died of a signal, so bpftrace gave no verdict either) and sudo -n's refusals (1,
// with nothing but sudo's own lines on stderr: sudo also warns, e.g. "unable to resolve host",
// before a bpftrace that then reports its own errors).
bool helperDidNotRunBpftrace(const QueryResult &result, bool overSsh)
{
    if (result.crashed)
        return false;
    if (result.exitCode == 64 && result.err.contains("tracedesk-helper:"))
        return true;
    if (result.exitCode == 126 || result.exitCode == 127)
        return true;
    if (result.exitCode == 255 && overSsh)
        return true;
    if (result.exitCode != 1)
        return false;
    const QList<QByteArray> lines = result.err.split('\n');
    bool any = false;
    for (const QByteArray &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        if (!line.startsWith("sudo:"))
            return false;
        any = true;
    }
    return any;
}

// An attach point that bpftrace counts as exactly one probe ("Attaching N probes...") and that
// `bpftrace -l` would list as one line or none: no wildcard, and of a kind whose name alone says
// what it attaches to. Measured with bpftrace 0.23.2: a literal kprobe or uprobe that does not
// exist still counts as one (bpftrace warns "is not traceable", or fails to attach it), while -l
// leaves it out; a missing tracepoint fails the compile check. usdt (every provider of that name),
// C++ uprobes (overloads), raw tracepoints, fentry, iterators and watchpoints go through -l.
bool countsAsOneProbe(const QString &spec)
{
    if (spec == u"BEGIN" || spec == u"END")
        return true;
    if (ProbeCatalog::isGlob(spec) || spec.contains(u'"') || spec.contains(u'$'))
        return false;
    const QStringList parts = specParts(spec);
    if (std::any_of(parts.cbegin(), parts.cend(), [](const QString &part) { return part.isEmpty(); }))
        return false;
    const QString &provider = parts.first();
    if (provider == u"tracepoint" || provider == u"interval" || provider == u"profile")
        return parts.size() == 3;
    if (provider == u"software" || provider == u"hardware" || provider == u"kprobe" || provider == u"kretprobe")
        return parts.size() == 2 || parts.size() == 3;
    if (provider == u"uprobe" || provider == u"uretprobe")
        return parts.size() == 3; // a fourth part is a language ("cpp"), whose names can be overloaded
    return false;
}

bool allCountAsOneProbe(const QStringList &specs)
{
    return !specs.isEmpty() && std::all_of(specs.cbegin(), specs.cend(), countsAsOneProbe);
}

// What the program attaches to, from bpftrace's own typed AST (the stdout of `-d ast`), when
// every attach point there counts as one probe and the text analysis saw as many: then no
// `bpftrace -l` is needed. nullopt when the AST does not vouch for it (no AST, a wildcard, a kind
// only -l can count, or a disagreement with the text that one of the two misread).
std::optional<QStringList> literalAttachList(const QByteArray &astOutput, qsizetype textSpecs)
{
    const std::optional<BpftraceAst> ast = BpftraceAst::parse(QString::fromUtf8(astOutput));
    if (!ast)
        return std::nullopt;
    QStringList attach;
    for (const AstProbe &probe : ast->probes)
        attach += probe.attachPoints;
    if (attach.size() != textSpecs || !allCountAsOneProbe(attach))
        return std::nullopt;
    return attach;
}

} // namespace

QJsonObject Finding::toJson() const
{
    QJsonObject o { { u"level"_s, riskLevelName(level) }, { u"code"_s, code }, { u"message"_s, message } };
    if (line > 0)
        o.insert(u"line"_s, line);
    return o;
}

Finding Finding::fromJson(const QJsonObject &object)
{
    Finding f;
    f.level = riskFromName(object.value(u"level"_s).toString());
    f.code = object.value(u"code"_s).toString();
    f.message = object.value(u"message"_s).toString();
    f.line = object.value(u"line"_s).toInt();
    return f;
}

bool ScriptAnalysis::hasErrors() const
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(),
        [](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; });
}

ScriptAnalysis ScriptAnalysis::worstOf(const QList<std::pair<QString, ScriptAnalysis>> &perTarget)
{
    if (perTarget.isEmpty())
        return {};
    auto badness = [](const ScriptAnalysis &a) { return std::tuple(a.hasErrors(), int(a.risk), !a.complete); };
    qsizetype worst = 0;
    for (qsizetype i = 1; i < perTarget.size(); ++i) {
        if (badness(perTarget.at(i).second) > badness(perTarget.at(worst).second))
            worst = i;
    }
    ScriptAnalysis combined = perTarget.at(worst).second;
    // "bpftrace did not check it on the target" says which target only with its name.
    if (perTarget.size() > 1 && !combined.uncheckedReason.isEmpty())
        combined.uncheckedReason = perTarget.at(worst).first + u": "_s + combined.uncheckedReason;
    int attachTotal = 0;
    for (qsizetype i = 0; i < perTarget.size(); ++i) {
        const auto &[name, analysis] = perTarget.at(i);
        combined.complete = combined.complete && analysis.complete;
        combined.checked = combined.checked && analysis.checked;
        combined.expanded = combined.expanded && analysis.expanded;
        combined.fromAst = combined.fromAst && analysis.fromAst;
        combined.needsUnsafe = combined.needsUnsafe || analysis.needsUnsafe;
        combined.risk = std::max(combined.risk, analysis.risk);
        attachTotal = attachTotal < 0 || analysis.attachCount < 0 ? -1 : attachTotal + analysis.attachCount;
        if (i == worst)
            continue;
        if (combined.uncheckedReason.isEmpty() && !analysis.uncheckedReason.isEmpty())
            combined.uncheckedReason = name + u": "_s + analysis.uncheckedReason;
        // What only some targets say is said with their name, so the person sees where.
        for (const Finding &finding : analysis.findings) {
            if (!combined.findings.contains(finding)) {
                Finding named = finding;
                named.message = name + u": "_s + finding.message;
                combined.findings.append(named);
            }
        }
    }
    combined.attachCount = attachTotal;

    // Errors: each one once, with the targets that report it, the worst target's first. One
    // that every target reports (a typo, an unknown function) carries no names; one only some
    // report is said with theirs, so the person sees where.
    QList<std::pair<Diagnostic, QStringList>> errors;
    QList<qsizetype> order { worst };
    for (qsizetype i = 0; i < perTarget.size(); ++i) {
        if (i != worst)
            order.append(i);
    }
    for (const qsizetype i : std::as_const(order)) {
        const auto &[name, analysis] = perTarget.at(i);
        for (const Diagnostic &diagnostic : analysis.diagnostics) {
            if (diagnostic.severity != Diagnostic::Severity::Error)
                continue;
            const auto known = std::find_if(errors.begin(), errors.end(),
                [&](const std::pair<Diagnostic, QStringList> &e) { return e.first == diagnostic; });
            if (known == errors.end())
                errors.append({ diagnostic, { name } });
            else if (!known->second.contains(name))
                known->second.append(name);
        }
    }
    combined.diagnostics.removeIf([](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; });
    for (auto &[diagnostic, names] : errors) {
        if (names.size() < perTarget.size())
            diagnostic.message = names.join(u", "_s) + u": "_s + diagnostic.message;
        combined.diagnostics.append(diagnostic);
    }
    std::stable_sort(combined.findings.begin(), combined.findings.end(),
        [](const Finding &a, const Finding &b) { return int(a.level) > int(b.level); });
    return combined;
}

QStringList ScriptAnalysis::reasons() const
{
    QList<Finding> sorted = findings;
    std::stable_sort(
        sorted.begin(), sorted.end(), [](const Finding &x, const Finding &y) { return int(x.level) > int(y.level); });
    QStringList out;
    for (const Finding &f : std::as_const(sorted)) {
        QString text = riskLevelName(f.level) + u": "_s + f.message;
        if (f.line > 0)
            text += u" (line %1)"_s.arg(f.line);
        out.append(text);
    }
    return out;
}

QJsonObject ScriptAnalysis::toJson() const
{
    QJsonArray findingsJson;
    for (const Finding &f : findings)
        findingsJson.append(f.toJson());
    QJsonArray diagnosticsJson;
    for (const Diagnostic &d : diagnostics)
        diagnosticsJson.append(d.toJson());
    QJsonObject o {
        { u"probeSpecs"_s, QJsonArray::fromStringList(probeSpecs) },
        { u"attachList"_s, QJsonArray::fromStringList(attachList) },
        { u"attachCount"_s, attachCount },
        { u"expanded"_s, expanded },
        { u"unsafeBuiltins"_s, QJsonArray::fromStringList(unsafeBuiltins) },
        { u"needsUnsafe"_s, needsUnsafe },
        { u"findings"_s, findingsJson },
        { u"reasons"_s, QJsonArray::fromStringList(reasons()) },
        { u"diagnostics"_s, diagnosticsJson },
        { u"risk"_s, riskLevelName(risk) },
        { u"complete"_s, complete },
        { u"checked"_s, checked },
    };
    if (!uncheckedReason.isEmpty())
        o.insert(u"uncheckedReason"_s, uncheckedReason);
    // Only when set, so that the JSON of a text-only analysis is what it always was.
    if (fromAst)
        o.insert(u"fromAst"_s, true);
    if (!maps.isEmpty())
        o.insert(u"maps"_s, QJsonArray::fromStringList(maps));
    if (!mapDetails.isEmpty()) {
        QJsonArray details;
        for (const ScriptMap &map : mapDetails)
            details.append(map.toJson());
        o.insert(u"mapDetails"_s, details);
    }
    return o;
}

ScriptAnalysis ScriptAnalysis::fromJson(const QJsonObject &object)
{
    auto strings = [&](const QString &key) {
        QStringList out;
        const QJsonArray array = object.value(key).toArray();
        for (const QJsonValue &v : array)
            out.append(v.toString());
        return out;
    };
    ScriptAnalysis a;
    a.probeSpecs = strings(u"probeSpecs"_s);
    a.attachList = strings(u"attachList"_s);
    a.attachCount = object.value(u"attachCount"_s).toInt(-1);
    a.expanded = object.value(u"expanded"_s).toBool();
    a.unsafeBuiltins = strings(u"unsafeBuiltins"_s);
    a.needsUnsafe = object.value(u"needsUnsafe"_s).toBool();
    const QJsonArray findings = object.value(u"findings"_s).toArray();
    for (const QJsonValue &v : findings)
        a.findings.append(Finding::fromJson(v.toObject()));
    const QJsonArray diagnostics = object.value(u"diagnostics"_s).toArray();
    for (const QJsonValue &v : diagnostics)
        a.diagnostics.append(Diagnostic::fromJson(v.toObject()));
    a.risk = riskFromName(object.value(u"risk"_s).toString());
    a.complete = object.value(u"complete"_s).toBool();
    a.checked = object.value(u"checked"_s).toBool();
    a.uncheckedReason = object.value(u"uncheckedReason"_s).toString();
    a.fromAst = object.value(u"fromAst"_s).toBool();
    a.maps = strings(u"maps"_s);
    for (const QJsonValue &v : object.value(u"mapDetails"_s).toArray())
        a.mapDetails.append(ScriptMap::fromJson(v.toObject()));
    return a;
}

const ScriptMap *ScriptAnalysis::mapDetail(const QString &name) const
{
    for (const ScriptMap &map : mapDetails) {
        if (map.name == name)
            return &map;
    }
    return nullptr;
}

QJsonObject ScriptMap::toJson() const
{
    return QJsonObject { { u"name"_s, name }, { u"keyTypes"_s, QJsonArray::fromStringList(keyTypes) },
        { u"valueType"_s, valueType }, { u"clearedAfterPrint"_s, clearedAfterPrint } };
}

ScriptMap ScriptMap::fromJson(const QJsonObject &object)
{
    ScriptMap map;
    map.name = object.value(u"name"_s).toString();
    for (const QJsonValue &v : object.value(u"keyTypes"_s).toArray())
        map.keyTypes.append(v.toString());
    map.valueType = object.value(u"valueType"_s).toString();
    map.clearedAfterPrint = object.value(u"clearedAfterPrint"_s).toBool();
    return map;
}

namespace {
// The key types of each map, one per part in order (AstMap::keyTypes is the set of types a map
// is used with, which a key like @[pid, tid] shrinks to one), taken from its first keyed use;
// and whether a block that prints it also clears or zeroes it.
QList<ScriptMap> scriptMaps(const BpftraceAst &ast)
{
    QHash<QString, QStringList> keyTypes;
    std::function<void(const AstNode &, QStringList &)> flatten = [&](const AstNode &key, QStringList &out) {
        if (key.kind == u"tuple") {
            for (const AstNode &part : key.children)
                flatten(part, out);
        } else {
            out.append(key.type);
        }
    };
    std::function<void(const AstNode &)> walk = [&](const AstNode &node) {
        if (node.kind == u"map" && !node.children.empty() && !keyTypes.contains(node.text)) {
            QStringList types;
            for (const AstNode &key : node.children)
                flatten(key, types);
            keyTypes.insert(node.text, types);
        }
        for (const AstNode &child : node.children)
            walk(child);
    };
    for (const AstProbe &probe : ast.probes) {
        if (probe.predicate)
            walk(*probe.predicate);
        for (const AstNode &statement : probe.statements)
            walk(statement);
    }
    auto mapArgument = [](const AstCall &call) {
        return !call.arguments.empty() && call.arguments.front().kind == u"map" ? call.arguments.front().text
                                                                                : QString();
    };
    QSet<std::pair<int, QString>> printed;
    for (const AstCall &call : ast.calls) {
        if (call.name == u"print")
            printed.insert({ call.probe, mapArgument(call) });
    }
    QList<ScriptMap> out;
    for (const AstMap &map : ast.maps) {
        ScriptMap m { map.name, keyTypes.value(map.name), map.valueType, false };
        for (const AstCall &call : ast.calls) {
            if ((call.name == u"clear" || call.name == u"zero") && mapArgument(call) == map.name
                && printed.contains({ call.probe, map.name }))
                m.clearedAfterPrint = true;
        }
        out.append(m);
    }
    return out;
}
} // namespace

ScriptAnalyzer::ScriptAnalyzer(QObject *parent)
    : QObject(parent)
{ }

ScriptAnalysis ScriptAnalyzer::withoutAnalyzer(const QString &script, const QString &target, Absence absence)
{
    ScriptAnalysis none = analyzeText(script);
    none.complete = true;
    none.checked = false;
    none.uncheckedReason = absence == Absence::Removed
        ? u"target %1 was removed before its bpftrace answered"_s.arg(target)
        : u"no analyzer for target %1"_s.arg(target);
    addNotCheckedFinding(none);
    recomputeRisk(none);
    return none;
}

void ScriptAnalyzer::analyzeOnTargets(const QString &script, TargetAnalyzers targets, QObject *context,
    std::function<void(qsizetype, const ScriptAnalysis &)> each, std::function<void(const PerTarget &)> all)
{
    Q_ASSERT(context);
    const QPointer<QObject> guard(context);
    if (targets.isEmpty()) {
        if (all && guard)
            all({});
        return;
    }
    struct Answers
    {
        qsizetype waiting = 0;
        PerTarget perTarget;
        QList<bool> answered;
        QList<QMetaObject::Connection> gone; ///< each analyzer's destroyed(), until it answered
    };
    auto answers = std::make_shared<Answers>();
    for (const auto &[target, analyzer] : targets) {
        answers->perTarget.append({ target, ScriptAnalysis() });
        answers->answered.append(false);
        answers->gone.append(QMetaObject::Connection());
    }
    answers->waiting = answers->perTarget.size();
    auto answer = [answers, guard, each = std::move(each), all = std::move(all)](
                      qsizetype index, const ScriptAnalysis &analysis) {
        if (answers->answered.at(index) || !guard)
            return;
        answers->answered[index] = true;
        QObject::disconnect(answers->gone.at(index));
        answers->perTarget[index].second = analysis;
        if (each)
            each(index, analysis);
        if (--answers->waiting == 0 && guard && all)
            all(answers->perTarget);
    };
    for (qsizetype i = 0; i < targets.size(); ++i) {
        const auto &[target, analyzer] = targets.at(i);
        // Never from inside this call: a caller that goes on to decide (an approval with an
        // edit, say) must not have the answer decide first.
        if (!analyzer) {
            QTimer::singleShot(0, context, [answer, script, i, target] { answer(i, withoutAnalyzer(script, target)); });
            continue;
        }
        // Queued: destroyed() comes from inside its owner's teardown (a target being removed),
        // which should be over before the request is judged and decided.
        answers->gone[i] = connect(
            analyzer, &QObject::destroyed, context,
            [answer, script, i, target] { answer(i, withoutAnalyzer(script, target, Absence::Removed)); },
            Qt::QueuedConnection);
        analyzer->analyze(script, context, [answer, i](const ScriptAnalysis &analysis) { answer(i, analysis); });
    }
}

void ScriptAnalyzer::setBpftraceCommand(const LaunchCommand &command)
{
    m_command = command;
    m_launcher = nullptr;
    m_cache.clear();
}

void ScriptAnalyzer::setLauncher(LaunchBuilder launcher)
{
    m_command = launcher({});
    m_launcher = std::move(launcher);
    m_cache.clear();
}

QByteArray ScriptAnalyzer::cacheKey(const QString &script) const
{
    // Everything the verdict depends on: the script, the exact command (a different bpftrace or
    // helper is a different judge; a replaced binary has a new mtime) and what was asked.
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const QFileInfo program(m_command.program);
    hash.addData(script.toUtf8());
    hash.addData(QByteArrayView("\0"));
    hash.addData(m_command.program.toUtf8());
    hash.addData(QByteArray::number(program.lastModified().toMSecsSinceEpoch()));
    for (const QString &argument : m_command.arguments) {
        hash.addData(QByteArrayView("\0"));
        hash.addData(argument.toUtf8());
        // Through pkexec, sudo or the helper the real bpftrace is an argument: replaced, it is
        // another judge too.
        if (argument.startsWith(u'/'))
            hash.addData(QByteArray::number(QFileInfo(argument).lastModified().toMSecsSinceEpoch()));
    }
    hash.addData(QByteArrayView(m_command.viaHelper ? "\1h" : "\1d"));
    hash.addData(QByteArrayView(m_expand ? "\1e" : "\1c"));
    hash.addData(QByteArray::number(m_timeoutMs));
    return hash.result();
}

const ScriptAnalysis *ScriptAnalyzer::cached(const QByteArray &key)
{
    const auto it = m_cache.find(key);
    if (it == m_cache.end())
        return nullptr;
    if (it->expires.hasExpired()) {
        m_cache.erase(it);
        return nullptr;
    }
    it->lastUse = ++m_useCounter;
    return &it->analysis;
}

void ScriptAnalyzer::remember(const QByteArray &key, const ScriptAnalysis &analysis)
{
    // Only a verdict bpftrace reached: a timeout or a helper that did not run may go away.
    if (!analysis.complete || !analysis.checked)
        return;
    if (m_cache.size() >= CacheEntries && !m_cache.contains(key)) {
        auto oldest = m_cache.begin();
        for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
            if (it->lastUse < oldest->lastUse)
                oldest = it;
        }
        m_cache.erase(oldest);
    }
    m_cache.insert(key, CacheEntry { analysis, QDeadlineTimer(CacheLifetimeMs), ++m_useCounter });
}

ScriptAnalysis ScriptAnalyzer::analyzeText(const QString &script)
{
    ScriptAnalysis a;
    const TextModel model = textModel(script);
    a.diagnostics = model.problems;
    if (const std::string why = PreprocessorCheck::fileAccess(script.toStdString()); !why.empty())
        addFinding(a, RiskLevel::High, u"file-read"_s,
            u"%1; bpftrace's compiler runs as root, so TraceDesk does not compile it"_s.arg(
                QString::fromStdString(why)),
            0);

    for (const TextBlock &block : model.blocks) {
        bool userContext = false;
        BlockView view;
        view.filtered = block.filtered;
        view.line = block.specs.isEmpty() ? 0 : block.specs.first().line;
        for (const ProbeSpec &spec : block.specs) {
            a.probeSpecs.append(spec.text);
            view.specs.append(spec.text);
            analyzeSpec(a, spec, &userContext);
        }
        for (const TextCall &tc : block.calls) {
            CallView call;
            call.name = tc.call.name;
            call.source = tc.call.name + u'(' + tc.call.arguments + u')';
            call.firstArgument = tc.call.argument;
            call.stringArguments = literalStrings(tc.call.arguments);
            call.argumentCount = countArguments(tc.call.arguments);
            call.line = tc.line;
            applyCallRules(a, view, call);
        }
    }
    a.needsUnsafe = !a.unsafeBuiltins.isEmpty();
    if (a.probeSpecs.isEmpty() && a.diagnostics.isEmpty() && !script.trimmed().isEmpty())
        a.diagnostics.append({ Diagnostic::Severity::Error, 0, 0, 0,
            u"no probe found: a program needs at least one "
            u"probe block such as BEGIN { ... }"_s });
    recomputeRisk(a);
    return a;
}

void ScriptAnalyzer::applyAst(ScriptAnalysis &analysis, const QByteArray &astOutput, const QString &script)
{
    const std::optional<BpftraceAst> ast = BpftraceAst::parse(QString::fromUtf8(astOutput));
    if (!ast) {
        analysis.fromAst = false;
        addFinding(analysis, RiskLevel::Medium, u"ast-unavailable"_s,
            analysis.hasErrors()
                ? u"bpftrace stopped before its own analysis of the program, so only its text was read: "
                  u"rated at least medium"_s
                : u"this bpftrace did not show its own analysis of the program (-d ast), so only its text was "
                  u"read: rated at least medium"_s,
            0);
        recomputeRisk(analysis);
        return;
    }
    analysis.fromAst = true;
    analysis.maps = ast->mapNames();
    analysis.mapDetails = scriptMaps(*ast);

    // Line numbers: bpftrace's AST has none, so a call takes the line of the same call (name and
    // rank within its block) in the text when the two agree on the block's attach points.
    const TextModel model = textModel(script);
    QList<int> probeBlocks; // AST probe index -> text block index, -1 when unmatched
    {
        int next = 0;
        for (const AstProbe &probe : ast->probes) {
            int match = -1;
            if (probe.function != u"config" && next < model.blocks.size()) {
                const TextBlock &block = model.blocks.at(next);
                const bool function = !probe.function.isEmpty();
                if (block.function == function && (function || block.specs.size() == probe.attachPoints.size()))
                    match = next++;
            }
            probeBlocks.append(match);
        }
    }
    auto lineOf = [&](const AstCall &call) {
        const int b = probeBlocks.value(call.probe, -1);
        QList<int> inBlock;
        QList<int> anywhere;
        for (int i = 0; i < model.blocks.size(); ++i) {
            for (const TextCall &tc : model.blocks.at(i).calls) {
                if (tc.call.name != call.name)
                    continue;
                anywhere.append(tc.line);
                if (i == b)
                    inBlock.append(tc.line);
            }
        }
        int sameInAst = 0;
        for (const AstCall &other : ast->calls)
            sameInAst += other.probe == call.probe && other.name == call.name ? 1 : 0;
        if (b >= 0 && inBlock.size() == sameInAst)
            return inBlock.value(call.ordinal);
        return anywhere.size() == 1 ? anywhere.first() : 0;
    };

    ScriptAnalysis fromAst;
    QStringList specs;
    QList<BlockView> views;
    for (size_t p = 0; p < ast->probes.size(); ++p) {
        const AstProbe &probe = ast->probes[p];
        const int b = probeBlocks.value(int(p), -1);
        BlockView view;
        view.specs = probe.attachPoints;
        view.filtered = probe.predicate.has_value();
        view.predicate = probe.predicate ? probe.predicate->source() : QString();
        bool userContext = false;
        for (qsizetype i = 0; i < probe.attachPoints.size(); ++i) {
            const int line = b >= 0 ? model.blocks.at(b).specs.value(i).line : 0;
            specs.append(probe.attachPoints.at(i));
            analyzeSpec(fromAst, { probe.attachPoints.at(i), line }, &userContext);
        }
        views.append(view);
    }
    // A function's body runs in the probes that call it, and its parameters carry no address
    // space: judge its calls as if written in each of those probes, on user memory.
    for (size_t p = 0; p < ast->probes.size(); ++p) {
        const QString &function = ast->probes[p].function;
        if (function.isEmpty() || function == u"config")
            continue;
        for (const AstCall &caller : ast->calls) {
            if (caller.name != function || caller.probe < 0 || caller.probe == int(p))
                continue;
            for (const QString &spec : ast->probes[size_t(caller.probe)].attachPoints) {
                if (!views[int(p)].specs.contains(spec))
                    views[int(p)].specs.append(spec);
            }
        }
    }
    std::vector<Assignments> assignments;
    for (const AstProbe &probe : ast->probes)
        assignments.push_back(probeAssignments(probe));
    const QHash<QString, QStringList> carried = carriedPointers(*ast, assignments);
    const Assignments noAssignments;
    for (const AstCall &call : ast->calls) {
        const Assignments &vars = call.probe >= 0 ? assignments[size_t(call.probe)] : noAssignments;
        QStringList from;
        CallView view;
        view.name = call.name;
        QStringList arguments;
        for (const AstNode &argument : call.arguments) {
            arguments.append(argument.source());
            if (argument.kind == u"string")
                view.stringArguments.append(argument.text);
        }
        view.source = call.name + u'(' + arguments.join(u", "_s) + u')';
        view.argumentCount = int(call.arguments.size());
        if (!call.arguments.empty()) {
            const AstNode &first = call.arguments.front();
            view.firstArgument = first.source();
            const bool inFunction = call.probe >= 0 && !ast->probes[size_t(call.probe)].function.isEmpty();
            view.memory = first.userMemory || inFunction ? Memory::User : Memory::Kernel;
            view.fileName = onlyFileName(first, vars);
            view.commandLine = readsCommandLine(first, vars);
            if (captureCalls().contains(call.name))
                from = carriedFrom(first, vars, carried);
        }
        view.line = lineOf(call);
        applyCallRules(fromAst, withCarried(views.value(call.probe), from), view);
    }

    // Reads through user pointers copy memory as str() does, so they are judged the same way where
    // that is high; elsewhere a field read (a nanosleep() timespec) is not a capture. The first read
    // of each kind of finding in a block speaks for the others.
    for (size_t p = 0; p < ast->probes.size(); ++p) {
        const AstProbe &probe = ast->probes[p];
        if (probe.function == u"config")
            continue;
        std::vector<const AstNode *> reads;
        if (probe.predicate)
            collectUserReads(*probe.predicate, reads);
        for (const AstNode &statement : probe.statements)
            collectUserReads(statement, reads);
        const int b = probeBlocks.value(int(p), -1);
        const int line = b >= 0 && !model.blocks.at(b).specs.isEmpty() ? model.blocks.at(b).specs.first().line : 0;
        ScriptAnalysis judged;
        for (const AstNode *read : reads) {
            CallView view;
            view.name = read->kind;
            view.source = read->source();
            view.firstArgument = view.source;
            view.memory = Memory::User;
            view.read = true;
            view.fileName = onlyFileName(*read, assignments[p]);
            view.commandLine = readsCommandLine(*read, assignments[p]);
            view.line = line;
            ScriptAnalysis one;
            applyCaptureRules(one, withCarried(views.value(int(p)), carriedFrom(*read, assignments[p], carried)), view);
            for (const Finding &f : std::as_const(one.findings)) {
                if (f.level != RiskLevel::High)
                    continue;
                const bool seen = std::any_of(judged.findings.cbegin(), judged.findings.cend(),
                    [&f](const Finding &g) { return g.code == f.code && g.level == f.level; });
                if (!seen) {
                    judged.findings.append(f);
                    addFinding(fromAst, f.level, f.code, f.message, f.line);
                }
            }
        }
    }

    // bpftrace's view wins where it says more; a text finding stays unless the AST has the same kind
    // of finding at least as high, so the higher of the two always counts.
    QList<Finding> merged = fromAst.findings;
    for (const Finding &f : std::as_const(analysis.findings)) {
        const bool covered = std::any_of(merged.cbegin(), merged.cend(), [&f](const Finding &g) {
            return g.code == f.code && int(g.level) >= int(f.level) && (g.line == f.line || g.line == 0 || f.line == 0);
        });
        if (!covered)
            merged.append(f);
    }
    analysis.findings = merged;
    for (const QString &name : std::as_const(fromAst.unsafeBuiltins))
        addUnsafe(analysis, name);
    analysis.needsUnsafe = !analysis.unsafeBuiltins.isEmpty();
    if (!specs.isEmpty())
        analysis.probeSpecs = specs;
    recomputeRisk(analysis);
}

void ScriptAnalyzer::applyExpansion(ScriptAnalysis &analysis, const QByteArray &listOutput, bool listOk)
{
    if (!listOk)
        return;
    QStringList attach;
    const QList<QByteArray> rows = listOutput.split('\n');
    for (const QByteArray &row : rows) {
        const QByteArray probe = row.trimmed();
        if (probe.isEmpty() || !probe.contains(':') || probe.contains(' '))
            continue;
        attach.append(QString::fromUtf8(probe));
    }
    applyAttachList(analysis, attach);
}

bool ScriptAnalyzer::applyLiteralAttachPoints(
    ScriptAnalysis &analysis, const QByteArray &astOutput, qsizetype textSpecs)
{
    const std::optional<QStringList> attach = literalAttachList(astOutput, textSpecs);
    if (!attach)
        return false;
    applyAttachList(analysis, *attach);
    return true;
}

void ScriptAnalyzer::applyAttachList(ScriptAnalysis &analysis, const QStringList &attach)
{
    analysis.attachList = attach;
    analysis.attachCount = int(attach.size());
    analysis.expanded = true;
    const int n = analysis.attachCount;
    // A wildcard that expands to nothing attaches nothing: bpftrace may still compile it (uprobes),
    // but the program cannot do what it says.
    for (const QString &spec : std::as_const(analysis.probeSpecs)) {
        QStringList parts = specParts(spec);
        if (!ProbeCatalog::isGlob(spec) || parts.size() < 2)
            continue;
        if (isUserProvider(parts.first()) && !parts.at(1).startsWith(u'/'))
            continue; // "uprobe:libc:..." is listed under the library's full path
        const QString canonical = parts.join(u':');
        const bool any = std::any_of(attach.cbegin(), attach.cend(),
            [&canonical](const QString &probe) { return globMatches(canonical, probe); });
        if (!any) {
            const Diagnostic d { Diagnostic::Severity::Error, 0, 0, 0, u"%1 matches no probe"_s.arg(spec) };
            if (!analysis.diagnostics.contains(d))
                analysis.diagnostics.append(d);
        }
    }
    const bool tlsKnown = std::any_of(
        analysis.findings.cbegin(), analysis.findings.cend(), [](const Finding &f) { return f.code == u"tls"; });
    for (const QString &probe : std::as_const(attach)) {
        if (tlsKnown)
            break; // the attach points already said so, with their lines
        if (const QString tls = tlsTarget(probe); !tls.isEmpty()) {
            addFinding(analysis, RiskLevel::Medium, u"tls"_s,
                u"attaches to %1, in a TLS/crypto library: it sees each encryption and decryption call"_s.arg(probe),
                0);
            break;
        }
    }
    if (n > ExpansionHigh)
        addFinding(analysis, RiskLevel::High, u"wide-wildcard"_s,
            u"attaches to %1 probes: expect a noticeable slowdown while it runs"_s.arg(n), 0);
    else if (n > ExpansionMedium)
        addFinding(analysis, RiskLevel::Medium, u"wide-wildcard"_s, u"attaches to %1 probes"_s.arg(n), 0);
    recomputeRisk(analysis);
}

void ScriptAnalyzer::applyCompile(ScriptAnalysis &analysis, const QByteArray &stderrOutput, bool compileOk)
{
    QList<Diagnostic> found = BpftraceDiagnosticParser::parseAll(QString::fromUtf8(stderrOutput));
    if (!compileOk && std::none_of(found.cbegin(), found.cend(), [](const Diagnostic &d) {
            return d.severity == Diagnostic::Severity::Error;
        })) {
        QString message = QString::fromUtf8(stderrOutput).trimmed().section(u'\n', -1);
        found.append({ Diagnostic::Severity::Error, 0, 0, 0,
            message.isEmpty() ? u"bpftrace could not compile the program"_s : message });
    }
    // bpftrace's own diagnostics are authoritative: they replace our quick structural guesses.
    if (!found.isEmpty() || compileOk)
        analysis.diagnostics = found;
}

struct ScriptAnalyzer::Job
{
    ScriptAnalysis analysis;
    QByteArray key;
    QString script;
    QPointer<QObject> context;
    bool hasContext = false;
    Callback done;
    LaunchCommand command; ///< as when asked: the verdict is remembered under that judge's key
    LaunchBuilder launcher; ///< as when asked; empty: command's program and arguments, then bpftrace's
    bool expand = true;
    bool tooLongToList = false; ///< `-l -e` cannot take the script: its attach count may stay unknown
    qsizetype textSpecs = 0; ///< attach points the text analysis saw, to hold bpftrace's AST against
    int pending = 0;
    bool listStarted = false;
    QByteArray listOut;
    bool listOk = false;
    QByteArray compileErr;
    QByteArray compileOut; ///< the -d ast dump
    bool compileOk = false;
    bool compileRan = false;
    bool timedOut = false;
};

void ScriptAnalyzer::analyze(const QString &script, QObject *context, Callback done)
{
    const QByteArray key = cacheKey(script);
    if (const ScriptAnalysis *known = cached(key)) {
        // The callback comes from the event loop, as always.
        const QPointer<QObject> guard(context);
        QTimer::singleShot(0, this, [analysis = *known, guard, hasContext = context != nullptr, done] {
            if (!hasContext || guard)
                done(analysis);
        });
        return;
    }
    auto job = std::make_shared<Job>();
    job->key = key;
    job->script = script;
    job->analysis = analyzeText(script);
    job->textSpecs = job->analysis.probeSpecs.size();
    job->context = context;
    job->hasContext = context != nullptr;
    job->done = std::move(done);
    job->command = m_command;
    job->launcher = m_launcher;
    job->expand = m_expand;
    // Ends the analysis from the event loop, as always, without (more) bpftrace.
    auto endLater = [this, job] {
        ++job->pending;
        QTimer::singleShot(0, this, [this, job] { queryEnded(job); });
    };

    if (const std::string why = PreprocessorCheck::fileAccess(script.toStdString()); !why.empty()) {
        // Even the compile check would read the file as root and tell the client a bit of it.
        job->analysis.uncheckedReason = u"not compiled: %1"_s.arg(QString::fromStdString(why));
        endLater();
        return;
    }
    const bool fits = script.size() <= MaxScriptOnCommandLine;
    job->tooLongToList = job->expand && !fits;
    // One bpftrace run where it can be: `-d ast --emit-elf /dev/null` compiles the program to a
    // throw-away ELF (real diagnostics, bpftrace's typed AST) and attaches nothing. Attach points
    // without wildcards count one probe each, and the AST confirms them (queryEnded). Only a
    // wildcard, or a kind only `-l` can count, needs `bpftrace -l` as well, which lists what the
    // program would attach with wildcards expanded: started beside the compile check.
    if (job->expand && fits && !allCountAsOneProbe(job->analysis.probeSpecs))
        runQuery(job, { u"-l"_s, u"-e"_s, script }, QByteArray(), true);
    // `-d ast` prints bpftrace's AST after each pass on stdout; the one after semantic analysis
    // carries types and address spaces. The privilege helper accepts exactly this form.
    QStringList compileArgs { u"-d"_s, u"ast"_s, u"--emit-elf"_s, u"/dev/null"_s };
    if (job->analysis.needsUnsafe)
        compileArgs.append(u"--unsafe"_s);
    if (fits) {
        runQuery(job, compileArgs << u"-e"_s << script, QByteArray(), false);
    } else if (!m_command.viaHelper) {
        runQuery(job, compileArgs << u"-"_s, script.toUtf8(), false);
    } else {
        // The elevated helper's stdin carries stop requests, so a program this long has no way in.
        job->analysis.diagnostics.append({ Diagnostic::Severity::Note, 0, 0, 0,
            u"script too long to compile-check through the privilege helper; bpftrace checks it when it runs"_s });
        endLater();
    }
}

void ScriptAnalyzer::runQuery(
    const std::shared_ptr<Job> &job, const QStringList &arguments, const QByteArray &input, bool isList)
{
    ++job->pending;
    job->listStarted = job->listStarted || isList;
    LaunchCommand command = job->command;
    if (job->launcher) {
        command = job->launcher(arguments);
    } else {
        command.arguments += arguments;
    }
    const bool viaHelper = command.viaHelper;
    const bool overSsh = command.overSsh;
    QueryProcess::run(
        this, command, m_timeoutMs,
        [this, job, isList, viaHelper, overSsh](const QueryResult &result) {
            job->timedOut = job->timedOut || result.timedOut;
            if (!result.started) {
                job->analysis.diagnostics.append({ Diagnostic::Severity::Warning, 0, 0, 0,
                    u"cannot run bpftrace to check the program: %1"_s.arg(result.startError) });
                job->compileRan = false;
            } else if (isList) {
                job->listOut = result.out;
                job->listOk = result.ok();
            } else if (viaHelper && helperDidNotRunBpftrace(result, overSsh)) {
                // The helper refused, pkexec/sudo did not let it run (dismissed, no agent, no
                // rule) or ssh did not reach the target: bpftrace never saw the program, so
                // nothing was checked.
                job->compileRan = false;
                // On a target: ssh's own failure, or sh or sudo there; what they said tells which.
                job->analysis.uncheckedReason = overSsh
                    ? u"bpftrace did not check it on the target: %1"_s.arg(result.failureText())
                    : u"the privilege helper did not run bpftrace: %1"_s.arg(result.failureText());
            } else {
                job->compileErr = result.err;
                job->compileOut = result.out;
                job->compileOk = result.ok();
                job->compileRan = !result.crashed;
            }
            queryEnded(job);
        },
        input);
}

void ScriptAnalyzer::queryEnded(const std::shared_ptr<Job> &job)
{
    if (--job->pending > 0)
        return;
    ScriptAnalysis &a = job->analysis;
    // The text saw only attach points that count once each, so no -l ran. Unless bpftrace's AST
    // confirms them, -l counts them after all. Not when bpftrace stopped before its semantic
    // pass: both commands run the same parse first, and -l would fail where the compile did.
    const bool astShown = job->compileOk || job->compileOut.contains("AST after: Semantic");
    if (job->expand && !job->tooLongToList && !job->listStarted && job->compileRan && !job->timedOut && astShown
        && !literalAttachList(job->compileOut, job->textSpecs)) {
        runQuery(job, { u"-l"_s, u"-e"_s, job->script }, QByteArray(), true);
        return;
    }
    if (job->compileRan) {
        applyCompile(a, job->compileErr, job->compileOk);
        applyAst(a, job->compileOut, job->script);
        if (job->listStarted)
            applyExpansion(a, job->listOut, job->listOk);
        else if (job->expand)
            applyLiteralAttachPoints(a, job->compileOut, job->textSpecs);
    } else if (job->compileOut.contains("AST after: Semantic")) {
        // bpftrace crashed or was stopped after its semantic pass: what it printed of the
        // program still counts (it can only raise the risk; "not checked" stands).
        applyAst(a, job->compileOut, job->script);
    }
    if (job->tooLongToList && !a.expanded) {
        a.diagnostics.append(
            { Diagnostic::Severity::Note, 0, 0, 0, u"script too long to list its probes; compile check only"_s });
        // Nobody may approve a wildcard whose reach nobody was shown.
        addFinding(a, RiskLevel::Medium, u"not-expanded"_s,
            u"the script is too long (over %1 characters) for bpftrace to list the probes it attaches to, so "
            u"its wildcards were not expanded and the attach count is unknown: rated at least medium"_s.arg(
                MaxScriptOnCommandLine),
            0);
    }
    // Done, whatever the outcome: "checked" says whether bpftrace reached a verdict.
    a.complete = true;
    if (job->timedOut)
        a.diagnostics.append(
            { Diagnostic::Severity::Warning, 0, 0, 0, u"bpftrace took too long to check the program"_s });
    a.checked = job->compileRan && !job->timedOut;
    if (!a.checked && a.uncheckedReason.isEmpty())
        a.uncheckedReason = job->timedOut ? u"bpftrace took too long to check the program"_s
                                          : u"bpftrace could not be run to check the program"_s;
    if (!a.checked)
        addNotCheckedFinding(a);
    recomputeRisk(a);
    remember(job->key, a);
    if (job->hasContext && !job->context)
        return;
    job->done(a);
}
