// SPDX-License-Identifier: GPL-2.0-or-later
// The append-only record of every approval decision.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

/// Every approval decision, appended as one JSON line and fsynced; never rewritten. The file is
/// 0600 in a 0700 directory whatever the umask; an existing, more open one is tightened when
/// the log is made.
class AuditLog
{
public:
    explicit AuditLog(const QString &filePath);
    QString filePath() const { return m_path; }
    bool append(const QJsonObject &entry);
    /// Every complete entry; a torn last line (killed mid-write) is ignored.
    QList<QJsonObject> readAll() const;
    QString errorString() const { return m_error; }

private:
    QString m_path;
    QString m_error;
};
