// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/engineconfig.h"

#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

QString defaultSocketPath()
{
    QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (runtime.isEmpty())
        runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (QFileInfo::exists(u"/.flatpak-info"_s)) {
        const QString appId = qEnvironmentVariable("FLATPAK_ID", u"org.tracedesk.TraceDesk"_s);
        return runtime + u"/app/"_s + appId + u"/mcp.sock"_s;
    }
    return runtime + u"/tracedesk/mcp.sock"_s;
}
