// SPDX-License-Identifier: GPL-2.0-or-later
// Palette-derived status colours; see statuscolors.h.
#include "ui/statuscolors.h"

#include <QApplication>
#include <QWidget>

using namespace Qt::StringLiterals;

namespace StatusColors {

namespace {
// Hue and saturation carry the meaning (close to Breeze's negative, neutral, positive and
// active colours); only lightness is chosen from the palette.
struct Tint
{
    int hue;
    int saturation;
};

Tint tintFor(Role role)
{
    switch (role) {
    case Role::Negative:
        return { 354, 170 };
    case Role::Neutral:
        return { 27, 255 };
    case Role::Positive:
        return { 145, 160 };
    case Role::Information:
        return { 200, 200 };
    case Role::Inactive:
        break;
    }
    return { 190, 20 };
}

QPalette resolved(const QPalette &palette)
{
    // A default-constructed QPalette resolves nothing: fall back to the application's.
    return palette.resolveMask() ? palette : QApplication::palette();
}

bool isDark(const QPalette &palette)
{
    return resolved(palette).color(QPalette::Window).lightness() < 128;
}
} // namespace

QColor text(Role role, const QPalette &palette)
{
    const Tint tint = tintFor(role);
    return QColor::fromHsl(tint.hue, tint.saturation, isDark(palette) ? 165 : 105);
}

QColor fill(Role role, const QPalette &palette)
{
    const Tint tint = tintFor(role);
    return QColor::fromHsl(tint.hue, tint.saturation, isDark(palette) ? 100 : 120);
}

QColor textOnFill(Role role, const QPalette &palette)
{
    return fill(role, palette).lightness() < 150 ? QColor(Qt::white) : QColor(Qt::black);
}

void setTextRole(QWidget *widget, Role role)
{
    QPalette palette = widget->palette();
    const QColor colour = text(role, widget->parentWidget() ? widget->parentWidget()->palette() : palette);
    palette.setColor(QPalette::WindowText, colour);
    palette.setColor(QPalette::Text, colour);
    widget->setPalette(palette);
}

void clearTextRole(QWidget *widget)
{
    widget->setPalette(QPalette());
}

QString badgeStyleSheet(Role role, const QPalette &palette, const QString &padding)
{
    return u"QLabel { background: %1; color: %2; font-weight: bold; padding: %3; border-radius: 3px; }"_s.arg(
        fill(role, palette).name(), textOnFill(role, palette).name(), padding);
}

} // namespace StatusColors
