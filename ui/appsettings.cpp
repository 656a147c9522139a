// SPDX-License-Identifier: GPL-2.0-or-later
#include "appsettings.h"

#include <engine.h>

#include <QSettings>

AppSettings AppSettings::load(const QSettings &settings, const Engine *engine)
{
    AppSettings s;
    if (engine) {
        s.limits = engine->runs()->limits();
        s.privilege = engine->config().privilege;
        s.approvalTimeoutSeconds = engine->approvals()->expirySeconds();
    }
    auto readInt = [&settings](QLatin1StringView key, auto *target, long long min, long long max) {
        bool ok = false;
        const long long value = settings.value(key).toLongLong(&ok);
        if (ok && value >= min && value <= max)
            *target = static_cast<std::remove_pointer_t<decltype(target)>>(value);
    };
    // With an engine, the running values win over the file for what applies at once (the command
    // line may have overridden the file); what needs a restart is shown as saved.
    if (!engine) {
        readInt(AppSettingsKey::approvalTimeoutSeconds, &s.approvalTimeoutSeconds, 1, 24 * 3600);
        readInt(AppSettingsKey::maxConcurrentRuns, &s.limits.maxConcurrentRuns, 1, 1000);
        readInt(AppSettingsKey::maxLinesKept, &s.limits.maxLinesKept, 100, 100000000);
        readInt(AppSettingsKey::maxLinesPerSecond, &s.limits.maxLinesPerSecond, 0, 100000000);
        readInt(AppSettingsKey::defaultClientTimeoutSeconds, &s.limits.defaultClientTimeoutSeconds, 1, 24 * 3600);
        readInt(AppSettingsKey::maxTimeoutSeconds, &s.limits.maxTimeoutSeconds, 1, 7 * 24 * 3600);
    }
    if (const auto mode = privilegeModeFromName(settings.value(AppSettingsKey::privilege).toString()))
        s.privilege = *mode;
    if (settings.contains(AppSettingsKey::httpEnabled))
        s.httpEnabled = settings.value(AppSettingsKey::httpEnabled).toBool();
    readInt(AppSettingsKey::httpPort, &s.httpPort, 0, 65535);
    return s;
}

void AppSettings::save(QSettings &settings) const
{
    settings.setValue(AppSettingsKey::privilege, privilegeModeName(privilege));
    settings.setValue(AppSettingsKey::approvalTimeoutSeconds, approvalTimeoutSeconds);
    settings.setValue(AppSettingsKey::maxConcurrentRuns, limits.maxConcurrentRuns);
    settings.setValue(AppSettingsKey::maxLinesKept, limits.maxLinesKept);
    settings.setValue(AppSettingsKey::maxLinesPerSecond, limits.maxLinesPerSecond);
    settings.setValue(AppSettingsKey::defaultClientTimeoutSeconds, limits.defaultClientTimeoutSeconds);
    settings.setValue(AppSettingsKey::maxTimeoutSeconds, limits.maxTimeoutSeconds);
    settings.setValue(AppSettingsKey::httpEnabled, httpEnabled);
    settings.setValue(AppSettingsKey::httpPort, httpPort);
}

void AppSettings::applyTo(Engine *engine) const
{
    engine->setLimits(limits);
    engine->setApprovalTimeoutSeconds(approvalTimeoutSeconds);
}

bool AppSettings::needsRestartComparedTo(const AppSettings &other) const
{
    return privilege != other.privilege || httpEnabled != other.httpEnabled || httpPort != other.httpPort;
}

bool AppSettings::operator==(const AppSettings &other) const
{
    const RunLimits &a = limits;
    const RunLimits &b = other.limits;
    return a.maxConcurrentRuns == b.maxConcurrentRuns && a.maxLinesKept == b.maxLinesKept
        && a.maxLinesPerSecond == b.maxLinesPerSecond && a.defaultClientTimeoutSeconds == b.defaultClientTimeoutSeconds
        && a.maxTimeoutSeconds == b.maxTimeoutSeconds && privilege == other.privilege
        && approvalTimeoutSeconds == other.approvalTimeoutSeconds && httpEnabled == other.httpEnabled
        && httpPort == other.httpPort;
}
