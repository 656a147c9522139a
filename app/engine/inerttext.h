// SPDX-License-Identifier: GPL-2.0-or-later
// Client text made inert before a person reads it: no control or invisible formatting character
// reaches a terminal or a label as itself.
#pragma once

#include <QString>
#include <QStringView>

/// A client chooses its name, version, reason and script. Shown raw, an ESC sequence moves the
/// terminal's cursor, erases or conceals lines; a bidi override (U+202E) reverses the text after
/// it; a zero-width or tag character hides words. Every such character is shown as an escape
/// instead (`\x1b`, `\u202e`, `\U000e0041`), so what the person reads is what the client sent.
namespace InertText {

/// True for what must never reach a display as itself: C0 and C1 controls and DEL, every
/// Unicode format character (bidi embeddings, overrides, isolates and marks, zero-width
/// characters, the BOM, tag characters, ...), the line and paragraph separators, and lone
/// surrogates.
bool isHidden(char32_t c);

/// One line of text (a name, a reason): every hidden character escaped, line breaks and tabs
/// included.
QString line(QStringView text);

/// Several lines (a script): '\n' and '\t' stay real line breaks and indentation; every other
/// hidden character, '\r' included, is escaped.
QString block(QStringView text);

} // namespace InertText
