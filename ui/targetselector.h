// SPDX-License-Identifier: GPL-2.0-or-later
// A compact chooser of where something happens: this machine, a configured target, or a group.
#pragma once

#include <QComboBox>
#include <QPointer>

class TargetRegistry;

/// Lists "This machine", every configured target (its display name in the list, its name when
/// closed, its health as icon and tooltip) and, with Mode::TargetsAndGroups, every group
/// ("db (3 targets)"). Follows the registry: the choice is kept while it exists, and falls back
/// to this machine when it is removed. Nothing here adds a target; the list is the person's.
class TargetSelector : public QComboBox
{
    Q_OBJECT
public:
    enum class Mode
    {
        TargetsOnly, ///< one target at a time (the probe browser)
        TargetsAndGroups, ///< also the groups (where Run starts the script)
    };
    enum Roles
    {
        NameRole = Qt::UserRole + 1, ///< "local", a target's or a group's name
        IsGroupRole, ///< bool
        ShortTextRole, ///< what the closed box shows
    };

    explicit TargetSelector(TargetRegistry *targets, Mode mode, QWidget *parent = nullptr);

    TargetRegistry *registry() const;
    /// The chosen entry's name: "local", a target's or a group's.
    QString currentName() const;
    bool isGroupChosen() const;
    /// Chooses the entry named `name` (a target, a group, or "local"); false when there is none.
    bool choose(const QString &name);
    /// The target names the choice stands for, in order (a group's members; one name otherwise).
    QStringList chosenTargets() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    /// The person (or choose()) picked another entry, or the chosen one went away.
    void chosenChanged(const QString &name);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void rebuild();
    void updateHealth(const QString &name);
    QIcon iconFor(const QString &name, bool group) const;
    QString toolTipFor(const QString &name) const;

    QPointer<TargetRegistry> m_targets;
    Mode m_mode;
    QString m_chosen; ///< survives rebuilds
};
