// SPDX-License-Identifier: GPL-2.0-or-later
// The HTTP endpoint's bearer token: random, generated on first start, kept in a 0600 file.
#pragma once

#include <QByteArrayView>
#include <QString>

namespace McpToken {

/// $XDG_CONFIG_HOME/tracedesk/http-token
QString defaultPath();
/// 32 random bytes from the system generator, base64url without padding (43 characters).
QString generate();
/// Reads the token at `path`, creating it (and its directory, 0700) when missing or unusable,
/// and tightening the file to 0600. False with *error when the file cannot be written.
bool loadOrCreate(const QString &path, QString *token, QString *error);
/// Replaces the token file's content atomically, with 0600 permissions.
bool store(const QString &path, const QString &token, QString *error);
/// Compares in time that does not depend on where the values differ.
bool equals(QByteArrayView a, QByteArrayView b);

} // namespace McpToken
