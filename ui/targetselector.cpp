// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/targetselector.h"

#include "ui/targettablemodel.h"
#include "ui/uihelpers.h"

#include "engine/targets/targetregistry.h"

#include <QAbstractItemView>
#include <QStandardItemModel>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QStylePainter>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
constexpr int maxClosedChars = 24; // the toolbar must fit a 1280x800 screen

// The state a group shows: its worst member's.
int severity(TargetHealth::State state)
{
    switch (state) {
    case TargetHealth::State::Ready:
        return 0;
    case TargetHealth::State::Unknown:
        return 1;
    case TargetHealth::State::Checking:
        return 2;
    case TargetHealth::State::Degraded:
        return 3;
    case TargetHealth::State::Unreachable:
        return 4;
    }
    return 0;
}
} // namespace

TargetSelector::TargetSelector(TargetRegistry *targets, Mode mode, QWidget *parent)
    : QComboBox(parent)
    , m_targets(targets)
    , m_mode(mode)
    , m_chosen(Target::LocalName)
{
    setAccessibleName(mode == Mode::TargetsAndGroups ? tr("Run on") : tr("Target"));
    view()->setTextElideMode(Qt::ElideMiddle);
    rebuild();
    if (m_targets) {
        connect(m_targets, &TargetRegistry::targetsChanged, this, &TargetSelector::rebuild);
        connect(m_targets, &TargetRegistry::healthChanged, this, &TargetSelector::updateHealth);
    }
    connect(this, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QString name = itemData(index, NameRole).toString();
        if (index < 0 || name == m_chosen)
            return;
        m_chosen = name;
        setToolTip(toolTipFor(name));
        Q_EMIT chosenChanged(name);
    });
}

TargetRegistry *TargetSelector::registry() const
{
    return m_targets;
}

QString TargetSelector::currentName() const
{
    return m_chosen;
}

bool TargetSelector::isGroupChosen() const
{
    return currentData(IsGroupRole).toBool();
}

bool TargetSelector::choose(const QString &name)
{
    for (int i = 0; i < count(); ++i) {
        if (itemData(i, NameRole).toString() == name) {
            setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

QStringList TargetSelector::chosenTargets() const
{
    if (!m_targets)
        return { Target::LocalName };
    if (isGroupChosen())
        return m_targets->groups().value(m_chosen);
    return { m_chosen };
}

void TargetSelector::rebuild()
{
    QSignalBlocker blocker(this);
    clear();
    auto add = [this](const QString &text, const QString &name, bool group, const QString &shortText) {
        addItem(text);
        const int i = count() - 1;
        setItemData(i, name, NameRole);
        setItemData(i, group, IsGroupRole);
        setItemData(i, shortText, ShortTextRole);
        setItemIcon(i, iconFor(name, group));
        setItemData(i, toolTipFor(name), Qt::ToolTipRole);
        return i;
    };
    add(tr("This machine"), Target::LocalName, false, tr("This machine"));
    if (m_targets) {
        const QList<Target> targets = m_targets->targets();
        for (const Target &target : targets) {
            if (!target.isLocal())
                add(target.displayName(), target.name, false, target.name);
        }
        if (m_mode == Mode::TargetsAndGroups) {
            const QMap<QString, QStringList> groups = m_targets->groups();
            for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
                const QString text = tr("%1 (%n targets)", nullptr, int(it.value().size())).arg(it.key());
                const int i = add(text, it.key(), true, text);
                // A group whose members were all removed has nothing to run on.
                if (auto *items = qobject_cast<QStandardItemModel *>(model()); items && it.value().isEmpty())
                    items->item(i)->setEnabled(false);
            }
        }
    }
    // The list shows the full display names, wider than the closed box may be (measured from the
    // texts: the view knows no sizes before it is first shown).
    int widest = 0;
    for (int i = 0; i < count(); ++i)
        widest = std::max(widest, fontMetrics().horizontalAdvance(itemText(i)));
    // Beside the text: the icon, the frame, the room the style's menu items keep for a check
    // mark and padding (about three line heights in Fusion and Breeze), and a scroll bar.
    const int margins = iconSize().width() + 2 * view()->frameWidth() + 3 * fontMetrics().height()
        + style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, view());
    view()->setMinimumWidth(std::min(widest + margins, 560));

    const int index = findData(m_chosen, NameRole);
    setCurrentIndex(std::max(index, 0));
    updateGeometry();
    if (index < 0) {
        // The chosen target or group was removed: back to this machine, and say so.
        m_chosen = Target::LocalName;
        setToolTip(toolTipFor(m_chosen));
        blocker.unblock();
        Q_EMIT chosenChanged(m_chosen);
        return;
    }
    setToolTip(toolTipFor(m_chosen));
}

void TargetSelector::updateHealth(const QString &name)
{
    if (!m_targets)
        return;
    const QMap<QString, QStringList> groups = m_targets->groups();
    for (int i = 0; i < count(); ++i) {
        const QString entry = itemData(i, NameRole).toString();
        const bool group = itemData(i, IsGroupRole).toBool();
        if (group ? !groups.value(entry).contains(name) : entry != name)
            continue;
        setItemIcon(i, iconFor(entry, group));
        setItemData(i, toolTipFor(entry), Qt::ToolTipRole);
    }
    setToolTip(toolTipFor(m_chosen));
}

QIcon TargetSelector::iconFor(const QString &name, bool group) const
{
    if (name == Target::LocalName && !group)
        return QIcon::fromTheme(u"computer"_s);
    if (!m_targets)
        return {};
    if (!group)
        return TargetTableModel::stateIcon(m_targets->health(name).state);
    // A group shows its worst member's state.
    const QStringList members = m_targets->groups().value(name);
    if (members.isEmpty())
        return {};
    TargetHealth::State worst = TargetHealth::State::Ready;
    for (const QString &member : members) {
        const TargetHealth::State state = m_targets->health(member).state;
        if (severity(state) > severity(worst))
            worst = state;
    }
    return TargetTableModel::stateIcon(worst);
}

QString TargetSelector::toolTipFor(const QString &name) const
{
    const QString lead = m_mode == Mode::TargetsAndGroups ? tr("Run starts the script on: %1") : tr("Probes of: %1");
    if (!m_targets)
        return lead.arg(tr("this machine"));
    auto line = [this](const QString &target) {
        const Target *t = m_targets->find(target);
        const QString shown = !t || t->isLocal() ? tr("this machine") : t->displayName();
        return tr("%1 — %2").arg(shown, m_targets->health(target).summary());
    };
    const QMap<QString, QStringList> groups = m_targets->groups();
    if (const auto group = groups.constFind(name); group != groups.cend() && !m_targets->find(name)) {
        QStringList lines { lead.arg(tr("the group %1").arg(name)) };
        for (const QString &member : *group)
            lines.append(u"• "_s + line(member));
        if (group->isEmpty())
            lines.append(tr("It has no targets left."));
        return UiHelpers::plainToolTip(lines.join(u'\n'));
    }
    return UiHelpers::plainToolTip(lead.arg(line(name)));
}

QSize TargetSelector::sizeHint() const
{
    QStyleOptionComboBox option;
    initStyleOption(&option);
    const QFontMetrics metrics = fontMetrics();
    int text = 0;
    for (int i = 0; i < count(); ++i)
        text = std::max(text, metrics.horizontalAdvance(itemData(i, ShortTextRole).toString()));
    text = std::min(text, metrics.averageCharWidth() * maxClosedChars);
    const QSize contents(text + iconSize().width() + 4, std::max(metrics.height(), iconSize().height()));
    return style()->sizeFromContents(QStyle::CT_ComboBox, &option, contents, this);
}

QSize TargetSelector::minimumSizeHint() const
{
    return sizeHint();
}

void TargetSelector::paintEvent(QPaintEvent *)
{
    // As QComboBox paints itself, with the short name (elided) instead of the list's long one.
    QStylePainter painter(this);
    painter.setPen(palette().color(QPalette::Text));
    QStyleOptionComboBox option;
    initStyleOption(&option);
    painter.drawComplexControl(QStyle::CC_ComboBox, option);
    const QRect field = style()->subControlRect(QStyle::CC_ComboBox, &option, QStyle::SC_ComboBoxEditField, this);
    const int iconWidth = option.currentIcon.isNull() ? 0 : option.iconSize.width() + 4;
    option.currentText = fontMetrics().elidedText(
        currentData(ShortTextRole).toString(), Qt::ElideMiddle, std::max(0, field.width() - iconWidth));
    painter.drawControl(QStyle::CE_ComboBoxLabel, option);
}
