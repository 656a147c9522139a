// SPDX-License-Identifier: GPL-2.0-or-later
// Small helpers shared by the widgets.
#pragma once

#include <QPoint>
#include <QRect>
#include <QString>

class QWidget;

namespace UiHelpers {
/// A window-modal warning that does not block the caller (no nested event loop).
void showWarning(QWidget *parent, const QString &title, const QString &text);
/// Text from outside (a traced process's name, a path, a symbol, a client's words) as a tooltip:
/// a tooltip takes text that looks like HTML for HTML, so it is made plain, hidden characters
/// escaped, first.
QString plainToolTip(const QString &text);
/// Shows `text` as a plain tooltip (plainToolTip()) at `globalPos` over `widget`, or hides the
/// tooltip when there is no text: what a chart does on hover.
void showPlainToolTip(const QPoint &globalPos, const QString &text, QWidget *widget, const QRect &rect = {});
} // namespace UiHelpers
