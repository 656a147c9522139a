// SPDX-License-Identifier: GPL-2.0-or-later
// What a bpftrace program would do, before it runs: the facts behind an approval.
#pragma once

#include "engine/launchcommand.h"
#include "engine/runtypes.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <memory>

/// One reason behind the risk level, readable in a second ("profile:hz:9999 fires 9999 times a
/// second on every CPU").
struct Finding
{
    RiskLevel level = RiskLevel::Low;
    QString code; ///< stable id: "unsafe-builtin", "high-frequency", "wide-wildcard", "user-memory", "file-read",
                  ///< "kernel-write", "exec-args", "tls", "feedback-loop", "raw-memory", "ast-unavailable",
                  ///< "not-checked", "not-expanded", ...
    QString message;
    int line = 0; ///< 1-based; 0 when it concerns the whole script

    QJsonObject toJson() const;
    static Finding fromJson(const QJsonObject &object);
    bool operator==(const Finding &) const = default;
};

/// A map as the program uses it, from bpftrace's typed AST: what the results need to read its
/// printed form (bpftrace's JSON gives no key types) and to tell a delta series from totals.
struct ScriptMap
{
    QString name; ///< "@x", "@" for the anonymous map
    QStringList keyTypes; ///< one per key part, in order ("string[16]", "ustack", "uint32"); empty: no key
    QString valueType; ///< "count_t", "hist_t", ...
    bool clearedAfterPrint = false; ///< clear(@x) or zero(@x) in a block that also prints @x

    QJsonObject toJson() const;
    static ScriptMap fromJson(const QJsonObject &object);
    bool operator==(const ScriptMap &) const = default;
};

struct ScriptAnalysis
{
    QStringList probeSpecs; ///< the attach points as written (may hold wildcards)
    /// Concrete probes: from `bpftrace -l prog.bt` (wildcards expanded) or, when every attach point
    /// counts as one probe, from bpftrace's own AST of the program (no second bpftrace run).
    QStringList attachList;
    int attachCount = -1; ///< -1 until the expansion ran (or when it could not)
    bool expanded = false; ///< attachList/attachCount come from bpftrace itself
    QStringList unsafeBuiltins; ///< system, signal, override, ... used by the script
    bool needsUnsafe = false; ///< bpftrace must be started with --unsafe
    QList<Finding> findings;
    QList<Diagnostic> diagnostics; ///< syntax/compile errors and warnings
    RiskLevel risk = RiskLevel::Low;
    bool complete = false; ///< the slow part (bpftrace expansion/compile check) is included
    /// bpftrace itself compiled the program to a verdict (clean or with errors). False when the
    /// check could not run at all (bpftrace missing, refused, timed out, script too long): then
    /// nothing vouches for the program, `uncheckedReason` says why, and no policy may treat it
    /// as valid or low risk.
    bool checked = false;
    QString uncheckedReason; ///< for people and clients, when complete && !checked
    /// The findings include bpftrace's own typed AST (`-d ast`, after semantic analysis), not only
    /// what the text analysis reads. False for the quick text analysis, an old bpftrace, or a
    /// program that failed before semantic analysis (a finding then says so).
    bool fromAst = false;
    QStringList maps; ///< the maps the program uses, from the AST (bpftrace prints only filled ones)
    QList<ScriptMap> mapDetails; ///< the same maps with their key types, from the AST

    /// nullptr when the AST did not describe a map of that name.
    const ScriptMap *mapDetail(const QString &name) const;

    bool hasErrors() const;
    /// A fleet's analysis from its targets' (name, analysis): the worst one (errors first, then
    /// the highest risk, then an incomplete one) with every other target's errors and findings
    /// added under its name; the highest risk of any target; complete and checked only when every
    /// target's is; attachCount the total over the targets (-1 while any is unknown).
    static ScriptAnalysis worstOf(const QList<std::pair<QString, ScriptAnalysis>> &perTarget);
    /// One human sentence per finding, highest risk first.
    QStringList reasons() const;
    QJsonObject toJson() const;
    static ScriptAnalysis fromJson(const QJsonObject &object);
};

/// Analyses scripts. analyzeText() is pure and instant (safe to call on every keystroke);
/// analyze() adds what only bpftrace can tell (wildcard expansion, compile diagnostics, its typed
/// AST) without attaching anything.
class ScriptAnalyzer : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const ScriptAnalysis &)>;

    explicit ScriptAnalyzer(QObject *parent = nullptr);

    /// The bpftrace command used for expansion and the compile check (normally set by Engine from
    /// the privilege mode): the program, arguments that go before bpftrace's own (a wrapper's),
    /// and whether it is the elevated tracedesk-helper.
    void setBpftraceCommand(const LaunchCommand &command);
    /// For another target (TargetTransport::queryLauncher): each bpftrace argument list is wrapped
    /// whole (over ssh it must be quoted as one remote string, so a prefix would not do). The
    /// command for no arguments stands in for setBpftraceCommand()'s in the cache key.
    void setLauncher(LaunchBuilder launcher);

    static ScriptAnalysis analyzeText(const QString &script);
    /// Why a target has no analyzer to check a script.
    enum class Absence
    {
        None, ///< it never had one (not a configured target)
        Removed, ///< its target was removed before its bpftrace answered
    };
    /// The text analysis of a script that `target` has no analyzer to check: complete, not
    /// checked, and saying why, so that it never reads as a target that found nothing.
    static ScriptAnalysis withoutAnalyzer(
        const QString &script, const QString &target, Absence absence = Absence::None);
    /// Adds what `bpftrace -l` (expansion) and `bpftrace -d ast --emit-elf /dev/null` (compile check,
    /// attaches nothing) reported to a text analysis. Pure; exposed for tests.
    static void applyExpansion(ScriptAnalysis &analysis, const QByteArray &listOutput, bool listOk);
    static void applyCompile(ScriptAnalysis &analysis, const QByteArray &stderrOutput, bool compileOk);
    /// The attach count without `bpftrace -l`: when bpftrace's typed AST (stdout of `-d ast`) shows
    /// only attach points that count as one probe each (no wildcard; BEGIN/END, interval, profile,
    /// software, hardware, tracepoint, kprobe, uprobe) and as many as the text analysis saw
    /// (`textSpecs`), sets the attach list and count from it, with the same rules as
    /// applyExpansion, and returns true. Otherwise changes nothing and returns false: only -l can
    /// count that program. Pure; exposed for tests.
    static bool applyLiteralAttachPoints(ScriptAnalysis &analysis, const QByteArray &astOutput, qsizetype textSpecs);
    /// Adds the findings from bpftrace's typed AST (stdout of `-d ast --emit-elf /dev/null`) to a
    /// text analysis of `script`; the higher of the two wins. Without an AST in the output, a
    /// finding says so and the risk is at least medium. Pure; exposed for tests.
    static void applyAst(ScriptAnalysis &analysis, const QByteArray &astOutput, const QString &script);
    /// Limits for the slow part, mostly for tests.
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    /// Whether analyze() also runs the `bpftrace -l` expansion (default true); off, it only
    /// compiles, which halves the cost when only the diagnostics matter.
    void setExpansionEnabled(bool enabled) { m_expand = enabled; }

    /// Asynchronous full analysis. `done` is called exactly once, on the caller's thread, unless
    /// `context` is destroyed first. A script analysed a moment ago by the same bpftrace is
    /// answered from a cache (a client validates a program, then asks to run it).
    void analyze(const QString &script, QObject *context, Callback done);

    using TargetAnalyzers = QList<std::pair<QString, QPointer<ScriptAnalyzer>>>;
    using PerTarget = QList<std::pair<QString, ScriptAnalysis>>;
    /// Analyses `script` on every target (name and analyzer, null when it has none). `each` is
    /// called as each target answers (its index and analysis), `all` once, when every target
    /// has, with the analyses in the targets' order. A target without an analyzer, or whose
    /// analyzer is destroyed before it answered, answers withoutAnalyzer(): never as a target
    /// that found nothing, and never left waiting. Answers come from the event loop, never from
    /// inside this call or an analyzer's teardown. Neither is called once `context`, which must
    /// be given, is gone.
    static void analyzeOnTargets(const QString &script, TargetAnalyzers targets, QObject *context,
        std::function<void(qsizetype, const ScriptAnalysis &)> each, std::function<void(const PerTarget &)> all);

    /// How long a cached analysis is reused: the probes a wildcard matches can change (a module
    /// loaded, a library installed), so not forever.
    static constexpr int CacheLifetimeMs = 5 * 60 * 1000;
    static constexpr int CacheEntries = 64;
    qsizetype cachedCount() const { return m_cache.size(); }
    void clearCache() { m_cache.clear(); }

private:
    static void applyAttachList(ScriptAnalysis &analysis, const QStringList &attach);
    struct Job;
    void runQuery(const std::shared_ptr<Job> &job, const QStringList &arguments, const QByteArray &input, bool isList);
    void queryEnded(const std::shared_ptr<Job> &job);

    struct CacheEntry
    {
        ScriptAnalysis analysis;
        QDeadlineTimer expires;
        quint64 lastUse = 0;
    };
    QByteArray cacheKey(const QString &script) const;
    const ScriptAnalysis *cached(const QByteArray &key);
    void remember(const QByteArray &key, const ScriptAnalysis &analysis);

    LaunchCommand m_command { QStringLiteral("bpftrace"), {}, false };
    LaunchBuilder m_launcher; ///< empty: m_command's program and arguments, then bpftrace's
    int m_timeoutMs = 20000;
    bool m_expand = true;
    QHash<QByteArray, CacheEntry> m_cache;
    quint64 m_useCounter = 0;
};
