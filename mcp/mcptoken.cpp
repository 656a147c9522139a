// SPDX-License-Identifier: GPL-2.0-or-later
// The HTTP endpoint's bearer token, kept in a 0600 file.
#include "mcp/mcptoken.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace McpToken {

namespace {
constexpr qsizetype MinimumTokenLength = 32;
constexpr QFileDevice::Permissions OwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
} // namespace

QString defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + u"/tracedesk/http-token"_s;
}

QString generate()
{
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray bytes(reinterpret_cast<const char *>(words), sizeof(words));
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool store(const QString &path, const QString &token, QString *error)
{
    const QFileInfo info(path);
    const bool created = !QFileInfo::exists(info.absolutePath());
    if (!QDir().mkpath(info.absolutePath())) {
        *error = u"cannot create %1"_s.arg(info.absolutePath());
        return false;
    }
    if (created)
        QFile::setPermissions(info.absolutePath(), OwnerOnly | QFileDevice::ExeOwner);
    // Written beside the target with owner-only permissions from the start, then renamed over
    // it, so the token is never readable by others, not even for a moment.
    const QString temporary = path + u".new"_s;
    QFile::remove(temporary);
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, OwnerOnly)) {
        *error = u"cannot write %1: %2"_s.arg(temporary, file.errorString());
        return false;
    }
    if (file.write(token.toLatin1() + '\n') < 0 || !file.flush()) {
        *error = u"cannot write %1: %2"_s.arg(temporary, file.errorString());
        file.close();
        QFile::remove(temporary);
        return false;
    }
    file.close();
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        *error = u"cannot replace %1"_s.arg(path);
        QFile::remove(temporary);
        return false;
    }
    return true;
}

bool loadOrCreate(const QString &path, QString *token, QString *error)
{
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const QString existing = QString::fromLatin1(file.read(4096).trimmed());
        file.close();
        if (existing.size() >= MinimumTokenLength) {
            constexpr QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
                | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
            if ((file.permissions() & others) && !file.setPermissions(OwnerOnly)) {
                *error = u"cannot restrict the permissions of %1"_s.arg(path);
                return false;
            }
            *token = existing;
            return true;
        }
    }
    const QString fresh = generate();
    if (!store(path, fresh, error))
        return false;
    *token = fresh;
    return true;
}

bool equals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace McpToken
