// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/capabilities.h"

#include "engine/privilege.h"
#include "engine/queryprocess.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcCapabilities, "tracedesk.engine.capabilities", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace {

constexpr int QueryTimeoutMs = 30'000;

QJsonObject boolMap(const QMap<QString, bool> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonObject stringMap(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

} // namespace

class Capabilities::Private
{
public:
    LaunchBuilder launch = [](const QStringList &arguments) { return Privilege().wrapQuery(arguments); };
};

QJsonObject BpfInfo::toJson() const
{
    return QJsonObject {
        { u"version"_s, version },
        { u"kernelRelease"_s, kernelRelease },
        { u"system"_s, stringMap(system) },
        { u"build"_s, stringMap(build) },
        { u"kernelHelpers"_s, boolMap(helpers) },
        { u"kernelFeatures"_s, boolMap(features) },
        { u"mapTypes"_s, boolMap(mapTypes) },
        { u"probeTypes"_s, boolMap(probeTypes) },
        { u"values"_s, stringMap(values) },
    };
}

BpfInfo BpfInfo::parse(const QString &infoText, const QString &versionText)
{
    BpfInfo info;
    info.version = parseVersion(versionText);
    // --info prints section titles flush left and indented "key: value" entries, two per row in
    // the yes/no sections, separated by a run of spaces. Values never hold two spaces in a row.
    static const QRegularExpression columnGap(u"\\s{2,}"_s);
    QString section;
    const QStringList lines = infoText.split(u'\n');
    for (const QString &raw : lines) {
        if (raw.trimmed().isEmpty())
            continue;
        if (!raw.startsWith(u' ') && !raw.startsWith(u'\t')) {
            section = raw.trimmed().toLower();
            continue;
        }
        const QStringList cells = raw.trimmed().split(columnGap, Qt::SkipEmptyParts);
        for (const QString &cell : cells) {
            const qsizetype colon = cell.indexOf(u": "_s);
            QString key;
            QString value;
            if (colon > 0) {
                key = cell.left(colon).trimmed();
                value = cell.mid(colon + 2).trimmed();
            } else if (cell.endsWith(u':')) {
                key = cell.chopped(1).trimmed();
            } else {
                continue;
            }
            if (section == u"system") {
                info.system.insert(key, value);
            } else if (section == u"build") {
                info.build.insert(key, value);
                if (key == u"version" && info.version.isEmpty())
                    info.version = parseVersion(value);
            } else {
                QMap<QString, bool> *target = nullptr;
                if (section == u"kernel helpers")
                    target = &info.helpers;
                else if (section == u"kernel features")
                    target = &info.features;
                else if (section == u"map types")
                    target = &info.mapTypes;
                else if (section == u"probe types")
                    target = &info.probeTypes;
                if (!target)
                    continue;
                const QString lower = value.toLower();
                if (lower == u"yes" || lower == u"no")
                    target->insert(key, lower == u"yes");
                else
                    info.values.insert(key, value);
            }
        }
    }
    const QString os = info.system.value(u"OS"_s);
    // "Linux 6.18.44-fc-v782 #1 SMP ..." -> the release is the second word.
    const QStringList osWords = os.split(u' ', Qt::SkipEmptyParts);
    if (osWords.size() >= 2 && osWords.first() == u"Linux")
        info.kernelRelease = osWords.at(1);
    return info;
}

QString BpfInfo::parseVersion(const QString &versionText)
{
    static const QRegularExpression re(u"v?(\\d+\\.\\d+(?:\\.\\d+)?)"_s);
    const QRegularExpressionMatch m = re.match(versionText);
    return m.hasMatch() ? m.captured(1) : QString();
}

int BpfInfo::compareVersions(const QString &a, const QString &b)
{
    auto parts = [](const QString &v) {
        QString s = v.trimmed();
        if (s.startsWith(u'v'))
            s.remove(0, 1);
        QList<int> out;
        const QStringList fields = s.split(u'.');
        for (const QString &f : fields) {
            // "23-rc1" counts as 23
            qsizetype n = 0;
            while (n < f.size() && f.at(n).isDigit())
                ++n;
            out.append(f.left(n).toInt());
        }
        return out;
    };
    const QList<int> pa = parts(a);
    const QList<int> pb = parts(b);
    for (qsizetype i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        const int x = i < pa.size() ? pa.at(i) : 0;
        const int y = i < pb.size() ? pb.at(i) : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

QJsonObject BuiltinHelp::toJson() const
{
    QJsonObject o { { u"name"_s, name }, { u"kind"_s, kind }, { u"signature"_s, signature }, { u"summary"_s, summary },
        { u"since"_s, since } };
    if (unsafe)
        o.insert(u"unsafe"_s, true);
    return o;
}

Capabilities::Capabilities(QObject *parent)
    : QObject(parent)
    , d(new Private)
{ }

Capabilities::~Capabilities()
{
    delete d;
}

void Capabilities::setPrivilege(const Privilege &privilege)
{
    d->launch = [privilege](const QStringList &arguments) { return privilege.wrapQuery(arguments); };
}

void Capabilities::setLauncher(LaunchBuilder launcher)
{
    d->launch = std::move(launcher);
}

void Capabilities::refresh()
{
    if (m_pending > 0)
        return; // one refresh at a time; the running one will report
    m_pending = 2;
    m_versionText.clear();
    m_infoText.clear();
    m_infoError.clear();
    runQuery({ u"--version"_s }, true);
    runQuery({ u"--info"_s }, false);
}

void Capabilities::runQuery(const QStringList &arguments, bool isVersion)
{
    const LaunchCommand command = d->launch(arguments);
    QueryProcess::run(this, command, QueryTimeoutMs, [this, arguments, isVersion](const QueryResult &result) {
        const QString out = QString::fromUtf8(result.out);
        QString error;
        if (!result.started)
            error = u"cannot start bpftrace: %1"_s.arg(result.startError);
        else if (!result.ok() || (isVersion && BpfInfo::parseVersion(out).isEmpty()))
            error = u"bpftrace %1 failed: %2"_s.arg(arguments.join(u' '),
                result.timedOut ? u"no answer within %1 s"_s.arg(QueryTimeoutMs / 1000) : result.failureText());
        if (isVersion) {
            m_versionText = out;
            m_error = error;
        } else {
            m_infoText = out;
            m_infoError = error;
        }
        queryFinished();
    });
}

void Capabilities::queryFinished()
{
    if (--m_pending > 0)
        return;
    if (BpfInfo::parseVersion(m_versionText).isEmpty()) {
        m_ready = false;
        if (m_error.isEmpty())
            m_error = u"bpftrace did not report its version"_s;
        qCWarning(lcCapabilities) << m_error;
        Q_EMIT failed(m_error);
        return;
    }
    m_info = BpfInfo::parse(m_infoText, m_versionText);
    if (m_info.kernelRelease.isEmpty())
        m_info.kernelRelease = QSysInfo::kernelVersion();
    // --info needs privileges on most systems; the version alone is still worth reporting.
    m_error = m_infoError;
    m_ready = true;
    qCInfo(lcCapabilities) << "bpftrace" << m_info.version << "kernel" << m_info.kernelRelease;
    Q_EMIT ready();
}

QList<BuiltinHelp> Capabilities::builtins(const QString &bpftraceVersion)
{
    // Our own one-line summaries. "since" is the first release we know to have the builtin.
    static const QList<BuiltinHelp> table {
        // Variables
        { u"pid"_s, u"variable"_s, u"pid"_s, u"Process id (the kernel's tgid) of the current task"_s, u"0.9"_s, false },
        { u"tid"_s, u"variable"_s, u"tid"_s, u"Thread id of the current task"_s, u"0.9"_s, false },
        { u"uid"_s, u"variable"_s, u"uid"_s, u"User id of the current task"_s, u"0.9"_s, false },
        { u"gid"_s, u"variable"_s, u"gid"_s, u"Group id of the current task"_s, u"0.9"_s, false },
        { u"username"_s, u"variable"_s, u"username"_s, u"User name of the current task"_s, u"0.9"_s, false },
        { u"comm"_s, u"variable"_s, u"comm"_s, u"Name of the current task (16 bytes at most)"_s, u"0.9"_s, false },
        { u"nsecs"_s, u"variable"_s, u"nsecs"_s, u"Monotonic timestamp in nanoseconds"_s, u"0.9"_s, false },
        { u"elapsed"_s, u"variable"_s, u"elapsed"_s, u"Nanoseconds since bpftrace started"_s, u"0.9"_s, false },
        { u"cpu"_s, u"variable"_s, u"cpu"_s, u"CPU the probe fired on"_s, u"0.9"_s, false },
        { u"ncpus"_s, u"variable"_s, u"ncpus"_s, u"Number of CPUs in the system"_s, u"0.21"_s, false },
        { u"numaid"_s, u"variable"_s, u"numaid"_s, u"NUMA node the probe fired on"_s, u"0.18"_s, false },
        { u"kstack"_s, u"variable"_s, u"kstack"_s, u"Kernel stack of the current task"_s, u"0.9"_s, false },
        { u"ustack"_s, u"variable"_s, u"ustack"_s, u"User-space stack of the current task"_s, u"0.9"_s, false },
        { u"arg0"_s, u"variable"_s, u"arg0 ... argN"_s, u"Arguments of a kprobe/uprobe/usdt function, as integers"_s,
            u"0.9"_s, false },
        { u"sarg0"_s, u"variable"_s, u"sarg0 ... sargN"_s, u"Stack-passed arguments of the probed function"_s,
            u"0.10"_s, false },
        { u"args"_s, u"variable"_s, u"args.NAME"_s,
            u"Typed arguments of a tracepoint, fentry/fexit or uprobe with debug info"_s, u"0.9"_s, false },
        { u"retval"_s, u"variable"_s, u"retval"_s, u"Return value in kretprobe, uretprobe and fexit probes"_s, u"0.9"_s,
            false },
        { u"func"_s, u"variable"_s, u"func"_s, u"Name of the traced function"_s, u"0.9"_s, false },
        { u"probe"_s, u"variable"_s, u"probe"_s, u"Full name of the probe that fired"_s, u"0.9"_s, false },
        { u"curtask"_s, u"variable"_s, u"curtask"_s, u"Pointer to the current task_struct"_s, u"0.9"_s, false },
        { u"rand"_s, u"variable"_s, u"rand"_s, u"A pseudo-random 32-bit number"_s, u"0.9"_s, false },
        { u"cgroup"_s, u"variable"_s, u"cgroup"_s, u"Cgroup v2 id of the current task"_s, u"0.9"_s, false },
        { u"cpid"_s, u"variable"_s, u"cpid"_s, u"Pid of the child started with -c"_s, u"0.10"_s, false },
        { u"jiffies"_s, u"variable"_s, u"jiffies"_s, u"Kernel jiffies counter"_s, u"0.19"_s, false },
        { u"$1"_s, u"variable"_s, u"$1 ... $N, $#"_s, u"Positional parameters given after the script"_s, u"0.9"_s,
            false },
        // Output and control
        { u"printf"_s, u"function"_s, u"printf(fmt, ...)"_s, u"Formatted output, C style"_s, u"0.9"_s, false },
        { u"print"_s, u"function"_s, u"print(@map | value)"_s, u"Prints a map or a value now instead of at exit"_s,
            u"0.9"_s, false },
        { u"time"_s, u"function"_s, u"time(fmt)"_s, u"Prints the current wall-clock time"_s, u"0.9"_s, false },
        { u"join"_s, u"function"_s, u"join(char *argv[], sep)"_s, u"Prints a NULL-terminated array of strings"_s,
            u"0.9"_s, false },
        { u"exit"_s, u"function"_s, u"exit([code])"_s, u"Stops tracing; maps are printed as on Ctrl-C"_s, u"0.9"_s,
            false },
        { u"debugf"_s, u"function"_s, u"debugf(fmt, ...)"_s, u"Writes to the kernel trace pipe (debugging only)"_s,
            u"0.18"_s, false },
        { u"strftime"_s, u"function"_s, u"strftime(fmt, nsecs)"_s, u"Formats a timestamp as a date and time"_s,
            u"0.12"_s, false },
        // Memory and strings
        { u"str"_s, u"function"_s, u"str(ptr [, len])"_s, u"Copies a NUL-terminated string from memory"_s, u"0.9"_s,
            false },
        { u"buf"_s, u"function"_s, u"buf(ptr, len)"_s, u"Copies raw bytes, printed as hex escapes"_s, u"0.13"_s,
            false },
        { u"strncmp"_s, u"function"_s, u"strncmp(a, b, n)"_s, u"Compares the first n bytes of two strings"_s,
            u"0.9.4"_s, false },
        { u"strcontains"_s, u"function"_s, u"strcontains(haystack, needle)"_s, u"Whether a string contains another"_s,
            u"0.20"_s, false },
        { u"strerror"_s, u"function"_s, u"strerror(errno)"_s, u"Text of an errno value"_s, u"0.21"_s, false },
        { u"sizeof"_s, u"function"_s, u"sizeof(type | expr)"_s, u"Size in bytes of a type or expression"_s, u"0.13"_s,
            false },
        { u"offsetof"_s, u"function"_s, u"offsetof(struct, field)"_s, u"Offset of a field inside a struct"_s, u"0.21"_s,
            false },
        { u"kptr"_s, u"function"_s, u"kptr(addr)"_s, u"Marks an address as kernel memory"_s, u"0.12"_s, false },
        { u"uptr"_s, u"function"_s, u"uptr(addr)"_s, u"Marks an address as user memory of the current task"_s,
            u"0.12"_s, false },
        { u"reg"_s, u"function"_s, u"reg(name)"_s, u"Value of a CPU register at the probe"_s, u"0.9"_s, false },
        { u"bswap"_s, u"function"_s, u"bswap(n)"_s, u"Reverses the byte order of an integer"_s, u"0.19"_s, false },
        { u"len"_s, u"function"_s, u"len(ustack | kstack)"_s, u"Number of frames in a stack"_s, u"0.21"_s, false },
        // Symbols and addresses
        { u"ksym"_s, u"function"_s, u"ksym(addr)"_s, u"Kernel symbol name of an address"_s, u"0.9"_s, false },
        { u"usym"_s, u"function"_s, u"usym(addr)"_s, u"User-space symbol name of an address"_s, u"0.9"_s, false },
        { u"kaddr"_s, u"function"_s, u"kaddr(name)"_s, u"Address of a kernel symbol"_s, u"0.9"_s, false },
        { u"uaddr"_s, u"function"_s, u"uaddr(name)"_s, u"Address of a symbol in the traced binary"_s, u"0.9"_s, false },
        { u"percpu_kaddr"_s, u"function"_s, u"percpu_kaddr(name [, cpu])"_s, u"Address of a per-CPU kernel variable"_s,
            u"0.22"_s, false },
        { u"ntop"_s, u"function"_s, u"ntop([af,] addr)"_s, u"Formats an IPv4/IPv6 address as text"_s, u"0.9"_s, false },
        { u"pton"_s, u"function"_s, u"pton(text)"_s, u"Parses an IP address literal into bytes"_s, u"0.18"_s, false },
        { u"macaddr"_s, u"function"_s, u"macaddr(addr)"_s, u"Formats a 6-byte MAC address"_s, u"0.15"_s, false },
        { u"path"_s, u"function"_s, u"path(struct path *)"_s, u"Full path of a file (fentry probes only)"_s, u"0.15"_s,
            false },
        { u"cgroupid"_s, u"function"_s, u"cgroupid(path)"_s, u"Cgroup id of a cgroup directory"_s, u"0.9"_s, false },
        { u"cgroup_path"_s, u"function"_s, u"cgroup_path(id [, filter])"_s, u"Path of a cgroup id"_s, u"0.16"_s,
            false },
        { u"skboutput"_s, u"function"_s, u"skboutput(path, skb, len, offset)"_s,
            u"Writes packets to a pcap file (fentry probes only)"_s, u"0.16"_s, false },
        { u"socket_cookie"_s, u"function"_s, u"socket_cookie(struct sock *)"_s, u"Unique cookie of a socket"_s,
            u"0.22"_s, false },
        // Side effects
        { u"cat"_s, u"function"_s, u"cat(path)"_s, u"Prints the contents of a file, read as root"_s, u"0.9"_s, false },
        { u"system"_s, u"function"_s, u"system(fmt, ...)"_s, u"Runs a shell command as root; needs --unsafe"_s,
            u"0.9"_s, true },
        { u"signal"_s, u"function"_s, u"signal(sig)"_s, u"Sends a signal to the current task; needs --unsafe"_s,
            u"0.9"_s, true },
        { u"override"_s, u"function"_s, u"override(rc)"_s,
            u"Forces the return value of a kprobed kernel function; needs --unsafe"_s, u"0.9"_s, true },
        { u"unwatch"_s, u"function"_s, u"unwatch(addr)"_s, u"Removes a watchpoint set by asyncwatchpoint"_s, u"0.16"_s,
            false },
        // Map functions
        { u"count"_s, u"map-function"_s, u"@m = count()"_s, u"Counts events per key"_s, u"0.9"_s, false },
        { u"sum"_s, u"map-function"_s, u"@m = sum(n)"_s, u"Sums values per key"_s, u"0.9"_s, false },
        { u"avg"_s, u"map-function"_s, u"@m = avg(n)"_s, u"Average per key"_s, u"0.9"_s, false },
        { u"min"_s, u"map-function"_s, u"@m = min(n)"_s, u"Minimum per key"_s, u"0.9"_s, false },
        { u"max"_s, u"map-function"_s, u"@m = max(n)"_s, u"Maximum per key"_s, u"0.9"_s, false },
        { u"stats"_s, u"map-function"_s, u"@m = stats(n)"_s, u"Count, average and total per key"_s, u"0.9"_s, false },
        { u"hist"_s, u"map-function"_s, u"@m = hist(n)"_s, u"Power-of-two histogram"_s, u"0.9"_s, false },
        { u"lhist"_s, u"map-function"_s, u"@m = lhist(n, min, max, step)"_s, u"Linear histogram"_s, u"0.9"_s, false },
        { u"tseries"_s, u"map-function"_s, u"@m = tseries(n, interval, buckets)"_s,
            u"Time series of values in fixed intervals"_s, u"0.23"_s, false },
        { u"delete"_s, u"map-function"_s, u"delete(@m[key])"_s, u"Removes one key from a map"_s, u"0.9"_s, false },
        { u"clear"_s, u"map-function"_s, u"clear(@m)"_s, u"Removes every key from a map"_s, u"0.9"_s, false },
        { u"zero"_s, u"map-function"_s, u"zero(@m)"_s, u"Sets every value of a map to zero"_s, u"0.9"_s, false },
        { u"has_key"_s, u"map-function"_s, u"has_key(@m, key)"_s, u"Whether a map holds a key"_s, u"0.21"_s, false },
        // Probe types
        { u"BEGIN"_s, u"probe"_s, u"BEGIN, END"_s, u"Run once at start and once at exit"_s, u"0.9"_s, false },
        { u"kprobe"_s, u"probe"_s, u"kprobe:func, kretprobe:func"_s, u"Entry/return of a kernel function (dynamic)"_s,
            u"0.9"_s, false },
        { u"uprobe"_s, u"probe"_s, u"uprobe:binary:func, uretprobe:binary:func"_s,
            u"Entry/return of a user-space function"_s, u"0.9"_s, false },
        { u"tracepoint"_s, u"probe"_s, u"tracepoint:category:name"_s, u"Stable kernel trace point with typed args"_s,
            u"0.9"_s, false },
        { u"rawtracepoint"_s, u"probe"_s, u"rawtracepoint:name"_s, u"Tracepoint without argument formatting"_s,
            u"0.20"_s, false },
        { u"usdt"_s, u"probe"_s, u"usdt:binary:provider:name"_s, u"Static marker compiled into a program"_s, u"0.9"_s,
            false },
        { u"profile"_s, u"probe"_s, u"profile:hz:N"_s, u"Timed sampling on every CPU"_s, u"0.9"_s, false },
        { u"interval"_s, u"probe"_s, u"interval:s:N"_s, u"Timer on one CPU, for periodic output"_s, u"0.9"_s, false },
        { u"software"_s, u"probe"_s, u"software:event:count"_s, u"Kernel software events (page faults, ...)"_s,
            u"0.9"_s, false },
        { u"hardware"_s, u"probe"_s, u"hardware:event:count"_s, u"CPU performance counters"_s, u"0.9"_s, false },
        { u"fentry"_s, u"probe"_s, u"fentry:func, fexit:func"_s,
            u"BTF-typed kernel function entry/exit (kfunc/kretfunc before 0.20)"_s, u"0.11"_s, false },
        { u"watchpoint"_s, u"probe"_s, u"watchpoint:addr:len:mode"_s, u"Hardware watchpoint on a memory address"_s,
            u"0.12"_s, false },
        { u"iter"_s, u"probe"_s, u"iter:task, iter:task_file, ..."_s, u"Walks kernel objects once"_s, u"0.13"_s,
            false },
    };
    if (bpftraceVersion.isEmpty())
        return table;
    QList<BuiltinHelp> out;
    for (const BuiltinHelp &b : table) {
        if (BpfInfo::compareVersions(b.since, bpftraceVersion) <= 0)
            out.append(b);
    }
    return out;
}
