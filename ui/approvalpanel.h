// SPDX-License-Identifier: GPL-2.0-or-later
// AI requests waiting for the person: who asks and why, the script, what it would do, and the decision.
#pragma once

#include "ui/statuscolors.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <optional>

class ApprovalQueue;
class Run;
class ScriptAnalyzer;
struct ScriptAnalysis;
class ScriptEditor;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;

/// Non-modal and keyboard usable. No button is a default button and Enter in the message field
/// does nothing, so a stray Enter never approves or denies.
///
/// A decision cannot be stolen: whenever what is shown changes (another request, the shown one
/// withdrawn, expired or decided, its risk re-rated, the layout shifting), the decision buttons
/// are disabled and re-armed only after the arm delay, for the request then shown; each decision
/// names that request's id, and a click that arrives for anything else decides nothing. The
/// buttons never take focus from a click and give it up after a decision, so Space or Enter
/// cannot approve the next request. A high-risk request is approved only through a second step
/// (typing its id) and is never offered "for the session".
///
/// Everything the client wrote (name, version, reason, script, what the analysis quotes) is
/// shown as plain text with control and bidi characters escaped (InertText).
class ApprovalPanel : public QWidget
{
    Q_OBJECT
public:
    /// `analyzer` (optional) checks an edited script as the person types.
    explicit ApprovalPanel(ApprovalQueue *queue, ScriptAnalyzer *analyzer = nullptr, QWidget *parent = nullptr);

    /// How long the decision buttons stay disabled after the shown request changes (default
    /// 1000 ms; 0 re-arms at once, for tests).
    void setArmDelayMs(int ms);
    int armDelayMs() const { return m_armDelayMs; }
    /// The request the decision buttons are armed for; empty while they are disarmed.
    QString armedRunId() const { return m_armedRunId; }

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
    /// The second step for a high-risk request: type the request id, then confirm.
    QWidget *confirmRow() const { return m_confirmRow; }
    QLineEdit *confirmEdit() const { return m_confirmEdit; }
    QPushButton *confirmButton() const { return m_confirm; }
    QLabel *banner() const { return m_banner; }
    StatusColors::Role bannerRole() const { return m_bannerRole; }
    /// Lines of the shown script that a finding points at (1-based), marked in the view.
    QList<int> flaggedLines() const { return m_flaggedLines; }
    QToolButton *attachToggle() const { return m_attachToggle; }
    QListWidget *attachList() const { return m_attachList; }
    QString riskText() const;
    QString analysisText() const;
    QString countdownText() const;
    QString errorText() const;
    QString fromText() const;
    QString reasonText() const;
    /// A fleet request's targets, one line each with its attach count and risk; empty otherwise.
    QString targetsText() const;
    /// "Not checked by bpftrace: ..." while that is so; empty otherwise.
    QString uncheckedText() const;
    /// Why the request cannot be approved (its target was removed); empty while it can.
    QString noTargetText() const;
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
    void updateTargets();
    void updateNoTarget();
    void updateCountdown();
    void setEditing(bool editing);
    void decide(const std::function<bool(const QString &id, QString *error)> &action);
    void approveClicked();
    void disarm();
    void arm();
    void updateButtons();
    void updateBanner();
    void markFlaggedLines(const ScriptAnalysis &analysis);
    void moveFocusOffDecisions();
    void showError(const QString &error);
    bool isHighRisk() const;
    QString itemText(Run *run) const;

    QPointer<ApprovalQueue> m_approvals;
    QPointer<ScriptAnalyzer> m_analyzer;
    QPointer<Run> m_current;
    bool m_editing = false;
    QTimer m_countdownTimer;
    QTimer m_armTimer;
    int m_armDelayMs = 1000;
    QString m_armedRunId;
    QString m_shownScript; ///< the current run's script as shown (inert)
    int m_shownRisk = -1; ///< risk and checked state the buttons were armed with
    bool m_shownUnchecked = false;
    std::optional<QString> m_shownNoTarget; ///< launchRefusal() the buttons were armed with
    StatusColors::Role m_bannerRole = StatusColors::Role::Neutral;
    QList<int> m_flaggedLines;

    QLabel *m_banner;
    QListWidget *m_queue;
    QLabel *m_from;
    QLabel *m_reason;
    QLabel *m_targets;
    QLabel *m_countdown;
    QLabel *m_risk;
    QLabel *m_findings;
    QLabel *m_attachSummary;
    QToolButton *m_attachToggle;
    QListWidget *m_attachList;
    QLabel *m_unsafe;
    QLabel *m_unchecked;
    QLabel *m_noTarget;
    ScriptEditor *m_script;
    QLineEdit *m_message;
    QPushButton *m_approve;
    QPushButton *m_edit;
    QPushButton *m_deny;
    QPushButton *m_session;
    QWidget *m_confirmRow;
    QLabel *m_confirmLabel;
    QLineEdit *m_confirmEdit;
    QPushButton *m_confirm;
    QLabel *m_error;
    QWidget *m_details;
    QLabel *m_idle;
};
