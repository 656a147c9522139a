// SPDX-License-Identifier: GPL-2.0-or-later
// Client-requested runs wait here for the person's decision.
#pragma once

#include "runtypes.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class Run;
class RunManager;
class AuditLog;

/// For a headless instance with no terminal: what happens to requests nobody can see.
enum class ApprovalPolicy
{
    Ask, ///< wait for approve()/deny() (the window or the terminal prompt calls them)
    Deny, ///< deny every request (the default headless policy)
    AllowLowRisk, ///< approve requests whose full analysis is low risk, deny the rest
    AllowAll, ///< approve everything (tests, trusted set-ups)
};
QString approvalPolicyName(ApprovalPolicy policy);
std::optional<ApprovalPolicy> approvalPolicyFromName(QStringView name);

class ApprovalQueue : public QObject
{
    Q_OBJECT
public:
    explicit ApprovalQueue(RunManager *runs, AuditLog *audit, QObject *parent = nullptr);

    void setPolicy(ApprovalPolicy policy);
    ApprovalPolicy policy() const { return m_policy; }
    void setExpirySeconds(int seconds); ///< default 300
    int expirySeconds() const { return m_expirySeconds; }

    /// Oldest first.
    QList<Run *> pending() const;
    QDateTime expiresAt(const QString &runId) const;

    /// Each returns false with a message in *error when the run is unknown or already decided.
    bool approve(const QString &runId, QString *error = nullptr);
    /// Approve and remember (client name, script hash): later identical requests from that
    /// client are approved for the rest of the session (Decision::ApprovedForSession).
    bool approveForSession(const QString &runId, QString *error = nullptr);
    bool approveEdited(const QString &runId, const QString &editedScript, QString *error = nullptr);
    bool deny(const QString &runId, const QString &message, QString *error = nullptr);

    /// Called by RunManager for every client request (the run is in PendingApproval).
    void enqueue(Run *run);

Q_SIGNALS:
    void requestAdded(Run *run);
    /// Approved, edited, denied or expired: the run left the queue.
    void requestResolved(Run *run);

private:
    void resolve(Run *run, Decision decision, const QString &decidedBy, const QString &message);
    void applyPolicy(Run *run);
    void expire();
    void scheduleExpiry();
    Run *pendingRun(const QString &runId, QString *error) const;
    void startAnalysis(Run *run);

    RunManager *m_runs;
    AuditLog *m_audit;
    ApprovalPolicy m_policy = ApprovalPolicy::Ask;
    int m_expirySeconds = 300;
    QList<QPointer<Run>> m_pending;
    struct Deadline
    {
        QDateTime at;
        int seconds = 0; ///< the expiry time in force when the request was queued
    };
    QHash<QString, Deadline> m_expiry;
    QSet<QString> m_sessionAllowed; ///< clientName + '\n' + scriptHash
    QTimer m_expiryTimer;
};
