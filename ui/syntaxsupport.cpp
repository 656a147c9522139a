// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/syntaxsupport.h"

#include "ui/uilogging.h"

#include <KSyntaxHighlighting/Repository>

#include <QPalette>

using namespace Qt::StringLiterals;

namespace SyntaxSupport {
KSyntaxHighlighting::Repository &repository()
{
    // A function-local static: constructed on the GUI thread at first use, after QApplication.
    static KSyntaxHighlighting::Repository repo;
    return repo;
}

KSyntaxHighlighting::Definition bpftraceDefinition()
{
    const auto definition = repository().definitionForName(u"bpftrace"_s);
    if (!definition.isValid())
        qCWarning(lcUi) << "the bpftrace syntax definition is missing from the resources";
    return definition;
}

KSyntaxHighlighting::Theme themeFor(const QPalette &palette)
{
    return repository().themeForPalette(palette);
}
} // namespace SyntaxSupport
