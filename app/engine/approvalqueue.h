// SPDX-License-Identifier: GPL-2.0-or-later
// Client-requested runs wait here for the person's decision.
#pragma once

#include "engine/runtypes.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class Run;
class AuditLog;
class ScriptAnalyzer;

/// For a headless instance with no terminal: what happens to requests nobody can see.
enum class ApprovalPolicy
{
    Ask, ///< wait for approve()/deny() (the window or the terminal prompt calls them)
    Deny, ///< deny every request (the default headless policy)
    AllowLowRisk, ///< approve requests that bpftrace checked and whose full analysis is low risk, deny the rest
    AllowAll, ///< approve everything (tests, trusted set-ups)
};
QString approvalPolicyName(ApprovalPolicy policy);
std::optional<ApprovalPolicy> approvalPolicyFromName(QStringView name);

/// Knows nothing of the RunManager: runs come in through enqueue() and approved ones leave
/// through approved(); the Engine connects the two (Engine::connectApprovals).
class TargetRegistry;

class ApprovalQueue : public QObject
{
    Q_OBJECT
public:
    explicit ApprovalQueue(AuditLog *audit, QObject *parent = nullptr);

    /// Runs the full analysis (expansion, compile check) of each request; none without it.
    void setAnalyzer(ScriptAnalyzer *analyzer);
    /// Whether requests get bpftrace's full analysis (then nothing is approved before it is in).
    bool analyzes() const { return m_analyzer != nullptr; }
    /// A request for another target is analysed by that target's analyzer (its kernel and
    /// bpftrace judge it), not this machine's. Not owned.
    void setTargets(TargetRegistry *targets);

    void setPolicy(ApprovalPolicy policy);
    ApprovalPolicy policy() const { return m_policy; }
    void setExpirySeconds(int seconds); ///< default 300
    int expirySeconds() const { return m_expirySeconds; }

    /// Oldest first.
    QList<Run *> pending() const;
    QDateTime expiresAt(const QString &runId) const;

    /// Each returns false with a message in *error when the run is unknown or already decided:
    /// a decision names the request it was made for and never lands on another one.
    bool approve(const QString &runId, QString *error = nullptr);
    /// Approve and remember (client name, script hash): later identical requests from that
    /// client are approved for the rest of the session (Decision::ApprovedForSession). Refused
    /// unless bpftrace has checked the program and its full analysis is not high risk: a
    /// standing permission needs facts, not a guess.
    bool approveForSession(const QString &runId, QString *error = nullptr);
    /// Why approveForSession() would refuse `run` now; empty when it would not.
    static QString sessionAllowRefusal(const Run *run);
    /// Why no approval of `run` can be given: a target it was asked for (its one target, or
    /// any of a fleet request's) was removed after the request was made, even if a target of
    /// that name was added back since. Empty when none was. Every approve*() refuses with this;
    /// denying is always possible.
    QString launchRefusal(const Run *run) const;
    bool approveEdited(const QString &runId, const QString &editedScript, QString *error = nullptr);
    bool deny(const QString &runId, const QString &message, QString *error = nullptr);

    /// Takes a client request (the run is in PendingApproval; anything else is ignored). A run
    /// that leaves PendingApproval by other means (RunManager::stop withdraws it) leaves the
    /// queue too, audited and announced like any decision.
    void enqueue(Run *run);

Q_SIGNALS:
    void requestAdded(Run *run);
    /// Approved, edited, denied, withdrawn or expired: the run left the queue.
    void requestResolved(Run *run);
    /// Emitted after requestResolved for an approved run, still in PendingApproval: launch it.
    void approved(Run *run);
    /// Targets were added or removed: launchRefusal() of a pending request may refuse now.
    void targetsChanged();

private:
    static QString sessionKey(const Run *run);
    void resolve(Run *run, Decision decision, const QString &decidedBy, const QString &message);
    void applyPolicy(Run *run);
    void applyAllowLowRisk(Run *run);
    void expire();
    void scheduleExpiry();
    Run *pendingRun(const QString &runId, QString *error) const;
    /// pendingRun(), unless launchRefusal() refuses it.
    Run *launchablePendingRun(const QString &runId, QString *error) const;
    void startAnalysis(Run *run);
    void startFleetAnalysis(Run *fleet);
    ScriptAnalyzer *analyzerFor(const QString &target) const;
    void audit(const Run *run);
    void onLeftElsewhere(Run *run);
    void onTargetsChanged();
    /// The configured target names a request runs on (a fleet's hosts'); none for this machine.
    static QStringList requestTargets(const Run *run);
    /// The targets of `run` removed since it was asked, in the order they went.
    QStringList removedTargets(const Run *run) const;

    AuditLog *m_audit;
    ScriptAnalyzer *m_analyzer = nullptr;
    QPointer<TargetRegistry> m_targets;
    QHash<QString, QPointer<Run>> m_known; ///< every run ever enqueued, for error messages
    ApprovalPolicy m_policy = ApprovalPolicy::Ask;
    int m_expirySeconds = 300;
    QList<QPointer<Run>> m_pending;
    struct Deadline
    {
        QDateTime at;
        int seconds = 0; ///< the expiry time in force when the request was queued
    };
    QHash<QString, Deadline> m_expiry;
    /// sessionKey() -> the targets the allowance is for; dropped once one of them is removed
    QHash<QString, QStringList> m_sessionAllowed;
    QSet<QString> m_analysed; ///< runs whose full analysis came back (whatever it says)
    QHash<QString, QStringList> m_removedTargets; ///< pending run id -> its targets removed since it was asked
    QTimer m_expiryTimer;
};
