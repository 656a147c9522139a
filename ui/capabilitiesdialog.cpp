// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/capabilitiesdialog.h"

#include "ui/statuscolors.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

CapabilitiesDialog::CapabilitiesDialog(Capabilities *capabilities, QWidget *parent)
    : QDialog(parent)
    , m_capabilities(capabilities)
    , m_summary(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    setWindowTitle(tr("bpftrace capabilities"));
    resize(620, 560);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({ tr("Item"), tr("Value") });
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *refresh = buttons->addButton(tr("&Refresh"), QDialogButtonBox::ActionRole);
    refresh->setIcon(QIcon::fromTheme(u"view-refresh"_s));
    refresh->setEnabled(m_capabilities != nullptr);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(refresh, &QPushButton::clicked, this, [this] {
        if (m_capabilities) {
            m_summary->setText(tr("Asking bpftrace…"));
            m_capabilities->refresh();
        }
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);

    if (m_capabilities) {
        connect(m_capabilities, &Capabilities::ready, this, [this] { setInfo(m_capabilities->info()); });
        connect(m_capabilities, &Capabilities::failed, this,
            [this](const QString &message) { m_summary->setText(tr("bpftrace could not be asked: %1").arg(message)); });
        if (m_capabilities->isReady()) {
            setInfo(m_capabilities->info());
        } else {
            m_summary->setText(tr("Asking bpftrace…"));
            m_capabilities->refresh();
        }
    } else {
        m_summary->setText(tr("No engine."));
    }
}

void CapabilitiesDialog::setInfo(const BpfInfo &info)
{
    m_summary->setText(tr("bpftrace %1 on Linux %2")
            .arg(info.version.isEmpty() ? tr("(unknown version)") : info.version,
                info.kernelRelease.isEmpty() ? tr("(unknown)") : info.kernelRelease));
    m_tree->clear();
    auto addStrings = [this](const QString &title, const QMap<QString, QString> &values) {
        auto *group = new QTreeWidgetItem(m_tree, { title });
        for (auto it = values.begin(); it != values.end(); ++it)
            new QTreeWidgetItem(group, { it.key(), it.value() });
        group->setExpanded(true);
        group->setFirstColumnSpanned(true);
    };
    auto addFlags = [this](const QString &title, const QMap<QString, bool> &values) {
        int supported = 0;
        for (bool v : values)
            supported += v ? 1 : 0;
        auto *group = new QTreeWidgetItem(
            m_tree, { tr("%1 (%2 of %3 available)").arg(title).arg(supported).arg(values.size()) });
        for (auto it = values.begin(); it != values.end(); ++it) {
            auto *item = new QTreeWidgetItem(group, { it.key(), it.value() ? tr("yes") : tr("no") });
            item->setIcon(1, QIcon::fromTheme(it.value() ? u"dialog-ok-apply"_s : u"dialog-cancel"_s));
            if (!it.value())
                item->setForeground(1, StatusColors::text(StatusColors::Role::Negative, palette()));
        }
        group->setExpanded(values.size() <= 40);
        group->setFirstColumnSpanned(true);
    };
    addStrings(tr("System"), info.system);
    addStrings(tr("Build"), info.build);
    addFlags(tr("Kernel helpers"), info.helpers);
    addFlags(tr("Kernel features"), info.features);
    addFlags(tr("Map types"), info.mapTypes);
    addFlags(tr("Probe types"), info.probeTypes);
}

QString CapabilitiesDialog::summaryText() const
{
    return m_summary->text();
}
