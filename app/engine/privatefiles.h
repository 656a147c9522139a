// SPDX-License-Identifier: GPL-2.0-or-later
// TraceDesk's own state on disk (run history, audit log, caches) is for its user alone: every
// directory it keeps is 0700 and every file 0600, whatever the umask, and what an earlier
// version left more open is tightened when TraceDesk starts.
#pragma once

#include <QString>

namespace PrivateFiles {
/// Creates `path` (and any missing parents) and makes `path` itself 0700. Parents that already
/// existed keep their mode (they are the user's, e.g. ~/.local/state); parents created here are
/// 0700 too. Refuses a directory owned by another user. False with *error (may be null).
bool ensureDirectory(const QString &path, QString *error = nullptr);
/// chmod 0600 on an existing regular file of ours that others could read or write; a missing
/// file is fine. False with *error when it could not be tightened.
bool tightenFile(const QString &path, QString *error = nullptr);
/// ensureDirectory(dir), then tightenFile() on every regular file directly in it (not
/// recursive, symlinks are left alone).
bool tightenDirectory(const QString &dir, QString *error = nullptr);
/// fchmod 0600 on an open descriptor: a file just created (QSaveFile's temporary file is made
/// with 0666 & ~umask) becomes private before a byte is written into it.
bool makeDescriptorPrivate(int fd, QString *error = nullptr);
} // namespace PrivateFiles
