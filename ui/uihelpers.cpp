// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/uihelpers.h"

#include <QMessageBox>

namespace UiHelpers {
void showWarning(QWidget *parent, const QString &title, const QString &text)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}
} // namespace UiHelpers
