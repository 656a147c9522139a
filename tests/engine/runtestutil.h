// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the run-side engine tests: where the fakes are, and a Direct privilege around one.
#pragma once

#include "engine/privilege.h"
#include "engine/run.h"
#include "engine/targets/targettransport.h"

#include <QFile>
#include <QString>
#include <QStringList>

using namespace Qt::StringLiterals;

inline QString fakePath(const QString &name)
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/tests/engine/fakes/"_s + name;
}

inline QString helperBinary()
{
    return QStringLiteral(TRACEDESK_BINARY_DIR) + u"/bin/tracedesk-helper"_s;
}

/// Direct mode with the given program standing in for bpftrace.
inline Privilege directPrivilege(const QString &bpftrace)
{
    Privilege::Environment env;
    env.isRoot = true;
    env.bpftracePath = bpftrace;
    return Privilege(PrivilegeMode::Direct, env);
}

/// Target options whose ssh is fakes/ssh.sh (the remote command runs here; a host named
/// "*refuse*" is refused), with its control sockets under `dir`.
inline TargetTransport::Options fakeSshOptions(const QString &dir)
{
    TargetTransport::Options options;
    options.sshProgram = fakePath(u"ssh.sh"_s);
    options.controlDirectory = dir + u"/c"_s;
    return options;
}

inline QStringList lineTexts(const Run *run)
{
    QStringList texts;
    const QList<OutputLine> lines = run->lines(0, 1 << 30);
    for (const OutputLine &line : lines)
        texts << line.text;
    return texts;
}

/// Sets an environment variable for the fakes started during one test, and removes it after.
class ScopedEnv
{
public:
    ScopedEnv(const char *name, const QByteArray &value)
        : m_name(name)
    {
        qputenv(name, value);
    }
    ~ScopedEnv() { qunsetenv(m_name); }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
    const char *m_name;
};

/// A file of real bpftrace output recorded under tests/engine/data/results-0.23.2.
inline QString recordedResultsPath(const QString &name)
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/tests/engine/data/results-0.23.2/"_s + name;
}

/// The analysis bpftrace's recorded AST gives a program (name.ast.txt): its maps and key types.
inline ScriptAnalysis recordedAnalysis(const QString &name)
{
    QFile file(recordedResultsPath(name + u".ast.txt"_s));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing %s", qPrintable(file.fileName()));
    ScriptAnalysis analysis;
    ScriptAnalyzer::applyAst(analysis, file.readAll(), QString());
    return analysis;
}
