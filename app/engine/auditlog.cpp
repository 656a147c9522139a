// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/auditlog.h"

#include "engine/privatefiles.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

AuditLog::AuditLog(const QString &filePath)
    : m_path(filePath)
{
    // A log (and its directory, TraceDesk's state directory) left more open by an earlier
    // version or another umask is made private at start, before anything new goes in.
    const QString dir = QFileInfo(m_path).absolutePath();
    if (QFileInfo(dir).isDir() && !PrivateFiles::ensureDirectory(dir, &m_error))
        return;
    PrivateFiles::tightenFile(m_path, &m_error);
}

bool AuditLog::append(const QJsonObject &entry)
{
    if (!PrivateFiles::ensureDirectory(QFileInfo(m_path).absolutePath(), &m_error))
        return false;
    QByteArray line = QJsonDocument(entry).toJson(QJsonDocument::Compact);
    line.append('\n');
    // O_APPEND: every write lands at the end, so nothing earlier is ever rewritten, even when
    // two instances append at once. One write() call per entry keeps lines whole.
    const int fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        m_error = u"cannot open %1: %2"_s.arg(m_path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    // O_CREAT's 0600 is masked by the umask; an existing file keeps whatever mode it had.
    struct stat info;
    if (::fstat(fd, &info) == 0 && (info.st_mode & 07777) != 0600
        && !PrivateFiles::makeDescriptorPrivate(fd, &m_error)) {
        ::close(fd);
        return false;
    }
    // A torn line left by an earlier kill must not swallow this entry: start on a new line.
    const off_t end = ::lseek(fd, 0, SEEK_END);
    if (end > 0) {
        char last = '\n';
        if (::pread(fd, &last, 1, end - 1) == 1 && last != '\n')
            line.prepend('\n');
    }
    qsizetype written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(fd, line.constData() + written, size_t(line.size() - written));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            m_error = u"cannot append to %1: %2"_s.arg(m_path, QString::fromLocal8Bit(strerror(errno)));
            ::close(fd);
            return false;
        }
        written += n;
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) {
        m_error = u"cannot sync %1"_s.arg(m_path);
        return false;
    }
    return true;
}

QList<QJsonObject> AuditLog::readAll() const
{
    QList<QJsonObject> entries;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return entries;
    const QByteArray data = file.readAll();
    qsizetype start = 0;
    while (start < data.size()) {
        const qsizetype end = data.indexOf('\n', start);
        // Only newline-terminated lines are complete; the tail after the last newline is a
        // write the kill interrupted.
        if (end < 0)
            break;
        const QByteArrayView line(data.constData() + start, end - start);
        start = end + 1;
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &error);
        if (error.error == QJsonParseError::NoError && doc.isObject())
            entries.append(doc.object());
    }
    return entries;
}
