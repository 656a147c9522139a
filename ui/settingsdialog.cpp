// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/settingsdialog.h"

#include "engine/settingsstore.h"
#include "ui/statuscolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

using namespace Qt::StringLiterals;

namespace {
QSpinBox *spin(QWidget *parent, const IntSetting &setting, int value, const QString &suffix = {})
{
    auto *box = new QSpinBox(parent);
    box->setRange(int(setting.minimum), int(std::min<qint64>(setting.maximum, std::numeric_limits<int>::max())));
    box->setValue(value);
    box->setSuffix(suffix);
    box->setGroupSeparatorShown(true);
    return box;
}
} // namespace

SettingsDialog::SettingsDialog(const EngineConfig &current, QWidget *parent)
    : QDialog(parent)
    , m_initial(current)
    , m_maxConcurrent(spin(this, Setting::maxConcurrentRuns, current.limits.maxConcurrentRuns))
    , m_maxLinesKept(spin(this, Setting::maxLinesKept, current.limits.maxLinesKept, tr(" lines")))
    , m_maxLinesPerSecond(spin(this, Setting::maxLinesPerSecond, current.limits.maxLinesPerSecond, tr(" lines/s")))
    , m_defaultTimeout(
          spin(this, Setting::defaultClientTimeoutSeconds, current.limits.defaultClientTimeoutSeconds, tr(" s")))
    , m_maxTimeout(spin(this, Setting::maxTimeoutSeconds, current.limits.maxTimeoutSeconds, tr(" s")))
    , m_approvalTimeout(spin(this, Setting::approvalTimeoutSeconds, current.approvalTimeoutSeconds, tr(" s")))
    , m_clientsReadPersonRuns(new QCheckBox(tr("Let AI clients &read my own runs"), this))
    , m_privilege(new QComboBox(this))
    , m_httpEnabled(new QCheckBox(tr("Serve MCP over &HTTP on 127.0.0.1"), this))
    , m_httpPort(spin(this, Setting::httpPort, current.endpoint.httpPort))
    , m_restartNote(new QLabel(this))
{
    setWindowTitle(tr("Settings"));
    m_maxLinesPerSecond->setSpecialValueText(tr("no limit"));
    m_httpPort->setSpecialValueText(tr("any free port"));
    m_httpPort->setGroupSeparatorShown(false);
    m_privilege->addItem(tr("Automatic (direct when allowed, else pkexec, else sudo)"), int(PrivilegeMode::Auto));
    m_privilege->addItem(tr("Direct (root or CAP_BPF + CAP_PERFMON)"), int(PrivilegeMode::Direct));
    m_privilege->addItem(tr("pkexec (polkit asks you)"), int(PrivilegeMode::Pkexec));
    m_privilege->addItem(tr("sudo -n (needs a NOPASSWD rule for tracedesk-helper)"), int(PrivilegeMode::Sudo));
    m_privilege->setCurrentIndex(qMax(0, m_privilege->findData(int(current.privilege))));
    m_clientsReadPersonRuns->setChecked(current.clientsReadPersonRuns);
    m_clientsReadPersonRuns->setToolTip(
        tr("Each AI client always sees and stops only the runs it asked for. With this on, every client may also "
           "list and read (never stop) the runs you start in TraceDesk."));
    m_httpEnabled->setChecked(current.endpoint.httpEnabled);
    m_httpPort->setEnabled(current.endpoint.httpEnabled);
    m_maxLinesPerSecond->setValue(current.limits.maxLinesPerSecond);

    auto *runs = new QGroupBox(tr("Runs"), this);
    auto *runsForm = new QFormLayout(runs);
    runsForm->addRow(tr("&Concurrent runs at most:"), m_maxConcurrent);
    runsForm->addRow(tr("&Output kept per run:"), m_maxLinesKept);
    runsForm->addRow(tr("Output &rate limit per run:"), m_maxLinesPerSecond);
    runsForm->addRow(tr("&Default timeout of AI runs:"), m_defaultTimeout);
    runsForm->addRow(tr("&Longest timeout allowed:"), m_maxTimeout);

    auto *approval = new QGroupBox(tr("Approvals"), this);
    auto *approvalForm = new QFormLayout(approval);
    approvalForm->addRow(tr("&Unanswered requests expire after:"), m_approvalTimeout);
    approvalForm->addRow(m_clientsReadPersonRuns);

    auto *system = new QGroupBox(tr("Privileges and endpoint (take effect after a restart)"), this);
    auto *systemForm = new QFormLayout(system);
    systemForm->addRow(tr("&Privilege strategy:"), m_privilege);
    systemForm->addRow(m_httpEnabled);
    systemForm->addRow(tr("HTTP &port:"), m_httpPort);

    m_restartNote->setWordWrap(true);
    StatusColors::setTextRole(m_restartNote, StatusColors::Role::Neutral);
    QFont bold = m_restartNote->font();
    bold.setBold(true);
    m_restartNote->setFont(bold);
    m_restartNote->setText(tr("Privilege and HTTP changes take effect after TraceDesk restarts."));
    m_restartNote->setVisible(false);

    auto *buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] {
        const EngineConfig defaults;
        m_maxConcurrent->setValue(defaults.limits.maxConcurrentRuns);
        m_maxLinesKept->setValue(defaults.limits.maxLinesKept);
        m_maxLinesPerSecond->setValue(defaults.limits.maxLinesPerSecond);
        m_defaultTimeout->setValue(defaults.limits.defaultClientTimeoutSeconds);
        m_maxTimeout->setValue(defaults.limits.maxTimeoutSeconds);
        m_approvalTimeout->setValue(defaults.approvalTimeoutSeconds);
        m_clientsReadPersonRuns->setChecked(defaults.clientsReadPersonRuns);
        m_privilege->setCurrentIndex(m_privilege->findData(int(defaults.privilege)));
        m_httpEnabled->setChecked(defaults.endpoint.httpEnabled);
        m_httpPort->setValue(defaults.endpoint.httpPort);
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(runs);
    layout->addWidget(approval);
    layout->addWidget(system);
    layout->addWidget(m_restartNote);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(m_privilege, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateRestartNote);
    connect(m_httpEnabled, &QCheckBox::toggled, this, [this](bool on) {
        m_httpPort->setEnabled(on);
        updateRestartNote();
    });
    connect(m_httpPort, &QSpinBox::valueChanged, this, &SettingsDialog::updateRestartNote);
}

EngineConfig SettingsDialog::settings() const
{
    EngineConfig s = m_initial;
    s.limits.maxConcurrentRuns = m_maxConcurrent->value();
    s.limits.maxLinesKept = m_maxLinesKept->value();
    s.limits.maxLinesPerSecond = m_maxLinesPerSecond->value();
    s.limits.defaultClientTimeoutSeconds = m_defaultTimeout->value();
    s.limits.maxTimeoutSeconds = m_maxTimeout->value();
    s.approvalTimeoutSeconds = m_approvalTimeout->value();
    s.clientsReadPersonRuns = m_clientsReadPersonRuns->isChecked();
    s.privilege = PrivilegeMode(m_privilege->currentData().toInt());
    s.endpoint.httpEnabled = m_httpEnabled->isChecked();
    s.endpoint.httpPort = quint16(m_httpPort->value());
    return s;
}

QString SettingsDialog::restartNote() const
{
    return m_restartNote->isHidden() ? QString() : m_restartNote->text();
}

void SettingsDialog::updateRestartNote()
{
    m_restartNote->setVisible(SettingsStore::needsRestart(m_initial, settings()));
}
