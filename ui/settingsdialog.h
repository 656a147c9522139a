// SPDX-License-Identifier: GPL-2.0-or-later
// Limits, privilege strategy, approval timeout, what AI clients may read, and the HTTP port.
#pragma once

#include "engine/engineconfig.h"

#include <QDialog>
#include <QHash>

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

    /// `current` (given to the constructor) is what is in force; `saved` is what the settings
    /// file holds. Fields where they differ (the command line set them for this session) are
    /// marked as overridden, with the saved value in their tooltip.
    void setSaved(const EngineConfig &saved);
    /// What to write to the settings file: settings(), except that an overridden field the
    /// person left alone keeps its saved value (a --http-port is not made permanent).
    EngineConfig settingsToSave() const;
    /// "" or the list of overridden values ("HTTP port 9000 (saved: 8765)", ...).
    QString overrideNote() const;
    /// The field widgets marked as overridden (tests).
    QList<QWidget *> overriddenFields() const { return m_overridden.keys(); }

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
    QLabel *m_overrideNote;
    EngineConfig m_saved;
    QHash<QWidget *, QString> m_overridden; ///< field -> what the note says about it
};
