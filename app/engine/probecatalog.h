// SPDX-License-Identifier: GPL-2.0-or-later
// Every probe bpftrace can attach to, loaded asynchronously, cached on disk, filtered fast.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include "engine/launchcommand.h"

#include <functional>
#include <memory>

class Privilege;

struct ProbeArgument
{
    QString type; ///< "const char *"
    QString name; ///< "filename"
    bool operator==(const ProbeArgument &) const = default;
};

struct ProbeDetails
{
    QString probe;
    QList<ProbeArgument> arguments;
    QString error; ///< non-empty when bpftrace could not describe it
    QJsonObject toJson() const;
};

/// An immutable, sorted probe list. Shared between threads: filtering runs off the GUI thread.
struct ProbeSnapshot
{
    QStringList probes; ///< sorted
    QStringList providers; ///< sorted, unique ("tracepoint", "kprobe", ...)
    QHash<QString, int> providerCounts;
    /// Index range [first, second) of each provider's probes in `probes` (sorted, so contiguous).
    QHash<QString, std::pair<int, int>> providerRanges;
    int skippedLines = 0; ///< junk lines the parser ignored (warnings, blank lines, garbage)
    /// All probes lower-cased, one per line, in `probes` order: one contiguous buffer that a
    /// substring search scans at memory speed instead of visiting 150,000 strings.
    QByteArray folded;
    QList<qsizetype> lineStarts; ///< offset of each probe in `folded`, plus one past the end
};

struct ProbeQuery
{
    /// Substring (case-insensitive), or a glob when it holds * ? or [ ("tracepoint:syscalls:*open*").
    QString pattern;
    QString provider; ///< exact provider, or empty for all
    int offset = 0;
    int limit = 200;
};

struct ProbeQueryResult
{
    QStringList probes; ///< one page
    int total = 0; ///< matches in all pages
    int offset = 0;
    int nextOffset = -1; ///< -1: no further page
};

class ProbeCatalog : public QObject
{
    Q_OBJECT
public:
    enum class Status
    {
        Empty,
        Loading,
        Ready,
        Failed
    };
    Q_ENUM(Status)

    explicit ProbeCatalog(QObject *parent = nullptr);
    ~ProbeCatalog() override;

    void setPrivilege(const Privilege &privilege); ///< how to run `bpftrace -l`
    /// How to run bpftrace on another target (TargetTransport::queryLauncher); replaces setPrivilege().
    void setLauncher(LaunchBuilder launcher);
    void setCacheDirectory(const QString &dir); ///< default: XDG cache /tracedesk
    QString cacheDirectory() const;
    /// The cache file for a kernel release and bpftrace version (both sanitised into the name).
    QString cacheFilePath(const QString &kernelRelease, const QString &bpftraceVersion) const;
    /// Where the current snapshot came from: "cache" or "bpftrace" (empty before the first load).
    QString source() const { return m_source; }

    /// Loads from the disk cache (keyed by kernel release + bpftrace version) when present,
    /// else runs `bpftrace -l`. forceRefresh skips the cache. Never blocks.
    void load(bool forceRefresh = false);

    Status status() const { return m_status; }
    QString errorString() const { return m_error; }
    int count() const;
    std::shared_ptr<const ProbeSnapshot> snapshot() const { return m_snapshot; }

    /// Thread-safe and pure: filters a snapshot. 150,000 probes in a few milliseconds.
    static ProbeQueryResult query(const ProbeSnapshot &snapshot, const ProbeQuery &query);
    ProbeQueryResult query(const ProbeQuery &query) const;
    /// Parses `bpftrace -l` output (one probe per line; blank and junk lines skipped).
    static std::shared_ptr<ProbeSnapshot> parseListing(QByteArrayView listing);
    /// Parses `bpftrace -lv PROBE` output.
    static ProbeDetails parseDetails(const QString &probe, QByteArrayView output);
    /// Whether `pattern` is a glob (holds * ? or [) rather than a substring.
    static bool isGlob(QStringView pattern);
    /// The canonical name of a probe provider: short forms and older spellings map to the
    /// name current bpftrace uses ("t" -> "tracepoint", "kfunc" -> "fentry"); anything else
    /// comes back unchanged.
    static QString canonicalProvider(const QString &provider);
    /// Writes a listing as a cache file (temporary file + fsync + rename). Thread-safe.
    static bool writeCache(const QString &path, const QString &kernelRelease, const QString &bpftraceVersion,
        const QStringList &probes, QString *error = nullptr);
    /// Reads a cache file written by writeCache(); nullptr when missing, foreign or corrupt.
    static std::shared_ptr<ProbeSnapshot> readCache(
        const QString &path, const QString &kernelRelease, const QString &bpftraceVersion);

    /// `bpftrace -lv PROBE` on demand, cached in memory. `done` runs once on the caller's thread
    /// unless `context` dies first.
    void describe(const QString &probe, QObject *context, std::function<void(const ProbeDetails &)> done);

Q_SIGNALS:
    void statusChanged(ProbeCatalog::Status status);
    void loaded(int count);

private:
    class Private;
    void setStatus(Status status);
    void startVersionQuery(int generation, bool forceRefresh);
    void startListing(int generation, const QString &version);
    void finishLoad(int generation, std::shared_ptr<ProbeSnapshot> snapshot, const QString &source);
    void failLoad(int generation, const QString &message);
    void startDescribe(const QString &probe);

    std::unique_ptr<Private> d;
    QString m_source;
    Status m_status = Status::Empty;
    QString m_error;
    std::shared_ptr<const ProbeSnapshot> m_snapshot;
};
