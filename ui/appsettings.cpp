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
        readInt(SettingsKey::approvalTimeoutSeconds, &s.approvalTimeoutSeconds, 1, 24 * 3600);
        readInt(SettingsKey::maxConcurrentRuns, &s.limits.maxConcurrentRuns, 1, 1000);
        readInt(SettingsKey::maxLinesKept, &s.limits.maxLinesKept, 100, 100000000);
        readInt(SettingsKey::maxLinesPerSecond, &s.limits.maxLinesPerSecond, 0, 100000000);
        readInt(SettingsKey::defaultClientTimeoutSeconds, &s.limits.defaultClientTimeoutSeconds, 1, 24 * 3600);
        readInt(SettingsKey::maxTimeoutSeconds, &s.limits.maxTimeoutSeconds, 1, 7 * 24 * 3600);
    }
    if (const auto mode = privilegeModeFromName(settings.value(SettingsKey::privilege).toString()))
        s.privilege = *mode;
    if (settings.contains(SettingsKey::httpEnabled))
        s.httpEnabled = settings.value(SettingsKey::httpEnabled).toBool();
    readInt(SettingsKey::httpPort, &s.httpPort, 0, 65535);
    return s;
}

void AppSettings::save(QSettings &settings) const
{
    settings.setValue(SettingsKey::privilege, privilegeModeName(privilege));
    settings.setValue(SettingsKey::approvalTimeoutSeconds, approvalTimeoutSeconds);
    settings.setValue(SettingsKey::maxConcurrentRuns, limits.maxConcurrentRuns);
    settings.setValue(SettingsKey::maxLinesKept, limits.maxLinesKept);
    settings.setValue(SettingsKey::maxLinesPerSecond, limits.maxLinesPerSecond);
    settings.setValue(SettingsKey::defaultClientTimeoutSeconds, limits.defaultClientTimeoutSeconds);
    settings.setValue(SettingsKey::maxTimeoutSeconds, limits.maxTimeoutSeconds);
    settings.setValue(SettingsKey::httpEnabled, httpEnabled);
    settings.setValue(SettingsKey::httpPort, httpPort);
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
