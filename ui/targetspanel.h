// SPDX-License-Identifier: GPL-2.0-or-later
// The Targets pane: every configured target with its health; Check, Add… and Remove.
#pragma once

#include "engine/targets/target.h"

#include <QPointer>
#include <QWidget>

class AddTargetDialog;
class QLabel;
class QPushButton;
class QSettings;
class QTableView;
class TargetRegistry;
class TargetTableModel;

class TargetsPanel : public QWidget
{
    Q_OBJECT
public:
    /// `targets` may be null (no engine): the panel lists this machine only.
    explicit TargetsPanel(TargetRegistry *targets, QWidget *parent = nullptr);

    TargetTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QPushButton *checkButton() const { return m_check; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }
    /// The groups line under the table ("Groups: db = db1, db2").
    QLabel *groupsLabel() const { return m_groups; }
    /// What the last Add, Remove or Check said.
    QString messageText() const;
    /// The Add dialog while it is open (tests fill it in), else null.
    AddTargetDialog *addDialog() const;

    /// The targets selected in the table (this machine included when selected).
    QStringList selectedTargets() const;
    bool selectTarget(const QString &name);

    /// Opens the Add dialog (window-modal, no nested event loop).
    void addTarget();
    /// Checks the selected targets, or every target when none is selected.
    void checkSelected();
    /// Removes the selected remote targets from the registry and the settings.
    void removeSelected();

    /// Keeps `target` in the [targets] of `settings` (replacing one of the same name), leaving
    /// every other saved target as it was. Refused, with nothing written, when the saved list
    /// holds entries that do not parse (rewriting it would drop them) or the file is not writable.
    static bool saveTarget(QSettings &settings, const Target &target, QString *error = nullptr);
    /// Drops the target `name` from [targets] and from the member lists of [targetGroups].
    /// True when nothing was saved under that name (a --target one); false with *error as above.
    static bool forgetTarget(QSettings &settings, const QString &name, QString *error = nullptr);

Q_SIGNALS:
    void targetAdded(const QString &name);

private:
    void updateButtons();
    void updateGroups();
    void showMessage(const QString &text, bool problem = false);

    QPointer<TargetRegistry> m_targets;
    TargetTableModel *m_model;
    QTableView *m_view;
    QPushButton *m_check;
    QPushButton *m_add;
    QPushButton *m_remove;
    QLabel *m_groups;
    QLabel *m_message;
    QPointer<AddTargetDialog> m_dialog;
};
