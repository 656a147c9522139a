// SPDX-License-Identifier: GPL-2.0-or-later
// The one KSyntaxHighlighting repository of the application and our bpftrace definition.
#pragma once

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Theme>

class QPalette;

namespace KSyntaxHighlighting {
class Repository;
}

namespace SyntaxSupport {
/// Created on first use; lives until the application ends (highlighters must not outlive it).
KSyntaxHighlighting::Repository &repository();
/// Our definition from resources/syntax/bpftrace.xml (compiled in as a syntax add-on).
KSyntaxHighlighting::Definition bpftraceDefinition();
/// A light or dark theme matching the palette's window colour.
KSyntaxHighlighting::Theme themeFor(const QPalette &palette);
} // namespace SyntaxSupport
