// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/probecatalog.h"

#include "engine/capabilities.h"
#include "engine/privatefiles.h"
#include "engine/privilege.h"
#include "engine/queryprocess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QSysInfo>
#include <QThreadPool>

#include <algorithm>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcCatalog, "tracedesk.engine.catalog", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace {

constexpr int ListingTimeoutMs = 120'000;
constexpr int QueryTimeoutMs = 30'000;
constexpr qsizetype MaxProbeLength = 4096;
const QByteArray CacheMagic = QByteArrayLiteral("tracedesk-probe-cache 1");

// Providers are short lowercase identifiers ("tracepoint", "kfunc", "uprobe"); anything else in
// the first field means the line is a warning or junk, not a probe.
bool isProviderChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool looksLikeProbe(QByteArrayView line)
{
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || line.size() > MaxProbeLength)
        return false;
    for (qsizetype i = 0; i < colon; ++i) {
        if (!isProviderChar(line[i]))
            return false;
    }
    // Qt's vectorised searches rather than a byte loop: this runs 150,000 times per load.
    return !line.contains(' ') && !line.contains('\t') && !line.contains('\r') && !line.contains('\0');
}

QString sanitizeForFileName(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'.'
            || c == u'-' || c == u'_';
        out.append(ok ? c : u'_');
    }
    return out.isEmpty() ? u"unknown"_s : out;
}

void buildIndex(ProbeSnapshot &snapshot)
{
    // bpftrace already prints sorted lists; checking first skips a 150,000-string sort.
    // QStringList::sort() rather than std::sort: it runs optimised inside QtCore even in our
    // debug builds, where a sort instantiated here takes ten times longer.
    if (!std::is_sorted(snapshot.probes.cbegin(), snapshot.probes.cend()))
        snapshot.probes.sort();
    qsizetype kept = 0;
    for (qsizetype i = 0; i < snapshot.probes.size(); ++i) {
        if (kept == 0 || snapshot.probes.at(i) != snapshot.probes.at(kept - 1)) {
            if (kept != i)
                snapshot.probes[kept] = std::move(snapshot.probes[i]);
            ++kept;
        }
    }
    snapshot.probes.resize(kept);
    snapshot.folded.clear();
    snapshot.lineStarts.clear();
    snapshot.lineStarts.reserve(kept + 1);
    qsizetype bytes = 0;
    for (const QString &p : std::as_const(snapshot.probes))
        bytes += p.size() + 1;
    snapshot.folded.reserve(bytes);
    for (const QString &p : std::as_const(snapshot.probes)) {
        snapshot.lineStarts.append(snapshot.folded.size());
        snapshot.folded += p.toUtf8();
        snapshot.folded += '\n';
    }
    snapshot.lineStarts.append(snapshot.folded.size());
    // One ASCII lower-casing pass over the whole buffer instead of 150,000 QString::toLower()
    // copies; probe names are ASCII (symbol, tracepoint and path names), and queries are folded
    // the same way, so a non-ASCII byte simply has to match exactly.
    snapshot.folded = std::move(snapshot.folded).toLower();
    snapshot.providers.clear();
    snapshot.providerCounts.clear();
    snapshot.providerRanges.clear();
    // Sorted strings sharing the prefix "provider:" are contiguous, so each provider is a range.
    int i = 0;
    const int n = int(snapshot.probes.size());
    while (i < n) {
        const QString &p = snapshot.probes.at(i);
        const QString provider = p.left(p.indexOf(u':'));
        const QString prefix = provider + u':';
        int j = i + 1;
        while (j < n && snapshot.probes.at(j).startsWith(prefix))
            ++j;
        snapshot.providers.append(provider);
        snapshot.providerCounts.insert(provider, j - i);
        snapshot.providerRanges.insert(provider, { i, j });
        i = j;
    }
    snapshot.providers.sort();
}

// The longest run of literal characters in a glob: a cheap substring pre-filter before the
// regular expression, which is what keeps a glob over 150,000 probes in milliseconds.
QString longestLiteral(QStringView glob)
{
    QString best;
    QString current;
    for (qsizetype i = 0; i < glob.size(); ++i) {
        const QChar c = glob.at(i);
        if (c == u'*' || c == u'?') {
            if (current.size() > best.size())
                best = current;
            current.clear();
        } else if (c == u'[') {
            if (current.size() > best.size())
                best = current;
            current.clear();
            const qsizetype close = glob.indexOf(u']', i + 2);
            if (close < 0)
                return best; // unbalanced: let the regex decide
            i = close;
        } else {
            current.append(c);
        }
    }
    return current.size() > best.size() ? current : best;
}

// bpftrace before 0.22 lists fentry/fexit probes as kfunc/kretfunc; the catalog holds
// whichever spelling the installed bpftrace printed.
QString legacyProvider(const QString &canonical)
{
    if (canonical == u"fentry")
        return u"kfunc"_s;
    if (canonical == u"fexit")
        return u"kretfunc"_s;
    return QString();
}

struct Waiter
{
    QPointer<QObject> context;
    bool hasContext = false;
    std::function<void(const ProbeDetails &)> done;
};

} // namespace

class ProbeCatalog::Private
{
public:
    LaunchBuilder launch = [](const QStringList &arguments) { return Privilege().wrapQuery(arguments); };
    QString cacheDir;
    int generation = 0;
    QHash<QString, ProbeDetails> details;
    QHash<QString, QList<Waiter>> waiters;
};

QJsonObject ProbeDetails::toJson() const
{
    QJsonArray args;
    for (const ProbeArgument &a : arguments)
        args.append(QJsonObject { { u"type"_s, a.type }, { u"name"_s, a.name } });
    QJsonObject o { { u"probe"_s, probe }, { u"arguments"_s, args } };
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    return o;
}

ProbeCatalog::ProbeCatalog(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{ }

ProbeCatalog::~ProbeCatalog() = default;

void ProbeCatalog::setPrivilege(const Privilege &privilege)
{
    d->launch = [privilege](const QStringList &arguments) { return privilege.wrapQuery(arguments); };
}

void ProbeCatalog::setLauncher(LaunchBuilder launcher)
{
    d->launch = std::move(launcher);
}

void ProbeCatalog::setCacheDirectory(const QString &dir)
{
    d->cacheDir = dir;
}

QString ProbeCatalog::cacheDirectory() const
{
    if (!d->cacheDir.isEmpty())
        return d->cacheDir;
    return QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) + u"/tracedesk"_s;
}

QString ProbeCatalog::cacheFilePath(const QString &kernelRelease, const QString &bpftraceVersion) const
{
    return cacheDirectory() + u"/probes-"_s + sanitizeForFileName(kernelRelease) + u"-bpftrace-"_s
        + sanitizeForFileName(bpftraceVersion) + u".txt"_s;
}

int ProbeCatalog::count() const
{
    return m_snapshot ? int(m_snapshot->probes.size()) : 0;
}

void ProbeCatalog::setStatus(Status status)
{
    if (m_status == status)
        return;
    m_status = status;
    Q_EMIT statusChanged(status);
}

void ProbeCatalog::load(bool forceRefresh)
{
    const int generation = ++d->generation;
    m_error.clear();
    // A cache left more open by an earlier version (or umask) becomes private before use.
    if (QFileInfo(cacheDirectory()).isDir())
        PrivateFiles::tightenDirectory(cacheDirectory());
    setStatus(Status::Loading);
    startVersionQuery(generation, forceRefresh);
}

void ProbeCatalog::startVersionQuery(int generation, bool forceRefresh)
{
    // The cache key needs the bpftrace version; --version is quick and needs no privilege.
    const LaunchCommand command = d->launch({ u"--version"_s });
    QueryProcess::run(this, command, QueryTimeoutMs, [this, generation, forceRefresh](const QueryResult &result) {
        if (!result.started) {
            failLoad(generation, u"cannot start bpftrace: %1"_s.arg(result.startError));
            return;
        }
        if (generation != d->generation)
            return;
        const QString version = BpfInfo::parseVersion(QString::fromUtf8(result.out));
        if (forceRefresh || version.isEmpty()) {
            startListing(generation, version);
            return;
        }
        const QString path = cacheFilePath(QSysInfo::kernelVersion(), version);
        const QString kernel = QSysInfo::kernelVersion();
        QPointer<ProbeCatalog> guard(this);
        QThreadPool::globalInstance()->start([guard, generation, path, kernel, version] {
            std::shared_ptr<ProbeSnapshot> snapshot = readCache(path, kernel, version);
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [guard, generation, snapshot, version] {
                    if (!guard || generation != guard->d->generation)
                        return;
                    if (snapshot)
                        guard->finishLoad(generation, snapshot, u"cache"_s);
                    else
                        guard->startListing(generation, version);
                },
                Qt::QueuedConnection);
        });
    });
}

void ProbeCatalog::startListing(int generation, const QString &version)
{
    const LaunchCommand command = d->launch({ u"-l"_s });
    QueryProcess::run(this, command, ListingTimeoutMs, [this, generation, version](const QueryResult &result) {
        if (!result.started) {
            failLoad(generation, u"cannot start bpftrace: %1"_s.arg(result.startError));
            return;
        }
        if (generation != d->generation)
            return;
        QByteArray listing = result.out;
        if (result.crashed || (result.exitCode != 0 && listing.isEmpty())) {
            QString message = u"bpftrace -l failed"_s;
            const QString line = result.errorLine();
            if (line.contains(u"ERROR"_s))
                message += u": "_s + line;
            if (result.timedOut)
                message += u" (no answer within %1 s)"_s.arg(ListingTimeoutMs / 1000);
            else if (result.crashed)
                message += u" (crashed)"_s;
            failLoad(generation, message);
            return;
        }
        const QString kernel = QSysInfo::kernelVersion();
        const QString path = version.isEmpty() ? QString() : cacheFilePath(kernel, version);
        QPointer<ProbeCatalog> guard(this);
        // 150,000 lines take tens of milliseconds to parse and sort: never on the GUI thread.
        QThreadPool::globalInstance()->start([guard, generation, listing = std::move(listing), path, kernel, version] {
            std::shared_ptr<ProbeSnapshot> snapshot = parseListing(listing);
            if (!path.isEmpty()) {
                QString error;
                if (!writeCache(path, kernel, version, snapshot->probes, &error))
                    qCWarning(lcCatalog) << "cannot write the probe cache:" << error;
            }
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [guard, generation, snapshot] {
                    if (guard)
                        guard->finishLoad(generation, snapshot, u"bpftrace"_s);
                },
                Qt::QueuedConnection);
        });
    });
}

void ProbeCatalog::finishLoad(int generation, std::shared_ptr<ProbeSnapshot> snapshot, const QString &source)
{
    if (generation != d->generation)
        return;
    m_snapshot = std::move(snapshot);
    m_source = source;
    m_error.clear();
    qCInfo(lcCatalog) << "probe catalog ready:" << m_snapshot->probes.size() << "probes from" << source;
    setStatus(Status::Ready);
    Q_EMIT loaded(int(m_snapshot->probes.size()));
}

void ProbeCatalog::failLoad(int generation, const QString &message)
{
    if (generation != d->generation)
        return;
    m_error = message;
    qCWarning(lcCatalog) << message;
    // A failed refresh keeps the previous list usable; the status still says what happened.
    setStatus(Status::Failed);
}

QString ProbeCatalog::canonicalProvider(const QString &provider)
{
    static const QHash<QString, QString> aliases {
        { u"t"_s, u"tracepoint"_s },
        { u"k"_s, u"kprobe"_s },
        { u"kr"_s, u"kretprobe"_s },
        { u"u"_s, u"uprobe"_s },
        { u"ur"_s, u"uretprobe"_s },
        { u"U"_s, u"usdt"_s },
        { u"h"_s, u"hardware"_s },
        { u"s"_s, u"software"_s },
        { u"i"_s, u"interval"_s },
        { u"p"_s, u"profile"_s },
        { u"f"_s, u"fentry"_s },
        { u"kfunc"_s, u"fentry"_s },
        { u"fr"_s, u"fexit"_s },
        { u"kretfunc"_s, u"fexit"_s },
        { u"rt"_s, u"rawtracepoint"_s },
        { u"w"_s, u"watchpoint"_s },
        { u"aw"_s, u"asyncwatchpoint"_s },
        { u"it"_s, u"iter"_s },
    };
    return aliases.value(provider, provider);
}

bool ProbeCatalog::isGlob(QStringView pattern)
{
    return pattern.contains(u'*') || pattern.contains(u'?') || pattern.contains(u'[');
}

ProbeQueryResult ProbeCatalog::query(const ProbeSnapshot &snapshot, const ProbeQuery &query)
{
    ProbeQueryResult result;
    const int offset = std::max(0, query.offset);
    const int limit = std::max(0, query.limit);
    result.offset = offset;

    int first = 0;
    int last = int(snapshot.probes.size());
    if (!query.provider.isEmpty()) {
        QString provider = query.provider.trimmed();
        if (provider.endsWith(u':'))
            provider.chop(1);
        auto it = snapshot.providerRanges.constFind(provider);
        if (it == snapshot.providerRanges.cend())
            it = snapshot.providerRanges.constFind(provider.toLower());
        const QString canonical = canonicalProvider(provider);
        if (it == snapshot.providerRanges.cend())
            it = snapshot.providerRanges.constFind(canonical);
        if (it == snapshot.providerRanges.cend())
            it = snapshot.providerRanges.constFind(legacyProvider(canonical));
        if (it == snapshot.providerRanges.cend())
            return result;
        first = it->first;
        last = it->second;
    }

    const QString pattern = query.pattern.trimmed();
    int matchIndex = 0;
    auto accept = [&](const QString &probe) {
        if (matchIndex >= offset && matchIndex - offset < limit)
            result.probes.append(probe);
        ++matchIndex;
    };

    if (pattern.isEmpty()) {
        matchIndex = last - first;
        const int from = first + std::min(offset, last - first);
        const int to = std::min(last, int(std::min<qint64>(qint64(from) + limit, last)));
        for (int i = from; i < to; ++i)
            result.probes.append(snapshot.probes.at(i));
    } else {
        // Candidates come from a scan of the lower-cased buffer for the pattern (or, for a glob,
        // its longest literal run); only those lines are looked at individually.
        const bool glob = isGlob(pattern);
        const QByteArray needle = (glob ? longestLiteral(pattern) : pattern).toUtf8().toLower();
        QRegularExpression re;
        if (glob) {
            re = QRegularExpression(
                QRegularExpression::wildcardToRegularExpression(pattern, QRegularExpression::NonPathWildcardConversion),
                QRegularExpression::CaseInsensitiveOption);
            re.optimize();
            if (!re.isValid())
                first = last; // a broken glob matches nothing
        }
        auto check = [&](int line) {
            const QString &probe = snapshot.probes.at(line);
            if (!glob || re.matchView(probe).hasMatch())
                accept(probe);
        };
        if (needle.isEmpty() || needle.contains('\n')) {
            for (int i = first; i < last; ++i)
                check(i);
        } else {
            const QByteArrayView haystack(snapshot.folded);
            const qsizetype end = snapshot.lineStarts.at(last);
            qsizetype from = snapshot.lineStarts.at(first);
            int line = first;
            while (from < end) {
                const qsizetype hit = haystack.sliced(0, end).indexOf(needle, from);
                if (hit < 0)
                    break;
                // The line holding the hit: usually the next few, so walk before bisecting.
                while (line + 1 < last && snapshot.lineStarts.at(line + 1) <= hit) {
                    if (snapshot.lineStarts.at(std::min(line + 8, last)) <= hit) {
                        line = int(std::upper_bound(snapshot.lineStarts.cbegin() + line,
                                       snapshot.lineStarts.cbegin() + last + 1, hit)
                                   - snapshot.lineStarts.cbegin())
                            - 1;
                        break;
                    }
                    ++line;
                }
                check(line);
                from = snapshot.lineStarts.at(line + 1);
                ++line;
            }
        }
    }
    result.total = matchIndex;
    if (qint64(offset) + limit < result.total)
        result.nextOffset = offset + limit;
    return result;
}

ProbeQueryResult ProbeCatalog::query(const ProbeQuery &q) const
{
    if (!m_snapshot) {
        ProbeQueryResult empty;
        empty.offset = std::max(0, q.offset);
        return empty;
    }
    return query(*m_snapshot, q);
}

std::shared_ptr<ProbeSnapshot> ProbeCatalog::parseListing(QByteArrayView listing)
{
    auto snapshot = std::make_shared<ProbeSnapshot>();
    snapshot->probes.reserve(listing.size() / 40);
    qsizetype start = 0;
    while (start < listing.size()) {
        qsizetype end = listing.indexOf('\n', start);
        if (end < 0)
            end = listing.size();
        QByteArrayView line = listing.sliced(start, end - start).trimmed();
        start = end + 1;
        if (line.isEmpty())
            continue;
        if (!looksLikeProbe(line)) {
            ++snapshot->skippedLines;
            continue;
        }
        QString probe = QString::fromUtf8(line);
        // fromUtf8 turns invalid bytes into U+FFFD; such a name could never be attached.
        if (probe.contains(QChar::ReplacementCharacter)) {
            ++snapshot->skippedLines;
            continue;
        }
        snapshot->probes.append(std::move(probe));
    }
    buildIndex(*snapshot);
    return snapshot;
}

bool ProbeCatalog::writeCache(const QString &path, const QString &kernelRelease, const QString &bpftraceVersion,
    const QStringList &probes, QString *error)
{
    // Cache files are private like the rest of TraceDesk's state (0600 in a 0700 directory).
    if (!PrivateFiles::ensureDirectory(path.left(path.lastIndexOf(u'/')), error))
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    if (!PrivateFiles::makeDescriptorPrivate(file.handle(), error)) {
        file.cancelWriting();
        return false;
    }
    QByteArray data;
    data.reserve(probes.size() * 40 + 200);
    data += CacheMagic + '\n';
    data += "kernel " + kernelRelease.toUtf8() + '\n';
    data += "bpftrace " + bpftraceVersion.toUtf8() + '\n';
    data += "count " + QByteArray::number(probes.size()) + '\n';
    for (const QString &probe : probes) {
        data += probe.toUtf8();
        data += '\n';
    }
    data += "end\n";
    if (file.write(data) != data.size() || !file.flush() || ::fsync(file.handle()) != 0) {
        if (error)
            *error = file.errorString();
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

std::shared_ptr<ProbeSnapshot> ProbeCatalog::readCache(
    const QString &path, const QString &kernelRelease, const QString &bpftraceVersion)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    const QByteArray data = file.readAll();
    const QByteArray header
        = CacheMagic + "\nkernel " + kernelRelease.toUtf8() + "\nbpftrace " + bpftraceVersion.toUtf8() + "\ncount ";
    if (!data.startsWith(header) || !data.endsWith("\nend\n"))
        return nullptr;
    const qsizetype countEnd = data.indexOf('\n', header.size());
    bool ok = false;
    const qsizetype expected = data.mid(header.size(), countEnd - header.size()).toLongLong(&ok);
    if (!ok)
        return nullptr;
    const QByteArrayView body(data.constData() + countEnd + 1, data.size() - countEnd - 1 - 4);
    std::shared_ptr<ProbeSnapshot> snapshot = parseListing(body);
    if (snapshot->probes.size() != expected || snapshot->skippedLines != 0)
        return nullptr;
    return snapshot;
}

ProbeDetails ProbeCatalog::parseDetails(const QString &probe, QByteArrayView output)
{
    ProbeDetails details;
    details.probe = probe;
    static const QRegularExpression arrayRe(u"\\s*(\\[[^\\]]*\\])+$"_s);
    static const QRegularExpression nameRe(u"([A-Za-z_][A-Za-z0-9_]*)$"_s);

    // `-lv` prints each matching probe flush left, then its arguments indented. With a wildcard
    // it prints several blocks: take the one named like the request, else the first.
    struct Block
    {
        QString header;
        QList<ProbeArgument> args;
    };
    QList<Block> blocks;
    const QStringList lines = QString::fromUtf8(output).split(u'\n');
    for (const QString &raw : lines) {
        if (raw.trimmed().isEmpty())
            continue;
        const bool indented = raw.startsWith(u' ') || raw.startsWith(u'\t');
        if (!indented) {
            const QString header = raw.trimmed();
            if (looksLikeProbe(header.toUtf8()))
                blocks.append({ header, {} });
            continue;
        }
        if (blocks.isEmpty())
            continue;
        QString text = raw.trimmed();
        if (text.endsWith(u';'))
            text.chop(1);
        QString arraySuffix;
        const QRegularExpressionMatch arrayMatch = arrayRe.match(text);
        if (arrayMatch.hasMatch()) {
            arraySuffix = arrayMatch.captured(0).trimmed();
            text.truncate(arrayMatch.capturedStart(0));
        }
        const QRegularExpressionMatch nameMatch = nameRe.match(text);
        if (!nameMatch.hasMatch())
            continue;
        const QString name = nameMatch.captured(1);
        const QString type = QString(text.left(nameMatch.capturedStart(1)).trimmed() + arraySuffix).trimmed();
        if (type.isEmpty())
            continue;
        blocks.last().args.append({ type, name });
    }
    if (blocks.isEmpty()) {
        details.error = u"bpftrace does not know the probe %1"_s.arg(probe);
        return details;
    }
    const Block *chosen = &blocks.first();
    for (const Block &b : std::as_const(blocks)) {
        if (b.header == probe || (b.header.endsWith(u':') && b.header.chopped(1) == probe)) {
            chosen = &b;
            break;
        }
    }
    details.arguments = chosen->args;
    return details;
}

void ProbeCatalog::describe(const QString &probe, QObject *context, std::function<void(const ProbeDetails &)> done)
{
    const QString name = probe.trimmed();
    auto deliver = [context, &done](const ProbeDetails &details) {
        return [guard = QPointer<QObject>(context), hasContext = context != nullptr, done = std::move(done), details] {
            if (hasContext && !guard)
                return;
            done(details);
        };
    };
    const bool valid = !name.isEmpty() && !name.startsWith(u'-') && name.size() <= MaxProbeLength
        && std::none_of(name.cbegin(), name.cend(), [](QChar c) { return c.isSpace(); }) && name.contains(u':');
    if (!valid) {
        ProbeDetails details;
        details.probe = name;
        details.error
            = u"not a probe name: \"%1\" (expected provider:...:name, e.g. tracepoint:syscalls:sys_enter_openat)"_s.arg(
                name);
        QMetaObject::invokeMethod(this, deliver(details), Qt::QueuedConnection);
        return;
    }
    const auto cached = d->details.constFind(name);
    if (cached != d->details.cend()) {
        QMetaObject::invokeMethod(this, deliver(*cached), Qt::QueuedConnection);
        return;
    }
    const bool alreadyRunning = d->waiters.contains(name);
    d->waiters[name].append({ QPointer<QObject>(context), context != nullptr, std::move(done) });
    if (!alreadyRunning)
        startDescribe(name);
}

void ProbeCatalog::startDescribe(const QString &probe)
{
    const LaunchCommand command = d->launch({ u"-lv"_s, probe });
    auto complete = [this, probe](const ProbeDetails &details) {
        if (details.error.isEmpty())
            d->details.insert(probe, details);
        const QList<Waiter> waiters = d->waiters.take(probe);
        for (const Waiter &w : waiters) {
            if (w.hasContext && !w.context)
                continue;
            w.done(details);
        }
    };
    QueryProcess::run(this, command, QueryTimeoutMs, [probe, complete](const QueryResult &result) {
        ProbeDetails details;
        if (!result.started) {
            details.probe = probe;
            details.error = u"cannot start bpftrace: %1"_s.arg(result.startError);
        } else {
            details = parseDetails(probe, result.out);
            if (!details.error.isEmpty()) {
                const QString line
                    = result.timedOut ? u"no answer within %1 s"_s.arg(QueryTimeoutMs / 1000) : result.errorLine();
                if (result.timedOut || line.contains(u"ERROR"_s))
                    details.error += u" ("_s + line + u')';
            }
        }
        complete(details);
    });
}
