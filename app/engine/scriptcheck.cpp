// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/scriptcheck.h"

using namespace Qt::StringLiterals;

bool checkScript(const QString &script, QString *error)
{
    QString problem;
    if (script.trimmed().isEmpty())
        problem = u"The script is empty."_s;
    else if (!QStringView(script).isValidUtf16())
        problem = u"The script is not valid UTF-8."_s;
    else if (script.toUtf8().size() > maxScriptBytes)
        problem = u"The script is larger than %1 KiB."_s.arg(maxScriptBytes / 1024);
    if (problem.isEmpty())
        return true;
    if (error)
        *error = problem;
    return false;
}
