// SPDX-License-Identifier: GPL-2.0-or-later
// Colours that carry a meaning (problem, attention, fine, information), derived from a palette so
// they stay readable in light and dark colour schemes instead of being fixed hex values.
#pragma once

#include <QColor>
#include <QPalette>

class QWidget;

namespace StatusColors {

/// What a colour says, after KColorScheme's foreground roles.
enum class Role
{
    Negative, ///< failed, denied, dangerous
    Neutral, ///< waiting, needs attention
    Positive, ///< running, fine
    Information, ///< a note
    Inactive, ///< bookkeeping next to the real content
};

/// A text colour for `role` that reads well on the palette's Window and Base colours: the hue
/// says what it means, the lightness follows the palette (darker on light schemes, lighter on
/// dark ones). Defaults to the application palette.
QColor text(Role role, const QPalette &palette = {});
/// A fill for a badge or banner of `role`; draw on it with textOnFill().
QColor fill(Role role, const QPalette &palette = {});
/// Black or white, whichever contrasts more with fill(role, palette).
QColor textOnFill(Role role, const QPalette &palette = {});

/// Colours `widget`'s text (WindowText and Text) in `role`, from the palette it inherits.
void setTextRole(QWidget *widget, Role role);
/// Undoes setTextRole(): the widget's text follows its parent's palette again.
void clearTextRole(QWidget *widget);
/// A style sheet for a QLabel badge of `role`: fill, contrasting bold text, `padding` (CSS
/// shorthand) and rounded corners. Call again when the palette changes.
QString badgeStyleSheet(Role role, const QPalette &palette, const QString &padding);

} // namespace StatusColors
