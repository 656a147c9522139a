// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/runstore.h"

#include "engine/privatefiles.h"
#include "engine/run.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QThreadPool>

#include <algorithm>
#include <limits>

#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcStore, "tracedesk.engine.store", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace {

bool validRunId(const QString &id)
{
    if (id.isEmpty() || id.size() > 128 || id.startsWith(u'.'))
        return false;
    return std::all_of(id.cbegin(), id.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-'
            || c == u'_' || c == u'.';
    });
}

// The rename is only durable once the directory entry itself reached the disk.
void syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

struct StoredFile
{
    QString path;
    qint64 size = 0;
    QDateTime modified;
};

QList<StoredFile> storedFiles(const QString &dir)
{
    QList<StoredFile> files;
    const QFileInfoList infos = QDir(dir).entryInfoList({ u"*.json"_s }, QDir::Files | QDir::NoDotAndDotDot);
    files.reserve(infos.size());
    for (const QFileInfo &info : infos)
        files.append({ info.absoluteFilePath(), info.size(), info.lastModified(QTimeZone::UTC) });
    // Oldest first; the name breaks ties so the order is stable within one mtime tick.
    std::sort(files.begin(), files.end(), [](const StoredFile &a, const StoredFile &b) {
        if (a.modified != b.modified)
            return a.modified < b.modified;
        return a.path < b.path;
    });
    return files;
}

} // namespace

RunStore::RunStore(const QString &directory, qint64 maxBytes)
    : m_dir(directory)
    , m_maxBytes(maxBytes)
    , m_writer(std::make_unique<QThreadPool>())
{
    m_writer->setMaxThreadCount(1);
    m_writer->setObjectName(u"RunStore writer"_s);
    // History written by an earlier version (0644 files in a 0755 directory) becomes private.
    if (QFileInfo(m_dir).isDir()) {
        QString error;
        if (!PrivateFiles::tightenDirectory(m_dir, &error))
            qCWarning(lcStore) << "history is not private:" << error;
    }
}

RunStore::~RunStore()
{
    waitForPendingSaves();
}

void RunStore::saveInBackground(const Run *run)
{
    // The snapshot is taken here, on the thread that owns and changes the run: its fields
    // (analysis, maps, state) as JSON, and its lines as values, which only share their text's
    // immutable buffers with the run. Turning 100,000 lines into JSON, the slow part, is left
    // to the worker, which never reads the Run itself.
    QJsonObject snapshot = run->toJson(false);
    OutputBuffer lines = run->keptLines(); // shares the text blocks: no per-line work here
    m_writer->start(
        [this, snapshot = std::move(snapshot), lines = std::move(lines), offset = run->firstOffset()]() mutable {
            QJsonArray output;
            for (qsizetype i = 0; i < lines.size(); ++i)
                output.append(lines.line(i, offset + i).toJson());
            snapshot.insert(u"output"_s, output);
            if (!save(snapshot))
                qCWarning(lcStore) << "could not save run" << snapshot.value(u"id"_s).toString() << errorString();
        });
}

void RunStore::waitForPendingSaves() const
{
    m_writer->waitForDone();
}

void RunStore::setMaxBytes(qint64 maxBytes)
{
    waitForPendingSaves();
    QMutexLocker lock(&m_mutex);
    m_maxBytes = maxBytes;
    evict({});
}

QString RunStore::pathFor(const QString &runId) const
{
    return m_dir + u'/' + runId + u".json"_s;
}

bool RunStore::save(const Run &run)
{
    return save(run.toJson(true));
}

bool RunStore::save(const QJsonObject &run)
{
    QMutexLocker lock(&m_mutex);
    const QString id = run.value(u"id"_s).toString();
    if (!validRunId(id)) {
        m_error = u"cannot store a run without a valid id (\"%1\")"_s.arg(id);
        return false;
    }
    QString dirError;
    if (!PrivateFiles::ensureDirectory(m_dir, &dirError)) {
        m_error = dirError;
        return false;
    }
    const QString path = pathFor(id);
    // QSaveFile writes to a temporary file in the same directory and renames it over the target
    // on commit(), so a reader (or a restart after a kill) sees the old file or the new one.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        m_error = u"cannot write %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    // QSaveFile creates its temporary file 0666 & ~umask and renames it into place: private
    // before the first byte, so no moment exists where the run is readable by others.
    QString modeError;
    if (!PrivateFiles::makeDescriptorPrivate(file.handle(), &modeError)) {
        m_error = u"cannot write %1: %2"_s.arg(path, modeError);
        file.cancelWriting();
        return false;
    }
    const QByteArray data = QJsonDocument(run).toJson(QJsonDocument::Compact);
    if (file.write(data) != data.size() || !file.flush() || ::fsync(file.handle()) != 0) {
        m_error = u"cannot write %1: %2"_s.arg(path, file.errorString());
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        m_error = u"cannot write %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    syncDirectory(m_dir);
    evict(path);
    return true;
}

bool RunStore::remove(const QString &runId)
{
    waitForPendingSaves();
    QMutexLocker lock(&m_mutex);
    if (!validRunId(runId))
        return false;
    return QFile::remove(pathFor(runId));
}

void RunStore::evict(const QString &keepPath)
{
    QList<StoredFile> files = storedFiles(m_dir);
    qint64 total = 0;
    for (const StoredFile &f : std::as_const(files))
        total += f.size;
    for (const StoredFile &f : std::as_const(files)) {
        if (total <= m_maxBytes)
            break;
        // The run just saved stays even when it alone exceeds the cap: losing the newest result
        // to make room for nothing would surprise everyone.
        if (f.path == keepPath)
            continue;
        if (QFile::remove(f.path)) {
            qCInfo(lcStore) << "evicted" << f.path << "to stay under" << m_maxBytes << "bytes";
            total -= f.size;
        }
    }
}

QList<QJsonObject> RunStore::loadAll()
{
    waitForPendingSaves();
    QMutexLocker lock(&m_mutex);
    m_error.clear();
    QList<QJsonObject> runs;
    QStringList bad;
    const QList<StoredFile> files = storedFiles(m_dir);
    for (const StoredFile &f : files) {
        QFile file(f.path);
        if (!file.open(QIODevice::ReadOnly)) {
            bad.append(f.path);
            continue;
        }
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()
            || !validRunId(doc.object().value(u"id"_s).toString())) {
            bad.append(f.path);
            continue;
        }
        runs.append(doc.object());
    }
    if (!bad.isEmpty()) {
        m_error = u"skipped %1 unreadable run file(s): %2"_s.arg(bad.size()).arg(bad.join(u", "_s));
        qCWarning(lcStore) << m_error;
    }
    return runs;
}

std::optional<QJsonObject> RunStore::load(const QString &runId) const
{
    waitForPendingSaves();
    QMutexLocker lock(&m_mutex);
    if (!validRunId(runId))
        return std::nullopt;
    QFile file(pathFor(runId));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    if (!doc.isObject())
        return std::nullopt;
    return doc.object();
}

qint64 RunStore::size() const
{
    waitForPendingSaves();
    QMutexLocker lock(&m_mutex);
    qint64 total = 0;
    for (const StoredFile &f : storedFiles(m_dir))
        total += f.size;
    return total;
}
