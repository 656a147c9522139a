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
    , m_overrideNote(new QLabel(this))
    , m_saved(current)
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
    m_overrideNote->setWordWrap(true);
    m_overrideNote->setTextFormat(Qt::PlainText);
    m_overrideNote->setVisible(false);
    layout->addWidget(m_overrideNote);
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

void SettingsDialog::setSaved(const EngineConfig &saved)
{
    m_saved = saved;
    m_overridden.clear();
    const auto onOff = [](bool on) { return on ? tr("on") : tr("off"); };
    const auto mark = [this](QWidget *field, const QString &what, const QString &inForce, const QString &stored) {
        m_overridden.insert(field, tr("%1 %2 (saved: %3)").arg(what, inForce, stored));
        field->setToolTip(
            tr("Set for this session on the command line: %1. The saved setting is %2.").arg(inForce, stored));
        QFont font = field->font();
        font.setItalic(true);
        field->setFont(font);
    };
    if (m_initial.limits.maxConcurrentRuns != saved.limits.maxConcurrentRuns)
        mark(m_maxConcurrent, tr("concurrent runs"), QString::number(m_initial.limits.maxConcurrentRuns),
            QString::number(saved.limits.maxConcurrentRuns));
    if (m_initial.approvalTimeoutSeconds != saved.approvalTimeoutSeconds)
        mark(m_approvalTimeout, tr("approval timeout"), tr("%1 s").arg(m_initial.approvalTimeoutSeconds),
            tr("%1 s").arg(saved.approvalTimeoutSeconds));
    if (m_initial.clientsReadPersonRuns != saved.clientsReadPersonRuns)
        mark(m_clientsReadPersonRuns, tr("clients read your runs"), onOff(m_initial.clientsReadPersonRuns),
            onOff(saved.clientsReadPersonRuns));
    if (m_initial.privilege != saved.privilege)
        mark(m_privilege, tr("privilege"), privilegeModeName(m_initial.privilege), privilegeModeName(saved.privilege));
    if (m_initial.endpoint.httpEnabled != saved.endpoint.httpEnabled)
        mark(m_httpEnabled, tr("HTTP"), onOff(m_initial.endpoint.httpEnabled), onOff(saved.endpoint.httpEnabled));
    if (m_initial.endpoint.httpPort != saved.endpoint.httpPort)
        mark(m_httpPort, tr("HTTP port"), QString::number(m_initial.endpoint.httpPort),
            QString::number(saved.endpoint.httpPort));
    m_overrideNote->setText(m_overridden.isEmpty()
            ? QString()
            : tr("In force for this session from the command line (shown in italics): %1. Unchanged, they are not "
                 "saved.")
                  .arg(QStringList(m_overridden.values()).join(u"; "_s)));
    m_overrideNote->setVisible(!m_overridden.isEmpty());
}

QString SettingsDialog::overrideNote() const
{
    return m_overrideNote->text();
}

EngineConfig SettingsDialog::settingsToSave() const
{
    EngineConfig s = settings();
    const auto untouched = [this](QWidget *field) { return m_overridden.contains(field); };
    if (untouched(m_maxConcurrent) && s.limits.maxConcurrentRuns == m_initial.limits.maxConcurrentRuns)
        s.limits.maxConcurrentRuns = m_saved.limits.maxConcurrentRuns;
    if (untouched(m_approvalTimeout) && s.approvalTimeoutSeconds == m_initial.approvalTimeoutSeconds)
        s.approvalTimeoutSeconds = m_saved.approvalTimeoutSeconds;
    if (untouched(m_clientsReadPersonRuns) && s.clientsReadPersonRuns == m_initial.clientsReadPersonRuns)
        s.clientsReadPersonRuns = m_saved.clientsReadPersonRuns;
    if (untouched(m_privilege) && s.privilege == m_initial.privilege)
        s.privilege = m_saved.privilege;
    if (untouched(m_httpEnabled) && s.endpoint.httpEnabled == m_initial.endpoint.httpEnabled)
        s.endpoint.httpEnabled = m_saved.endpoint.httpEnabled;
    if (untouched(m_httpPort) && s.endpoint.httpPort == m_initial.endpoint.httpPort)
        s.endpoint.httpPort = m_saved.endpoint.httpPort;
    return s;
}
