// SPDX-License-Identifier: GPL-2.0-or-later
// One run of a bpftrace program: its request, decision, life cycle, output, maps and diagnostics.
#pragma once

#include "engine/bpftraceoutput.h"
#include "engine/outputbuffer.h"
#include "engine/results/runresults.h"
#include "engine/runtypes.h"
#include "engine/scriptanalyzer.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <memory>
#include <optional>

/// What a run is asked to do: the script and, for a client's run, who asks, why and for how long.
struct RunRequest
{
    QString script;
    QString reason;
    ClientInfo client;
    std::optional<int> timeoutSeconds; ///< nullopt: the default client timeout (a person's run: none)
    /// Where it runs: a configured target's name (TargetRegistry::resolve); empty = this machine.
    QString target = {};
    /// A fleet: the configured targets' names (two or more, each once, groups already resolved);
    /// `target` is then empty. One decision covers the script on exactly these targets.
    QStringList targets = {};
};

class FleetResults;

/// A run is owned by the RunManager and lives as long as the engine; pointers stay valid.
/// Read it anywhere on the GUI thread. Only the engine changes it, and only through the mutators
/// below, each of which emits the matching signal.
class Run : public QObject
{
    Q_OBJECT
public:
    explicit Run(const QString &id, RunOrigin origin, QObject *parent = nullptr);
    /// A new run for `request`, in PendingApproval; a person's run is decided by "person" already.
    Run(const QString &id, RunOrigin origin, const RunRequest &request, QObject *parent = nullptr);
    ~Run() override;

    QString id() const { return m_id; }
    RunOrigin origin() const { return m_origin; }
    ClientInfo client() const { return m_client; }
    QString reason() const { return m_reason; }
    /// The configured target it runs on (TargetRegistry); empty for this machine and for a fleet.
    QString target() const { return m_target; }
    /// target() as both front doors name it: "local" for this machine.
    QString targetName() const { return m_target.isEmpty() ? QStringLiteral("local") : m_target; }

    /// A fleet run runs the same script on several targets, as one run per target (its host
    /// runs, owned by it, in the order of targets()). It has no process of its own: its state,
    /// counters and output follow its host runs (output lines read "host | text"), its maps are
    /// the hosts' maps merged, and its analysis is the worst of the hosts' (the highest risk).
    bool isFleet() const { return !m_hostRuns.isEmpty(); }
    QStringList targets() const;
    const QList<Run *> &hostRuns() const { return m_hostRuns; }
    /// The host run on `target`; nullptr when there is none.
    Run *hostRun(const QString &target) const;
    /// The fleet run a host run belongs to; nullptr for any other run.
    Run *fleet() const { return m_fleet; }
    /// Every host's state and maps, and each map merged over the hosts with its breakdown. Empty
    /// for a run that is not a fleet. Merged once per change of a host (its state, counters, maps
    /// or analysis), however often it is asked for.
    FleetResults fleetResults() const;
    /// The script's map value types from the hosts' analyses, which decide how plain maps merge.
    QHash<QString, QString> mapValueTypes() const;
    /// The script that runs (or would run): the edited one when the person edited it.
    QString script() const { return m_script; }
    /// The script as first submitted.
    QString originalScript() const { return m_originalScript; }
    bool scriptEdited() const { return m_script != m_originalScript; }
    QByteArray scriptHash() const; ///< SHA-256 of script(), hex

    RunState state() const { return m_state; }
    Decision decision() const { return m_decision; }
    QString decidedBy() const { return m_decidedBy; } ///< "person", "policy:allow-all", "session-allow", "timeout", ...
    QString decisionMessage() const { return m_decisionMessage; } ///< the deny message, or a note on the edit
    QString failureReason() const { return m_failureReason; } ///< why it failed, for people and clients

    QDateTime createdAt() const { return m_createdAt; }
    QDateTime decidedAt() const { return m_decidedAt; }
    QDateTime startedAt() const { return m_startedAt; }
    QDateTime endedAt() const { return m_endedAt; }
    /// Seconds from start to end (or to now while active); 0 before start.
    double durationSeconds() const;
    std::optional<int> timeoutSeconds() const { return m_timeoutSeconds; } ///< nullopt: no timeout
    std::optional<int> exitCode() const { return m_exitCode; }

    int attachedProbes() const { return m_attachedProbes; }
    qint64 lostEvents() const { return m_lostEvents; }

    /// Output accounting: totalLines() lines were accepted; the oldest were dropped by the cap
    /// (droppedByCap() == firstOffset()); droppedByRate() never got in because of the rate limit.
    qint64 totalLines() const { return m_firstOffset + qint64(m_lines.size()); }
    qint64 firstOffset() const { return m_firstOffset; }
    qint64 droppedByCap() const { return m_firstOffset; }
    qint64 droppedByRate() const { return m_droppedByRate; }
    qint64 totalBytes() const { return m_totalBytes; }
    /// Up to `limit` lines from `offset` (clamped to firstOffset()).
    QList<OutputLine> lines(qint64 offset, int limit) const;
    /// The ring as stored (line i has offset firstOffset() + i). A copy is cheap (the text
    /// blocks are shared) and may be read on another thread, as the RunStore's writer does.
    const OutputBuffer &keptLines() const { return m_lines; }

    /// Latest value of each map, typed. Final after the run ended (bpftrace prints its maps on
    /// SIGINT/SIGTERM/exit). Keys are split by the key types of analysis().mapDetails; the
    /// series hold every print() during the run (delta when the script clears after printing);
    /// once a run that ran has ended, a map the script declares but bpftrace never printed is
    /// there too, empty ("no entries").
    const RunResults &maps() const { return m_maps; }
    QList<Diagnostic> diagnostics() const { return m_diagnostics; }
    ScriptAnalysis analysis() const { return m_analysis; }

    /// Everything about the run; the output only when asked (the store saves it, lists do not).
    QJsonObject toJson(bool withOutput) const;
    /// Restores a run saved by the RunStore (always in a terminal state).
    static Run *fromJson(const QJsonObject &object, QObject *parent = nullptr);

    // Mutators for the engine (RunManager, RunController, ApprovalQueue); each emits its signal.

    /// Moves to `state`, stamping startedAt/endedAt on the first active/terminal state.
    void setState(RunState state);
    /// Ends the run as Failed with `reason` for people and clients.
    void setFailed(const QString &reason);
    /// Ends the run in the terminal `state` with the process's exit code (nullopt: it crashed or
    /// never started) and, for Failed, the reason; emits stateChanged once.
    void setEnded(RunState state, std::optional<int> exitCode, const QString &failureReason = QString());
    /// Records who decided what (decidedAt is now) and emits decisionChanged.
    void setDecision(Decision decision, const QString &decidedBy, const QString &message);
    /// Replaces the script with the person's edit (originalScript() keeps the first) and emits scriptChanged.
    void setEditedScript(const QString &script);
    /// Appends lines to the ring (dropping the oldest beyond maxKept) and emits one outputAppended,
    /// plus statsChanged when the ring dropped lines.
    void appendLines(QList<OutputLine> &&lines, int maxKept);
    /// The same for a batch the output reader made: its lines go into the ring as they are
    /// (UTF-8; full blocks moved, not copied), its cut lines only counted.
    void appendBatch(OutputBatch batch, int maxKept);
    /// The counters the controller accumulates between batches; emits statsChanged when one changed.
    void setCounters(int attachedProbes, qint64 lostEvents, qint64 droppedByRate);
    /// Replaces each map named in `maps` (bpftrace prints a map whole), appends its snapshots
    /// to the series and emits mapsChanged.
    void updateMaps(const RunResults &maps);
    /// Takes bpftrace's dump at exit out of the series: each (map, ms) names the latest snapshot
    /// it added. The dump stays the maps' end state in maps().
    void dropExitDump(const QList<std::pair<QString, qint64>> &snapshots);
    void addDiagnostics(const QList<Diagnostic> &diagnostics);
    void setAnalysis(const ScriptAnalysis &analysis);
    /// Makes this a fleet run: one host run per target, in PendingApproval like this one, with
    /// this run's request (script, client, reason, timeout) and the target. Only once, before
    /// anything else happened to the run.
    void setFleetTargets(const QStringList &targets);
    /// Brings a fleet run's state, counters and maps up to date with its host runs (the
    /// RunManager calls it whenever a host run changed); nothing for any other run. The merged
    /// maps are rebuilt only when `mapsChanged` says a host's maps changed since the last call.
    void updateFromHosts(bool mapsChanged = true);
    /// Replaces the maps whole (a fleet run's merged maps) and emits mapsChanged.
    void setMaps(const RunResults &maps);

Q_SIGNALS:
    void stateChanged(RunState state);
    void decisionChanged();
    void scriptChanged();
    /// Batched: `count` lines starting at `firstOffset` were appended (never one signal per line).
    void outputAppended(qint64 firstOffset, int count);
    void mapsChanged();
    void diagnosticsChanged();
    void analysisChanged();
    void statsChanged(); ///< attached probes, lost events, drop counters

private:
    /// Key types and delta from the analysis onto the maps; empty maps once the run has ended.
    void applyMapDetails(RunResults &maps) const;
    bool addEmptyMaps(RunState state); ///< true when it added one
    /// Makes `host` (a child) one of this fleet run's host runs.
    void adoptHost(Run *host);

    QString m_id;
    RunOrigin m_origin;
    ClientInfo m_client;
    QString m_reason;
    QString m_target;
    QList<Run *> m_hostRuns; ///< owned (children), a fleet run's only
    Run *m_fleet = nullptr; ///< the fleet run this is a host run of
    /// fleetResults() as last merged; reset whenever a host run changes.
    mutable std::shared_ptr<const FleetResults> m_fleetResults;
    QString m_script;
    QString m_originalScript;
    RunState m_state = RunState::PendingApproval;
    Decision m_decision = Decision::Pending;
    QString m_decidedBy;
    QString m_decisionMessage;
    QString m_failureReason;
    QDateTime m_createdAt;
    QDateTime m_decidedAt;
    QDateTime m_startedAt;
    QDateTime m_endedAt;
    std::optional<int> m_timeoutSeconds;
    std::optional<int> m_exitCode;
    int m_attachedProbes = 0;
    qint64 m_lostEvents = 0;
    OutputBuffer m_lines; ///< the ring: line i has offset m_firstOffset + i
    qint64 m_firstOffset = 0;
    qint64 m_droppedByRate = 0;
    qint64 m_totalBytes = 0;
    RunResults m_maps;
    QList<Diagnostic> m_diagnostics;
    ScriptAnalysis m_analysis;
};
