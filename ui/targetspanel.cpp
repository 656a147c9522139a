// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/targetspanel.h"

#include "ui/addtargetdialog.h"
#include "ui/statuscolors.h"
#include "ui/targettablemodel.h"

#include "engine/targets/targetregistry.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
const auto groupsPrefix = "targetGroups/"_L1;

// The saved targets, or false with *error when rewriting them would lose entries.
bool readSaved(const QSettings &settings, QList<Target> *saved, QString *error)
{
    QStringList problems;
    *saved = TargetRegistry::readTargets(settings, &problems);
    if (!problems.isEmpty()) {
        if (error)
            *error = TargetsPanel::tr("%1 has targets that do not parse, which saving would drop; correct or remove "
                                      "them there first. %2")
                         .arg(settings.fileName(), problems.join(u"; "_s));
        return false;
    }
    if (!settings.isWritable()) {
        if (error)
            *error = TargetsPanel::tr("%1 is not writable.").arg(settings.fileName());
        return false;
    }
    return true;
}

bool finish(QSettings &settings, QString *error)
{
    settings.sync();
    if (settings.status() == QSettings::NoError)
        return true;
    if (error)
        *error = settings.status() == QSettings::AccessError
            ? TargetsPanel::tr("cannot write %1").arg(settings.fileName())
            : TargetsPanel::tr("%1 is malformed").arg(settings.fileName());
    return false;
}
} // namespace

TargetsPanel::TargetsPanel(TargetRegistry *targets, QWidget *parent)
    : QWidget(parent)
    , m_targets(targets)
    , m_model(new TargetTableModel(targets, this))
    , m_view(new QTableView(this))
    , m_check(new QPushButton(QIcon::fromTheme(u"view-refresh"_s), tr("&Check"), this))
    , m_add(new QPushButton(QIcon::fromTheme(u"list-add"_s), tr("&Add…"), this))
    , m_remove(new QPushButton(QIcon::fromTheme(u"list-remove"_s), tr("&Remove"), this))
    , m_groups(new QLabel(this))
    , m_message(new QLabel(this))
{
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAccessibleName(tr("Targets"));

    m_check->setToolTip(tr("Check whether the selected targets (or all) can run bpftrace: reachable, bpftrace "
                           "found, root"));
    m_add->setToolTip(tr("Add an SSH host or a Kubernetes node"));
    m_remove->setToolTip(tr("Remove the selected targets from TraceDesk and its settings"));
    for (QPushButton *button : { m_check, m_add, m_remove })
        button->setAutoDefault(false);
    m_add->setEnabled(m_targets != nullptr);
    m_check->setEnabled(m_targets != nullptr);

    for (QLabel *label : { m_groups, m_message }) {
        label->setWordWrap(true);
        label->setTextFormat(Qt::PlainText);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_message->setObjectName(u"targetsMessage"_s);
    m_message->hide();

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_check);
    buttons->addStretch(1);
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_groups);
    layout->addWidget(m_message);
    layout->addLayout(buttons);

    connect(m_check, &QPushButton::clicked, this, &TargetsPanel::checkSelected);
    connect(m_add, &QPushButton::clicked, this, &TargetsPanel::addTarget);
    connect(m_remove, &QPushButton::clicked, this, &TargetsPanel::removeSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TargetsPanel::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        updateButtons();
        updateGroups();
    });
    updateButtons();
    updateGroups();
}

AddTargetDialog *TargetsPanel::addDialog() const
{
    return m_dialog;
}

QString TargetsPanel::messageText() const
{
    return m_message->text();
}

QStringList TargetsPanel::selectedTargets() const
{
    QStringList names;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        names.append(m_model->nameAt(index.row()));
    // In the table's order, whatever order they were clicked in.
    std::sort(names.begin(), names.end(),
        [this](const QString &a, const QString &b) { return m_model->rowOf(a) < m_model->rowOf(b); });
    return names;
}

bool TargetsPanel::selectTarget(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    m_view->selectRow(row);
    return true;
}

void TargetsPanel::updateButtons()
{
    const QStringList selected = selectedTargets();
    m_remove->setEnabled(
        m_targets && !selected.isEmpty() && !(selected.size() == 1 && selected.first() == Target::LocalName));
    m_check->setText(selected.isEmpty() ? tr("&Check All") : tr("&Check"));
}

void TargetsPanel::updateGroups()
{
    const QMap<QString, QStringList> groups = m_targets ? m_targets->groups() : QMap<QString, QStringList> {};
    QStringList parts;
    for (auto it = groups.cbegin(); it != groups.cend(); ++it)
        parts.append(tr("%1 = %2").arg(it.key(), it.value().isEmpty() ? tr("(none left)") : it.value().join(u", "_s)));
    m_groups->setText(parts.isEmpty() ? QString() : tr("Groups: %1").arg(parts.join(u"; "_s)));
    m_groups->setVisible(!parts.isEmpty());
}

void TargetsPanel::showMessage(const QString &text, bool problem)
{
    if (problem)
        StatusColors::setTextRole(m_message, StatusColors::Role::Negative);
    else
        StatusColors::clearTextRole(m_message);
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void TargetsPanel::addTarget()
{
    if (!m_targets)
        return;
    if (m_dialog) {
        m_dialog->raise();
        m_dialog->activateWindow();
        return;
    }
    auto *dialog = new AddTargetDialog(m_targets, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setSaver([](const Target &target, QString *error) {
        QSettings settings;
        return saveTarget(settings, target, error);
    });
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const Target target = dialog->added();
        showMessage(tr("Added %1. Checking it…").arg(target.displayName()));
        selectTarget(target.name);
        m_targets->checkHealth(target.name);
        Q_EMIT targetAdded(target.name);
    });
    m_dialog = dialog;
    dialog->open();
}

void TargetsPanel::checkSelected()
{
    if (!m_targets)
        return;
    QStringList names = selectedTargets();
    if (names.isEmpty())
        names = m_targets->names();
    for (const QString &name : std::as_const(names))
        m_targets->checkHealth(name);
    showMessage({});
}

void TargetsPanel::removeSelected()
{
    if (!m_targets)
        return;
    QStringList removed;
    for (const QString &name : selectedTargets()) {
        if (name == Target::LocalName)
            continue; // this machine is always there
        QSettings settings;
        QString error;
        if (!forgetTarget(settings, name, &error)) {
            showMessage(tr("%1 was not removed: %2").arg(name, error), true);
            return;
        }
        if (m_targets->removeTarget(name))
            removed.append(name);
    }
    if (!removed.isEmpty())
        showMessage(tr("Removed %1.").arg(removed.join(u", "_s)));
}

bool TargetsPanel::saveTarget(QSettings &settings, const Target &target, QString *error)
{
    QList<Target> saved;
    if (!readSaved(settings, &saved, error))
        return false;
    saved.removeIf([&target](const Target &t) { return t.name == target.name; });
    saved.append(target);
    TargetRegistry::writeTargets(settings, saved);
    return finish(settings, error);
}

bool TargetsPanel::forgetTarget(QSettings &settings, const QString &name, QString *error)
{
    QList<Target> saved;
    if (!readSaved(settings, &saved, error))
        return false;
    const qsizetype before = saved.size();
    saved.removeIf([&name](const Target &t) { return t.name == name; });
    bool changed = saved.size() != before;
    if (changed)
        TargetRegistry::writeTargets(settings, saved);
    // A group naming a target that is gone would be refused as a whole at the next start.
    const QMap<QString, QStringList> groups = TargetRegistry::readGroups(settings);
    for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
        if (!it.value().contains(name))
            continue;
        QStringList members = it.value();
        members.removeAll(name);
        settings.setValue(groupsPrefix + it.key(), members.join(u','));
        changed = true;
    }
    return !changed || finish(settings, error);
}
