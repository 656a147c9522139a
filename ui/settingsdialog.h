// SPDX-License-Identifier: GPL-2.0-or-later
// Limits, privilege strategy, approval timeout, what AI clients may read, and the HTTP port.
#pragma once

#include "engine/engineconfig.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(const EngineConfig &current, QWidget *parent = nullptr);

    /// `current` with the edited values (SettingsStore::write saves them).
    EngineConfig settings() const;
    /// Visible when a changed value (privilege, HTTP) needs a restart.
    QString restartNote() const;

    QSpinBox *maxConcurrentRunsSpin() const { return m_maxConcurrent; }
    QSpinBox *approvalTimeoutSpin() const { return m_approvalTimeout; }
    QSpinBox *httpPortSpin() const { return m_httpPort; }
    QComboBox *privilegeCombo() const { return m_privilege; }
    QCheckBox *clientsReadPersonRunsCheck() const { return m_clientsReadPersonRuns; }

private:
    void updateRestartNote();

    EngineConfig m_initial;
    QSpinBox *m_maxConcurrent;
    QSpinBox *m_maxLinesKept;
    QSpinBox *m_maxLinesPerSecond;
    QSpinBox *m_defaultTimeout;
    QSpinBox *m_maxTimeout;
    QSpinBox *m_approvalTimeout;
    QCheckBox *m_clientsReadPersonRuns;
    QComboBox *m_privilege;
    QCheckBox *m_httpEnabled;
    QSpinBox *m_httpPort;
    QLabel *m_restartNote;
};
