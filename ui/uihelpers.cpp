// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/uihelpers.h"

#include "engine/inerttext.h"

#include <QMessageBox>
#include <QTextDocument>

namespace UiHelpers {
void showWarning(QWidget *parent, const QString &title, const QString &text)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

QString plainToolTip(const QString &text)
{
    return text.isEmpty() ? QString() : Qt::convertFromPlainText(InertText::block(text), Qt::WhiteSpaceNormal);
}
} // namespace UiHelpers
