// SPDX-License-Identifier: GPL-2.0-or-later
// Finished runs on disk, so results survive a restart.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>

#include <memory>

class QThreadPool;

#include <optional>

class Run;

/// One JSON file per finished run under <stateDir>/runs, written to a temporary file, fsynced and
/// renamed, so a kill at any moment leaves either the old or the new file. Size-capped with
/// oldest-first eviction. The directory is 0700 and every file 0600 whatever the umask (runs hold
/// what bpftrace saw of other processes); an existing, more open directory is tightened when the
/// store is made.
class RunStore
{
public:
    explicit RunStore(const QString &directory, qint64 maxBytes = 256ll * 1024 * 1024);
    /// Waits for saves still in the background, so nothing queued is lost at shutdown.
    ~RunStore();

    QString directory() const { return m_dir; }
    void setMaxBytes(qint64 maxBytes);
    qint64 maxBytes() const { return m_maxBytes; }

    /// Saves run.toJson(true). A later save of the same run id replaces the earlier file.
    bool save(const Run &run);
    /// Saves an already serialised run; it needs a string "id" (letters, digits, '-', '_', '.').
    bool save(const QJsonObject &run);
    /// Writes a run on a background thread, in the order asked, so a 100,000-line run never
    /// stalls the window. What is written is a value snapshot taken here, on the run's own
    /// thread: the worker never touches the Run, which may go on changing (a late analysis) or
    /// die. Failures are logged.
    void saveInBackground(const Run *run);
    /// Blocks until every background save has been written. Reads (load, loadAll, size, remove)
    /// call it first, so they see every save asked before them.
    void waitForPendingSaves() const;
    /// Removes one stored run; true when it existed.
    bool remove(const QString &runId);
    /// Every stored run (oldest first); unreadable files are skipped and reported in errorString().
    QList<QJsonObject> loadAll();
    std::optional<QJsonObject> load(const QString &runId) const;
    /// Total bytes on disk.
    qint64 size() const;
    QString errorString() const
    {
        QMutexLocker lock(&m_mutex);
        return m_error;
    }

private:
    void evict(const QString &keepPath);
    QString pathFor(const QString &runId) const;

    QString m_dir;
    qint64 m_maxBytes;
    QString m_error;
    mutable QMutex m_mutex; ///< one writer at a time: the background thread or a direct save
    std::unique_ptr<QThreadPool> m_writer; ///< one thread, so saves land in order
};
