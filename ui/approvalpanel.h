// SPDX-License-Identifier: GPL-2.0-or-later
// AI requests waiting for the person: who asks and why, the script, what it would do, and the decision.
#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

class ApprovalQueue;
class Run;
class ScriptAnalyzer;
class ScriptEditor;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;

/// Non-modal and keyboard usable. No button is a default button and Enter in the message field
/// does nothing, so a stray Enter never approves or denies.
class ApprovalPanel : public QWidget
{
    Q_OBJECT
public:
    /// `analyzer` (optional) checks an edited script as the person types.
    explicit ApprovalPanel(ApprovalQueue *queue, ScriptAnalyzer *analyzer = nullptr, QWidget *parent = nullptr);

    int pendingCount() const;
    Run *currentRun() const { return m_current; }
    void selectRun(Run *run);

    QListWidget *queueList() const { return m_queue; }
    ScriptEditor *scriptEditor() const { return m_script; }
    QLineEdit *messageEdit() const { return m_message; }
    QPushButton *approveButton() const { return m_approve; }
    QPushButton *editButton() const { return m_edit; }
    QPushButton *denyButton() const { return m_deny; }
    QPushButton *sessionButton() const { return m_session; }
    QToolButton *attachToggle() const { return m_attachToggle; }
    QListWidget *attachList() const { return m_attachList; }
    QString riskText() const;
    QString analysisText() const;
    QString countdownText() const;
    QString errorText() const;
    bool isEditing() const { return m_editing; }

Q_SIGNALS:
    /// A request arrived or left; the window shows or hides the panel and notifies.
    void pendingCountChanged(int count);
    void requestArrived(Run *run);

private:
    void addRequest(Run *run);
    void removeRequest(Run *run);
    void showRun(Run *run);
    void updateAnalysis();
    void updateCountdown();
    void setEditing(bool editing);
    void decide(const std::function<bool(const QString &id, QString *error)> &action);
    QString itemText(Run *run) const;

    QPointer<ApprovalQueue> m_approvals;
    QPointer<ScriptAnalyzer> m_analyzer;
    QPointer<Run> m_current;
    bool m_editing = false;
    QTimer m_countdownTimer;

    QLabel *m_banner;
    QListWidget *m_queue;
    QLabel *m_from;
    QLabel *m_reason;
    QLabel *m_countdown;
    QLabel *m_risk;
    QLabel *m_findings;
    QLabel *m_attachSummary;
    QToolButton *m_attachToggle;
    QListWidget *m_attachList;
    QLabel *m_unsafe;
    ScriptEditor *m_script;
    QLineEdit *m_message;
    QPushButton *m_approve;
    QPushButton *m_edit;
    QPushButton *m_deny;
    QPushButton *m_session;
    QLabel *m_error;
    QWidget *m_details;
    QLabel *m_idle;
};
