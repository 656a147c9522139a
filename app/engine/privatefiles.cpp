// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

QString lastError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}
} // namespace

namespace PrivateFiles {

bool ensureDirectory(const QString &path, QString *error)
{
    if (path.isEmpty())
        return fail(error, u"no directory given"_s);
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    // Walk down from the root, creating what is missing with 0700 (mkdir's mode is masked by
    // the umask, so the chmod below makes it exact).
    const QStringList parts = absolute.split(u'/', Qt::SkipEmptyParts);
    QString current;
    for (const QString &part : parts) {
        current += u'/' + part;
        const QByteArray native = QFile::encodeName(current);
        if (::mkdir(native.constData(), 0700) == 0) {
            if (::chmod(native.constData(), 0700) != 0)
                return fail(error, u"cannot make %1 private: %2"_s.arg(current, lastError()));
        } else if (errno != EEXIST) {
            return fail(error, u"cannot create %1: %2"_s.arg(current, lastError()));
        }
    }
    const QByteArray native = QFile::encodeName(absolute);
    struct stat info;
    if (::stat(native.constData(), &info) != 0)
        return fail(error, u"cannot inspect %1: %2"_s.arg(absolute, lastError()));
    if (!S_ISDIR(info.st_mode))
        return fail(error, u"%1 is not a directory"_s.arg(absolute));
    if (info.st_uid != ::geteuid())
        return fail(error, u"%1 belongs to another user"_s.arg(absolute));
    if ((info.st_mode & 07777) != 0700 && ::chmod(native.constData(), 0700) != 0)
        return fail(error, u"cannot make %1 private: %2"_s.arg(absolute, lastError()));
    return true;
}

bool tightenFile(const QString &path, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat info;
    if (::lstat(native.constData(), &info) != 0)
        return errno == ENOENT ? true : fail(error, u"cannot inspect %1: %2"_s.arg(path, lastError()));
    if (!S_ISREG(info.st_mode) || info.st_uid != ::geteuid())
        return true; // not ours to change: a symlink, a socket, another user's file
    if ((info.st_mode & 07777) != 0600 && ::chmod(native.constData(), 0600) != 0)
        return fail(error, u"cannot make %1 private: %2"_s.arg(path, lastError()));
    return true;
}

bool tightenDirectory(const QString &dir, QString *error)
{
    if (!ensureDirectory(dir, error))
        return false;
    bool ok = true;
    const QStringList names = QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &name : names)
        ok = tightenFile(dir + u'/' + name, ok ? error : nullptr) && ok;
    return ok;
}

bool makeDescriptorPrivate(int fd, QString *error)
{
    if (fd < 0)
        return fail(error, u"no open file"_s);
    if (::fchmod(fd, 0600) != 0)
        return fail(error, u"cannot make the file private: %1"_s.arg(lastError()));
    return true;
}

} // namespace PrivateFiles
