// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/approvalqueue.h"

#include "engine/analysissummary.h"
#include "engine/auditlog.h"
#include "engine/logging.h"
#include "engine/run.h"
#include "engine/scriptanalyzer.h"
#include "engine/scriptcheck.h"
#include "engine/targets/targetregistry.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

QString approvalPolicyName(ApprovalPolicy policy)
{
    switch (policy) {
    case ApprovalPolicy::Ask:
        return u"ask"_s;
    case ApprovalPolicy::Deny:
        return u"deny"_s;
    case ApprovalPolicy::AllowLowRisk:
        return u"allow-low-risk"_s;
    case ApprovalPolicy::AllowAll:
        return u"allow-all"_s;
    }
    return QString();
}

std::optional<ApprovalPolicy> approvalPolicyFromName(QStringView name)
{
    for (ApprovalPolicy policy :
        { ApprovalPolicy::Ask, ApprovalPolicy::Deny, ApprovalPolicy::AllowLowRisk, ApprovalPolicy::AllowAll }) {
        if (name == approvalPolicyName(policy))
            return policy;
    }
    return std::nullopt;
}

ApprovalQueue::ApprovalQueue(AuditLog *audit, QObject *parent)
    : QObject(parent)
    , m_audit(audit)
{
    m_expiryTimer.setSingleShot(true);
    // Deadlines are shown to the person ("Expires in N s"); keep them, not 5% either side.
    m_expiryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_expiryTimer, &QTimer::timeout, this, &ApprovalQueue::expire);
}

void ApprovalQueue::setAnalyzer(ScriptAnalyzer *analyzer)
{
    m_analyzer = analyzer;
}

void ApprovalQueue::setPolicy(ApprovalPolicy policy)
{
    m_policy = policy;
    // Requests already waiting follow the new policy too (a headless switch to deny, say).
    const QList<QPointer<Run>> waiting = m_pending;
    for (const QPointer<Run> &run : waiting) {
        if (run)
            applyPolicy(run);
    }
}

void ApprovalQueue::setExpirySeconds(int seconds)
{
    m_expirySeconds = std::max(1, seconds);
}

QList<Run *> ApprovalQueue::pending() const
{
    QList<Run *> out;
    for (const QPointer<Run> &run : m_pending) {
        if (run)
            out.append(run);
    }
    return out;
}

QDateTime ApprovalQueue::expiresAt(const QString &runId) const
{
    return m_expiry.value(runId).at;
}

Run *ApprovalQueue::pendingRun(const QString &runId, QString *error) const
{
    for (const QPointer<Run> &run : m_pending) {
        if (run && run->id() == runId)
            return run;
    }
    if (error) {
        const Run *known = m_known.value(runId);
        *error = known ? u"Run %1 is not waiting for approval (it is %2)."_s.arg(runId, runStateName(known->state()))
                       : u"No run with id %1."_s.arg(runId);
    }
    return nullptr;
}

Run *ApprovalQueue::launchablePendingRun(const QString &runId, QString *error) const
{
    Run *run = pendingRun(runId, error);
    if (!run)
        return nullptr;
    if (const QString refusal = launchRefusal(run); !refusal.isEmpty()) {
        if (error)
            *error = refusal;
        return nullptr;
    }
    return run;
}

void ApprovalQueue::enqueue(Run *run)
{
    if (!run || run->state() != RunState::PendingApproval)
        return;
    // The session, not the name a client gives itself: another client calling itself the same
    // must not inherit the permission.
    const QString key = sessionKey(run);
    m_pending.append(run);
    m_known.insert(run->id(), run);
    connect(run, &Run::stateChanged, this, [this, run](RunState state) {
        if (state != RunState::PendingApproval)
            onLeftElsewhere(run);
    });
    m_expiry.insert(run->id(), Deadline { QDateTime::currentDateTimeUtc().addSecs(m_expirySeconds), m_expirySeconds });
    Q_EMIT requestAdded(run);
    if (m_sessionAllowed.contains(key)) {
        resolve(run, Decision::ApprovedForSession, u"session-allow"_s,
            u"Identical script from this client was allowed for the session."_s);
        return;
    }
    startAnalysis(run);
    if (run->state() == RunState::PendingApproval)
        applyPolicy(run);
    scheduleExpiry();
}

void ApprovalQueue::setTargets(TargetRegistry *targets)
{
    if (m_targets)
        disconnect(m_targets, nullptr, this, nullptr);
    m_targets = targets;
    if (targets)
        connect(targets, &TargetRegistry::targetsChanged, this, &ApprovalQueue::onTargetsChanged);
}

QStringList ApprovalQueue::requestTargets(const Run *run)
{
    QStringList names;
    if (!run->isFleet()) {
        if (!run->target().isEmpty())
            names.append(run->target());
        return names;
    }
    for (const Run *host : run->hostRuns()) {
        if (!host->target().isEmpty())
            names.append(host->target());
    }
    return names;
}

QStringList ApprovalQueue::removedTargets(const Run *run) const
{
    // Those removed since (kept even if a target of that name came back), and any not configured
    // now: by name only, so a removed name that happens to be another target's URI is still gone.
    QStringList gone = m_removedTargets.value(run->id());
    const QStringList configured = m_targets ? m_targets->names() : QStringList();
    for (const QString &name : requestTargets(run)) {
        if (!gone.contains(name) && !configured.contains(name))
            gone.append(name);
    }
    return gone;
}

void ApprovalQueue::onTargetsChanged()
{
    // A removal is final for the requests waiting on that target, and for what was allowed
    // for the session there: a target added back under the same name may be another machine,
    // where bpftrace never checked the program.
    for (const QPointer<Run> &run : std::as_const(m_pending)) {
        if (!run)
            continue;
        if (const QStringList gone = removedTargets(run); !gone.isEmpty())
            m_removedTargets.insert(run->id(), gone);
    }
    const QStringList names = m_targets ? m_targets->names() : QStringList();
    m_sessionAllowed.removeIf([&names](const QHash<QString, QStringList>::iterator it) {
        return std::any_of(it->cbegin(), it->cend(), [&names](const QString &name) { return !names.contains(name); });
    });
    Q_EMIT targetsChanged();
}

QString ApprovalQueue::launchRefusal(const Run *run) const
{
    if (!run || !m_targets)
        return QString();
    // The names were checked when the client asked; RunManager checks them again at launch,
    // where a missing target fails the run. Refused here, the person is told before deciding.
    const QStringList gone = removedTargets(run);
    if (gone.isEmpty())
        return QString();
    const bool one = gone.size() == 1;
    const QString named = one ? u"Target '%1'"_s.arg(gone.first()) : u"Targets '%1'"_s.arg(gone.join(u"', '"_s));
    // One decision covers exactly the targets asked for: with one of them gone it cannot.
    const QString which = run->isFleet() ? u" of this request"_s : QString();
    const QString verb = one ? u"was"_s : u"were"_s;
    return u"%1%2 %3 removed after the client asked. Approving stays refused even if a target of that name is "
           "added back: it may be another machine, where bpftrace never checked the program. Deny the "
           "request; the client can ask again on targets that exist."_s.arg(named, which, verb);
}

QString ApprovalQueue::sessionKey(const Run *run)
{
    // The same script on another target, or on another list of targets, is another decision.
    const QString where = run->isFleet() ? run->targets().join(u',') : run->target();
    return run->client().sessionId + u'\n' + QString::fromLatin1(run->scriptHash()) + u'\n' + where;
}

ScriptAnalyzer *ApprovalQueue::analyzerFor(const QString &target) const
{
    if (target.isEmpty() || target == Target::LocalName)
        return m_analyzer;
    return m_targets ? m_targets->analyzer(target) : nullptr;
}

void ApprovalQueue::startFleetAnalysis(Run *fleet)
{
    // Each target's kernel and bpftrace judge the script there; the request is complete once
    // every one has answered, and shows the worst of them.
    if (!m_analyzer)
        return;
    const QString script = fleet->script();
    const QList<Run *> hosts = fleet->hostRuns();
    ScriptAnalyzer::TargetAnalyzers targets;
    for (Run *host : hosts) {
        m_analysed.remove(host->id());
        targets.append({ host->targetName(), analyzerFor(host->target()) });
    }
    QPointer<Run> guard(fleet);
    QList<QPointer<Run>> hostGuards(hosts.cbegin(), hosts.cend());
    // The run is the context, so the answer is dropped when the run goes; the queue may go
    // first (the engine deletes it before the runs), and then the answer is nobody's.
    QPointer<ApprovalQueue> self(this);
    ScriptAnalyzer::analyzeOnTargets(
        script, targets, fleet,
        [this, self, hostGuards, script](qsizetype index, const ScriptAnalysis &analysis) {
            // An edit may have replaced the script meanwhile: only the matching analysis counts.
            const QPointer<Run> &host = hostGuards.at(index);
            if (!self || !host || host->script() != script)
                return;
            m_analysed.insert(host->id());
            host->setAnalysis(analysis);
        },
        [this, self, guard, script](const ScriptAnalyzer::PerTarget &perTarget) {
            if (!self || !guard || guard->script() != script)
                return;
            m_analysed.insert(guard->id());
            guard->setAnalysis(ScriptAnalysis::worstOf(perTarget));
            if (guard->state() == RunState::PendingApproval && m_policy == ApprovalPolicy::AllowLowRisk)
                applyPolicy(guard);
        });
}

void ApprovalQueue::startAnalysis(Run *run)
{
    if (run->isFleet()) {
        startFleetAnalysis(run);
        return;
    }
    QPointer<Run> guard(run);
    QPointer<ApprovalQueue> self(this); // as in startFleetAnalysis()
    const QString script = run->script();
    auto done = [this, self, guard, script](const ScriptAnalysis &analysis) {
        // An edit may have replaced the script meanwhile: only the matching analysis counts.
        if (!self || !guard || guard->script() != script)
            return;
        m_analysed.insert(guard->id());
        guard->setAnalysis(analysis);
        if (guard->state() == RunState::PendingApproval && m_policy == ApprovalPolicy::AllowLowRisk)
            applyPolicy(guard);
    };
    if (run->target().isEmpty()) {
        if (m_analyzer)
            m_analyzer->analyze(script, run, done);
        return;
    }
    // A target's analyzer goes when the target is removed: analyzeOnTargets() then answers "not
    // checked" instead of leaving the request checking until it expires.
    ScriptAnalyzer::analyzeOnTargets(script, { { run->target(), analyzerFor(run->target()) } }, run,
        [done](qsizetype, const ScriptAnalysis &analysis) { done(analysis); }, {});
}

void ApprovalQueue::applyPolicy(Run *run)
{
    switch (m_policy) {
    case ApprovalPolicy::Ask:
        return;
    case ApprovalPolicy::Deny:
        resolve(
            run, Decision::DeniedByPolicy, u"policy:deny"_s, u"This TraceDesk instance denies every client request."_s);
        return;
    case ApprovalPolicy::AllowAll:
        if (const QString refusal = launchRefusal(run); !refusal.isEmpty())
            resolve(run, Decision::DeniedByPolicy, u"policy:allow-all"_s, refusal);
        else
            resolve(run, Decision::ApprovedByPolicy, u"policy:allow-all"_s, QString());
        return;
    case ApprovalPolicy::AllowLowRisk:
        applyAllowLowRisk(run);
        return;
    }
}

void ApprovalQueue::applyAllowLowRisk(Run *run)
{
    const ScriptAnalysis analysis = run->analysis();
    const QString by = u"policy:allow-low-risk"_s;
    // Decide only on the full analysis (expansion and compile check), never on the quick one;
    // wait for it while it runs, and deny when there is none to wait for.
    if (!analysis.complete && m_analyzer && !m_analysed.contains(run->id()) && !AnalysisSummary::isUnchecked(analysis))
        return;
    if (AnalysisSummary::isUnchecked(analysis) || !analysis.complete) {
        const QString why = AnalysisSummary::isUnchecked(analysis) ? AnalysisSummary::unchecked(analysis) + u'.'
            : m_analyzer                                           ? u"The full analysis did not finish."_s
                                                                   : u"No full analysis is available here."_s;
        resolve(run, Decision::DeniedByPolicy, by,
            why + u" Only programs bpftrace has checked and rated low risk are allowed automatically."_s);
        return;
    }
    if (const QString refusal = launchRefusal(run); !refusal.isEmpty()) {
        resolve(run, Decision::DeniedByPolicy, by, refusal);
        return;
    }
    if (analysis.risk == RiskLevel::Low && !analysis.hasErrors()) {
        resolve(run, Decision::ApprovedByPolicy, by, QString());
        return;
    }
    QString message = analysis.hasErrors()
        ? u"The program does not compile."_s
        : u"Only low-risk programs are allowed automatically; this one is %1 risk."_s.arg(riskLevelName(analysis.risk));
    const QStringList reasons = analysis.reasons();
    if (!reasons.isEmpty())
        message += u' ' + reasons.join(u"; "_s);
    resolve(run, Decision::DeniedByPolicy, by, message);
}

bool ApprovalQueue::approve(const QString &runId, QString *error)
{
    Run *run = launchablePendingRun(runId, error);
    if (!run)
        return false;
    resolve(run, Decision::Approved, u"person"_s, QString());
    return true;
}

QString ApprovalQueue::sessionAllowRefusal(const Run *run)
{
    // Every stateless (2026-07-28) client of a transport shares one owner: an allowance would
    // let any of them run the script unasked.
    if (ClientInfo::isStatelessOwner(run->client().sessionId))
        return u"A stateless client has no session of its own to allow this for; approve this request on its own."_s;
    const ScriptAnalysis analysis = run->analysis();
    if (analysis.risk == RiskLevel::High)
        return u"A high-risk program cannot be allowed for the session; approve this request on its own."_s;
    if (AnalysisSummary::isUnchecked(analysis))
        return AnalysisSummary::unchecked(analysis)
            + u"; a program nobody checked cannot be allowed for the session. Approve this request on its own."_s;
    if (!analysis.complete)
        return u"bpftrace is still checking the program; it can be allowed for the session once the check is in."_s;
    return {};
}

bool ApprovalQueue::approveForSession(const QString &runId, QString *error)
{
    Run *run = launchablePendingRun(runId, error);
    if (!run)
        return false;
    if (const QString refusal = sessionAllowRefusal(run); !refusal.isEmpty()) {
        if (error)
            *error = refusal;
        return false;
    }
    m_sessionAllowed.insert(sessionKey(run), requestTargets(run));
    resolve(run, Decision::Approved, u"person"_s,
        u"Identical requests from %1 are allowed for the rest of this session."_s.arg(run->client().displayName()));
    return true;
}

bool ApprovalQueue::approveEdited(const QString &runId, const QString &editedScript, QString *error)
{
    Run *run = launchablePendingRun(runId, error);
    if (!run)
        return false;
    if (!checkScript(editedScript, error))
        return false;
    if (editedScript == run->originalScript()) {
        resolve(run, Decision::Approved, u"person"_s, QString());
        return true;
    }
    run->setEditedScript(editedScript);
    // What is known of the edited script, on every target, until its own checks answer: the
    // decision (and the audit log) must not carry the checks of the script the client sent.
    const ScriptAnalysis quick = ScriptAnalyzer::analyzeText(editedScript);
    run->setAnalysis(quick);
    for (Run *host : run->hostRuns())
        host->setAnalysis(quick);
    startAnalysis(run);
    resolve(run, Decision::ApprovedEdited, u"person"_s,
        u"The person edited the program before approving it; the edited version is what runs."_s);
    return true;
}

bool ApprovalQueue::deny(const QString &runId, const QString &message, QString *error)
{
    Run *run = pendingRun(runId, error);
    if (!run)
        return false;
    resolve(run, Decision::Denied, u"person"_s, message.isEmpty() ? u"Denied by the person."_s : message);
    return true;
}

void ApprovalQueue::resolve(Run *run, Decision decision, const QString &decidedBy, const QString &message)
{
    m_pending.removeIf([run](const QPointer<Run> &p) { return !p || p == run; });
    m_expiry.remove(run->id());
    m_analysed.remove(run->id());
    m_removedTargets.remove(run->id());
    for (const Run *host : run->hostRuns())
        m_analysed.remove(host->id());
    run->setDecision(decision, decidedBy, message);
    audit(run);

    switch (decision) {
    case Decision::Approved:
    case Decision::ApprovedEdited:
    case Decision::ApprovedForSession:
    case Decision::ApprovedByPolicy:
        Q_EMIT requestResolved(run);
        Q_EMIT approved(run);
        break;
    case Decision::Expired:
        run->setState(RunState::Expired);
        Q_EMIT requestResolved(run);
        break;
    default:
        run->setState(RunState::Denied);
        Q_EMIT requestResolved(run);
        break;
    }
    scheduleExpiry();
}

void ApprovalQueue::audit(const Run *run)
{
    qCInfo(lcApproval) << "run" << run->id() << decisionName(run->decision()) << "by" << run->decidedBy();
    if (!m_audit)
        return;
    const ScriptAnalysis analysis = run->analysis();
    QJsonObject entry {
        { u"time"_s, run->decidedAt().toString(Qt::ISODateWithMs) },
        { u"runId"_s, run->id() },
        { u"client"_s, run->client().toJson() },
        { u"reason"_s, run->reason() },
        { u"decision"_s, decisionName(run->decision()) },
        { u"decidedBy"_s, run->decidedBy() },
        { u"message"_s, run->decisionMessage() },
        { u"scriptHash"_s, QString::fromLatin1(run->scriptHash()) },
        { u"script"_s, run->script() },
        { u"risk"_s, riskLevelName(analysis.risk) },
        { u"analysisComplete"_s, analysis.complete },
        { u"checked"_s, analysis.checked },
    };
    if (run->scriptEdited())
        entry.insert(u"originalScript"_s, run->originalScript());
    auto uriOf = [this](const QString &name) {
        const Target *target = m_targets ? m_targets->find(name.isEmpty() ? Target::LocalName : name) : nullptr;
        return target ? target->uri() : QString();
    };
    if (run->isFleet()) {
        // Every target the decision covers, each with what its own analysis found there.
        QJsonArray targets;
        for (const Run *host : run->hostRuns()) {
            const ScriptAnalysis hostAnalysis = host->analysis();
            targets.append(QJsonObject {
                { u"target"_s, host->targetName() },
                { u"targetUri"_s, uriOf(host->target()) },
                { u"attachCount"_s, hostAnalysis.attachCount },
                { u"risk"_s, riskLevelName(hostAnalysis.risk) },
                { u"checked"_s, hostAnalysis.checked },
            });
        }
        entry.insert(u"targets"_s, targets);
    } else {
        entry.insert(u"target"_s, run->targetName());
        if (const QString uri = uriOf(run->target()); !uri.isEmpty())
            entry.insert(u"targetUri"_s, uri);
    }
    if (!m_audit->append(entry))
        qCWarning(lcApproval) << "could not append to the audit log:" << m_audit->errorString();
}

void ApprovalQueue::onLeftElsewhere(Run *run)
{
    // resolve() takes a run off the list before changing its state; a run still listed was
    // decided by someone else (RunManager::stop withdrew it).
    if (!m_pending.contains(QPointer<Run>(run)))
        return;
    m_pending.removeIf([run](const QPointer<Run> &p) { return !p || p == run; });
    m_expiry.remove(run->id());
    m_analysed.remove(run->id());
    m_removedTargets.remove(run->id());
    audit(run);
    Q_EMIT requestResolved(run);
    scheduleExpiry();
}

void ApprovalQueue::scheduleExpiry()
{
    QDateTime earliest;
    for (const Deadline &deadline : std::as_const(m_expiry)) {
        if (!earliest.isValid() || deadline.at < earliest)
            earliest = deadline.at;
    }
    if (!earliest.isValid()) {
        m_expiryTimer.stop();
        return;
    }
    m_expiryTimer.start(std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(earliest)));
}

void ApprovalQueue::expire()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<Run *> waiting = pending();
    for (Run *run : waiting) {
        // A handler of an earlier resolve() may have settled this one already.
        const auto deadline = m_expiry.constFind(run->id());
        if (run->state() != RunState::PendingApproval || deadline == m_expiry.cend())
            continue;
        const int seconds = deadline->seconds;
        if (deadline->at <= now)
            resolve(run, Decision::Expired, u"timeout"_s,
                u"Nobody decided within %1 s; the request counts as denied."_s.arg(seconds));
    }
    scheduleExpiry();
}
