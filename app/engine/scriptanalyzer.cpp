// SPDX-License-Identifier: GPL-2.0-or-later
#include "scriptanalyzer.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

QJsonObject Finding::toJson() const
{
    return QJsonObject { { u"level"_s, riskLevelName(level) }, { u"code"_s, code }, { u"message"_s, message },
        { u"line"_s, line } };
}

Finding Finding::fromJson(const QJsonObject &object)
{
    Finding f;
    const QString level = object.value(u"level"_s).toString();
    f.level = level == u"high" ? RiskLevel::High : level == u"medium" ? RiskLevel::Medium : RiskLevel::Low;
    f.code = object.value(u"code"_s).toString();
    f.message = object.value(u"message"_s).toString();
    f.line = object.value(u"line"_s).toInt();
    return f;
}

bool ScriptAnalysis::hasErrors() const
{
    for (const Diagnostic &d : diagnostics) {
        if (d.severity == Diagnostic::Severity::Error)
            return true;
    }
    return false;
}

QStringList ScriptAnalysis::reasons() const
{
    QStringList out;
    for (const Finding &f : findings)
        out.append(f.message);
    return out;
}

QJsonObject ScriptAnalysis::toJson() const
{
    return QJsonObject { { u"risk"_s, riskLevelName(risk) }, { u"complete"_s, complete } };
}

ScriptAnalysis ScriptAnalysis::fromJson(const QJsonObject &object)
{
    Q_UNUSED(object)
    return {};
}

ScriptAnalyzer::ScriptAnalyzer(QObject *parent)
    : QObject(parent)
{ }

void ScriptAnalyzer::setBpftraceCommand(const QString &program, const QStringList &prefixArguments)
{
    m_program = program;
    m_prefix = prefixArguments;
}

ScriptAnalysis ScriptAnalyzer::analyzeText(const QString &script)
{
    Q_UNUSED(script)
    return {};
}

void ScriptAnalyzer::analyze(const QString &script, QObject *context, Callback done)
{
    Q_UNUSED(context)
    done(analyzeText(script));
}
