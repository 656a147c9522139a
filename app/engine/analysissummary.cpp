// SPDX-License-Identifier: GPL-2.0-or-later
// The analysis wording in one place; see analysissummary.h.
#include "engine/analysissummary.h"

#include "engine/inerttext.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
const QStringList &attachedProbes(const ScriptAnalysis &analysis)
{
    return analysis.attachList.isEmpty() ? analysis.probeSpecs : analysis.attachList;
}

int errorCount(const ScriptAnalysis &analysis)
{
    return int(std::count_if(analysis.diagnostics.cbegin(), analysis.diagnostics.cend(),
        [](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; }));
}
} // namespace

QString AnalysisSummary::risk(RiskLevel level)
{
    switch (level) {
    case RiskLevel::Low:
        return tr("Low risk");
    case RiskLevel::Medium:
        return tr("Medium risk");
    case RiskLevel::High:
        break;
    }
    return tr("High risk");
}

QStringList AnalysisSummary::findings(const ScriptAnalysis &analysis)
{
    const QStringList reasons = analysis.reasons();
    // Without bpftrace's verdict, "nothing risky" would vouch for a program nobody checked.
    if (reasons.isEmpty() && analysis.complete && analysis.checked)
        return { tr("Nothing risky found.") };
    // A finding quotes the script (a predicate's string, a path): one line each, every newline
    // and control escaped, so quoted client text cannot start a fake request below it.
    QStringList out;
    out.reserve(reasons.size());
    for (const QString &reason : reasons)
        out.append(InertText::line(reason));
    return out;
}

QString AnalysisSummary::attachment(const ScriptAnalysis &analysis)
{
    if (analysis.attachCount >= 0)
        return tr("Attaches to %n probes", "", analysis.attachCount);
    const QString written = analysis.probeSpecs.join(u", "_s);
    return analysis.complete ? tr("Attach count unknown; probes as written: %1").arg(written)
                             : tr("Counting the probes it attaches to… (as written: %1)").arg(written);
}

QString AnalysisSummary::target(const QString &target, const ScriptAnalysis &analysis)
{
    QStringList parts;
    if (!analysis.complete) {
        parts << checking(analysis);
    } else if (isUnchecked(analysis)) {
        parts << unchecked(analysis);
    } else {
        if (analysis.attachCount >= 0)
            parts << tr("Attaches to %n probes", "", analysis.attachCount);
        parts << risk(analysis.risk);
        int errors = 0;
        for (const Diagnostic &diagnostic : analysis.diagnostics)
            errors += diagnostic.severity == Diagnostic::Severity::Error ? 1 : 0;
        if (errors > 0)
            parts << tr("%n errors", "", errors);
    }
    return target + u": "_s + parts.join(u" · "_s);
}

QString AnalysisSummary::probeList(const ScriptAnalysis &analysis, int limit)
{
    const QStringList &probes = attachedProbes(analysis);
    QString text = probes.mid(0, limit).join(u", "_s);
    if (probes.size() > limit)
        text += u", "_s + tr("… (%1 more)").arg(probes.size() - limit);
    return text;
}

QString AnalysisSummary::unsafeBuiltins(const ScriptAnalysis &analysis)
{
    if (analysis.unsafeBuiltins.isEmpty())
        return {};
    return tr("Uses unsafe builtins: %1 (bpftrace runs with --unsafe)").arg(analysis.unsafeBuiltins.join(u", "_s));
}

QString AnalysisSummary::checking(const ScriptAnalysis &analysis)
{
    return analysis.complete || isUnchecked(analysis) ? QString() : tr("Checking with bpftrace…");
}

bool AnalysisSummary::isUnchecked(const ScriptAnalysis &analysis)
{
    // A finished check that could not run leaves its reason even when the analysis is not
    // marked complete.
    return !analysis.checked && (analysis.complete || !analysis.uncheckedReason.isEmpty());
}

QString AnalysisSummary::unchecked(const ScriptAnalysis &analysis)
{
    if (!isUnchecked(analysis))
        return {};
    const QString reason = analysis.uncheckedReason.isEmpty() ? tr("no reason recorded") : analysis.uncheckedReason;
    return tr("Not checked by bpftrace: %1").arg(reason);
}

QString AnalysisSummary::statusLine(const ScriptAnalysis &analysis)
{
    QStringList parts;
    // The attach points as written can be a long list; under the editor only their number fits.
    const qsizetype specs = analysis.probeSpecs.size();
    if (analysis.attachCount >= 0)
        parts.append(attachment(analysis));
    else
        parts.append(tr("%n probe specs", "", specs));
    parts.append(risk(analysis.risk));
    if (const int errors = errorCount(analysis))
        parts.append(tr("%n errors", "", errors));
    for (const QString &part : { unsafeBuiltins(analysis), unchecked(analysis), checking(analysis) }) {
        if (!part.isEmpty())
            parts.append(part);
    }
    return parts.join(u" · "_s);
}

QString AnalysisSummary::report(const ScriptAnalysis &analysis, int probeLimit)
{
    QString text = risk(analysis.risk) + u'\n';
    if (const QString note = unchecked(analysis); !note.isEmpty())
        text += note + u'\n';
    for (const QString &finding : findings(analysis))
        text += u"  - "_s + finding + u'\n';
    text += attachment(analysis) + u'\n';
    if (const QString probes = probeList(analysis, probeLimit); !probes.isEmpty())
        text += u"  "_s + probes + u'\n';
    if (const QString unsafe = unsafeBuiltins(analysis); !unsafe.isEmpty())
        text += unsafe + u'\n';
    for (const Diagnostic &diagnostic : analysis.diagnostics) {
        text += u"  %1%2: %3\n"_s.arg(Diagnostic::severityName(diagnostic.severity),
            diagnostic.line > 0 ? u" line %1"_s.arg(diagnostic.line) : QString(), diagnostic.message);
    }
    if (const QString note = checking(analysis); !note.isEmpty())
        text += note + u'\n';
    return text;
}
