// SPDX-License-Identifier: GPL-2.0-or-later
// The one check every bpftrace script passes before TraceDesk accepts it, from anyone.
#pragma once

#include <QString>

/// The longest script accepted, in bytes of UTF-8. A script travels to bpftrace as one argv
/// string (`-e`), which Linux caps at 128 KiB; this leaves room for the rest of the command.
/// A script of N bytes has at most N characters, so a character limit of maxScriptBytes (a JSON
/// Schema maxLength, a text field) never lets through what this check refuses by length alone.
inline constexpr qsizetype maxScriptBytes = 100 * 1024;

/// True when `script` may be run: not blank, valid UTF-16 (so it has a UTF-8 form; no lone
/// surrogates) and at most maxScriptBytes bytes of UTF-8. Otherwise false, with one of these
/// messages in *error (when error is not null):
///   "The script is empty."
///   "The script is not valid UTF-8."
///   "The script is larger than 100 KiB."
/// The person's runs, the AI's runs and a person's edit of an AI's script all use these words.
bool checkScript(const QString &script, QString *error = nullptr);
