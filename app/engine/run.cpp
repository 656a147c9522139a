// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/run.h"

#include "engine/results/fleetresults.h"

#include <QCryptographicHash>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace {
QJsonValue timeValue(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QDateTime timeFrom(const QJsonValue &value)
{
    return value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODateWithMs) : QDateTime();
}
} // namespace

Run::Run(const QString &id, RunOrigin origin, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_origin(origin)
    , m_decision(origin == RunOrigin::Person ? Decision::NotRequired : Decision::Pending)
    , m_createdAt(QDateTime::currentDateTimeUtc())
{ }

Run::Run(const QString &id, RunOrigin origin, const RunRequest &request, QObject *parent)
    : Run(id, origin, parent)
{
    m_client = request.client;
    m_reason = request.reason;
    m_target = request.target == "local"_L1 ? QString() : request.target;
    m_script = request.script;
    m_originalScript = request.script;
    m_timeoutSeconds = request.timeoutSeconds;
    if (origin == RunOrigin::Person)
        m_decidedBy = u"person"_s;
}

Run::~Run() = default;

QByteArray Run::scriptHash() const
{
    return QCryptographicHash::hash(m_script.toUtf8(), QCryptographicHash::Sha256).toHex();
}

double Run::durationSeconds() const
{
    if (!m_startedAt.isValid())
        return 0.0;
    const QDateTime end = m_endedAt.isValid() ? m_endedAt : QDateTime::currentDateTimeUtc();
    return double(m_startedAt.msecsTo(end)) / 1000.0;
}

QList<OutputLine> Run::lines(qint64 offset, int limit) const
{
    QList<OutputLine> out;
    if (limit <= 0)
        return out;
    const qint64 first = std::max(offset, m_firstOffset) - m_firstOffset;
    const qint64 end = std::min<qint64>(qint64(m_lines.size()), first + limit);
    if (first >= end)
        return out;
    out.reserve(end - first);
    qint64 next = m_firstOffset + first;
    m_lines.forEach(first, end - first, [&](QByteArrayView text, OutputLine::Stream stream, qint64 ms) {
        out.append(OutputLine { next++, ms, stream, QString::fromUtf8(text) });
    });
    return out;
}

void Run::setState(RunState state)
{
    if (m_state == state)
        return;
    m_state = state;
    if (isActive(state) && !m_startedAt.isValid())
        m_startedAt = QDateTime::currentDateTimeUtc();
    if (isTerminal(state) && !m_endedAt.isValid())
        m_endedAt = QDateTime::currentDateTimeUtc();
    // A fleet that ends before its hosts started (denied, expired, refused by a limit) ends them
    // too, with its reason: none is left pending.
    if (isTerminal(state)) {
        for (Run *host : std::as_const(m_hostRuns)) {
            if (host->state() == RunState::PendingApproval)
                host->setEnded(state, std::nullopt, m_failureReason);
        }
    }
    Q_EMIT stateChanged(state);
}

void Run::setFailed(const QString &reason)
{
    setEnded(RunState::Failed, m_exitCode, reason);
}

void Run::setEnded(RunState state, std::optional<int> exitCode, const QString &failureReason)
{
    m_exitCode = exitCode;
    if (state == RunState::Failed)
        m_failureReason = failureReason;
    if (m_fleet) // a new reason for a host that had already failed changes no state
        m_fleet->m_fleetResults.reset();
    // Before the state: whoever wakes on the end reads the maps whole.
    if (addEmptyMaps(state))
        Q_EMIT mapsChanged();
    setState(state);
}

void Run::setDecision(Decision decision, const QString &decidedBy, const QString &message)
{
    m_decision = decision;
    m_decidedBy = decidedBy;
    m_decisionMessage = message;
    m_decidedAt = QDateTime::currentDateTimeUtc();
    // One decision covers every target of a fleet.
    for (Run *host : std::as_const(m_hostRuns))
        host->setDecision(decision, decidedBy, message);
    Q_EMIT decisionChanged();
}

void Run::setEditedScript(const QString &script)
{
    if (m_script == script)
        return;
    m_script = script;
    // What the person approved runs on every target of a fleet.
    for (Run *host : std::as_const(m_hostRuns))
        host->setEditedScript(script);
    Q_EMIT scriptChanged();
}

void Run::setCounters(int attachedProbes, qint64 lostEvents, qint64 droppedByRate)
{
    if (m_attachedProbes == attachedProbes && m_lostEvents == lostEvents && m_droppedByRate == droppedByRate)
        return;
    m_attachedProbes = attachedProbes;
    m_lostEvents = lostEvents;
    m_droppedByRate = droppedByRate;
    Q_EMIT statsChanged();
}

void Run::appendLines(QList<OutputLine> &&lines, int maxKept)
{
    if (lines.isEmpty())
        return;
    OutputBatch batch;
    for (const OutputLine &line : lines) {
        batch.lines.append(line.stream, line.msSinceStart, line.text.toUtf8());
        batch.textSize += line.text.size();
    }
    appendBatch(std::move(batch), maxKept);
}

void Run::appendBatch(OutputBatch batch, int maxKept)
{
    if (batch.isEmpty())
        return;
    const qint64 count = batch.count(); // before its lines move into the ring
    const qint64 first = totalLines();
    const qint64 droppedBefore = m_firstOffset;
    m_totalBytes += batch.textSize;
    const qsizetype cap = std::max(1, maxKept);
    // Lines of the batch the ring would drop at once are not copied at all.
    const qsizetype from = std::max<qsizetype>(0, batch.lines.size() - cap);
    if (batch.linesCut + from > 0) {
        // Those came after everything the ring holds: so all of that is beyond the cap too.
        m_firstOffset += qint64(m_lines.size()) + batch.linesCut + from;
        m_lines.clear();
    }
    batch.lines.dropFront(from);
    m_lines.append(std::move(batch.lines)); // a flood's blocks move in whole
    if (m_lines.size() > cap) {
        m_firstOffset += m_lines.size() - cap;
        m_lines.dropFront(m_lines.size() - cap);
    }
    Q_EMIT outputAppended(first, int(count));
    if (m_firstOffset != droppedBefore)
        Q_EMIT statsChanged();
}

void Run::updateMaps(const RunResults &maps)
{
    if (maps.isEmpty() && maps.seriesNames().isEmpty())
        return;
    RunResults typed = maps;
    applyMapDetails(typed);
    m_maps.merge(typed);
    Q_EMIT mapsChanged();
}

void Run::dropExitDump(const QList<std::pair<QString, qint64>> &snapshots)
{
    if (snapshots.isEmpty())
        return;
    for (const auto &[name, ms] : snapshots)
        m_maps.dropSnapshot(name, ms);
    Q_EMIT mapsChanged();
}

void Run::applyMapDetails(RunResults &maps) const
{
    // Cheap when nothing changed: a map already split by these types is left alone.
    for (const ScriptMap &detail : m_analysis.mapDetails) {
        if (maps.contains(detail.name) || maps.series(detail.name))
            maps.setKeyTypes(detail.name, detail.keyTypes);
        maps.setSeriesDelta(detail.name, detail.clearedAfterPrint);
    }
}

bool Run::addEmptyMaps(RunState state)
{
    // bpftrace prints only maps with entries. A run that ran to its end and never printed a map
    // the script declares had nothing in it: say so, rather than leave the map out.
    if (state != RunState::Finished && state != RunState::Stopped && state != RunState::TimedOut)
        return false;
    bool added = false;
    for (const QString &name : m_analysis.maps) {
        if (m_maps.contains(name))
            continue;
        const ScriptMap *detail = m_analysis.mapDetail(name);
        MapResult empty
            = MapResult::emptyMap(name, detail ? detail->valueType : QString(), !detail || !detail->keyTypes.isEmpty());
        if (detail)
            empty.setKeyTypes(detail->keyTypes);
        m_maps.insert(std::move(empty));
        added = true;
    }
    return added;
}

void Run::addDiagnostics(const QList<Diagnostic> &diagnostics)
{
    if (diagnostics.isEmpty())
        return;
    m_diagnostics += diagnostics;
    Q_EMIT diagnosticsChanged();
}

void Run::setAnalysis(const ScriptAnalysis &analysis)
{
    m_analysis = analysis;
    m_fleetResults.reset(); // its map value types decide how plain maps merge
    // An analysis that lands after the maps (a person's run is analysed while it runs) still
    // types them.
    if (!m_analysis.mapDetails.isEmpty() || (isTerminal(m_state) && !m_analysis.maps.isEmpty())) {
        applyMapDetails(m_maps);
        addEmptyMaps(m_state);
        Q_EMIT mapsChanged();
    }
    Q_EMIT analysisChanged();
}

QStringList Run::targets() const
{
    QStringList names;
    names.reserve(m_hostRuns.size());
    for (const Run *host : m_hostRuns)
        names.append(host->targetName());
    return names;
}

Run *Run::hostRun(const QString &target) const
{
    for (Run *host : m_hostRuns) {
        if (host->targetName() == target || (target.isEmpty() && host->target().isEmpty()))
            return host;
    }
    return nullptr;
}

void Run::setFleetTargets(const QStringList &targets)
{
    Q_ASSERT(m_hostRuns.isEmpty() && m_state == RunState::PendingApproval);
    RunRequest request;
    request.script = m_script;
    request.reason = m_reason;
    request.client = m_client;
    request.timeoutSeconds = m_timeoutSeconds;
    for (const QString &target : targets) {
        request.target = target;
        auto *host = new Run(m_id + u'/' + target, m_origin, request, this);
        host->m_decision = m_decision;
        host->m_decidedBy = m_decidedBy;
        host->m_analysis = m_analysis;
        adoptHost(host);
    }
}

void Run::adoptHost(Run *host)
{
    host->m_fleet = this;
    m_hostRuns.append(host);
    m_fleetResults.reset();
    // Everything fleetResults() reads of a host: its state and failure reason, its counters
    // (a 255 before anything attached is an unreachable host), its maps and its analysis.
    const auto changed = [this] { m_fleetResults.reset(); };
    connect(host, &Run::stateChanged, this, changed);
    connect(host, &Run::statsChanged, this, changed);
    connect(host, &Run::mapsChanged, this, changed);
    connect(host, &Run::analysisChanged, this, changed);
}

namespace {
HostRunState hostRunState(const Run *host)
{
    switch (host->state()) {
    case RunState::Finished:
        return HostRunState::Finished;
    case RunState::Stopped:
    case RunState::TimedOut:
        return HostRunState::Stopped;
    case RunState::Failed:
        // ssh says 255 for everything that kept it from running the command (connection, host
        // key, authentication); a run that never started at all did not reach the host either.
        if (!host->startedAt().isValid() || (host->exitCode() == 255 && host->attachedProbes() == 0))
            return HostRunState::Unreachable;
        return HostRunState::Failed;
    case RunState::Denied:
    case RunState::Expired:
        return HostRunState::Unreachable;
    case RunState::PendingApproval:
    case RunState::Starting:
    case RunState::Running:
    case RunState::Stopping:
        break;
    }
    return HostRunState::Running;
}
} // namespace

QHash<QString, QString> Run::mapValueTypes() const
{
    QHash<QString, QString> types;
    auto add = [&types](const ScriptAnalysis &analysis) {
        for (const ScriptMap &detail : analysis.mapDetails) {
            if (!detail.valueType.isEmpty() && !types.contains(detail.name))
                types.insert(detail.name, detail.valueType);
        }
    };
    add(m_analysis);
    for (const Run *host : m_hostRuns)
        add(host->analysis());
    return types;
}

FleetResults Run::fleetResults() const
{
    if (m_hostRuns.isEmpty())
        return {};
    if (m_fleetResults)
        return *m_fleetResults;
    QList<HostResults> hosts;
    hosts.reserve(m_hostRuns.size());
    for (const Run *host : m_hostRuns) {
        HostResults results;
        results.host = host->targetName();
        results.state = hostRunState(host);
        results.message = host->failureReason();
        results.results = host->maps();
        hosts.append(std::move(results));
    }
    m_fleetResults = std::make_shared<const FleetResults>(FleetResults::merge(hosts, mapValueTypes()));
    return *m_fleetResults;
}

void Run::setMaps(const RunResults &maps)
{
    m_maps = maps;
    Q_EMIT mapsChanged();
}

void Run::updateFromHosts(bool mapsChanged)
{
    if (m_hostRuns.isEmpty() || isTerminal(m_state))
        return;
    int attached = 0;
    qint64 lost = 0;
    qint64 droppedByRate = 0;
    bool anyRunning = false;
    bool allEnded = true;
    bool anyLaunched = false;
    for (const Run *host : std::as_const(m_hostRuns)) {
        attached += host->attachedProbes();
        lost += host->lostEvents();
        droppedByRate += host->droppedByRate();
        anyRunning = anyRunning || host->state() == RunState::Running || host->state() == RunState::Stopping;
        allEnded = allEnded && isTerminal(host->state());
        anyLaunched = anyLaunched || host->state() != RunState::PendingApproval;
    }
    setCounters(attached, lost, droppedByRate);
    // Merging walks every host's maps: only when one of them changed, not per counter update.
    if (mapsChanged)
        setMaps(fleetResults().mergedResults());
    if (!anyLaunched)
        return;
    if (!allEnded) {
        if (m_state == RunState::Stopping)
            return; // stays Stopping until every host has ended
        setState(anyRunning ? RunState::Running : RunState::Starting);
        return;
    }
    // Every host has ended: the fleet ended the way its hosts did. It failed only when no host
    // has anything to show; a host that failed beside others that ran is named in the
    // diagnostics and in the fleet results' summary, never silently left out.
    QList<Diagnostic> notes;
    bool anyUsable = false;
    bool anyTimedOut = false;
    bool anyStopped = false;
    QStringList failures;
    for (const Run *host : std::as_const(m_hostRuns)) {
        const QString name = host->targetName();
        switch (host->state()) {
        case RunState::Finished:
            anyUsable = true;
            break;
        case RunState::TimedOut:
            anyUsable = true;
            anyTimedOut = true;
            break;
        case RunState::Stopped:
            anyUsable = true;
            anyStopped = true;
            break;
        default: {
            const QString reason
                = host->failureReason().isEmpty() ? runStateName(host->state()) : host->failureReason();
            failures.append(u"%1: %2"_s.arg(name, reason));
            Diagnostic note;
            note.severity = Diagnostic::Severity::Warning;
            note.message = u"Target %1 did not run the script: %2"_s.arg(name, reason);
            notes.append(note);
            break;
        }
        }
        // The host's own diagnostics (bpftrace's errors there), named by host.
        for (Diagnostic diagnostic : host->diagnostics()) {
            diagnostic.message = name + u": "_s + diagnostic.message;
            notes.append(diagnostic);
        }
    }
    addDiagnostics(notes);
    if (!anyUsable) {
        setEnded(RunState::Failed, std::nullopt, u"Failed on every target. "_s + failures.join(u"; "_s));
        return;
    }
    const RunState end = anyTimedOut ? RunState::TimedOut : anyStopped ? RunState::Stopped : RunState::Finished;
    setEnded(end, failures.isEmpty() ? std::optional<int>(0) : std::nullopt);
}

QJsonObject Run::toJson(bool withOutput) const
{
    QJsonObject object {
        { u"id"_s, m_id },
        { u"origin"_s, runOriginName(m_origin) },
        { u"client"_s, m_client.toJson() },
        { u"reason"_s, m_reason },
        { u"script"_s, m_script },
        { u"scriptHash"_s, QString::fromLatin1(scriptHash()) },
        { u"scriptEdited"_s, scriptEdited() },
        { u"state"_s, runStateName(m_state) },
        { u"decision"_s, decisionName(m_decision) },
        { u"decidedBy"_s, m_decidedBy },
        { u"decisionMessage"_s, m_decisionMessage },
        { u"failureReason"_s, m_failureReason },
        { u"createdAt"_s, timeValue(m_createdAt) },
        { u"decidedAt"_s, timeValue(m_decidedAt) },
        { u"startedAt"_s, timeValue(m_startedAt) },
        { u"endedAt"_s, timeValue(m_endedAt) },
        { u"durationSeconds"_s, durationSeconds() },
        { u"timeoutSeconds"_s, m_timeoutSeconds ? QJsonValue(*m_timeoutSeconds) : QJsonValue() },
        { u"exitCode"_s, m_exitCode ? QJsonValue(*m_exitCode) : QJsonValue() },
        { u"attachedProbes"_s, m_attachedProbes },
        { u"lostEvents"_s, m_lostEvents },
        { u"totalLines"_s, totalLines() },
        { u"firstOffset"_s, m_firstOffset },
        { u"droppedByCap"_s, droppedByCap() },
        { u"droppedByRate"_s, m_droppedByRate },
        { u"totalBytes"_s, m_totalBytes },
        { u"maps"_s, m_maps.toJson() },
        { u"analysis"_s, m_analysis.toJson() },
    };
    // Only when there are any, so a run without series is saved as it always was.
    if (!m_maps.seriesNames().isEmpty())
        object.insert(u"series"_s, m_maps.seriesToJson());
    if (scriptEdited())
        object.insert(u"originalScript"_s, m_originalScript);
    // Only for another target, so a local run is saved as it always was.
    if (!m_target.isEmpty())
        object.insert(u"target"_s, m_target);
    // A fleet keeps each host's run whole except its output, which is in the fleet's own
    // (prefixed by host), so the per-host breakdown survives a restart.
    if (!m_hostRuns.isEmpty()) {
        QJsonArray hosts;
        for (const Run *host : m_hostRuns)
            hosts.append(host->toJson(false));
        object.insert(u"hosts"_s, hosts);
    }
    QJsonArray diagnostics;
    for (const Diagnostic &d : m_diagnostics)
        diagnostics.append(d.toJson());
    object.insert(u"diagnostics"_s, diagnostics);
    if (withOutput) {
        QJsonArray output;
        qint64 offset = m_firstOffset;
        m_lines.forEach(0, m_lines.size(), [&](QByteArrayView text, OutputLine::Stream stream, qint64 ms) {
            output.append(OutputLine { offset++, ms, stream, QString::fromUtf8(text) }.toJson());
        });
        object.insert(u"output"_s, output);
    }
    return object;
}

Run *Run::fromJson(const QJsonObject &object, QObject *parent)
{
    const QString id = object.value(u"id"_s).toString();
    if (id.isEmpty())
        return nullptr;
    const RunOrigin origin
        = object.value(u"origin"_s).toString() == "client"_L1 ? RunOrigin::Client : RunOrigin::Person;
    auto *run = new Run(id, origin, parent);
    run->m_client = ClientInfo::fromJson(object.value(u"client"_s).toObject());
    run->m_reason = object.value(u"reason"_s).toString();
    run->m_target = object.value(u"target"_s).toString();
    run->m_script = object.value(u"script"_s).toString();
    run->m_originalScript = object.value(u"originalScript"_s).toString(run->m_script);
    // History is read-only and terminal: a run saved mid-flight (the app died) counts as failed.
    const auto state = runStateFromName(object.value(u"state"_s).toString());
    run->m_state = state && isTerminal(*state) ? *state : RunState::Failed;
    run->m_decision = decisionFromName(object.value(u"decision"_s).toString()).value_or(Decision::NotRequired);
    run->m_decidedBy = object.value(u"decidedBy"_s).toString();
    run->m_decisionMessage = object.value(u"decisionMessage"_s).toString();
    run->m_failureReason = object.value(u"failureReason"_s).toString();
    if (state && !isTerminal(*state) && run->m_failureReason.isEmpty())
        run->m_failureReason = u"TraceDesk ended while the run was active"_s;
    run->m_createdAt = timeFrom(object.value(u"createdAt"_s));
    run->m_decidedAt = timeFrom(object.value(u"decidedAt"_s));
    run->m_startedAt = timeFrom(object.value(u"startedAt"_s));
    run->m_endedAt = timeFrom(object.value(u"endedAt"_s));
    const QJsonValue timeout = object.value(u"timeoutSeconds"_s);
    if (timeout.isDouble())
        run->m_timeoutSeconds = timeout.toInt();
    const QJsonValue exitCode = object.value(u"exitCode"_s);
    if (exitCode.isDouble())
        run->m_exitCode = exitCode.toInt();
    run->m_attachedProbes = object.value(u"attachedProbes"_s).toInt();
    run->m_lostEvents = object.value(u"lostEvents"_s).toInteger();
    run->m_droppedByRate = object.value(u"droppedByRate"_s).toInteger();
    run->m_totalBytes = object.value(u"totalBytes"_s).toInteger();
    run->m_maps = RunResults::fromJson(object.value(u"maps"_s).toObject());
    run->m_maps.seriesFromJson(object.value(u"series"_s).toObject());
    run->m_analysis = ScriptAnalysis::fromJson(object.value(u"analysis"_s).toObject());
    const QJsonArray diagnostics = object.value(u"diagnostics"_s).toArray();
    for (const QJsonValue &d : diagnostics)
        run->m_diagnostics.append(Diagnostic::fromJson(d.toObject()));
    const QJsonArray output = object.value(u"output"_s).toArray();
    std::optional<qint64> savedFirst;
    for (const QJsonValue &value : output) {
        const OutputLine line = OutputLine::fromJson(value.toObject());
        if (!savedFirst)
            savedFirst = line.offset;
        run->m_lines.append(line.stream, line.msSinceStart, line.text.toUtf8());
    }
    // Offsets stay absolute: the saved ring starts where the live one did.
    const qint64 firstOffset = object.value(u"firstOffset"_s).toInteger();
    run->m_firstOffset = savedFirst.value_or(object.value(u"totalLines"_s).toInteger());
    if (!savedFirst && firstOffset > run->m_firstOffset)
        run->m_firstOffset = firstOffset;
    const QJsonArray hosts = object.value(u"hosts"_s).toArray();
    for (const QJsonValue &value : hosts) {
        if (Run *host = fromJson(value.toObject(), run))
            run->adoptHost(host);
    }
    return run;
}
