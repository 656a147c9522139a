// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/uihelpers.h"

#include "engine/inerttext.h"

#include <QMessageBox>
#include <QTextDocument>
#include <QToolTip>

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

void showPlainToolTip(const QPoint &globalPos, const QString &text, QWidget *widget, const QRect &rect)
{
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(globalPos, plainToolTip(text), widget, rect);
}
} // namespace UiHelpers
